import { UUID } from '../common/validators.js';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainEvents } from '../common/domain-events.js';
import { AppConfig } from '../config/app-config.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { isoUtc, mutate } from '../database/sql.js';
import { enqueueWithin } from '../queue/enqueue.js';
import { QueueName, RemindersJob } from '../queue/queue.constants.js';
import { orphanedClaimSql } from '../workers/heartbeat.rules.js';
import type { Actor } from '../auth/actor.js';
import { AuditService } from '../audit/audit.service.js';
import type { ReminderAttemptView, ReminderDetailView, ReminderQuery, ReminderView } from './dto/reminder.dto.js';
import {
  ARCHIVED_OCCURRENCE,
  SEND_ATTEMPTS,
  SEND_BACKOFF_MS,
  STUCK_AFTER_MS,
  type ReminderAttemptOutcome,
} from './reminder.rules.js';
import { nextSendTime, sendTimeOptions, type SendTimeOptions } from './send-window.js';

const SWEEP_BATCH = 1000;
/** Pages of SWEEP_BATCH one sweep reads at most: 20,000 due rows, a day's worth at a big bureau. */
const SWEEP_MAX_BATCHES = 20;

const VIEW_COLUMNS = `id, kind, enterprise_id AS "enterpriseId", recipient, recipient_role AS "recipientRole", subject,
  ${isoUtc('due_at')} AS "dueAt", mandatory, status, attempts, last_error AS "lastError",
  ${isoUtc('sent_at')} AS "sentAt", message_id AS "messageId", version,
  ${isoUtc('created_at')} AS "createdAt", ${isoUtc('updated_at')} AS "updatedAt"`;

/** A claimed row: what the sender needs to render and send it. */
export interface ClaimedReminder {
  id: string;
  kind: string;
  recipient: string;
  recipientRole: 'enterprise' | 'officer';
  mandatory: boolean;
  attempts: number;
  payload: Record<string, unknown>;
  dueAt: Date;
}

/** Most reminders one digest mail carries; the rest go in the next. */
export const DIGEST_MAX = 50;


/** The send job for one row: the id carries the attempt count, so a re-queue after a failure is a new job. */
export const sendJob = (id: string, attempts: number) => ({
  name: RemindersJob.Send,
  data: { reminderId: id },
  opts: {
    jobId: `reminder:${id}:${attempts}`,
    // Behind the sweep and the nightly plan, which have none: BullMQ takes jobs without a
    // priority first, so a backlog of sends cannot hold the sweeper back.
    priority: 1,
    attempts: SEND_ATTEMPTS,
    // Kept a day to look at, then dropped; the row, not the job, is the record.
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 7 * 86_400, count: 10_000 },
    backoff: { type: 'exponential', delay: SEND_BACKOFF_MS },
  },
});

