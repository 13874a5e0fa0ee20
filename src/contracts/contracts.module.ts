import { Module } from '@nestjs/common';
import { ContractsController, ServiceRecordsController } from './contracts.controller.js';
import { ContractsService } from './contracts.service.js';
import { ServiceRecordsService } from './service-records.service.js';
import { TimelineService } from './timeline.service.js';

/** Service contracts (科技服务合同), service records (走访 / 服务记录) and the enterprise timeline. */
@Module({
  controllers: [ContractsController, ServiceRecordsController],
  providers: [ContractsService, ServiceRecordsService, TimelineService],
})
export class ContractsModule {}
