import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { MailService } from '../mail/mail.service.js';
import { QueueName, RemindersJob } from '../queue/queue.constants.js';
import { ReminderPlanner } from './reminder-planner.service.js';
import { renderReminder } from './reminder-template.js';
import { backoffMs, describeError, isPermanentSmtpError, reminderMessageId } from './reminder.rules.js';
import { RemindersService } from './reminders.service.js';

export const SWEEP_SCHEDULER_ID = 'reminders:sweep';

/** The sweeper (recurring) and the sender (one job per due row, carrying only its id). */
@Processor(QueueName.Reminders, { concurrency: 4 })
@Injectable()
export class RemindersProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RemindersProcessor.name);
  private watchdog?: NodeJS.Timeout;
  // Typed so a new RemindersJob without a handler fails to compile.
  private readonly handlers: Record<RemindersJob, (job: Job) => Promise<unknown>> = {
    [RemindersJob.Sweep]: () => this.sweep(),
    [RemindersJob.Send]: (job) => this.send(job),
  };

  constructor(
    @InjectQueue(QueueName.Reminders) private readonly queue: Queue,
    private readonly reminders: RemindersService,
    private readonly planner: ReminderPlanner,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSweeper();
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
    // Stable id: every worker start updates the one schedule instead of adding another.
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: this.config.REMINDER_SWEEP_INTERVAL_MS, tz: this.config.APP_TIMEZONE },
      { name: RemindersJob.Sweep, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    );
  }

  /** Without a listener an 'error' (Redis emptied under a running job, say) would be thrown from an emitter. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'Reminder worker error');
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as RemindersJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Reminders} job ${job.name}`);
    return handler(job);
  }

  /** Plans what events missed, then queues every due row (and frees stuck ones). */
  private async sweep(): Promise<{ planned: number; recovered: number; queued: number }> {
    const planned = await this.planner.planMissing(this.clock.now());
    return { planned, ...(await this.reminders.sweep()) };
  }

  /**
   * Claims the row, renders and sends it, marks it sent. A job whose row is no longer
   * `scheduled` (a duplicate, a cancelled reminder) does nothing. Transient SMTP trouble is
   * thrown for BullMQ to retry with backoff; a permanent refusal fails the row at once.
   */
  private async send(job: Job<{ reminderId: string }>): Promise<{ reminderId: string; outcome: string }> {
    const { reminderId } = job.data;
    const row = await this.reminders.claim(reminderId);
    if (!row) return { reminderId, outcome: 'not claimable' };
    const messageId = reminderMessageId(row.id);
    let mail: ReturnType<typeof renderReminder>;
    try {
      mail = renderReminder({
        kind: row.kind,
        recipientRole: row.recipientRole,
        mandatory: row.mandatory,
        payload: row.payload,
        mailFrom: this.config.MAIL_FROM,
        timeZone: this.config.APP_TIMEZONE,
      });
    } catch (err) {
      // No template or a payload it cannot use: retrying will not change that.
      await this.reminders.markFailed(row.id, describeError(err));
      throw new UnrecoverableError(describeError(err));
    }
    try {
      await this.mail.send({
        to: row.recipient,
        ...mail,
        messageId,
        headers: { 'X-Peiyu-Reminder': row.id },
      });
    } catch (err) {
      const reason = describeError(err);
      if (isPermanentSmtpError(err)) {
        await this.reminders.markFailed(row.id, reason);
        this.logger.warn({ reminderId, reason }, 'Reminder failed permanently');
        throw new UnrecoverableError(reason);
      }
      await this.reminders.markTransient(row.id, reason, backoffMs(job.attemptsMade + 1));
      this.logger.warn({ reminderId, attempts: row.attempts, reason }, 'Reminder send failed; will retry');
      throw err;
    }
    await this.reminders.markSent(row.id, messageId);
    return { reminderId, outcome: 'sent' };
  }
}
