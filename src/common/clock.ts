import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/**
 * The one place Peiyu reads the time, so tests can set it (certificate expiry, the one-year
 * mark, deadlines) instead of waiting.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  constructor(private readonly config: AppConfig) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Today's calendar date (YYYY-MM-DD) in APP_TIMEZONE. */
  today(): string {
    return calendarDate(this.now(), this.config.APP_TIMEZONE);
  }

  /** For tests: make now() answer `instant` from here on. */
  setNow(instant: Date): void {
    this.offsetMs = instant.getTime() - Date.now();
  }
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (it showed in the
// write-path profiles), and a process sees one or two zones.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function calendarDate(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
}
