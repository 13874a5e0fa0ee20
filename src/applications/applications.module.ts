import { Module, type DynamicModule } from '@nestjs/common';
import { ApplicationsController } from './applications.controller.js';
import { ApplicationsProcessor } from './applications.processor.js';
import { ApplicationsService } from './applications.service.js';
import { BatchesController } from './batches.controller.js';
import { BatchesService } from './batches.service.js';

/** Certification pipelines (HNTE, re-certification, tech-based SME), batches and certificates. */
@Module({})
export class ApplicationsModule {
  /** The processor (daily certificate lapse) only where workers run. */
  static register(runsWorker: boolean): DynamicModule {
    return {
      module: ApplicationsModule,
      controllers: [ApplicationsController, BatchesController],
      providers: [ApplicationsService, BatchesService, ...(runsWorker ? [ApplicationsProcessor] : [])],
      exports: [ApplicationsService],
    };
  }
}
