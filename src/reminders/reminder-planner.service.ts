import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc } from '../database/sql.js';
import { ARCHIVED_OCCURRENCE } from './reminder.rules.js';
import { RemindersService } from './reminders.service.js';
import { reminderSubject, type FollowUpPayload } from './reminder-template.js';
import { followUpReminder } from './schedule.js';
import { nextSendTime, sendTimeOptions, type SendTimeOptions } from './send-window.js';

/** An open or closed tracking with what its follow-up reminders are made of. */
export interface TrackingRow {
  id: string;
  enterpriseId: string;
  status: string;
  nextFollowUpAt: Date;
  notifyEnterprise: boolean;
  reasons: string[];
  enterpriseName: string;
  contactName: string | null;
  contactEmail: string | null;
  remindersEnabled: boolean;
  enterpriseDeleted: boolean;
  officerName: string;
  officerEmail: string;
}

/** The enterprise fields a follow-up reminder is made of (the enterprise planner re-plans on them). */
export const FOLLOW_UP_FIELDS = new Set(['name', 'contactName', 'contactEmail', 'remindersEnabled']);

/**
 * The live occurrence of a tracking's follow-up reminder. Keyed on the tracking, not on the
 * date (schedule.ts's followUpReminder keys on the date), so a moved date updates the
 * scheduled row instead of adding one. When a row leaves the live states (sent, failed,
 * cancelled) its occurrence gets `@<row id>` appended, which frees the key for the
 * tracking's next follow-up.
 */
export const followUpOccurrence = (trackingId: string, recipient: 'officer' | 'enterprise') =>
  `tracking:${trackingId}:follow-up:${recipient}`;

/**
 * Turns follow-up registrations (挂号跟踪) into reminder rows: one to the officer
 * (mandatory) and, when `notifyEnterprise` and there is a contact address, an optional copy
 * to the enterprise (`skipped` while the enterprise has reminders turned off).
 */
