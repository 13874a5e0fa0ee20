import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import { AuditService } from './audit.service.js';
import { AuditEntryView, AuditQuery } from './dto/audit-query.dto.js';
import { ApiPage } from '../common/openapi.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Requires('admin')
  @ApiOperation({ summary: 'Who changed what and when, newest first (admins only)' })
  @ApiPage(AuditEntryView)
  list(@Query() query: AuditQuery) {
    return this.audit.list(query);
  }
}
