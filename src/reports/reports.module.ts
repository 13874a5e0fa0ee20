import { Module } from '@nestjs/common';
import { DemandsModule } from '../demands/demands.module.js';
import { DemandReportService } from './demand-report.service.js';
import { ReportsController } from './reports.controller.js';
import { StatsService } from './stats.service.js';

/** The half-year demand report, the district overview and its targets. */
@Module({
  imports: [DemandsModule],
  controllers: [ReportsController],
  providers: [DemandReportService, StatsService],
})
export class ReportsModule {}
