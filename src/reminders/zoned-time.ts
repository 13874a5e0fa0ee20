/**
 * Wall-clock time in an IANA zone, with `Intl.DateTimeFormat` only (no moment/luxon), so it is
 * right across daylight-saving changes and independent of the process time zone.
 */
import { dateToUtcMs } from './dates.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what we want.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** Minutes since the local midnight, 0–1439. */
  minuteOfDay: number;
}

function fields(instantMs: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

/** The zone's offset from UTC at `instantMs`, in ms (Shanghai: +8 h). */
function offsetMs(instantMs: number, timeZone: string): number {
  const f = fields(instantMs, timeZone);
  const wallAsUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const flooredToSecond = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtc - flooredToSecond;
}

/** The calendar date and minute of day that `instant` shows on a clock in `timeZone`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const f = fields(instant.getTime(), timeZone);
  const date = `${String(f.year).padStart(4, '0')}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
  return { date, minuteOfDay: f.hour * 60 + f.minute };
}

/**
 * The instant at which clocks in `timeZone` show `date` + `minuteOfDay` (0–1440; 1440 is the
 * next midnight). Like Temporal's "compatible" disambiguation: a wall time skipped by a
 * spring-forward gap maps to the same distance after the gap (02:30 → 03:30 in Berlin), and
 * one repeated by a fall-back maps to its earlier occurrence.
 */
export function zonedInstant(date: string, minuteOfDay: number, timeZone: string): Date {
  if (!Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay > 1440) {
    throw new RangeError(`minuteOfDay out of range: ${minuteOfDay}`);
  }
  const wallAsUtc = dateToUtcMs(date) + minuteOfDay * MINUTE_MS;
  const before = offsetMs(wallAsUtc - DAY_MS, timeZone);
  const after = offsetMs(wallAsUtc + DAY_MS, timeZone);
  const candidates = [wallAsUtc - before, wallAsUtc - after]
    .filter((t) => offsetMs(t, timeZone) === wallAsUtc - t)
    .sort((a, b) => a - b);
  // No candidate: the wall time falls in a gap; the pre-transition offset lands after the gap.
  return new Date(candidates[0] ?? wallAsUtc - before);
}

/** The instant of local midnight starting `date` in `timeZone`. */
export function startOfDayIn(date: string, timeZone: string): Date {
  return zonedInstant(date, 0, timeZone);
}

/** The calendar date `instant` falls on in `timeZone`. */
export function calendarDateIn(instant: Date, timeZone: string): string {
  return wallTime(instant, timeZone).date;
}
