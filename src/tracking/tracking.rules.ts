// Follow-up tracking (挂号跟踪): enums and the pure date rules the service wires to storage.
// No Nest, no ORM, no clock.

export const TRACKING_STATUSES = ['open', 'closed', 'promoted'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/** How an officer reached the enterprise. */
export const TRACKING_CHANNELS = ['visit', 'call', 'email', 'wechat', 'meeting', 'other'] as const;
export type TrackingChannel = (typeof TRACKING_CHANNELS)[number];

/** Facts a follow-up date can be derived from, instead of being given. */
export const TRACKING_WATCHES = ['registration_anniversary', 'financial_year_end'] as const;
export type TrackingWatch = (typeof TRACKING_WATCHES)[number];

export const TRACKING_DUE = ['overdue', 'today', 'week'] as const;
export type TrackingDue = (typeof TRACKING_DUE)[number];

export const CADENCE_DAYS_MAX = 366;

/**
 * The calendar day a watch points at, or null when the facts lack it: the first anniversary
 * of registration (when HNTE's one-year registration criterion is met), or 31 December of
 * `today`'s year (the financial year end, when next year's figures are settled).
 */
export function watchDate(watch: TrackingWatch, registeredAt: string | null, today: string): string | null {
  if (watch === 'financial_year_end') return `${today.slice(0, 4)}-12-31`;
  if (registeredAt === null) return null;
  const [y, m, d] = registeredAt.split('-').map(Number);
  // 29 February has its first anniversary on 28 February.
  const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap(y + 1) ? 28 : d;
  return `${String(y + 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Adds whole days to a calendar date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The calendar-day range [from, to) a `due` filter selects, relative to `today`; overdue has no start. */
export function dueRange(due: TrackingDue, today: string): { from: string | null; to: string } {
  switch (due) {
    case 'overdue':
      return { from: null, to: today };
    case 'today':
      return { from: today, to: addDays(today, 1) };
    case 'week':
      return { from: today, to: addDays(today, 7) };
  }
}

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
