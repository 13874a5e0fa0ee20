import { UUID } from '../common/validators.js';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { isoUtc, mutate } from '../database/sql.js';
import { QueueName, RemindersJob } from '../queue/queue.constants.js';
import type { ReminderQuery, ReminderView } from './dto/reminder.dto.js';
import { ARCHIVED_OCCURRENCE } from './reminder-planner.service.js';
import { SEND_ATTEMPTS, SEND_BACKOFF_MS, STUCK_AFTER_MS } from './reminder.rules.js';

const SWEEP_BATCH = 1000;

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
}

/** The send job for one row: the id carries the attempt count, so a re-queue after a failure is a new job. */
export const sendJob = (id: string, attempts: number) => ({
  name: RemindersJob.Send,
  data: { reminderId: id },
  opts: {
    jobId: `reminder:${id}:${attempts}`,
    attempts: SEND_ATTEMPTS,
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
  ) {}

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

  async get(id: string): Promise<ReminderView> {
    const [row]: ReminderView[] = await this.dataSource.query(
      `SELECT ${VIEW_COLUMNS} FROM reminders WHERE id = $1`,
      [id],
    );
    if (!row) throw Problem.notFound('reminder', id);
    return row;
  }

  /** scheduled or failed → cancelled; anything else is a 409. */
  async cancel(id: string): Promise<ReminderView> {
    const { rows } = await mutate<ReminderView>(
      this.dataSource,
      `UPDATE reminders SET status = 'cancelled', occurrence = ${ARCHIVED_OCCURRENCE},
              version = version + 1, updated_at = now()
        WHERE id = $1 AND status IN ('scheduled', 'failed') RETURNING ${VIEW_COLUMNS}`,
      [id],
    );
    if (rows[0]) return rows[0];
    const current = await this.get(id);
    throw Problem.conflict(
      `A ${current.status} reminder cannot be cancelled; only scheduled or failed ones.`,
      {
        currentStatus: current.status,
      },
    );
  }

  /** failed → scheduled, due now, and queued; anything else is a 409. */
  async retry(id: string): Promise<ReminderView> {
    const { rows } = await mutate<ReminderView>(
      this.dataSource,
      `UPDATE reminders SET status = 'scheduled', due_at = $2, claimed_at = NULL,
              version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'failed' RETURNING ${VIEW_COLUMNS}`,
      [id, this.clock.now()],
    );
    if (rows[0]) {
      // Queued now rather than at the next sweep; the sweeper would find it anyway.
      const job = sendJob(rows[0].id, rows[0].attempts);
      await this.queue.add(job.name, job.data, job.opts);
      return rows[0];
    }
    const current = await this.get(id);
    throw Problem.conflict(`A ${current.status} reminder cannot be retried; only failed ones.`, {
      currentStatus: current.status,
    });
  }

  /**
   * The sweeper: rows a crashed worker left in `sending` go back to `scheduled`, then every
   * due row gets a send job. Redis may have lost anything; the rows have not.
   */
  async sweep(): Promise<{ recovered: number; queued: number }> {
    const now = this.clock.now();
    const { count: recovered } = await mutate(
      this.dataSource,
      `UPDATE reminders SET status = 'scheduled', claimed_at = NULL,
              last_error = 'the worker stopped while sending; sending again',
              version = version + 1, updated_at = now()
        WHERE status = 'sending' AND claimed_at < $1`,
      [new Date(now.getTime() - STUCK_AFTER_MS)],
    );
    const due: { id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT id, attempts FROM reminders WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at LIMIT $2`,
      [now, SWEEP_BATCH],
    );
    if (due.length) await this.queue.addBulk(due.map((r) => sendJob(r.id, r.attempts)));
    return { recovered, queued: due.length };
  }

  /** The claim: only one delivery of a job (or of a duplicate job) gets the row. */
  async claim(id: string): Promise<ClaimedReminder | null> {
    const { rows } = await mutate<ClaimedReminder>(
      this.dataSource,
      `UPDATE reminders SET status = 'sending', claimed_at = $2, attempts = attempts + 1,
              version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'scheduled'
        RETURNING id, kind, recipient, recipient_role AS "recipientRole", mandatory, attempts, payload`,
      [id, this.clock.now()],
    );
    return rows[0] ?? null;
  }

  async markSent(id: string, messageId: string): Promise<void> {
    await mutate(
      this.dataSource,
      `UPDATE reminders SET status = 'sent', sent_at = $2, message_id = $3, claimed_at = NULL,
              occurrence = ${ARCHIVED_OCCURRENCE}, version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'sending'`,
      [id, this.clock.now(), messageId],
    );
  }

  /** A transient failure: scheduled again, due when BullMQ's backoff retries it (the sweeper waits as long). */
  async markTransient(id: string, error: string, retryInMs: number): Promise<void> {
    await mutate(
      this.dataSource,
      `UPDATE reminders SET status = 'scheduled', last_error = $2, claimed_at = NULL, due_at = $3,
              version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'sending'`,
      [id, error, new Date(this.clock.now().getTime() + retryInMs)],
    );
  }

  /** A permanent failure (a rejected address): recorded, not retried until someone asks. */
  async markFailed(id: string, error: string): Promise<void> {
    await mutate(
      this.dataSource,
      `UPDATE reminders SET status = 'failed', last_error = $2, claimed_at = NULL,
              occurrence = ${ARCHIVED_OCCURRENCE}, version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'sending'`,
      [id, error],
    );
  }
}
