/**
 * Reminder planning: which reminders an event calls for and on which calendar day
 * (`YYYY-MM-DD` in APP_TIMEZONE). Pure: the outbox stores each plan as a row keyed by
 * (enterprise, `occurrence`), so planning the same event twice adds nothing; the send time
 * within the day comes from `nextSendTime`.
 *
 * Past reminders (decision): given `today`, a series drops every reminder already past except
 * the most recent one, which is moved to `today` as a catch-up — an enterprise registered two
 * days before a deadline gets one "deadline approaching" mail now, not three stale ones and
 * not none. No catch-up when another reminder of the series is due today anyway (one mail, not
 * two) or when the event itself has passed (the deadline, the expiry). The catch-up keeps its
 * `occurrence`, so re-planning on a later day does not add a second row. Without `today`,
 * every reminder is returned.
 */
import { addDays, assertDate } from './dates.js';
import { calendarDateIn } from './zoned-time.js';

export type ReminderKind =
  | 'follow_up_due'
  | 'deadline_approaching'
  | 'certificate_expiring'
  | 'annual_report_due'
  | 'tsme_renewal'
  | 'contract_item_due';

export type ReminderRecipient = 'enterprise' | 'officer';

export interface PlannedReminder {
  kind: ReminderKind;
  /**
   * Stable per enterprise, e.g. `batch:<id>:submission:2026-10-09:7d`: the outbox's
   * idempotency key. Keys carry the event's date, so a moved deadline is a new series (the
   * old one's pending rows are cancelled, its sent ones stay as sent).
   */
  occurrence: string;
  dueDate: string;
  /** Mandatory reminders ignore `remindersEnabled: false`; only optional copies honour it. */
  mandatory: boolean;
  recipient: ReminderRecipient;
  /** Only for a follow-up given as an instant: send no earlier than this. */
  dueAt?: Date;
}

export type DeadlineName = 'registration' | 'materials' | 'submission';

export interface BatchDeadline {
  batchId: string;
  name: DeadlineName;
  date: string;
}

export const DEADLINE_OFFSET_DAYS = [7, 3, 1] as const;
export const CERTIFICATE_OFFSET_DAYS = [180, 90, 30] as const;
/** A week ahead, then on the day: contract items are the bureau's own commitments. */
export const CONTRACT_ITEM_OFFSET_DAYS = [7, 0] as const;
/** Not in DOMAIN.md (it only says the number is valid for the current year): an open decision. */
export const TSME_RENEWAL_DAY = '03-01';

/** Applies the past-reminder rule to one series, all about the same `eventDate`. */
function keepFromToday(
  series: PlannedReminder[],
  today: string | undefined,
  eventDate: string | null,
): PlannedReminder[] {
  if (today === undefined) return series;
  assertDate(today);
  const upcoming = series.filter((r) => r.dueDate >= today);
  const past = series.filter((r) => r.dueDate < today).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const latestPast = past.at(-1);
  const eventPassed = eventDate !== null && eventDate < today;
  const oneDueToday = upcoming.some((r) => r.dueDate === today);
  if (!latestPast || eventPassed || oneDueToday) return upcoming;
  return [{ ...latestPast, dueDate: today }, ...upcoming];
}

/** 7, 3 and 1 days before each batch deadline, to the enterprises in the batch. */
export function deadlineReminders(deadlines: readonly BatchDeadline[], today?: string): PlannedReminder[] {
  return deadlines.flatMap((d) => {
    assertDate(d.date);
    const series = DEADLINE_OFFSET_DAYS.map((days): PlannedReminder => ({
      kind: 'deadline_approaching',
      occurrence: `batch:${d.batchId}:${d.name}:${d.date}:${days}d`,
      dueDate: addDays(d.date, -days),
      mandatory: true,
      recipient: 'enterprise',
    }));
    return keepFromToday(series, today, d.date);
  });
}

/** 180, 90 and 30 days before the certificate's last valid day (`validUntil`). */
export function certificateExpiryReminders(validUntil: string, today?: string): PlannedReminder[] {
  assertDate(validUntil);
  const series = CERTIFICATE_OFFSET_DAYS.map((days): PlannedReminder => ({
    kind: 'certificate_expiring',
    occurrence: `certificate:${validUntil}:${days}d`,
    dueDate: addDays(validUntil, -days),
    mandatory: true,
    recipient: 'enterprise',
  }));
  return keepFromToday(series, today, validUntil);
}

