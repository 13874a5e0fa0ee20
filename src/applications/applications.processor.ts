import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { ApplicationsJob, QueueName } from '../queue/queue.constants.js';
import { ApplicationsService } from './applications.service.js';

@Processor(QueueName.Applications)
@Injectable()
export class ApplicationsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApplicationsProcessor.name);
  // Typed so a new ApplicationsJob without a handler fails to compile.
  readonly handlers: Record<ApplicationsJob, (job?: Job) => Promise<unknown>> = {
    [ApplicationsJob.LapseExpired]: () => this.lapseExpired(),
  };

  constructor(
    @InjectQueue(QueueName.Applications) private readonly queue: Queue,
    private readonly applications: ApplicationsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Stable id and explicit zone: every worker start updates the one daily schedule.
    await this.queue.upsertJobScheduler(
      'applications:lapse-expired',
      { pattern: '10 0 * * *', tz: this.config.APP_TIMEZONE },
      {
        name: ApplicationsJob.LapseExpired,
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
      },
    );
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as ApplicationsJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Applications} job ${job.name}`);
    return handler(job);
  }

  /** Certified enterprises whose latest certificate ended before today become lapsed. */
  async lapseExpired(): Promise<{ lapsed: string[] }> {
    const lapsed = await this.applications.lapseExpired();
    if (lapsed.length > 0) this.logger.log({ count: lapsed.length }, 'Certificates lapsed');
    return { lapsed };
  }
}