/** The reminder outbox: what the API shows and changes, and the sweeper's and sender's row operations. */
@Injectable()
export class RemindersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Reminders) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    config: AppConfig,
  ) {
    this.sendTime = sendTimeOptions(config);
  }
  private readonly sendTime: SendTimeOptions;

  async list(query: ReminderQuery): Promise<Page<ReminderView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.kind) where.push(`kind = ${param(query.kind)}`);
    if (query.enterpriseId) where.push(`enterprise_id = ${param(query.enterpriseId)}::uuid`);
    if (query.dueFrom) where.push(`due_at >= ${param(query.dueFrom)}::timestamptz`);
    if (query.dueTo) where.push(`due_at < ${param(query.dueTo)}::timestamptz`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'reminders', 2);
      // Exactly what this API issued: an instant that survives a round trip (no 30 February).
      const issued =
        typeof at === 'string' && !Number.isNaN(Date.parse(at)) && new Date(at).toISOString() === at;
      if (!issued || typeof id !== 'string' || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      where.push(`(due_at, id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
    const rows: ReminderView[] = await this.dataSource.query(
      `SELECT ${VIEW_COLUMNS} FROM reminders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY due_at, id LIMIT ${param(query.limit + 1)}`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor('reminders', [r.dueAt, r.id]));
  }

  async get(id: string): Promise<ReminderDetailView> {
    const [row]: ReminderView[] = await this.dataSource.query(
      `SELECT ${VIEW_COLUMNS} FROM reminders WHERE id = $1`,
      [id],
    );
    if (!row) throw Problem.notFound('reminder', id);
    const attemptLog: ReminderAttemptView[] = await this.dataSource.query(
      `SELECT attempt, worker, ${isoUtc('started_at')} AS "startedAt", ${isoUtc('finished_at')} AS "finishedAt",
              outcome, error, message_id AS "messageId"
         FROM reminder_attempts WHERE reminder_id = $1 ORDER BY attempt, started_at`,
      [id],
    );
    return { ...row, attemptLog };
  }

  /** scheduled or failed → cancelled (audited); anything else is a 409. */
  async cancel(actor: Actor, id: string): Promise<ReminderDetailView> {
    await this.dataSource.transaction(async (m) => {
      const [before]: { status: string }[] = await m.query(
        `SELECT status FROM reminders WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!before) throw Problem.notFound('reminder', id);
      if (before.status !== 'scheduled' && before.status !== 'failed')
        throw Problem.conflict(
          `A ${before.status} reminder cannot be cancelled; only scheduled or failed ones.`,
          { currentStatus: before.status },
        );
      await m.query(
        `UPDATE reminders SET status = 'cancelled', occurrence = ${ARCHIVED_OCCURRENCE},
                version = version + 1, updated_at = now()
          WHERE id = $1`,
        [id],
      );
      await this.audit.record(m, actor, {
        action: 'cancel',
        entity: 'reminder',
        entityId: id,
        changes: { status: [before.status, 'cancelled'] },
      });
    });
    return this.get(id);
  }

  /** failed → scheduled, due now, and queued (audited); anything else is a 409. */
  async retry(actor: Actor, id: string): Promise<ReminderDetailView> {
    const attempts = await this.dataSource.transaction(async (m) => {
      const { rows } = await mutate<{ attempts: number }>(
        m,
        `UPDATE reminders SET status = 'scheduled', due_at = $2, claimed_at = NULL, claimed_by = NULL,
                version = version + 1, updated_at = now()
          WHERE id = $1 AND status = 'failed' RETURNING attempts`,
        [id, this.clock.now()],
      );
      if (!rows[0]) {
        const current = await this.get(id);
        throw Problem.conflict(`A ${current.status} reminder cannot be retried; only failed ones.`, {
          currentStatus: current.status,
        });
      }
      await this.audit.record(m, actor, {
        action: 'retry',
        entity: 'reminder',
        entityId: id,
        changes: { status: ['failed', 'scheduled'] },
      });
      return rows[0].attempts;
    });
    // Queued now rather than at the next sweep; the sweeper would find it anyway.
    const job = sendJob(id, attempts);
    try {
      await enqueueWithin(this.queue.add(job.name, job.data, job.opts));
    } catch {
      // The row is scheduled and due now: the sweeper sends it once Redis is back.
    }
    return this.get(id);
  }

  /**
   * Frees claims whose worker is gone — its heartbeat stopped before `aliveSince` (see
   * workers/heartbeat.rules.ts) — or that are older than STUCK_AFTER_MS whatever the heartbeat
   * says, and marks their attempts interrupted.
   */
  async recoverStuck(aliveSince: Date): Promise<number> {
    const now = this.clock.now();
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH freed AS (
         UPDATE reminders r SET status = 'scheduled', claimed_at = NULL, claimed_by = NULL,
                last_error = 'the worker stopped while sending; sending again',
                version = r.version + 1, updated_at = now()
          WHERE r.status = 'sending'
            AND (r.claimed_at < $2 OR ${orphanedClaimSql('r.claimed_by', 'r.claimed_at', '$3')})
          RETURNING r.id, r.attempts),
       closed AS (
         UPDATE reminder_attempts a SET outcome = 'interrupted', finished_at = $1,
                error = 'the worker stopped while sending'
           FROM freed WHERE a.reminder_id = freed.id AND a.attempt = freed.attempts AND a.outcome = 'sending')
       SELECT id FROM freed`,
      [now, new Date(now.getTime() - STUCK_AFTER_MS), aliveSince],
    );
    return rows.length;
  }

  /** Whether mail may go out at `now`: inside the send window, on a working day unless switched off. */
  inSendWindow(now: Date): boolean {
    return nextSendTime(now, this.sendTime).getTime() === now.getTime();
  }

  /** The next instant mail may go out, from `now`. */
  nextSendTime(now: Date): Date {
    return nextSendTime(now, this.sendTime);
  }

  /**
   * Queues the due rows, one job per address (the rest of that address's due rows go out in
   * the same digest) — only inside the send window. The sweeper calls it for every row, the
   * planners for the enterprises they just planned, so a reminder due now goes out at once
   * instead of at the next sweep. Reads the partial index on due_at; Redis may have lost
   * anything, the rows have not.
   */
  async queueDue(enterpriseIds?: string[]): Promise<number> {
    const now = this.clock.now();
    if (!this.inSendWindow(now)) return 0;
    // Page through everything due (up to SWEEP_MAX_BATCHES pages), so one sweep queues a big
    // backlog instead of 1,000 rows a minute, and one address with thousands of due rows
    // cannot keep every other address out of the first page.
    const leads = new Map<string, { id: string; attempts: number }>();
    let after: { dueAt: Date; id: string } | null = null;
    for (let page = 0; page < SWEEP_MAX_BATCHES; page++) {
      const params: unknown[] = [now, SWEEP_BATCH];
      const filters: string[] = [];
      if (enterpriseIds) filters.push(`enterprise_id = ANY($${params.push(enterpriseIds)}::uuid[])`);
      if (after) {
        const at = `$${params.push(after.dueAt)}::timestamptz`;
        filters.push(`(due_at, id) > (${at}, $${params.push(after.id)}::uuid)`);
      }
      const due: { id: string; attempts: number; recipient: string; dueAt: Date }[] = await this.dataSource.query(
        `SELECT id, attempts, recipient, due_at AS "dueAt" FROM reminders
          WHERE status = 'scheduled' AND due_at <= $1 ${filters.map((f) => `AND ${f}`).join(' ')}
          ORDER BY due_at, id LIMIT $2`,
        params,
      );
      for (const r of due) if (!leads.has(r.recipient)) leads.set(r.recipient, r);
      if (due.length < SWEEP_BATCH) break;
      const last = due[due.length - 1];
      after = { dueAt: last.dueAt, id: last.id };
    }
    if (leads.size)
      await this.queue.addBulk([...leads.values()].map(({ id, attempts }) => sendJob(id, attempts)));
    return leads.size;
  }

  /**
   * The claim: the lead row plus every other row due by now for the same address (one digest
   * mail), each moved to `sending` under this worker with an attempt opened. Only one
   * delivery of a job (or of a duplicate job) gets a row; an empty answer means nothing to do.
   */
  async claim(leadId: string, worker: string): Promise<ClaimedReminder[]> {
    const now = this.clock.now();
    const rows: ClaimedReminder[] = await this.dataSource.query(
      `WITH target AS (
         -- One claim per address at a time: two jobs leading different rows of one address would
         -- otherwise each take what the other had not locked yet, and send two mails, not a digest.
         SELECT pg_advisory_xact_lock(hashtextextended('reminder-recipient:' || recipient, 0)) AS locked
           FROM reminders WHERE id = $1),
       lead AS (
         SELECT r.id, r.recipient FROM reminders r, target
          WHERE r.id = $1 AND r.status = 'scheduled' FOR UPDATE OF r),
       siblings AS (
         SELECT r.id FROM reminders r JOIN lead ON r.recipient = lead.recipient
          WHERE r.status = 'scheduled' AND r.due_at <= $2 AND r.id <> lead.id
          ORDER BY r.due_at, r.id LIMIT ${DIGEST_MAX - 1} FOR UPDATE OF r SKIP LOCKED),
       picked AS (SELECT id FROM lead UNION ALL SELECT id FROM siblings),
       claimed AS (
         -- A join on the primary key (an OR of two IN lists would scan the table).
         UPDATE reminders r SET status = 'sending', claimed_at = $2, claimed_by = $3, attempts = r.attempts + 1,
                version = r.version + 1, updated_at = now()
           FROM picked WHERE r.id = picked.id AND r.status = 'scheduled'
         RETURNING r.id, r.kind, r.recipient, r.recipient_role AS "recipientRole", r.mandatory, r.attempts,
                   r.payload, r.due_at AS "dueAt"),
       opened AS (
         INSERT INTO reminder_attempts (reminder_id, attempt, worker, started_at)
         SELECT id, attempts, $3, $2 FROM claimed)
       SELECT * FROM claimed ORDER BY (id = $1) DESC, "dueAt", id`,
      [leadId, now, worker],
    );
    return rows;
  }

  /** Sent: every row of the mail gets its Message-ID, and its attempt is closed. */
  async markSent(ids: string[], worker: string, messageId: string): Promise<void> {
    await this.finish(ids, worker, { status: 'sent', outcome: 'sent', messageId });
  }

  /** A transient failure: scheduled again, due when BullMQ's backoff retries it (the sweeper waits as long). */
  async markTransient(ids: string[], worker: string, error: string, retryAt: Date): Promise<void> {
    await this.finish(ids, worker, { status: 'scheduled', outcome: 'retrying', error, dueAt: retryAt });
  }

  /** A permanent failure (a rejected address): recorded, not retried until someone asks, and announced. */
  async markFailed(ids: string[], worker: string, error: string): Promise<void> {
    const failed = await this.finish(ids, worker, { status: 'failed', outcome: 'failed', error });
    for (const r of failed)
      await this.events.publish({
        type: 'reminder.failed',
        reminderId: r.id,
        enterpriseId: r.enterpriseId,
        kind: r.kind,
        recipient: r.recipient,
        error,
      });
  }

  /**
   * Outside the send window (a retry late in the day, a job queued just before closing):
   * back to scheduled, due when the window opens. The attempt is closed as `deferred`; the
   * count keeps it, which also gives the next send job a fresh id.
   */
  async defer(ids: string[], worker: string, until: Date): Promise<void> {
    await this.finish(ids, worker, { status: 'scheduled', outcome: 'deferred', dueAt: until });
  }

  /**
   * Ends this worker's claim on the rows and closes their open attempts, in one statement.
   * A claim another worker holds now (ours was judged dead and freed) is left alone.
   */
  private async finish(
    ids: string[],
    worker: string,
    end: {
      status: 'sent' | 'scheduled' | 'failed';
      outcome: ReminderAttemptOutcome;
      error?: string;
      messageId?: string;
      dueAt?: Date;
    },
  ): Promise<{ id: string; enterpriseId: string | null; kind: string; recipient: string }[]> {
    return this.dataSource.query(
      `WITH done AS (
         UPDATE reminders
            SET status = $3, claimed_at = NULL, claimed_by = NULL,
                sent_at = CASE WHEN $3 = 'sent' THEN $4 ELSE sent_at END,
                message_id = coalesce($5, message_id),
                last_error = CASE WHEN $3 = 'sent' THEN NULL ELSE coalesce($6, last_error) END,
                due_at = coalesce($7, due_at),
                occurrence = CASE WHEN $3 = 'scheduled' THEN occurrence ELSE ${ARCHIVED_OCCURRENCE} END,
                version = version + 1, updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'sending' AND claimed_by = $2
          RETURNING id, attempts, enterprise_id, kind, recipient),
       closed AS (
         UPDATE reminder_attempts a SET outcome = $8, finished_at = $4, error = $6, message_id = $5
           FROM done WHERE a.reminder_id = done.id AND a.attempt = done.attempts AND a.outcome = 'sending')
       SELECT id, enterprise_id AS "enterpriseId", kind, recipient FROM done`,
      [
        ids,
        worker,
        end.status,
        this.clock.now(),
        end.messageId ?? null,
        end.error ?? null,
        end.dueAt ?? null,
        end.outcome,
      ],
    );
  }

}
