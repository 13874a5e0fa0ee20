import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc, mutate, namedQuery } from '../database/sql.js';
import { previousWorkingDay } from './calendar.js';
import {
  outboxChanges,
  planEnterpriseReminders,
  type DesiredReminder,
  type EnterpriseFacts,
  type OutboxRow,
} from './enterprise-reminders.js';
import { FOLLOW_UP_FIELDS, ReminderPlanner, type TrackingRow } from './reminder-planner.service.js';
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

/**
 * How far back the facts read final rows (sent, failed, cancelled) to match desired ones
 * against: a series' catch-up keeps the key of its latest past reminder for up to ten months
 * (a tech-based SME renewal of 1 March, owed until the year ends). Older rows are not read;
 * a desired row not found is simply written, and the upsert's own conditions decide.
 */
const FINAL_ROWS_WITHIN_DAYS = 400;

/** An enterprise's facts with its outbox, as one statement reads them. */
interface Loaded {
  facts: EnterpriseFacts;
  /** Its rows the dated plan may match (scheduled ones, and final ones of the last FINAL_ROWS_WITHIN_DAYS). */
  outbox: OutboxRow[];
  /** Its open tracking (挂号跟踪), when asked for. */
  openTrackings: TrackingRow[];
  /** A scheduled row of any kind is due by now (when asked for). */
  dueNow: boolean;
}

/** Where a pass runs its statements: the pool, or one connection for a long run. */
type Db = DataSource | EntityManager;

