/**
 * Calendar-date arithmetic on `YYYY-MM-DD` strings. Everything runs on UTC midnights, so the
 * answers never depend on the process time zone (TZ) or on daylight saving.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Milliseconds of the UTC midnight of `date`; throws RangeError unless it is a real `YYYY-MM-DD`. */
export function dateToUtcMs(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to 2025-03-02: refuse instead of guessing.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`No such date: ${date}`);
  }
  return ms;
}

export function utcMsToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: string, days: number): string {
  return utcMsToDate(dateToUtcMs(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(dateToUtcMs(date)).getUTCDay();
}

/** Throws RangeError unless `date` is a real `YYYY-MM-DD`; returns it for chaining. */
export function assertDate(date: string): string {
  dateToUtcMs(date);
  return date;
}
