import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnnualReportsModule } from './annual-reports/annual-reports.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { ApplicationsModule } from './applications/applications.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DomainEventsModule } from './common/domain-events.js';
import { IdempotencyInterceptor, IdempotencyService } from './common/idempotency.js';
import { MaintenanceProcessor } from './common/maintenance.processor.js';
import { ProblemFilter } from './common/problem.filter.js';
import { ValidationPipe } from './common/validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { ContractsModule } from './contracts/contracts.module.js';
import { createDataSource } from './database/data-source.js';
import { DemandsModule } from './demands/demands.module.js';
import { EnterprisesModule } from './enterprises/enterprises.module.js';
import { HealthModule } from './health/health.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { ReadinessModule } from './readiness/readiness.module.js';
import { ReconciliationsModule } from './reconciliations/reconciliations.module.js';
import { RemindersModule } from './reminders/reminders.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { TrackingModule } from './tracking/tracking.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WorkersModule } from './workers/workers.module.js';

/** Queue consumers and schedulers: present only when APP_ROLE is worker or all. */
const workerProviders: Provider[] = [MaintenanceProcessor];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({}),
          dataSourceFactory: async () =>
            createDataSource({ url: config.DATABASE_URL, poolMax: config.DB_POOL_MAX }).initialize(),
        }),
        QueueModule,
        WorkersModule.register(config.runsWorker),
        DomainEventsModule,
        MailModule,
        MetricsModule,
        RateLimitModule,
        AuditModule,
        AuthModule,
        UsersModule,
        ApiKeysModule,
        EnterprisesModule,
        ReadinessModule.register(config.runsWorker),
        ApplicationsModule.register(config.runsWorker),
        ContractsModule,
        AnnualReportsModule,
        TrackingModule,
        DemandsModule,
        ReportsModule,
        RemindersModule.register(config.runsWorker),
        WebhooksModule.register(config.runsWorker),
        ImportsModule,
        ReconciliationsModule.register(config.runsWorker),
        HealthModule,
      ],
      providers: [
        IdempotencyService,
        { provide: APP_PIPE, useClass: ValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        ...(config.runsWorker ? workerProviders : []),
      ],
      exports: [IdempotencyService],
    };
  }
}
