import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { MailService } from '../mail/mail.service.js';
import { QueueName, RemindersJob } from '../queue/queue.constants.js';
import { ReminderPlanner } from './reminder-planner.service.js';
import { EnterpriseReminderPlanner, type PlanCounts } from './enterprise-reminder-planner.service.js';
import { renderReminders } from './reminder-template.js';
import { aliveSince } from '../workers/heartbeat.rules.js';
import { WorkerInstance } from '../workers/worker-instance.js';
import { backoffMs, describeError, isPermanentSmtpError, reminderMessageId } from './reminder.rules.js';
import { RemindersService } from './reminders.service.js';

export const SWEEP_SCHEDULER_ID = 'reminders:sweep';
export const PLAN_SCHEDULER_ID = 'reminders:plan-all';

/**
 * The sweeper (recurring) and the sender (one job per due row, carrying only its id). The
 * worker starts in onApplicationBootstrap, with REMINDER_SEND_CONCURRENCY: a decorator cannot
 * read the configuration.
 */
@Processor(QueueName.Reminders, { autorun: false })
@Injectable()
export class RemindersProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RemindersProcessor.name);
  private watchdog?: NodeJS.Timeout;
  // Typed so a new RemindersJob without a handler fails to compile.
  private readonly handlers: Record<RemindersJob, (job: Job) => Promise<unknown>> = {
    [RemindersJob.Sweep]: () => this.sweep(),
    [RemindersJob.Send]: (job) => this.send(job),
    [RemindersJob.PlanAll]: () => this.planAll(),
  };

  constructor(
    @InjectQueue(QueueName.Reminders) private readonly queue: Queue,
    private readonly reminders: RemindersService,
    private readonly planner: ReminderPlanner,
    private readonly enterprisePlanner: EnterpriseReminderPlanner,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly instance: WorkerInstance,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // As many sends at once as MailService's SMTP pool has connections.
    this.worker.concurrency = this.config.REMINDER_SEND_CONCURRENCY;
    this.worker.run().catch((err: unknown) => this.logger.error({ err }, 'The reminder worker stopped'));
    await this.upsertSweeper();
    await this.queue.upsertJobScheduler(
      PLAN_SCHEDULER_ID,
      { pattern: '30 1 * * *', tz: this.config.APP_TIMEZONE },
      { name: RemindersJob.PlanAll, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    );
    // Once a day at start too (one job per day, however many workers start): a new deployment
    // or a worker that was down overnight does not wait for 01:30.
    const today = this.clock.today();
    await this.queue.add(RemindersJob.PlanAll, {}, {
      jobId: `reminders:plan-all:${today}`,
      removeOnComplete: { age: 2 * 86_400 },
      removeOnFail: { count: 100 },
    });
    // The scheduler lives in Redis: if Redis is emptied it is gone too, so put it back.
    this.watchdog = setInterval(() => {
      this.ensureSweeper().catch((err: unknown) =>
        this.logger.warn({ err }, 'Could not check the reminder sweeper'),
      );
    }, this.config.REMINDER_SWEEP_INTERVAL_MS);
    this.watchdog.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.watchdog);
  }

  private async ensureSweeper(): Promise<void> {
    if (await this.queue.getJobScheduler(SWEEP_SCHEDULER_ID)) return;
    this.logger.warn('The reminder sweeper was missing from Redis; registering it again');
    await this.upsertSweeper();
  }

  private async upsertSweeper(): Promise<void> {
    const every = this.config.REMINDER_SWEEP_INTERVAL_MS;
    // BullMQ keeps a schedule's offset when its interval changes and aligns a late iteration to
    // it: after lowering the interval, the next sweep could be most of the old interval away.
    // A changed interval starts a new schedule.
    const current = await this.queue.getJobScheduler(SWEEP_SCHEDULER_ID);
    if (current && current.every !== every) await this.queue.removeJobScheduler(SWEEP_SCHEDULER_ID);
    // Stable id: every worker start updates the one schedule instead of adding another.
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every, tz: this.config.APP_TIMEZONE },
      { name: RemindersJob.Sweep, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    );
  }

  /** Without a listener an 'error' (Redis emptied under a running job, say) would be thrown from an emitter. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'Reminder worker error');
  }

  /** A failed job would otherwise go unseen in the logs (its row shows SMTP trouble, not a bug). */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ err, job: job?.name, jobId: job?.id }, 'Reminder job failed');
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as RemindersJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Reminders} job ${job.name}`);
    return handler(job);
  }

  /**
   * Frees claims of dead workers, plans what events missed, then — inside the send window
   * only — queues every due row, one job per address.
   */
  private async sweep(): Promise<{ recovered: number; planned: number; queued: number }> {
    const now = this.clock.now();
    const recovered = await this.reminders.recoverStuck(aliveSince(now, this.config));
    const planned = await this.planner.planMissing(now);
    const queued = await this.reminders.queueDue();
    return { recovered, planned, queued };
  }

  /** Nightly, and once when a worker starts: every enterprise's dated reminders. */
  private async planAll(): Promise<PlanCounts> {
    return this.enterprisePlanner.planAll();
  }

  /**
   * Claims the row and every other row due for the same address, renders them as one mail
   * (a digest when several), sends it and marks them sent. A job whose row is no longer
   * `scheduled` (a duplicate, a cancelled reminder, one already sent in a digest) does
   * nothing. Transient SMTP trouble is thrown for BullMQ to retry with backoff; a permanent
   * refusal fails the rows at once.
   */
  private async send(job: Job<{ reminderId: string }>): Promise<{ reminderId: string; outcome: string; count?: number }> {
    const { reminderId } = job.data;
    const worker = this.instance.id;
    const rows = await this.reminders.claim(reminderId, worker);
    if (rows.length === 0) return { reminderId, outcome: 'not claimable' };
    const ids = rows.map((r) => r.id);
    const now = this.clock.now();
    if (!this.reminders.inSendWindow(now)) {
      await this.reminders.defer(ids, worker, this.reminders.nextSendTime(now));
      return { reminderId, outcome: 'deferred', count: ids.length };
    }
    // Derived from the lead row: a resend after a crash between SMTP acceptance and the update is recognisable.
    const messageId = reminderMessageId(rows[0].id);
    let mail: ReturnType<typeof renderReminders>;
    try {
      mail = renderReminders(rows, {
        mailFrom: this.config.MAIL_FROM,
        timeZone: this.config.APP_TIMEZONE,
        language: this.config.REMINDER_LANGUAGE,
      });
    } catch (err) {
      // No template or a payload it cannot use: retrying will not change that.
      await this.reminders.markFailed(ids, worker, describeError(err));
      throw new UnrecoverableError(describeError(err));
    }
    try {
      await this.mail.send({
        to: rows[0].recipient,
        ...mail,
        messageId,
        headers: { 'X-Peiyu-Reminder': ids.join(', ') },
      });
    } catch (err) {
      const reason = describeError(err);
      if (isPermanentSmtpError(err)) {
        await this.reminders.markFailed(ids, worker, reason);
        this.logger.warn({ reminderId, count: ids.length, reason }, 'Reminder failed permanently');
        throw new UnrecoverableError(reason);
      }
      const retryAt = new Date(now.getTime() + backoffMs(job.attemptsMade + 1));
      await this.reminders.markTransient(ids, worker, reason, retryAt);
      this.logger.warn({ reminderId, count: ids.length, reason }, 'Reminder send failed; will retry');
      throw err;
    }
    await this.reminders.markSent(ids, worker, messageId);
    return { reminderId, outcome: 'sent', count: ids.length };
  }
}