/**
 * The annual development report due by 31 May of `year`: the enterprise on 1 and 20 May, and
 * the officer on 1 June once 31 May has passed. The escalation is planned unconditionally;
 * the sender skips it if the report was filed. A late escalation is still worth sending until
 * the year ends.
 */
export function annualReportReminders(year: number, today?: string): PlannedReminder[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Bad year: ${year}`);
  const toEnterprise = ['05-01', '05-20'].map((md): PlannedReminder => ({
    kind: 'annual_report_due',
    occurrence: `annual-report:${year}:enterprise:${md}`,
    dueDate: `${year}-${md}`,
    mandatory: true,
    recipient: 'enterprise',
  }));
  const escalation: PlannedReminder = {
    kind: 'annual_report_due',
    occurrence: `annual-report:${year}:officer:escalation`,
    dueDate: `${year}-06-01`,
    mandatory: true,
    recipient: 'officer',
  };
  return [
    ...keepFromToday(toEnterprise, today, `${year}-05-31`),
    ...keepFromToday([escalation], today, `${year}-12-31`),
  ];
}

/** The yearly re-evaluation of a tech-based SME (the registration number is valid for one year). */
export function tsmeRenewalReminder(year: number, today?: string): PlannedReminder[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Bad year: ${year}`);
  const reminder: PlannedReminder = {
    kind: 'tsme_renewal',
    occurrence: `tsme:${year}:renewal`,
    dueDate: `${year}-${TSME_RENEWAL_DAY}`,
    mandatory: true,
    recipient: 'enterprise',
  };
  return keepFromToday([reminder], today, `${year}-12-31`);
}

/** A pending item of a service contract, to the contract's officer. */
export function contractItemReminders(itemId: string, dueDate: string, today?: string): PlannedReminder[] {
  assertDate(dueDate);
  const series = CONTRACT_ITEM_OFFSET_DAYS.map((days): PlannedReminder => ({
    kind: 'contract_item_due',
    occurrence: `contract-item:${itemId}:${dueDate}:${days}d`,
    dueDate: addDays(dueDate, -days),
    mandatory: true,
    recipient: 'officer',
  }));
  return keepFromToday(series, today, dueDate);
}

export interface FollowUpInput {
  trackingId: string;
  /** A date (`YYYY-MM-DD`: the start of that day's send window) or an instant. */
  nextFollowUpAt: string | Date;
  notifyEnterprise: boolean;
  timeZone: string;
}

/**
 * A follow-up falling due: the officer always (mandatory), the enterprise contact too when
 * `notifyEnterprise` (optional, so it honours `remindersEnabled: false`). A follow-up never
 * expires, so an overdue one is caught up to `today` rather than dropped.
 */
export function followUpReminder(input: FollowUpInput, today?: string): PlannedReminder[] {
  const { trackingId, nextFollowUpAt, notifyEnterprise, timeZone } = input;
  let dueDate: string;
  let dueAt: Date | undefined;
  let key: string;
  if (typeof nextFollowUpAt === 'string') {
    dueDate = assertDate(nextFollowUpAt);
    key = nextFollowUpAt;
  } else {
    if (Number.isNaN(nextFollowUpAt.getTime())) throw new RangeError('nextFollowUpAt is an invalid Date');
    dueAt = new Date(nextFollowUpAt.getTime());
    dueDate = calendarDateIn(dueAt, timeZone);
    key = dueAt.toISOString();
  }
  const recipients: ReminderRecipient[] = notifyEnterprise ? ['officer', 'enterprise'] : ['officer'];
  return recipients.flatMap((recipient) => {
    const reminder: PlannedReminder = {
      kind: 'follow_up_due',
      occurrence: `tracking:${trackingId}:${key}:${recipient}`,
      dueDate,
      mandatory: recipient === 'officer',
      recipient,
      ...(dueAt ? { dueAt } : {}),
    };
    return keepFromToday([reminder], today, null);
  });
}
