import { Module } from '@nestjs/common';
import { EnterpriseExportService } from './enterprise-export.service.js';
import { ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';

/** Enterprises in and out as spreadsheets: import (with revert) and the streamed export. */
@Module({
  controllers: [ImportsController],
  providers: [ImportsService, EnterpriseExportService],
})
export class ImportsModule {}
