import { Module, type DynamicModule } from '@nestjs/common';
import { ApplicationsController } from './applications.controller.js';
import { ApplicationsProcessor } from './applications.processor.js';
import { ApplicationsService } from './applications.service.js';
import { BatchesController } from './batches.controller.js';
import { BatchesService } from './batches.service.js';

const registered: Record<string, DynamicModule> = {};

/** Certification pipelines (HNTE, re-certification, tech-based SME), batches and certificates. */
@Module({})
export class ApplicationsModule {
  /** The processor (daily certificate lapse) only where workers run. */
  static register(runsWorker: boolean): DynamicModule {
    // One object per setting: Nest tells dynamic modules apart by reference, so features that
    // import this (reconciliations) share the app's instance instead of declaring its routes twice.
    return (registered[String(runsWorker)] ??= {
      module: ApplicationsModule,
      controllers: [ApplicationsController, BatchesController],
      providers: [ApplicationsService, BatchesService, ...(runsWorker ? [ApplicationsProcessor] : [])],
      exports: [ApplicationsService],
    });
  }
}
