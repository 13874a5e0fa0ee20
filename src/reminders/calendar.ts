/**
 * The Chinese working-day calendar (国务院办公厅 holiday notices): public holidays are off,
 * make-up working days (调休, e.g. a Saturday worked in exchange for a longer holiday) are on,
 * other days follow Monday–Friday.
 *
 * The official days come from the `chinese-days` package, and only from here: nothing else in
 * Peiyu imports it. We read its published data file rather than call its functions, because
 * its functions format dates with the process's local time zone (under TZ=America/New_York,
 * `getDayDetail('2026-10-10')` answers for 2026-10-09), and Peiyu must not depend on TZ.
 *
 * Years the data does not cover yet (the State Council publishes next year's notice around
 * November; bump the package then) fall back to Monday–Friday, as the package itself does:
 * holding every reminder because the calendar is stale would be worse than mailing on a
 * holiday. `calendarCoversYear` lets a health check or the sweeper warn about it.
 */
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, assertDate, dayOfWeek } from './dates.js';

const HOLIDAYS: ReadonlySet<string> = new Set(Object.keys(calendarData.holidays));
const MAKE_UP_WORKING_DAYS: ReadonlySet<string> = new Set(Object.keys(calendarData.workdays));
const COVERED_YEARS: ReadonlySet<number> = new Set([...HOLIDAYS].map((d) => Number(d.slice(0, 4))));

/** Whether the official calendar data has this year's holidays (else weekends only). */
export function calendarCoversYear(year: number): boolean {
  return COVERED_YEARS.has(year);
}

/** Whether `date` (YYYY-MM-DD) is a working day in mainland China. */
export function isWorkingDay(date: string): boolean {
  assertDate(date);
  if (MAKE_UP_WORKING_DAYS.has(date)) return true;
  if (HOLIDAYS.has(date)) return false;
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6;
}

/** `date` itself if it is a working day, else the first working day after it. */
export function nextWorkingDay(date: string): string {
  let day = assertDate(date);
  // The longest official run of days off (Spring Festival plus weekends) is well under 3 weeks.
  for (let i = 0; i < 31; i++) {
    if (isWorkingDay(day)) return day;
    day = addDays(day, 1);
  }
  throw new Error(`No working day within 31 days of ${date}`);
}

/**
 * `date` itself if it is a working day, else the last working day before it, but never
 * before `notBefore`: a reminder ahead of a deadline that lands on a day off goes out the
 * working day before rather than after (after might be the deadline itself).
 */
export function previousWorkingDay(date: string, notBefore: string): string {
  let day = assertDate(date);
  assertDate(notBefore);
  for (let i = 0; i < 31 && day > notBefore; i++) {
    if (isWorkingDay(day)) return day;
    day = addDays(day, -1);
  }
  return day < notBefore ? notBefore : day;
}
