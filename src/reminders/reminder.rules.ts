// The reminder outbox's enums and the pure rules the services wire to storage: no Nest, no ORM, no clock.
import type { ReminderKind, ReminderRecipient } from './schedule.js';

export const REMINDER_KINDS = [
  'follow_up_due',
  'deadline_approaching',
  'certificate_expiring',
  'annual_report_due',
  'tsme_renewal',
  'contract_item_due',
] as const satisfies readonly ReminderKind[];

export const REMINDER_STATUSES = ['scheduled', 'sending', 'sent', 'failed', 'cancelled', 'skipped'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/**
 * `sending` while in flight; `retrying` after a transient SMTP failure; `interrupted` when the
 * worker died holding it; `deferred` when the send window had closed before it went out.
 */
export const REMINDER_ATTEMPT_OUTCOMES = ['sending', 'sent', 'retrying', 'failed', 'interrupted', 'deferred'] as const;
export type ReminderAttemptOutcome = (typeof REMINDER_ATTEMPT_OUTCOMES)[number];

export const REMINDER_RECIPIENTS = ['enterprise', 'officer'] as const satisfies readonly ReminderRecipient[];

/**
 * SQL: the archived form of a row's occurrence (idempotent). Only follow-ups archive: their
 * key names the tracking, not the date. Every other kind's key carries its date and must
 * stay put once final, so re-planning cannot create the mail again.
 */
export const ARCHIVED_OCCURRENCE = `CASE WHEN kind = 'follow_up_due' AND strpos(occurrence, '@') = 0 THEN occurrence || '@' || id ELSE occurrence END`;

/** BullMQ tries a send this often before the row waits for the sweeper again. */
export const SEND_ATTEMPTS = 8;
/** The first retry's delay; each next one doubles (BullMQ's exponential backoff). */
export const SEND_BACKOFF_MS = 1000;
/** A row claimed longer ago than this is taken to belong to a crashed worker. */
export const STUCK_AFTER_MS = 5 * 60_000;

/** The backoff BullMQ applies after the `attemptsMade`-th failure, so the row's due_at can agree. */
export const backoffMs = (attemptsMade: number) => SEND_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1);

/** Derived from the row id, so a resend after a crash between SMTP acceptance and the update is recognisable. */
export const reminderMessageId = (id: string) => `<reminder-${id}@peiyu>`;

/**
 * Whether an error from nodemailer means "never going to work" (a 5xx reply: a rejected
 * address, a refused message) rather than "try again" (no connection, a timeout, a 4xx).
 */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** A short, single-line reason to store in last_error. */
export function describeError(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string } | null;
  const text = e?.response ?? e?.message ?? String(err);
  const prefix = e?.code && !text.includes(e.code) ? `${e.code}: ` : '';
  return `${prefix}${text}`.replace(/\s+/g, ' ').slice(0, 500);
}
