import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import {
  CreateTrackingDto,
  CreateTrackingLogDto,
  TrackingDetailView,
  TrackingLogView,
  TrackingQuery,
  TrackingSuggestionView,
  TrackingView,
  UpdateTrackingDto,
} from './dto/tracking.dto.js';
import { TrackingService } from './tracking.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};
const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', required: false };

@ApiTags('follow-up tracking')
@Controller()
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  @Post('enterprises/:id/tracking')
  @Requires('tracking:write')
  @ApiOperation({
    summary: 'Register an enterprise for follow-up (挂号跟踪)',
    description:
      'Send `nextFollowUpAt` (an instant, or a date meaning the start of that day in APP_TIMEZONE) or `watch` ' +
      'to derive it. `officerId` defaults to the enterprise’s officer, then the calling user. One open ' +
      'tracking per enterprise: a second is a 409 naming the existing one in `existingId`.',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(TrackingView)
  @ApiProblem(404, 'No such enterprise')
  @ApiProblem(409, 'The enterprise already has an open tracking')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateTrackingDto) {
    return this.tracking.create(actor, id, dto);
  }

  @Get('tracking')
  @Requires('tracking:read')
  @ApiOperation({
    summary: 'Trackings by next follow-up, then id; filter by officer, status, street, enterprise, due',
  })
  @ApiPage(TrackingView)
  list(@Query() query: TrackingQuery) {
    return this.tracking.list(query);
  }

  @Get('tracking/suggestions')
  @Requires('tracking:read')
  @ApiOperation({
    summary: 'Enterprises readiness finds not ready that have no open tracking, with the criteria they fail',
  })
  @ApiPage(TrackingSuggestionView)
  suggestions(@Query() query: PageQuery) {
    return this.tracking.suggestions(query);
  }

  @Get('tracking/:id')
  @Requires('tracking:read')
  @ApiOperation({ summary: 'One tracking with its contact logs, newest first' })
  @ApiOk(TrackingDetailView)
  @ApiProblem(404, 'No such tracking')
  get(@UuidParam() id: string) {
    return this.tracking.get(id);
  }

  @Post('tracking/:id/logs')
  @Requires('tracking:write')
  @ApiOperation({
    summary: 'Record a contact and set the next follow-up',
    description:
      'The next follow-up becomes `nextFollowUpAt` when sent, else `at` + the tracking’s cadenceDays; ' +
      'without either it is a 400 naming `nextFollowUpAt`. Only open trackings take logs (409 otherwise).',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(TrackingLogView)
  @ApiProblem(404, 'No such tracking')
  @ApiProblem(409, 'The tracking is closed or promoted')
  addLog(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateTrackingLogDto) {
    return this.tracking.addLog(actor, id, dto);
  }

  @Patch('tracking/:id')
  @Requires('tracking:write')
  @ApiOperation({
    summary: 'Change a tracking, or close or promote it',
    description:
      '`status: closed | promoted` with a `reason` ends the follow-up; promoted (转入培育库) also moves the ' +
      'enterprise to `reserve` unless its status was set by hand. Closed and promoted trackings are final (409).',
  })
  @ApiHeader(IF_MATCH)
  @ApiOk(TrackingView)
  @ApiProblem(409, 'The tracking is closed or promoted')
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateTrackingDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.tracking.update(actor, id, dto, ifMatch);
  }
}
