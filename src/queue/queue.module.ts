import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { QueueName } from './queue.constants.js';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

/**
 * BullMQ on Redis, under QUEUE_PREFIX. Redis only carries work: every job points at a row
 * in PostgreSQL, and recurring work is re-registered at start-up.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // BullMQ workers block on Redis, so they must retry forever instead of failing calls.
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
        prefix: config.QUEUE_PREFIX,
        defaultJobOptions: {
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }),
    }),
    ...queues,
  ],
  exports: queues,
})
export class QueueModule {}
