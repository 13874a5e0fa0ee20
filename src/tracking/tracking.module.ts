import { Module } from '@nestjs/common';
import { TrackingController } from './tracking.controller.js';
import { TrackingService } from './tracking.service.js';

/** Follow-up registrations (挂号跟踪) and their contact logs. */
@Module({
  controllers: [TrackingController],
  providers: [TrackingService],
})
export class TrackingModule {}
