import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { ApplicationsService } from './applications.service.js';
import {
  ApplicationDetailView,
  ApplicationQuery,
  ApplicationView,
  BoardQuery,
  BoardView,
  CreateApplicationDto,
  FunnelQuery,
  FunnelView,
  TransitionDto,
} from './dto/application.dto.js';

@ApiTags('applications')
@Controller()
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post('enterprises/:id/applications')
  @Requires('applications:write')
  @ApiOperation({ summary: 'Open an application of an enterprise (HNTE, re-certification, tech-based SME)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreated(ApplicationDetailView)
  @ApiProblem(404, 'No such enterprise')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateApplicationDto) {
    return this.applications.create(actor, id, dto);
  }

  @Get('enterprises/:id/applications')
  @Requires('applications:read')
  @ApiOperation({ summary: "An enterprise's applications, oldest first" })
  @ApiPage(ApplicationView)
  @ApiProblem(404, 'No such enterprise')
  listOfEnterprise(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.applications.list(query as ApplicationQuery, id);
  }

  @Get('applications')
  @Requires('applications:read')
  @ApiOperation({ summary: 'List and filter applications' })
  @ApiPage(ApplicationView)
  list(@Query() query: ApplicationQuery) {
    return this.applications.list(query);
  }

  @Get('applications/board')
  @Requires('applications:read')
  @ApiOperation({ summary: "One programme's applications of a year by stage, every stage listed" })
  @ApiStandardErrors()
  @ApiOkResponse({ type: BoardView })
  board(@Query() query: BoardQuery) {
    return this.applications.board(query.program, query.year);
  }

  @Get('applications/funnel')
  @Requires('applications:read')
  @ApiOperation({
    summary:
      'How many enterprises reached tracking, reserve, applying and certified in a year, by street and officer',
  })
  @ApiStandardErrors()
  @ApiOkResponse({ type: FunnelView })
  funnel(@Query() query: FunnelQuery) {
    return this.applications.funnel(query.year);
  }

  @Get('applications/:id')
  @Requires('applications:read')
  @ApiOperation({ summary: 'One application with its history' })
  @ApiOk(ApplicationDetailView)
  get(@UuidParam() id: string) {
    return this.applications.get(id);
  }

  @Post('applications/:id/transitions')
  @Requires('applications:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move an application to another stage' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' })
  @ApiOk(ApplicationDetailView)
  @ApiProblem(409, 'Illegal move; `allowed` lists the stages it may go to')
  @ApiProblem(412, 'If-Match is stale')
  transition(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: TransitionDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.applications.transition(actor, id, dto, ifMatch);
  }
}
