import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { redisOptions } from '../queue/redis.js';
import { HealthController } from './health.controller.js';
import { HEALTH_REDIS } from './health.tokens.js';

@Module({
  controllers: [HealthController],
  providers: [
    {
      provide: HEALTH_REDIS,
      inject: [AppConfig],
      // Its own connection that fails fast: readiness must say "down", not wait in a queue.
      useFactory: (config: AppConfig) => {
        const redis = new Redis({
          ...redisOptions(config.REDIS_URL),
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 2000,
        });
        // Reconnects by itself; /health/ready reports the outage meanwhile.
        redis.on('error', () => undefined);
        return redis;
      },
    },
  ],
})
export class HealthModule implements OnModuleDestroy {
  constructor(@Inject(HEALTH_REDIS) private readonly redis: Redis) {}

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
