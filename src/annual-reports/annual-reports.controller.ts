import { Body, Controller, Delete, Get, HttpCode, Put, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiPage, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { FIRST_YEAR, LAST_YEAR } from '../enterprises/financials/financials.constants.js';
import { YearParam } from '../enterprises/financials/year.param.js';
import { AnnualReportView, PutAnnualReportDto } from './annual-report.dto.js';
import { AnnualReportsService } from './annual-reports.service.js';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' };
const YEAR = { name: 'year', schema: { type: 'integer' as const, minimum: FIRST_YEAR, maximum: LAST_YEAR } };

@ApiTags('annual reports')
@Controller('enterprises/:id/annual-reports')
export class AnnualReportsController {
  constructor(private readonly reports: AnnualReportsService) {}

  @Get()
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'The annual development reports marked filed, oldest year first (one page)' })
  @ApiPage(AnnualReportView)
  @ApiProblem(404, 'No such enterprise')
  list(@UuidParam() id: string) {
    return this.reports.list(id);
  }

  @Put(':year')
  @Requires('enterprises:write')
  @ApiOperation({
    summary: "Mark the year's annual development report filed (年度发展情况报表); stops its reminders",
  })
  @ApiParam(YEAR)
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiCreatedResponse({ type: AnnualReportView, description: 'Newly marked filed' })
  @ApiOkResponse({ type: AnnualReportView, description: 'The mark was replaced' })
  @ApiProblem(404, 'No such enterprise')
  @ApiProblem(412, 'If-Match is stale')
  async put(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @YearParam() year: number,
    @Body() dto: PutAnnualReportDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IfMatch() ifMatch?: number,
  ): Promise<AnnualReportView> {
    const { created, report } = await this.reports.put(actor, id, year, dto, ifMatch);
    void reply.status(created ? 201 : 200);
    return report;
  }

  @Delete(':year')
  @Requires('enterprises:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a filed mark set by mistake; its reminders come back if still due' })
  @ApiParam(YEAR)
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiNoContentResponse()
  @ApiProblem(404, 'Not found')
  @ApiProblem(412, 'If-Match is stale')
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @YearParam() year: number,
    @IfMatch() ifMatch?: number,
  ): Promise<void> {
    await this.reports.remove(actor, id, year, ifMatch);
  }
}
