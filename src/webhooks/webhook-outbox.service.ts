import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ApplicationsService } from '../applications/applications.service.js';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { mutate } from '../database/sql.js';
import { EnterprisesService } from '../enterprises/enterprises.service.js';
import { QueueName, WebhooksJob } from '../queue/queue.constants.js';
import { orphanedClaimSql } from '../workers/heartbeat.rules.js';
import { isWebhookEvent, MAX_ATTEMPTS, shouldPause, STUCK_AFTER_MS, type AttemptOutcome } from './webhook.rules.js';

const SWEEP_BATCH = 1000;

/**
 * How long a process trusts its list of active hooks. Every enterprise write records its event,
 * and a lookup per write was one statement in seven on the write path; a change made through
 * this process drops the list at once, one made through another process is seen within this.
 */
export const HOOK_CACHE_MS = 1000;

/** The deliver job for one row. The id carries the attempt count, so a re-queue after an attempt is a new job. */
export const deliverJob = (id: string, attempts: number): { name: string; data: { deliveryId: string }; opts: JobsOptions } => ({
  name: WebhooksJob.Deliver,
  data: { deliveryId: id },
  opts: {
    jobId: `webhook:${id}:${attempts}`,
    // The row decides when to give up (UnrecoverableError); this is only an upper bound.
    attempts: MAX_ATTEMPTS,
    // Timed by the row's next_attempt_at: see RetryLater and the processor's backoff strategy.
    backoff: { type: 'row' },
    // The row and webhook_attempts are the record; a finished job would block re-queueing its id.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 86_400, count: 10_000 },
  },
});

/** A claimed delivery: what the sender needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: string;
  body: string;
  attempts: number;
  retryFrom: number;
  url: string;
  secret: string;
}

export interface AttemptResult {
  outcome: Exclude<AttemptOutcome, 'sending' | 'interrupted'>;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A hook Peiyu just paused, for the mail to the admins. */
export interface PausedHook {
  id: string;
  url: string;
  failingSince: Date;
  consecutiveFailures: number;
  pausedReason: string;
  lastError: string | null;
}

/**
 * The webhook outbox: turns domain events into delivery rows (one per subscribed hook), and
 * the row operations of the sweeper and the sender. Rows are the truth; jobs carry ids.
 */
