import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerHeartbeatService } from './worker-heartbeat.service.js';
import { WorkerInstance } from './worker-instance.js';

// Not global on purpose: Nest runs the shutdown hooks of global modules (TypeORM's pool among
// them) last, so the heartbeat row can still be deleted when this module stops.
@Module({
  imports: [DiscoveryModule],
  providers: [WorkerHeartbeatService],
})
class WorkerHeartbeatModule {}

/** This process's worker identity, for every module; its heartbeat where workers run. */
@Global()
@Module({
  providers: [WorkerInstance],
  exports: [WorkerInstance],
})
export class WorkersModule {
  static register(runsWorker: boolean): DynamicModule {
    return { module: WorkersModule, imports: runsWorker ? [WorkerHeartbeatModule] : [] };
  }
}
