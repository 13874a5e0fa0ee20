import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { mutate } from '../database/sql.js';
import { MaintenanceJob, QueueName } from '../queue/queue.constants.js';
import { IdempotencyService } from './idempotency.js';

/** Housekeeping of the tables that only hold short-lived records. */
@Processor(QueueName.Maintenance)
@Injectable()
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  // Typed so a new MaintenanceJob without a handler fails to compile.
  private readonly handlers: Record<MaintenanceJob, () => Promise<unknown>> = {
    [MaintenanceJob.PurgeExpired]: () => this.purgeExpired(),
  };

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // A stable scheduler id: restarts and extra workers update the one schedule, never add.
    await this.queue.upsertJobScheduler(
      'maintenance:purge-expired',
      { pattern: '17 * * * *', tz: this.config.APP_TIMEZONE },
      { name: MaintenanceJob.PurgeExpired },
    );
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MaintenanceJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Maintenance} job ${job.name}`);
    return handler();
  }

  private async purgeExpired(): Promise<{ idempotencyKeys: number; loginFailures: number }> {
    const idempotencyKeys = await this.idempotency.purgeExpired();
    const { count: loginFailures } = await mutate(
      this.dataSource,
      `DELETE FROM login_failures WHERE at < now() - interval '1 day'`,
    );
    this.logger.log({ idempotencyKeys, loginFailures }, 'Purged expired records');
    return { idempotencyKeys, loginFailures };
  }
}
