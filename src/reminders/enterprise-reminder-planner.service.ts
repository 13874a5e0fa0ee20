import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { AppConfig } from '../config/app-config.js';
import { mutate } from '../database/sql.js';
import { previousWorkingDay } from './calendar.js';
import {
  planEnterpriseReminders,
  type DesiredReminder,
  type EnterpriseFacts,
  type Person,
} from './enterprise-reminders.js';
import { RemindersService } from './reminders.service.js';
import { nextSendTime, sendTimeOptions, type SendTimeOptions } from './send-window.js';
import { startOfDayIn } from './zoned-time.js';

/** The enterprise fields the dated reminders are made of (recipient, names, officer). */
const PLANNED_FROM_FIELDS = new Set(['name', 'contactName', 'contactEmail', 'officerId']);

/** Enterprises planned per round trip: the nightly run walks every enterprise in chunks this size. */
export const PLAN_CHUNK = 1000;
/** Rows written per INSERT: keeps each statement's arrays small. */
const UPSERT_CHUNK = 2000;

export interface PlanCounts {
  enterprises: number;
  /** Rows inserted or moved. */
  planned: number;
  cancelled: number;
}

/**
 * Marks a row the planner cancelled because the facts stopped calling for it (a report marked
 * filed, say): if they call for it again (the mark removed), the row is scheduled again. A row
 * someone cancelled by hand has no mark and stays cancelled.
 */
const UNPLANNED = 'unplanned';

const person = (name: string | null, email: string | null): Person | null =>
  name !== null && email !== null ? { name, email } : null;

/**
 * Keeps the outbox in step with the enterprises' dated facts (everything but follow-ups):
 * for a set of enterprises it computes what should be owed (enterprise-reminders.ts), inserts
 * what is new, moves what changed while still scheduled, and cancels what is owed no more
 * (a deadline moved, an application submitted or withdrawn, a report filed). Sent rows are
 * never touched and keep their key, so nothing is sent twice. Runs on every relevant event
 * and nightly over all enterprises.
 */
