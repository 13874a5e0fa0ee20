import { Module, type DynamicModule } from '@nestjs/common';
import { EnterprisesModule } from '../enterprises/enterprises.module.js';
import { ReadinessController } from './readiness.controller.js';
import { ReadinessProcessor } from './readiness.processor.js';
import { ReadinessService } from './readiness.service.js';

@Module({})
export class ReadinessModule {
  /** The processor (queue consumer and nightly schedule) only where workers run. */
  static register(runsWorker: boolean): DynamicModule {
    return {
      module: ReadinessModule,
      imports: [EnterprisesModule],
      controllers: [ReadinessController],
      providers: [ReadinessService, ...(runsWorker ? [ReadinessProcessor] : [])],
      exports: [ReadinessService],
    };
  }
}
