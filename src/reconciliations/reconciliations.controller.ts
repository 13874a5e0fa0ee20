import { Body, Controller, Get, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiOk, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { CurrentActor, UuidParam } from '../common/params.js';
import { MultipartForm } from '../common/upload.js';
import { DryRunQuery } from '../imports/dto/import.dto.js';
import { ReconciliationForm, ReconciliationView } from './dto/reconciliation.dto.js';
import { ReconciliationsService } from './reconciliations.service.js';

@ApiTags('applications')
@Controller('reconciliations')
export class ReconciliationsController {
  constructor(private readonly reconciliations: ReconciliationsService) {}

  @Post()
  @Requires('applications:write')
  @UseGuards(MultipartForm)
  @ApiOperation({
    summary: 'Reconcile an official list (公示/公告名单) with the open applications',
    description:
      'Rows are matched to open applications of the programme by credit code. Matched applications move to ' +
      '`certified` (HNTE: the row’s certificate number, `issuedAt`) or `registered` (tech SME: the row’s ' +
      'registration number) through the normal stage rules: one not yet at `publicized` (or whatever its ' +
      'stage allows) is reported in `notMoved`, never skipped ahead. `notMentioned` lists open applications ' +
      'of the year / batch the list left out. `?dryRun=true` reports without writing (200); a real run is ' +
      'one transaction (201), kept at `GET /reconciliations/:id`.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ReconciliationForm })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiStandardErrors()
  @ApiOkResponse({ type: ReconciliationView, description: 'Dry run' })
  @ApiCreatedResponse({ type: ReconciliationView, description: 'Reconciled and recorded' })
  @ApiProblem(413, 'The file is over 40 MB or 100,000 rows')
  @ApiProblem(415, 'Not multipart/form-data')
  async create(
    @CurrentActor() actor: Actor,
    @Body() form: ReconciliationForm,
    @Query() query: DryRunQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconciliationView> {
    const result = await this.reconciliations.reconcile(actor, form, query.dryRun === true);
    void reply.status(result.dryRun ? 200 : 201);
    return result;
  }

  @Get(':id')
  @Requires('applications:read')
  @ApiOperation({ summary: 'One recorded reconciliation and what it did' })
  @ApiOk(ReconciliationView)
  get(@UuidParam() id: string) {
    return this.reconciliations.get(id);
  }
}