@Injectable()
export class ReminderPlanner implements OnModuleInit {
  private readonly logger = new Logger(ReminderPlanner.name);
  private readonly sendTime: SendTimeOptions;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
    private readonly reminders: RemindersService,
  ) {
    this.sendTime = sendTimeOptions(config);
  }

  onModuleInit(): void {
    this.events.subscribe((event) => this.onEvent(event));
  }

  // An enterprise's own changes (contact, remindersEnabled, deletion) reach its open tracking
  // through EnterpriseReminderPlanner, which reads the tracking with the enterprise's facts.
  private async onEvent(event: DomainEvent): Promise<void> {
    if (event.type !== 'tracking.changed') return;
    await this.planFollowUps([event.trackingId]);
    // A follow-up due now goes out now, not at the next sweep.
    await this.reminders.queueDue([event.enterpriseId]);
  }

  /**
   * For the sweeper: open trackings falling due within a day whose officer has no reminder
   * for the current date (a lost event, a listener that failed). Heals what events missed.
   */
  async planMissing(now: Date): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT t.id FROM trackings t
        WHERE t.status = 'open' AND t.next_follow_up_at <= $1::timestamptz + interval '1 day'
          AND NOT EXISTS (
            SELECT 1 FROM reminders r
             WHERE r.kind = 'follow_up_due' AND r.enterprise_id = t.enterprise_id
               AND r.occurrence LIKE 'tracking:' || t.id || ':follow-up:officer%'
               AND r.payload->>'nextFollowUpAt' = ${isoUtc('t.next_follow_up_at')})
        ORDER BY t.next_follow_up_at LIMIT 500`,
      [now],
    );
    await this.planFollowUps(rows.map((r) => r.id));
    return rows.length;
  }

  /** Plans (or re-plans, or cancels) the follow-up reminders of these trackings. Idempotent. */
  async planFollowUps(trackingIds: string[]): Promise<void> {
    if (trackingIds.length === 0) return;
    const rows: TrackingRow[] = await this.dataSource.query(
      `SELECT t.id, t.enterprise_id AS "enterpriseId", t.status, t.next_follow_up_at AS "nextFollowUpAt",
              t.notify_enterprise AS "notifyEnterprise", t.reasons,
              e.name AS "enterpriseName", e.contact_name AS "contactName", e.contact_email AS "contactEmail",
              e.reminders_enabled AS "remindersEnabled", e.deleted_at IS NOT NULL AS "enterpriseDeleted",
              u.name AS "officerName", u.email AS "officerEmail"
         FROM trackings t
         JOIN enterprises e ON e.id = t.enterprise_id
         JOIN users u ON u.id = t.officer_id
        WHERE t.id = ANY($1::uuid[])`,
      [trackingIds],
    );
    await this.planTrackings(rows);
  }

  /**
   * The same for trackings already read (the enterprise planner reads them with its facts).
   * Returns when the earliest follow-up it scheduled is due, so the caller knows whether to
   * queue anything now.
   */
  async planTrackings(rows: TrackingRow[]): Promise<Date | null> {
    let earliest: Date | null = null;
    for (const row of rows) {
      const due = await this.planOne(row);
      if (due && (!earliest || due < earliest)) earliest = due;
    }
    return earliest;
  }

  /** One statement per tracking: its live rows upserted, whatever it no longer calls for cancelled. */
  private async planOne(t: TrackingRow): Promise<Date | null> {
    const prefix = `tracking:${t.id}:follow-up:`;
    const rows: {
      recipient: string;
      role: 'officer' | 'enterprise';
      subject: string;
      dueAt: Date;
      mandatory: boolean;
      status: 'scheduled' | 'skipped';
      payload: FollowUpPayload;
      occurrence: string;
    }[] = [];
    if (t.status === 'open' && !t.enterpriseDeleted) {
      const planned = followUpReminder({
        trackingId: t.id,
        nextFollowUpAt: t.nextFollowUpAt,
        notifyEnterprise: t.notifyEnterprise,
        timeZone: this.config.APP_TIMEZONE,
      });
      for (const p of planned) {
        const recipient = p.recipient === 'officer' ? t.officerEmail : t.contactEmail;
        if (!recipient) continue;
        const payload: FollowUpPayload = {
          trackingId: t.id,
          enterpriseName: t.enterpriseName,
          nextFollowUpAt: t.nextFollowUpAt.toISOString(),
          reasons: t.reasons,
          officerName: t.officerName,
          officerEmail: t.officerEmail,
          contactName: t.contactName,
        };
        rows.push({
          recipient,
          role: p.recipient,
          subject: reminderSubject(
            { kind: 'follow_up_due', recipientRole: p.recipient, mandatory: p.mandatory, payload: { ...payload } },
            this.config.REMINDER_LANGUAGE,
          ),
          dueAt: nextSendTime(p.dueAt ?? t.nextFollowUpAt, this.sendTime),
          mandatory: p.mandatory,
          status: !p.mandatory && !t.remindersEnabled ? 'skipped' : 'scheduled',
          payload,
          occurrence: followUpOccurrence(t.id, p.recipient),
        });
      }
    }
    // Whatever is live and no longer planned (closed tracking, new officer, copy turned off) is cancelled.
    const reason = t.status === 'open' && !t.enterpriseDeleted ? 'superseded' : `tracking ${t.status}`;
    // One statement: the upsert touches only the planned keys, the cancel only the others, so
    // neither sees the other's rows.
    const [{ cancelled }]: { cancelled: number }[] = await this.dataSource.query(
      `WITH planned AS (
         INSERT INTO reminders (kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, status, payload, occurrence)
         SELECT 'follow_up_due', $1::uuid, d.recipient, d.recipient_role, d.subject, d.due_at, d.mandatory, d.status, d.payload, d.occurrence
           FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[], $7::text[], $8::jsonb[], $9::text[])
             AS d(recipient, recipient_role, subject, due_at, mandatory, status, payload, occurrence)
          -- The live row moves with the date; a follow-up already sent (or failed, or cancelled
          -- by someone) for this very date is not planned again.
          WHERE NOT EXISTS (
            SELECT 1 FROM reminders r
             WHERE r.kind = 'follow_up_due' AND r.enterprise_id = $1 AND r.recipient = d.recipient
               AND r.occurrence LIKE d.occurrence || '@%'
               AND r.payload->>'nextFollowUpAt' = d.payload->>'nextFollowUpAt'
               AND NOT (r.status = 'cancelled' AND r.payload ? 'supersededBy'))
         ON CONFLICT (kind, enterprise_id, occurrence, recipient) DO UPDATE
            SET due_at = EXCLUDED.due_at, subject = EXCLUDED.subject, payload = EXCLUDED.payload,
                mandatory = EXCLUDED.mandatory, status = EXCLUDED.status,
                version = reminders.version + 1, updated_at = now()
          WHERE reminders.status IN ('scheduled', 'skipped')
            AND (reminders.due_at, reminders.subject, reminders.payload, reminders.status)
                IS DISTINCT FROM (EXCLUDED.due_at, EXCLUDED.subject, EXCLUDED.payload, EXCLUDED.status)
         RETURNING 1),
       cancelled AS (
         UPDATE reminders
            SET status = 'cancelled', occurrence = ${ARCHIVED_OCCURRENCE},
                payload = payload || jsonb_build_object('supersededBy', $12::text),
                version = version + 1, updated_at = now()
          WHERE kind = 'follow_up_due' AND enterprise_id = $1 AND occurrence LIKE $10 || '%'
            AND strpos(occurrence, '@') = 0 AND status IN ('scheduled', 'skipped')
            AND NOT (occurrence || ' ' || recipient = ANY($11::text[]))
         RETURNING 1)
       SELECT (SELECT count(*) FROM cancelled)::int AS cancelled, (SELECT count(*) FROM planned)::int AS planned`,
      [
        t.enterpriseId,
        rows.map((r) => r.recipient),
        rows.map((r) => r.role),
        rows.map((r) => r.subject),
        rows.map((r) => r.dueAt.toISOString()),
        rows.map((r) => r.mandatory),
        rows.map((r) => r.status),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => r.occurrence),
        prefix,
        rows.map((r) => `${r.occurrence} ${r.recipient}`),
        reason,
      ],
    );
    if (cancelled) this.logger.log({ trackingId: t.id, count: cancelled, reason }, 'Cancelled follow-up reminders');
    const due = rows.filter((r) => r.status === 'scheduled').map((r) => r.dueAt);
    return due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null;
  }
}
