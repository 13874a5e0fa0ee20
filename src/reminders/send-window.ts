/**
 * When a due reminder may actually be mailed: inside the daily send window
 * (`REMINDER_SEND_WINDOW`, local to `APP_TIMEZONE`) and, unless switched off
 * (`REMINDER_WORKING_DAYS_ONLY=false`), on a Chinese working day.
 */
import { isWorkingDay } from './calendar.js';
import { addDays } from './dates.js';
import { wallTime, zonedInstant } from './zoned-time.js';

/** A daily window `[startMinute, endMinute)` in minutes since local midnight; the end is exclusive. */
export interface SendWindow {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface SendTimeOptions {
  timeZone: string;
  window: SendWindow;
  workingDaysOnly: boolean;
  /**
   * Urgent mail skips the working-day rule (it may go out on a Saturday or a public holiday)
   * but still waits for the send window: nobody reads a 03:00 mail sooner than a 09:00 one,
   * and a deployment that wants round-the-clock mail sets `00:00-24:00`.
   */
  urgent: boolean;
}

const WINDOW_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function minuteOf(hh: string, mm: string, text: string): number {
  const h = Number(hh);
  const m = Number(mm);
  if (m > 59 || h > 24 || (h === 24 && m !== 0))
    throw new RangeError(`Bad time in send window ${JSON.stringify(text)}`);
  return h * 60 + m;
}

/**
 * Parses `HH:MM-HH:MM`, e.g. `09:00-18:00`; `00:00-24:00` means any time. The end is
 * exclusive (a mail due at 18:00 waits for the next day). Windows across midnight
 * (`22:00-06:00`) and empty ones are refused: reminders go out in office hours.
 */
export function parseSendWindow(text: string): SendWindow {
  const m = WINDOW_RE.exec(text.trim());
  if (!m) throw new RangeError(`Send window must look like 09:00-18:00, got ${JSON.stringify(text)}`);
  const startMinute = minuteOf(m[1], m[2], text);
  const endMinute = minuteOf(m[3], m[4], text);
  if (startMinute >= endMinute)
    throw new RangeError(`Send window must start before it ends: ${JSON.stringify(text)}`);
  return { startMinute, endMinute };
}

/**
 * The earliest instant ≥ `due` inside the send window in `timeZone`, on a working day unless
 * `workingDaysOnly` is false or the mail is `urgent`. A `due` already inside an allowed
 * window is returned unchanged (to the millisecond). Window edges are computed per day in the
 * zone, so they stay right on daylight-saving days.
 */
export function nextSendTime(due: Date, opts: SendTimeOptions): Date {
  const { timeZone, window, workingDaysOnly, urgent } = opts;
  if (Number.isNaN(due.getTime())) throw new RangeError('due is an invalid Date');
  const holdForWorkingDay = workingDaysOnly && !urgent;
  let day = wallTime(due, timeZone).date;
  // A working day always comes within a few weeks; 400 days only guards against a bug looping.
  for (let i = 0; i < 400; i++, day = addDays(day, 1)) {
    if (holdForWorkingDay && !isWorkingDay(day)) continue;
    const opens = zonedInstant(day, window.startMinute, timeZone);
    const closes = zonedInstant(day, window.endMinute, timeZone);
    if (due.getTime() >= closes.getTime()) continue;
    return due.getTime() > opens.getTime() ? new Date(due.getTime()) : opens;
  }
  throw new Error(`No send time within 400 days of ${due.toISOString()}`);
}

/** The send-time options of a deployment (non-urgent mail), from its configuration. */
export function sendTimeOptions(config: {
  APP_TIMEZONE: string;
  REMINDER_SEND_WINDOW: string;
  REMINDER_WORKING_DAYS_ONLY: boolean;
}): SendTimeOptions {
  return {
    timeZone: config.APP_TIMEZONE,
    window: parseSendWindow(config.REMINDER_SEND_WINDOW),
    workingDaysOnly: config.REMINDER_WORKING_DAYS_ONLY,
    urgent: false,
  };
}