@Injectable()
export class EnterpriseReminderPlanner implements OnModuleInit {
  private readonly logger = new Logger(EnterpriseReminderPlanner.name);
  private readonly sendTime: SendTimeOptions;
  private readonly dueAtCache = new Map<string, Date>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly reminders: RemindersService,
  ) {
    this.sendTime = sendTimeOptions(config);
  }

  onModuleInit(): void {
    this.events.subscribe((event) => this.onEvent(event));
  }

  private async onEvent(event: DomainEvent): Promise<void> {
    switch (event.type) {
      // A new enterprise has no dated facts yet; an update matters only through these fields.
      case 'enterprise.created':
        return;
      case 'enterprise.updated':
        if (!event.fields.some((f) => PLANNED_FROM_FIELDS.has(f))) return;
        await this.planEnterprises([event.enterpriseId]);
        await this.reminders.queueDue([event.enterpriseId]);
        return;
      case 'enterprise.deleted':
      case 'application.transitioned':
      case 'application.certified':
      case 'contract.changed':
      case 'annualReport.changed':
        await this.planEnterprises([event.enterpriseId]);
        // Anything due now (a catch-up) goes out now, not at the next sweep.
        await this.reminders.queueDue([event.enterpriseId]);
        return;
      case 'batch.updated': {
        const rows: { id: string }[] = await this.dataSource.query(
          `SELECT DISTINCT enterprise_id AS id FROM applications WHERE batch_id = $1`,
          [event.batchId],
        );
        for (let i = 0; i < rows.length; i += PLAN_CHUNK)
          await this.planEnterprises(rows.slice(i, i + PLAN_CHUNK).map((r) => r.id));
        return;
      }
      default:
        return;
    }
  }

  /** The nightly run: every enterprise, in id order, a chunk at a time. */
  async planAll(): Promise<PlanCounts> {
    const total: PlanCounts = { enterprises: 0, planned: 0, cancelled: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM enterprises WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, PLAN_CHUNK],
      );
      if (rows.length === 0) break;
      const counts = await this.planEnterprises(rows.map((r) => r.id));
      total.enterprises += counts.enterprises;
      total.planned += counts.planned;
      total.cancelled += counts.cancelled;
      after = rows[rows.length - 1].id;
    }
    this.logger.log(total, 'Planned the reminders of every enterprise');
    return total;
  }

  /** Makes these enterprises' dated reminders match their facts. Idempotent. */
  async planEnterprises(ids: string[]): Promise<PlanCounts> {
    if (ids.length === 0) return { enterprises: 0, planned: 0, cancelled: 0 };
    const today = this.clock.today();
    const facts = await this.loadFacts(ids);
    const desired = facts.flatMap((f) =>
      planEnterpriseReminders(f, { today, language: this.config.REMINDER_LANGUAGE }),
    );
    let planned = 0;
    for (let i = 0; i < desired.length; i += UPSERT_CHUNK)
      planned += await this.upsert(desired.slice(i, i + UPSERT_CHUNK), today);
    const cancelled = await this.cancelUnplanned(ids, desired);
    return { enterprises: facts.length, planned, cancelled };
  }

  /**
   * When a row may go out: its day (pulled back off a day off when ahead of a deadline), in
   * the send window. Memoised per day: a run computes it for hundreds of thousands of rows but
   * only a few thousand distinct days, and each computation formats dates in the time zone.
   */
  private dueAt(r: DesiredReminder, today: string): Date {
    const key = `${today} ${r.dueDate} ${r.aheadOfDeadline}`;
    const known = this.dueAtCache.get(key);
    if (known) return known;
    const day =
      r.aheadOfDeadline && this.sendTime.workingDaysOnly ? previousWorkingDay(r.dueDate, today) : r.dueDate;
    const at = nextSendTime(startOfDayIn(day, this.sendTime.timeZone), this.sendTime);
    if (this.dueAtCache.size > 20_000) this.dueAtCache.clear();
    this.dueAtCache.set(key, at);
    return at;
  }

  private async upsert(rows: DesiredReminder[], today: string): Promise<number> {
    // RETURNING: an INSERT's result carries no row count otherwise (mutate() counts rows).
    const { count } = await mutate(
      this.dataSource,
      `INSERT INTO reminders (kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, status, payload, occurrence)
       SELECT kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, 'scheduled', payload, occurrence
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::boolean[],
                     $8::jsonb[], $9::text[])
           AS d(kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, payload, occurrence)
       ON CONFLICT (kind, enterprise_id, occurrence, recipient) DO UPDATE
          SET due_at = EXCLUDED.due_at, subject = EXCLUDED.subject, payload = EXCLUDED.payload,
              mandatory = EXCLUDED.mandatory, status = 'scheduled', version = reminders.version + 1, updated_at = now()
        WHERE (reminders.status = 'scheduled' OR (reminders.status = 'cancelled' AND reminders.payload ? '${UNPLANNED}'))
          AND (reminders.due_at, reminders.subject, reminders.payload, reminders.mandatory, reminders.status)
              IS DISTINCT FROM (EXCLUDED.due_at, EXCLUDED.subject, EXCLUDED.payload, EXCLUDED.mandatory, 'scheduled')
       RETURNING 1`,
      [
        rows.map((r) => r.kind),
        rows.map((r) => r.enterpriseId),
        rows.map((r) => r.address),
        rows.map((r) => r.recipient),
        rows.map((r) => r.subject),
        rows.map((r) => this.dueAt(r, today).toISOString()),
        rows.map((r) => r.mandatory),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => r.occurrence),
      ],
    );
    return count;
  }

  /** Scheduled rows of these enterprises (follow-ups aside) that the plan no longer holds, marked as unplanned. */
  private async cancelUnplanned(ids: string[], desired: DesiredReminder[]): Promise<number> {
    const { count } = await mutate(
      this.dataSource,
      `UPDATE reminders r
          SET status = 'cancelled', payload = r.payload || '{"${UNPLANNED}": true}'::jsonb,
              version = r.version + 1, updated_at = now()
        WHERE r.enterprise_id = ANY($1::uuid[]) AND r.kind <> 'follow_up_due' AND r.status = 'scheduled'
          AND NOT EXISTS (
            SELECT 1 FROM unnest($2::text[], $3::uuid[], $4::text[], $5::text[]) AS d(kind, enterprise_id, occurrence, recipient)
             WHERE d.kind = r.kind AND d.enterprise_id = r.enterprise_id AND d.occurrence = r.occurrence
               AND d.recipient = r.recipient)`,
      [
        ids,
        desired.map((r) => r.kind),
        desired.map((r) => r.enterpriseId),
        desired.map((r) => r.occurrence),
        desired.map((r) => r.address),
      ],
    );
    return count;
  }

  private async loadFacts(ids: string[]): Promise<EnterpriseFacts[]> {
    const [enterprises, applications, reports, items] = await Promise.all([
      this.dataSource.query(
        `SELECT e.id, e.name, e.contact_name AS "contactName", e.contact_email AS "contactEmail",
                e.deleted_at IS NOT NULL AS deleted, u.name AS "officerName", u.email AS "officerEmail"
           FROM enterprises e LEFT JOIN users u ON u.id = e.officer_id AND u.active
          WHERE e.id = ANY($1::uuid[])`,
        [ids],
      ) as Promise<
        {
          id: string;
          name: string;
          contactName: string | null;
          contactEmail: string | null;
          deleted: boolean;
          officerName: string | null;
          officerEmail: string | null;
        }[]
      >,
      this.dataSource.query(
        `SELECT a.id, a.enterprise_id AS "enterpriseId", a.program, a.year, a.stage,
                a.certificate_no AS "certificateNo", a.issued_at AS "issuedAt", a.valid_until AS "validUntil",
                a.registration_no AS "registrationNo", b.id AS "batchId", b.name AS "batchName",
                b.registration_deadline AS "registrationDeadline", b.materials_deadline AS "materialsDeadline",
                b.submission_deadline AS "submissionDeadline"
           FROM applications a LEFT JOIN batches b ON b.id = a.batch_id
          WHERE a.enterprise_id = ANY($1::uuid[])`,
        [ids],
      ) as Promise<
        (Omit<EnterpriseFacts['applications'][number], 'batch'> & {
          enterpriseId: string;
          batchId: string | null;
          batchName: string;
          registrationDeadline: string | null;
          materialsDeadline: string | null;
          submissionDeadline: string;
        })[]
      >,
      this.dataSource.query(
        `SELECT enterprise_id AS "enterpriseId", year FROM annual_reports WHERE enterprise_id = ANY($1::uuid[])`,
        [ids],
      ) as Promise<{ enterpriseId: string; year: number }[]>,
      this.dataSource.query(
        `SELECT i.id, i.contract_id AS "contractId", c.contract_no AS "contractNo", c.enterprise_id AS "enterpriseId",
                i.description, i.due_at AS "dueDate", u.name AS "officerName", u.email AS "officerEmail"
           FROM service_contracts c
           JOIN contract_items i ON i.contract_id = c.id AND i.status = 'pending'
           LEFT JOIN users u ON u.id = c.officer_id AND u.active
          WHERE c.enterprise_id = ANY($1::uuid[]) AND c.status = 'active'`,
        [ids],
      ) as Promise<
        (Omit<EnterpriseFacts['contractItems'][number], 'officer'> & {
          enterpriseId: string;
          officerName: string | null;
          officerEmail: string | null;
        })[]
      >,
    ]);
    const byEnterprise = new Map<string, EnterpriseFacts>(
      enterprises.map((e) => [
        e.id,
        {
          enterpriseId: e.id,
          name: e.name,
          contactName: e.contactName,
          contactEmail: e.contactEmail,
          deleted: e.deleted,
          officer: person(e.officerName, e.officerEmail),
          applications: [],
          annualReportsFiled: [],
          contractItems: [],
        },
      ]),
    );
    for (const a of applications) {
      const { enterpriseId, batchId, batchName, registrationDeadline, materialsDeadline, submissionDeadline, ...app } =
        a;
      byEnterprise.get(enterpriseId)?.applications.push({
        ...app,
        batch: batchId
          ? { id: batchId, name: batchName, registrationDeadline, materialsDeadline, submissionDeadline }
          : null,
      });
    }
    for (const r of reports) byEnterprise.get(r.enterpriseId)?.annualReportsFiled.push(r.year);
    for (const { enterpriseId, officerName, officerEmail, ...item } of items)
      byEnterprise.get(enterpriseId)?.contractItems.push({ ...item, officer: person(officerName, officerEmail) });
    return [...byEnterprise.values()];
  }
}
