import { Module, type DynamicModule } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module.js';
import { ReconciliationsController } from './reconciliations.controller.js';
import { ReconciliationsService } from './reconciliations.service.js';

/** Official lists against the pipelines: moves what the province certified or registered. */
@Module({})
export class ReconciliationsModule {
  /** The same `runsWorker` as the app's ApplicationsModule, so Nest shares that one instance. */
  static register(runsWorker: boolean): DynamicModule {
    return {
      module: ReconciliationsModule,
      imports: [ApplicationsModule.register(runsWorker)],
      controllers: [ReconciliationsController],
      providers: [ReconciliationsService],
    };
  }
}
