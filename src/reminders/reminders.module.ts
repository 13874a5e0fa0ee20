import { Module, type DynamicModule } from '@nestjs/common';
import { EnterpriseReminderPlanner } from './enterprise-reminder-planner.service.js';
import { ReminderPlanner } from './reminder-planner.service.js';
import { RemindersController } from './reminders.controller.js';
import { RemindersProcessor } from './reminders.processor.js';
import { RemindersService } from './reminders.service.js';

/** The reminder outbox: planner (reacts to domain events), API, and — where workers run — sweeper and sender. */
@Module({})
export class RemindersModule {
  static register(runsWorker: boolean): DynamicModule {
    return {
      module: RemindersModule,
      controllers: [RemindersController],
      providers: [ReminderPlanner, EnterpriseReminderPlanner, RemindersService, ...(runsWorker ? [RemindersProcessor] : [])],
      exports: [ReminderPlanner, EnterpriseReminderPlanner, RemindersService],
    };
  }
}
