import { Global, Module } from '@nestjs/common';
import { WorkerInstance } from './worker-instance.js';

@Global()
@Module({
  providers: [WorkerInstance],
  exports: [WorkerInstance],
})
export class WorkersModule {}
