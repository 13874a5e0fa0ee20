import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import {
  CreateDemandDto,
  DemandDetailView,
  DemandQuery,
  DemandView,
  UpdateDemandDto,
} from './dto/demand.dto.js';
import { DemandsService } from './demands.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};
const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', required: false };

@ApiTags('demands')
@Controller()
export class DemandsController {
  constructor(private readonly demands: DemandsService) {}

  @Post('enterprises/:id/demands')
  @Requires('demands:write')
  @ApiOperation({
    summary: 'Record a technical problem (技术难题) or talent need (人才需求) of an enterprise',
    description:
      'Starts `open`. `period` defaults to the half-year of today in APP_TIMEZONE. `headcount` is required for ' +
      '`talent_need` and refused for `tech_problem`. The reply’s `possibleDuplicateOf` lists the enterprise’s ' +
      'demands of the same period with a near-identical title (it is still created). Announced as ' +
      '`demand.created`.',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(DemandDetailView)
  @ApiProblem(404, 'No such enterprise')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateDemandDto) {
    return this.demands.create(actor, id, dto);
  }

  @Get('enterprises/:id/demands')
  @Requires('demands:read')
  @ApiOperation({ summary: 'An enterprise’s demands, oldest first; the filters of GET /demands apply' })
  @ApiPage(DemandView)
  @ApiProblem(404, 'No such enterprise')
  listOfEnterprise(@UuidParam() id: string, @Query() query: DemandQuery) {
    return this.demands.list(query, id);
  }

  @Get('demands')
  @Requires('demands:read')
  @ApiOperation({
    summary: 'Demands by creation, then id; filter by kind, status, period, enterprise, domain, street, text',
  })
  @ApiPage(DemandView)
  list(@Query() query: DemandQuery) {
    return this.demands.list(query);
  }

  @Get('demands/:id')
  @Requires('demands:read')
  @ApiOperation({ summary: 'One demand with its status history' })
  @ApiOk(DemandDetailView)
  get(@UuidParam() id: string) {
    return this.demands.get(id);
  }

  @Patch('demands/:id')
  @Requires('demands:write')
  @ApiOperation({
    summary: 'Change a demand, or move its status',
    description:
      '`status`: open → matched (needs `partner`, e.g. 山东理工大学) → resolved | closed, or open → closed; ' +
      'resolved and closed are final. An illegal move is a 409 with `allowed`. Each move is kept in the ' +
      'history with who, when and `note`. `kind` cannot change.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOk(DemandDetailView)
  @ApiProblem(409, 'Illegal status move; `allowed` lists where it may go')
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateDemandDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.demands.update(actor, id, dto, ifMatch);
  }
}