/** What one planning pass did. */
interface Applied extends PlanCounts {
  /** The earliest due time among the rows it sent to be written. */
  earliestWritten: Date | null;
}

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
    private readonly followUps: ReminderPlanner,
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
      case 'enterprise.updated': {
        const dated = event.fields.some((f) => PLANNED_FROM_FIELDS.has(f));
        const followUps = event.fields.some((f) => FOLLOW_UP_FIELDS.has(f));
        if (dated || followUps) await this.replan(event.enterpriseId, { dated, followUps });
        return;
      }
      case 'enterprise.deleted':
        await this.replan(event.enterpriseId, { dated: true, followUps: true });
        return;
      case 'application.transitioned':
      case 'application.certified':
      case 'contract.changed':
      case 'annualReport.changed':
        await this.replan(event.enterpriseId, { dated: true, followUps: false });
        return;
      case 'batch.updated':
        await this.withoutJit(async (db) => {
          const rows: { id: string }[] = await db.query(
            `SELECT DISTINCT enterprise_id AS id FROM applications WHERE batch_id = $1`,
            [event.batchId],
          );
          for (let i = 0; i < rows.length; i += PLAN_CHUNK)
            await this.planEnterprises(rows.slice(i, i + PLAN_CHUNK).map((r) => r.id), db);
        });
        return;
      default:
        return;
    }
  }

  /**
   * One enterprise after an event about it, in one read: its dated reminders, its open
   * tracking's follow-ups when they are made of what changed (they live in ReminderPlanner,
   * which reacts to tracking.changed itself), then anything due now queued rather than left
   * for the next sweep. Writes only what differs; a re-plan that changes nothing is the read.
   */
  private async replan(enterpriseId: string, what: { dated: boolean; followUps: boolean }): Promise<void> {
    const now = this.clock.now();
    const [loaded] = await this.loadFacts(this.dataSource, [enterpriseId], { trackings: what.followUps, dueBy: now });
    if (!loaded) return;
    let earliest: Date | null = null;
    if (what.dated) earliest = (await this.apply(this.dataSource, [loaded], this.clock.today())).earliestWritten;
    if (what.followUps && loaded.openTrackings.length) {
      const followUp = await this.followUps.planTrackings(loaded.openTrackings);
      if (followUp && (!earliest || followUp < earliest)) earliest = followUp;
    }
    // Anything due now (a catch-up) goes out now, not at the next sweep.
    if (loaded.dueNow || (earliest && earliest <= now)) await this.reminders.queueDue([enterpriseId]);
  }

  /**
   * The nightly run: every enterprise, in id order, a chunk at a time. Two connections, so the
   * work overlaps instead of alternating: while one writes a chunk's changes, the other reads
   * the next chunk's facts and the worker computes its plan.
   */
  async planAll(): Promise<PlanCounts> {
    const total: PlanCounts = { enterprises: 0, planned: 0, cancelled: 0 };
    const count = (applied: Applied) => {
      total.enterprises += applied.enterprises;
      total.planned += applied.planned;
      total.cancelled += applied.cancelled;
    };
    await this.withoutJit((reader) =>
      this.withoutJit(async (writer) => {
        let after = '00000000-0000-0000-0000-000000000000';
        let writing: Promise<Applied> | null = null;
        try {
          for (;;) {
            const rows: { id: string }[] = await reader.query(
              `SELECT id FROM enterprises WHERE id > $1 ORDER BY id LIMIT $2`,
              [after, PLAN_CHUNK],
            );
            if (rows.length === 0) break;
            const loaded = await this.loadFacts(
              reader,
              rows.map((r) => r.id),
              { trackings: false, dueBy: null },
            );
            if (writing) count(await writing);
            writing = this.apply(writer, loaded, this.clock.today());
            // Observed now (its failure surfaces at the await above, next round), so a write
            // failing during the next read is not an unhandled rejection.
            writing.catch(() => undefined);
            after = rows[rows.length - 1].id;
          }
          if (writing) count(await writing);
        } finally {
          // A failed read must not release the writer's connection under a write still running.
          await writing?.catch(() => undefined);
        }
      }),
    );
    this.logger.log(total, 'Planned the reminders of every enterprise');
    return total;
  }

  /**
   * A connection for a run over many chunks, with PostgreSQL's JIT compiler off. The facts
   * statement for PLAN_CHUNK enterprises executes in about 0.1 s, but when the statistics are
   * stale (after a bulk load, or the first run's own inserts) the planner overestimates it and
   * JIT compiles it for about 0.8 s, every chunk.
   */
  private async withoutJit<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SET jit = off');
      return await work(runner.manager);
    } finally {
      await runner.query('RESET jit').catch(() => undefined);
      await runner.release();
    }
  }

  /** Makes these enterprises' dated reminders match their facts. Idempotent. */
  async planEnterprises(ids: string[], db: Db = this.dataSource): Promise<PlanCounts> {
    if (ids.length === 0) return { enterprises: 0, planned: 0, cancelled: 0 };
    const loaded = await this.loadFacts(db, ids, { trackings: false, dueBy: null });
    const { enterprises, planned, cancelled } = await this.apply(db, loaded, this.clock.today());
    return { enterprises, planned, cancelled };
  }

  /** The plan against what the outbox holds: upserts and cancels only what differs. */
  private async apply(db: Db, loaded: Loaded[], today: string): Promise<Applied> {
    const write: DesiredReminder[] = [];
    const cancel: string[] = [];
    for (const { facts, outbox } of loaded) {
      const desired = planEnterpriseReminders(facts, { today, language: this.config.REMINDER_LANGUAGE });
      const changes = outboxChanges(desired, (r) => this.dueAt(r, today), outbox);
      write.push(...changes.write);
      cancel.push(...changes.cancel);
    }
    let planned = 0;
    for (let i = 0; i < write.length; i += UPSERT_CHUNK)
      planned += await this.upsert(db, write.slice(i, i + UPSERT_CHUNK), today);
    const cancelled = cancel.length ? await this.cancelUnplanned(db, cancel) : 0;
    const earliestWritten = write.reduce<Date | null>((min, r) => {
      const at = this.dueAt(r, today);
      return !min || at < min ? at : min;
    }, null);
    return { enterprises: loaded.length, planned, cancelled, earliestWritten };
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

  private async upsert(db: Db, rows: DesiredReminder[], today: string): Promise<number> {
    // RETURNING: an INSERT's result carries no row count otherwise (mutate() counts rows).
    const { count } = await mutate(
      db,
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

  /** Scheduled rows (follow-ups aside) that the plan no longer holds, marked as unplanned. */
  private async cancelUnplanned(db: Db, ids: string[]): Promise<number> {
    // The status and kind conditions repeat what chose the ids: a row sent or claimed since is left alone.
    const { count } = await mutate(
      db,
      `UPDATE reminders r
          SET status = 'cancelled', payload = r.payload || '{"${UNPLANNED}": true}'::jsonb,
              version = r.version + 1, updated_at = now()
        WHERE r.id = ANY($1::uuid[]) AND r.kind <> 'follow_up_due' AND r.status = 'scheduled'`,
      [ids],
    );
    return count;
  }

  /**
   * Everything a plan needs, for up to PLAN_CHUNK enterprises, in one statement: the facts
   * (applications with their batch, filed report years, pending contract items with their
   * officer), the outbox rows to compare with, and — for an event — the open tracking and
   * whether anything is due by `dueBy`. Each part is an index lookup per enterprise.
   */
  private async loadFacts(
    db: Db,
    ids: string[],
    options: { trackings: boolean; dueBy: Date | null },
  ): Promise<Loaded[]> {
    const rows: (Omit<EnterpriseFacts, 'enterpriseId' | 'officer'> & {
      id: string;
      officerName: string | null;
      officerEmail: string | null;
      remindersEnabled: boolean;
      outbox: OutboxRow[];
      openTrackings: (Omit<
        TrackingRow,
        'enterpriseId' | 'enterpriseName' | 'contactName' | 'contactEmail' | 'remindersEnabled' | 'enterpriseDeleted' | 'nextFollowUpAt'
      > & { nextFollowUpAt: string })[];
      dueNow: boolean;
    })[] = await namedQuery(
      db,
      `SELECT e.id, e.name, e.contact_name AS "contactName", e.contact_email AS "contactEmail",
              e.deleted_at IS NOT NULL AS deleted, e.reminders_enabled AS "remindersEnabled",
              u.name AS "officerName", u.email AS "officerEmail",
              COALESCE((
                SELECT json_agg(json_build_object(
                         'id', a.id, 'program', a.program, 'year', a.year, 'stage', a.stage,
                         'certificateNo', a.certificate_no, 'issuedAt', a.issued_at, 'validUntil', a.valid_until,
                         'registrationNo', a.registration_no,
                         'batch', CASE WHEN b.id IS NOT NULL THEN json_build_object(
                           'id', b.id, 'name', b.name, 'registrationDeadline', b.registration_deadline,
                           'materialsDeadline', b.materials_deadline, 'submissionDeadline', b.submission_deadline) END)
                         ORDER BY a.created_at, a.id)
                  FROM applications a LEFT JOIN batches b ON b.id = a.batch_id
                 WHERE a.enterprise_id = e.id), '[]') AS applications,
              COALESCE((SELECT json_agg(r.year ORDER BY r.year) FROM annual_reports r WHERE r.enterprise_id = e.id), '[]')
                AS "annualReportsFiled",
              COALESCE((
                SELECT json_agg(json_build_object(
                         'id', i.id, 'contractId', c.id, 'contractNo', c.contract_no, 'description', i.description,
                         'dueDate', i.due_at,
                         'officer', CASE WHEN cu.id IS NOT NULL THEN json_build_object('name', cu.name, 'email', cu.email) END)
                         ORDER BY c.signed_at, c.id, i.position)
                  FROM service_contracts c
                  JOIN contract_items i ON i.contract_id = c.id AND i.status = 'pending'
                  LEFT JOIN users cu ON cu.id = c.officer_id AND cu.active
                 WHERE c.enterprise_id = e.id AND c.status = 'active'), '[]') AS "contractItems",
              COALESCE((
                SELECT json_agg(json_build_object(
                         'id', r.id, 'kind', r.kind, 'occurrence', r.occurrence, 'recipient', r.recipient,
                         'status', r.status, 'unplanned', r.payload ? '${UNPLANNED}', 'dueAt', ${isoUtc('r.due_at')},
                         'subject', CASE WHEN r.status = 'scheduled' THEN r.subject END,
                         'payload', CASE WHEN r.status = 'scheduled' THEN r.payload END, 'mandatory', r.mandatory))
                  FROM reminders r
                 WHERE r.enterprise_id = e.id AND r.kind <> 'follow_up_due'
                   AND (r.status = 'scheduled' OR r.due_at >= $2::timestamptz - interval '${FINAL_ROWS_WITHIN_DAYS} days')),
                '[]') AS outbox,
              ${
                options.trackings
                  ? `COALESCE((
                SELECT json_agg(json_build_object(
                         'id', t.id, 'status', t.status, 'nextFollowUpAt', ${isoUtc('t.next_follow_up_at')},
                         'notifyEnterprise', t.notify_enterprise, 'reasons', t.reasons,
                         'officerName', tu.name, 'officerEmail', tu.email))
                  FROM trackings t JOIN users tu ON tu.id = t.officer_id
                 WHERE t.enterprise_id = e.id AND t.status = 'open'), '[]')`
                  : `'[]'::json`
              } AS "openTrackings",
              ${
                options.dueBy
                  ? `EXISTS (SELECT 1 FROM reminders d WHERE d.enterprise_id = e.id AND d.status = 'scheduled' AND d.due_at <= $3)`
                  : 'false'
              } AS "dueNow"
         FROM enterprises e LEFT JOIN users u ON u.id = e.officer_id AND u.active
        WHERE ${ids.length === 1 ? 'e.id = $1::uuid' : 'e.id = ANY($1::uuid[])'}`,
      // One id as a scalar: PostgreSQL then keeps a generic plan of the named statement instead
      // of planning it on every event (an array parameter's generic plan looks dearer than a
      // one-element custom plan, so it would never switch).
      [ids.length === 1 ? ids[0] : ids, this.clock.now(), ...(options.dueBy ? [options.dueBy] : [])],
    );
    return rows.map(({ id, officerName, officerEmail, remindersEnabled, outbox, openTrackings, dueNow, ...e }) => ({
      facts: {
        enterpriseId: id,
        ...e,
        officer: officerName !== null && officerEmail !== null ? { name: officerName, email: officerEmail } : null,
      },
      outbox,
      openTrackings: openTrackings.map((t) => ({
        ...t,
        enterpriseId: id,
        enterpriseName: e.name,
        contactName: e.contactName,
        contactEmail: e.contactEmail,
        remindersEnabled,
        enterpriseDeleted: e.deleted,
        nextFollowUpAt: new Date(t.nextFollowUpAt),
      })),
      dueNow,
    }));
  }
}
