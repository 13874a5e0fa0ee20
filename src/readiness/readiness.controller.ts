import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import { ApiStandardErrors } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/params.js';
import { EvaluateReadinessDto } from './dto/evaluate.dto.js';
import { ReadinessService } from './readiness.service.js';

@ApiTags('readiness')
@Controller()
export class ReadinessController {
  constructor(private readonly readiness: ReadinessService) {}

  @Post('readiness/evaluate')
  @HttpCode(200)
  @Requires('readiness:evaluate')
  @ApiOperation({ summary: 'Score a profile against the HNTE (or tech-SME) rules without storing anything' })
  @ApiStandardErrors()
  @ApiOkResponse({ description: 'verdict, eligible, criteria, score range by block, gaps, ruleSet (API.md)' })
  evaluate(@Body() dto: EvaluateReadinessDto) {
    return this.readiness.evaluate(dto);
  }

  @Get('readiness/summary')
  @Requires('enterprises:read')
  @ApiOperation({
    summary: 'Counts of the pool by verdict, and by verdict within street, tier and tech domain',
  })
  @ApiStandardErrors()
  @ApiOkResponse({ description: '{ total, byVerdict, byStreet, byTier, byTechDomain }: counts by verdict' })
  summary() {
    return this.readiness.summary();
  }

  @Get('readiness/runs')
  @Requires('enterprises:read')
  @ApiOperation({
    summary: 'The nightly re-scores, newest first: duration, ms per 10,000, results and verdicts that moved',
  })
  @ApiStandardErrors()
  @ApiOkResponse({ description: 'A page of runs: { data, nextCursor }' })
  runs(@Query() query: PageQuery) {
    return this.readiness.runs(query);
  }

  @Get('enterprises/:id/readiness')
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'The latest stored assessment, with its rule set, date and the inputs it used' })
  @ApiStandardErrors()
  @ApiOkResponse({ description: 'The assessment: verdict, score range, criteria, gaps, ruleSet, assessmentDate, inputs' })
  @ApiNotFoundResponse({ description: 'No such enterprise, or it has not been assessed yet' })
  latest(@UuidParam() id: string) {
    return this.readiness.latest(id);
  }

  @Get('enterprises/:id/readiness/history')
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'How the assessment moved, newest first' })
  @ApiStandardErrors()
  @ApiOkResponse({ description: 'A page of assessments, newest first: { data, nextCursor }' })
  @ApiNotFoundResponse({ description: 'No such enterprise' })
  history(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.readiness.history(id, query);
  }

  @Post('enterprises/:id/readiness/recompute')
  @HttpCode(202)
  @Requires('enterprises:write')
  @ApiOperation({
    summary: 'Queue a re-score now (it also happens by itself after every change and nightly)',
  })
  @ApiStandardErrors()
  @ApiAcceptedResponse({ schema: { example: { enterpriseId: '…', status: 'queued' } } })
  recompute(@UuidParam() id: string) {
    return this.readiness.requestRecompute(id);
  }
}