@Injectable()
export class WebhookOutbox implements OnModuleInit {
  private readonly logger = new Logger(WebhookOutbox.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Webhooks) private readonly queue: Queue,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly enterprises: EnterprisesService,
    private readonly moduleRef: ModuleRef,
  ) {}

  private applications?: ApplicationsService;
  private activeHooks: { loadedAt: number; byEvent: Promise<Map<string, string[]>> } | null = null;

  onModuleInit(): void {
    // ApplicationsModule is a dynamic module (its processor depends on the role); importing it
    // here would register its controllers twice, so its exported service is looked up instead.
    this.applications = this.moduleRef.get(ApplicationsService, { strict: false });
    this.events.subscribe(async (event) => {
      await this.record(event);
    });
  }

  /**
   * One row per active hook subscribed to the event, the body fixed now. Awaited by the
   * publisher (so the rows exist when its request answers); the jobs are not, so a Redis
   * outage never holds up a write — the sweeper queues what did not make it.
   */
  async record(event: DomainEvent): Promise<string[]> {
    const type: string = event.type;
    if (!isWebhookEvent(type)) return [];
    const hookIds = await this.hooksFor(type);
    if (hookIds.length === 0) return [];
    const occurredAt = this.clock.now();
    const data = await this.dataFor(event);
    const ids = hookIds.map(() => randomUUID());
    const bodies = ids.map((id) => JSON.stringify({ id, event: type, occurredAt: occurredAt.toISOString(), data }));
    const recorded: { id: string }[] = await this.dataSource.query(
      `INSERT INTO webhook_deliveries (id, webhook_id, event, body, next_attempt_at, occurred_at)
       SELECT d.id, d.webhook_id, $3, d.body, $4, $4
         FROM unnest($1::uuid[], $2::uuid[], $5::text[]) AS d(id, webhook_id, body)
         -- The list of hooks may be a second old: one deleted or paused since takes nothing.
         JOIN webhooks w ON w.id = d.webhook_id AND w.active
       RETURNING id`,
      [ids, hookIds, type, occurredAt, bodies],
    );
    if (recorded.length === 0) return [];
    this.queue
      .addBulk(recorded.map(({ id }) => deliverJob(id, 0)))
      .catch((err: unknown) => this.logger.warn({ err, event: type }, 'Could not queue webhook deliveries; the sweeper will'));
    return recorded.map(({ id }) => id);
  }

  /** Forget the active hooks (a hook was created, changed, paused or deleted). */
  forgetHooks(): void {
    this.activeHooks = null;
  }

  /** Ids of the active hooks subscribed to an event type, at most HOOK_CACHE_MS old. */
  private async hooksFor(type: string): Promise<string[]> {
    const now = Date.now();
    if (!this.activeHooks || now - this.activeHooks.loadedAt > HOOK_CACHE_MS) {
      // One load shared by the requests that arrive while it runs.
      const byEvent = (async () => {
        const rows: { id: string; events: string[] }[] = await this.dataSource.query(
          `SELECT id, events FROM webhooks WHERE active ORDER BY id`,
        );
        const map = new Map<string, string[]>();
        for (const { id, events } of rows) for (const e of events) map.set(e, [...(map.get(e) ?? []), id]);
        return map;
      })();
      const entry = { loadedAt: now, byEvent };
      this.activeHooks = entry;
      byEvent.catch(() => {
        if (this.activeHooks === entry) this.activeHooks = null;
      });
    }
    return (await this.activeHooks.byEvent).get(type) ?? [];
  }

  /** The event's own fields, with the enterprise or application as the API shows it now. */
  private async dataFor(event: DomainEvent): Promise<Record<string, unknown>> {
    const { type: _, ...fields } = event as DomainEvent & Record<string, unknown>;
    const data: Record<string, unknown> = { ...fields };
    try {
      if (event.type === 'enterprise.created' || event.type === 'enterprise.updated')
        data.enterprise = await this.enterprises.get(event.enterpriseId);
      if (event.type === 'application.transitioned' || event.type === 'application.certified')
        data.application = await this.applications?.get(event.applicationId);
    } catch (err) {
      // Gone already (deleted in the meantime): the event's own fields still say what happened.
      this.logger.debug({ err, event: event.type }, 'No current view for a webhook payload');
    }
    return data;
  }

  /** Queues deliveries, replacing a finished job that holds the same id (it would make the add a no-op). */
  async enqueue(rows: { id: string; attempts: number }[]): Promise<void> {
    for (const r of rows) {
      const job = deliverJob(r.id, r.attempts);
      const existing = await this.queue.getJob(job.opts.jobId!);
      if (existing && ((await existing.isFailed()) || (await existing.isCompleted()))) await existing.remove();
    }
    if (rows.length) await this.queue.addBulk(rows.map((r) => deliverJob(r.id, r.attempts)));
  }

  /** Every due delivery of an active hook (or of one hook), queued. */
  async queueDue(webhookId?: string): Promise<number> {
    const due: { id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT d.id, d.attempts FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.active
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ${webhookId ? 'AND d.webhook_id = $3' : ''}
        ORDER BY d.next_attempt_at LIMIT $2`,
      webhookId ? [this.clock.now(), SWEEP_BATCH, webhookId] : [this.clock.now(), SWEEP_BATCH],
    );
    await this.enqueue(due);
    return due.length;
  }

  /**
   * Frees deliveries left in `sending` by a worker whose heartbeat stopped (or older than
   * STUCK_AFTER_MS whatever it says): due again now, their attempt closed as interrupted.
   */
  async recoverStuck(aliveSince: Date): Promise<number> {
    const now = this.clock.now();
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH freed AS (
         UPDATE webhook_deliveries d SET status = 'pending', claimed_at = NULL, claimed_by = NULL, next_attempt_at = $1,
                last_error = 'the worker stopped while sending; sending again', updated_at = now()
          WHERE d.status = 'sending'
            AND (d.claimed_at < $2 OR ${orphanedClaimSql('d.claimed_by', 'd.claimed_at', '$3')})
          RETURNING d.id, d.attempts),
       closed AS (
         UPDATE webhook_attempts a SET outcome = 'interrupted', finished_at = $1, error = 'the worker stopped while sending'
           FROM freed WHERE a.delivery_id = freed.id AND a.attempt = freed.attempts AND a.outcome = 'sending')
       SELECT id FROM freed`,
      [now, new Date(now.getTime() - STUCK_AFTER_MS), aliveSince],
    );
    return rows.length;
  }

  /**
   * The claim: pending, due (a second of slack for clocks), its hook active. Moves it to
   * `sending` under this worker and opens an attempt; only one delivery of a job gets the row.
   */
  async claim(id: string, worker: string): Promise<ClaimedDelivery | null> {
    const now = this.clock.now();
    const rows: ClaimedDelivery[] = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE webhook_deliveries d SET status = 'sending', claimed_at = $2, claimed_by = $3,
                attempts = d.attempts + 1, last_attempt_at = $2, updated_at = now()
           FROM webhooks w
          WHERE d.id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2::timestamptz + interval '1 second'
            AND w.id = d.webhook_id AND w.active
         RETURNING d.id, d.webhook_id AS "webhookId", d.event, d.body, d.attempts, d.retry_from AS "retryFrom", w.url, w.secret),
       opened AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, worker, started_at) SELECT id, attempts, $3, $2 FROM claimed)
       SELECT * FROM claimed`,
      [id, now, worker],
    );
    return rows[0] ?? null;
  }

  /** A 2xx: delivered, the attempt closed, and the hook's failure streak ended. */
  async markDelivered(id: string, worker: string, result: AttemptResult): Promise<void> {
    await this.dataSource.query(
      `WITH done AS (
         UPDATE webhook_deliveries SET status = 'delivered', claimed_at = NULL, claimed_by = NULL, delivered_at = $3,
                last_status_code = $4, last_error = NULL, last_duration_ms = $5, updated_at = now()
          WHERE id = $1 AND status = 'sending' AND claimed_by = $2
          RETURNING id, attempts, webhook_id),
       closed AS (
         UPDATE webhook_attempts a SET outcome = 'delivered', finished_at = $3, status_code = $4, duration_ms = $5
           FROM done WHERE a.delivery_id = done.id AND a.attempt = done.attempts AND a.outcome = 'sending')
       UPDATE webhooks w SET consecutive_failures = 0, failing_since = NULL
         FROM done WHERE w.id = done.webhook_id AND (w.consecutive_failures <> 0 OR w.failing_since IS NOT NULL)`,
      [id, worker, this.clock.now(), result.statusCode, result.durationMs],
    );
  }

  /**
   * A failed attempt: pending again at `retryAt`, or `failed` when `retryAt` is null (out of
   * retries). The hook's streak grows; after a day of nothing but failures it is paused
   * (audited as the system) and returned, so the caller can tell the admins.
   */
  async markFailed(id: string, worker: string, result: AttemptResult, retryAt: Date | null): Promise<PausedHook | null> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const { rows } = await mutate<{ webhook_id: string; attempts: number }>(
        m,
        `UPDATE webhook_deliveries SET status = $3, claimed_at = NULL, claimed_by = NULL,
                next_attempt_at = coalesce($4, next_attempt_at), last_status_code = $5, last_error = $6,
                last_duration_ms = $7, updated_at = now()
          WHERE id = $1 AND status = 'sending' AND claimed_by = $2
          RETURNING webhook_id, attempts`,
        [id, worker, retryAt ? 'pending' : 'failed', retryAt, result.statusCode, result.error, result.durationMs],
      );
      const done = rows[0];
      if (!done) return null; // our claim was judged dead and freed: the attempt is someone else's now
      await m.query(
        `UPDATE webhook_attempts SET outcome = $3, finished_at = $4, status_code = $5, error = $6, duration_ms = $7
          WHERE delivery_id = $1 AND attempt = $2 AND outcome = 'sending'`,
        [id, done.attempts, result.outcome, now, result.statusCode, result.error, result.durationMs],
      );
      const {
        rows: [hook],
      } = await mutate<{ id: string; url: string; active: boolean; failing_since: Date; consecutive_failures: number }>(
        m,
        `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, $2)
          WHERE id = $1 RETURNING id, url, active, failing_since, consecutive_failures`,
        [done.webhook_id, now],
      );
      if (!hook?.active || !shouldPause(hook.failing_since, now)) return null;
      const reason = `Every delivery attempt has failed since ${hook.failing_since.toISOString()} (${hook.consecutive_failures} in a row); last: ${result.error ?? `HTTP ${result.statusCode}`}`;
      await m.query(
        `UPDATE webhooks SET active = false, paused_at = $2, paused_reason = $3, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [hook.id, now, reason],
      );
      this.forgetHooks();
      await this.audit.record(m, SYSTEM_ACTOR, {
        action: 'pause',
        entity: 'webhook',
        entityId: hook.id,
        changes: { active: [true, false], pausedReason: [null, reason] },
      });
      return {
        id: hook.id,
        url: hook.url,
        failingSince: hook.failing_since,
        consecutiveFailures: hook.consecutive_failures,
        pausedReason: reason,
        lastError: result.error ?? (result.statusCode !== null ? `HTTP ${result.statusCode}` : null),
      };
    });
  }

  /** Active admins' addresses, for the pause notice. */
  async adminEmails(): Promise<string[]> {
    const rows: { email: string }[] = await this.dataSource.query(
      `SELECT email FROM users WHERE role = 'admin' AND active ORDER BY email`,
    );
    return rows.map((r) => r.email);
  }
}
