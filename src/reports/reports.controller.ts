import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
  type PipeTransform,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { CurrentActor, IfMatch } from '../common/params.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { isPeriod } from '../demands/demand.rules.js';
import { FIRST_YEAR, LAST_YEAR } from '../enterprises/financials/financials.constants.js';
import { YearParam } from '../enterprises/financials/year.param.js';
import { DemandReportService } from './demand-report.service.js';
import {
  DemandReportQuery,
  DemandReportView,
  FreezeQuery,
  MetricFigureView,
  OverviewQuery,
  OverviewView,
  PutTargetsDto,
  TargetsView,
} from './dto/report.dto.js';
import { METRICS, OVERVIEW_METRICS } from './overview-metrics.js';
import { attachment, demandReportWorkbook, overviewWorkbook, XLSX_TYPE } from './report-workbook.js';
import { StatsService } from './stats.service.js';

class PeriodPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isPeriod(value)) throw Problem.field('period', 'must be a half-year such as 2022H1 or 2022H2');
    return value;
  }
}

const PERIOD_PARAM = {
  name: 'period',
  schema: { type: 'string' as const, pattern: '^\\d{4}H[12]$', example: '2022H1' },
};
const YEAR_PARAM = {
  name: 'year',
  schema: { type: 'integer' as const, minimum: FIRST_YEAR, maximum: LAST_YEAR },
};
const XLSX_OR_JSON = (type: typeof DemandReportView | typeof OverviewView) =>
  ApiOkResponse({
    description: 'JSON, or with `format=xlsx` a workbook as an attachment',
    content: {
      'application/json': { schema: { $ref: `#/components/schemas/${type.name}` } },
      [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } },
    },
  });

const DEFINITIONS = OVERVIEW_METRICS.map((m) => `\`${m}\` (${METRICS[m].label}): ${METRICS[m].counts}`).join(
  '; ',
);

@ApiTags('reports')
@ApiExtraModels(DemandReportView, OverviewView, MetricFigureView)
@Controller()
export class ReportsController {
  constructor(
    private readonly demandReports: DemandReportService,
    private readonly stats: StatsService,
    private readonly config: AppConfig,
  ) {}

  @Get('reports/demands')
  @Requires('reports:read')
  @ApiOperation({
    summary:
      'The half-year demand report (每半年梳理汇总): counts by kind, status, domain and street, against the half-year before',
    description:
      'Every `by…` lists every known value, zeros included; an unset domain or street counts under `unknown`. ' +
      '`items` are the period’s demands with `enterpriseName` and `street`. Once frozen (`POST …/freeze`) this ' +
      'answers the frozen copy and says when (`frozenAt`). The previous period’s counts come from its frozen copy ' +
      'when it has one. `format=xlsx`: sheets 汇总 and 明细.',
  })
  @ApiProduces('application/json', XLSX_TYPE)
  @ApiStandardErrors()
  @XLSX_OR_JSON(DemandReportView)
  async demandReport(@Query() query: DemandReportQuery): Promise<DemandReportView | StreamableFile> {
    const report = await this.demandReports.report(query.period);
    if (query.format !== 'xlsx') return report;
    const file = await demandReportWorkbook(report, this.config.APP_TIMEZONE);
    return new StreamableFile(file, {
      type: XLSX_TYPE,
      disposition: attachment(`demands-${query.period}.xlsx`, `企业需求汇总-${query.period}.xlsx`),
    });
  }

  @Post('reports/demands/:period/freeze')
  @Requires('demands:write')
  @ApiOperation({
    summary: 'Freeze the half-year report (定稿): from then on GET answers this copy, whatever changes later',
    description:
      'A second freeze is a 409 naming `frozenAt`, unless `?replace=true`, which freezes it again from today’s ' +
      'data (200; a first freeze is 201). A period that has not begun is a 400. Audited.',
  })
  @ApiParam(PERIOD_PARAM)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiStandardErrors()
  @ApiCreatedResponse({ type: DemandReportView, description: 'Frozen' })
  @ApiOkResponse({ type: DemandReportView, description: 'Frozen again (replace=true)' })
  @ApiProblem(409, 'Already frozen; `frozenAt` says when')
  async freeze(
    @CurrentActor() actor: Actor,
    @Param('period', new PeriodPipe()) period: string,
    @Query() query: FreezeQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DemandReportView> {
    const { created, view } = await this.demandReports.freeze(actor, period, query.replace === true);
    void reply.status(created ? 201 : 200);
    return view;
  }

  @Get('stats/overview')
  @Requires('reports:read')
  @ApiOperation({
    summary:
      'The district overview (全区统计概览) of a year: each figure against the year before and its target',
    description:
      `Metrics: ${DEFINITIONS}. Pool tiers are today’s snapshot: a number for the current year only, and no ` +
      'previous. `changePct` is null when the previous figure is 0 or null; `progressPct` when there is no target. ' +
      '`format=xlsx`: sheet 概览.',
  })
  @ApiProduces('application/json', XLSX_TYPE)
  @ApiStandardErrors()
  @XLSX_OR_JSON(OverviewView)
  async overview(@Query() query: OverviewQuery): Promise<OverviewView | StreamableFile> {
    const overview = await this.stats.overview(query.year);
    if (query.format !== 'xlsx') return overview;
    const file = await overviewWorkbook(overview);
    return new StreamableFile(file, {
      type: XLSX_TYPE,
      disposition: attachment(`overview-${query.year}.xlsx`, `全区统计概览-${query.year}.xlsx`),
    });
  }

  @Get('targets/:year')
  @Requires('reports:read')
  @ApiOperation({ summary: 'The bureau’s targets for a year’s overview figures (version 0: none set yet)' })
  @ApiParam(YEAR_PARAM)
  @ApiStandardErrors()
  @ApiOkResponse({ type: TargetsView })
  getTargets(@YearParam() year: number) {
    return this.stats.targets(year);
  }

  @Put('targets/:year')
  @Requires('admin')
  @ApiOperation({
    summary: 'Set targets for a year’s overview figures (admins)',
    description:
      '`{ <metric>: number }`, whole numbers from 0; the metrics named are set, null removes one, the others ' +
      'stay. Unknown names and negative numbers are a 400. Audited.',
  })
  @ApiParam(YEAR_PARAM)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' })
  @ApiStandardErrors()
  @ApiOkResponse({ type: TargetsView })
  @ApiProblem(412, 'If-Match is stale')
  putTargets(
    @CurrentActor() actor: Actor,
    @YearParam() year: number,
    @Body() dto: PutTargetsDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.stats.putTargets(actor, year, dto, ifMatch);
  }
}
