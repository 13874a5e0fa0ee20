import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import { ApiOk, ApiPage, ApiProblem } from '../common/openapi.js';
import { CurrentActor, UuidParam } from '../common/params.js';
import type { Actor } from '../auth/actor.js';
import { ReminderDetailView, ReminderQuery, ReminderView } from './dto/reminder.dto.js';
import { RemindersService } from './reminders.service.js';

@ApiTags('reminders')
@Controller('reminders')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Get()
  @Requires('reminders:read')
  @ApiOperation({
    summary: 'Reminders by due time, then id; filter by status, kind, enterprise and due range',
  })
  @ApiPage(ReminderView)
  list(@Query() query: ReminderQuery) {
    return this.reminders.list(query);
  }

  @Get(':id')
  @Requires('reminders:read')
  @ApiOperation({ summary: 'One reminder with its attempts, last error and Message-ID' })
  @ApiOk(ReminderDetailView)
  get(@UuidParam() id: string) {
    return this.reminders.get(id);
  }

  @Post(':id/cancel')
  @Requires('reminders:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a scheduled or failed reminder' })
  @ApiOk(ReminderDetailView)
  @ApiProblem(409, 'The reminder is sending, sent, cancelled or skipped')
  cancel(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.reminders.cancel(actor, id);
  }

  @Post(':id/retry')
  @Requires('reminders:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed reminder again, now' })
  @ApiOk(ReminderDetailView)
  @ApiProblem(409, 'Only a failed reminder can be retried')
  retry(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.reminders.retry(actor, id);
  }
}
