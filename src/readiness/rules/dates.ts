// Calendar dates as `YYYY-MM-DD` strings, counted in whole days in UTC so no time zone can
// shift a day. A calendar date is never a midnight instant here.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for a valid `YYYY-MM-DD`, or `null` (wrong shape, 2023-02-30, …). */
export function parseIsoDate(value: string | null | undefined): number | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return Math.round(d.getTime() / MS_PER_DAY);
}

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && parseIsoDate(value) !== null;
}

/** `YYYY-MM-DD` for a day number from {@link parseIsoDate}. */
export function formatIsoDate(dayNumber: number): string {
  const d = new Date(dayNumber * MS_PER_DAY);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

/** The date `days` days after `date` (negative goes back). Throws on an invalid date. */
export function addDays(date: string, days: number): string {
  const n = parseIsoDate(date);
  if (n === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return formatIsoDate(n + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). Throws on an invalid date. */
export function daysBetween(from: string, to: string): number {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  if (a === null || b === null) throw new RangeError(`not a YYYY-MM-DD date: ${a === null ? from : to}`);
  return b - a;
}

/** Calendar year of a `YYYY-MM-DD` date. Throws on an invalid date. */
export function yearOf(date: string): number {
  if (parseIsoDate(date) === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Number(date.slice(0, 4));
}

/** The assessment window: the three accounting years before the assessment year, oldest first. */
export function windowYears(assessmentDate: string): [number, number, number] {
  const y = yearOf(assessmentDate);
  return [y - 3, y - 2, y - 1];
}

/**
 * Window years in which the enterprise was operating, i.e. registered on or before 31 December
 * of that year. With no registration date every window year is returned (see the caller's policy).
 */
export function operatingYears(assessmentDate: string, registeredAt: string | null | undefined): number[] {
  const window = windowYears(assessmentDate);
  if (registeredAt == null || parseIsoDate(registeredAt) === null) return window;
  const registeredYear = yearOf(registeredAt);
  return window.filter((y) => registeredYear <= y);
}
