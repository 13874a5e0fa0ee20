import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { MailService } from '../mail/mail.service.js';
import { QueueName, WebhooksJob } from '../queue/queue.constants.js';
import { aliveSince } from '../workers/heartbeat.rules.js';
import { WorkerInstance } from '../workers/worker-instance.js';
import { postWebhook } from './webhook-http.js';
import { WebhookOutbox, type AttemptResult, type PausedHook } from './webhook-outbox.service.js';
import { renderPausedMail } from './webhook-paused-mail.js';
import { SIGNATURE_HEADER, signPayload } from './signature.js';
import { afterFailure, isDelivered, REQUEST_TIMEOUT_MS } from './webhook.rules.js';

export const WEBHOOK_SWEEP_SCHEDULER_ID = 'webhooks:sweep';
const USER_AGENT = 'Peiyu-Webhooks/1';

/** A failed attempt that will be tried again in `delayMs`: BullMQ's backoff reads it from here. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/**
 * The backoff BullMQ applies to a failed deliver job: the wait the row was given (so the job
 * and the row agree), or a short one for a failure before any attempt (PostgreSQL away).
 */
export const rowBackoff = (attemptsMade: number, _type?: string, err?: Error): number =>
  err instanceof RetryLater ? err.delayMs : Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));

/** The sweeper (recurring) and the sender (one job per delivery attempt series, carrying only the row id). */
@Processor(QueueName.Webhooks, { concurrency: 8, settings: { backoffStrategy: rowBackoff } })
@Injectable()
export class WebhooksProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhooksProcessor.name);
  private watchdog?: NodeJS.Timeout;
  // Typed so a new WebhooksJob without a handler fails to compile.
  private readonly handlers: Record<WebhooksJob, (job: Job) => Promise<unknown>> = {
    [WebhooksJob.Sweep]: () => this.sweep(),
    [WebhooksJob.Deliver]: (job) => this.deliver(job),
  };

  constructor(
    @InjectQueue(QueueName.Webhooks) private readonly queue: Queue,
    private readonly outbox: WebhookOutbox,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly instance: WorkerInstance,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSweeper();
    // The scheduler lives in Redis: if Redis is emptied it is gone too, so put it back.
    this.watchdog = setInterval(() => {
      this.ensureSweeper().catch((err: unknown) => this.logger.warn({ err }, 'Could not check the webhook sweeper'));
    }, this.config.WEBHOOK_SWEEP_INTERVAL_MS);
    this.watchdog.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.watchdog);
  }

  private async ensureSweeper(): Promise<void> {
    if (await this.queue.getJobScheduler(WEBHOOK_SWEEP_SCHEDULER_ID)) return;
    this.logger.warn('The webhook sweeper was missing from Redis; registering it again');
    await this.upsertSweeper();
  }

  private async upsertSweeper(): Promise<void> {
    await this.queue.upsertJobScheduler(
      WEBHOOK_SWEEP_SCHEDULER_ID,
      { every: this.config.WEBHOOK_SWEEP_INTERVAL_MS },
      { name: WebhooksJob.Sweep, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    );
  }

  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'Webhook worker error');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    // A receiver failing is routine (its row says so); log it quietly, anything else loudly.
    if (err instanceof RetryLater || err instanceof UnrecoverableError)
      this.logger.log({ jobId: job?.id, reason: err.message }, 'Webhook delivery attempt failed');
    else this.logger.warn({ err, job: job?.name, jobId: job?.id }, 'Webhook job failed');
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as WebhooksJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Webhooks} job ${job.name}`);
    return handler(job);
  }

  /** Frees claims of dead workers, then queues every due delivery of an active hook. */
  private async sweep(): Promise<{ recovered: number; queued: number }> {
    const recovered = await this.outbox.recoverStuck(aliveSince(this.clock.now(), this.config));
    const queued = await this.outbox.queueDue();
    return { recovered, queued };
  }

  /**
   * Claims the row, signs and POSTs its body, records the answer. A job whose row is not
   * pending and due (a duplicate, a paused or deleted hook, one delivered already) does
   * nothing. A failure is thrown for BullMQ to retry when the row says; out of retries it is
   * unrecoverable.
   */
  private async deliver(job: Job<{ deliveryId: string }>): Promise<{ deliveryId: string; outcome: string; statusCode?: number }> {
    const { deliveryId } = job.data;
    const worker = this.instance.id;
    const delivery = await this.outbox.claim(deliveryId, worker);
    if (!delivery) return { deliveryId, outcome: 'not claimable' };
    const t = Math.floor(this.clock.now().getTime() / 1000);
    const posted = await postWebhook({
      url: delivery.url,
      body: delivery.body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': USER_AGENT,
        [SIGNATURE_HEADER]: signPayload(delivery.secret, t, delivery.body),
        'Peiyu-Event': delivery.event,
        'Peiyu-Delivery': delivery.id,
      },
      allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    if (posted.kind === 'answered' && isDelivered(posted.statusCode)) {
      await this.outbox.markDelivered(delivery.id, worker, {
        outcome: 'delivered',
        statusCode: posted.statusCode,
        error: null,
        durationMs: posted.durationMs,
      });
      return { deliveryId, outcome: 'delivered', statusCode: posted.statusCode };
    }
    const result: AttemptResult =
      posted.kind === 'answered'
        ? {
            outcome: 'failed',
            statusCode: posted.statusCode,
            error: `HTTP ${posted.statusCode}${posted.snippet ? `: ${posted.snippet.replace(/\s+/g, ' ').trim()}` : ''}`.slice(0, 500),
            durationMs: posted.durationMs,
          }
        : { outcome: posted.kind === 'refused' ? 'refused' : 'failed', statusCode: null, error: posted.error, durationMs: posted.durationMs };
    const next = afterFailure(delivery.attempts - delivery.retryFrom, this.config.WEBHOOK_RETRY_BASE_MS);
    const retryAt = 'retryInMs' in next ? new Date(this.clock.now().getTime() + next.retryInMs) : null;
    const paused = await this.outbox.markFailed(delivery.id, worker, result, retryAt);
    if (paused) await this.tellAdmins(paused);
    if (!retryAt || paused) throw new UnrecoverableError(result.error ?? 'failed');
    throw new RetryLater(result.error ?? 'failed', retryAt.getTime() - this.clock.now().getTime());
  }

  /** Mails every active admin that a hook was paused. A mail that fails is logged: the pause itself is recorded. */
  private async tellAdmins(hook: PausedHook): Promise<void> {
    this.logger.warn({ webhookId: hook.id, url: hook.url }, 'Webhook paused after a day of failed deliveries');
    const mail = renderPausedMail(hook, this.config.APP_TIMEZONE);
    for (const to of await this.outbox.adminEmails()) {
      try {
        await this.mail.send({ to, ...mail, headers: { 'X-Peiyu-Webhook': hook.id } });
      } catch (err) {
        this.logger.error({ err, to, webhookId: hook.id }, 'Could not tell an admin that a webhook was paused');
      }
    }
  }
}
