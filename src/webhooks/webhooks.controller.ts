import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import {
  CreatedWebhookView,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryDetailView,
  WebhookDeliveryView,
  WebhookView,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' };
const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', required: false };

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Requires('webhooks:manage')
  @ApiOperation({
    summary: 'Register a receiver for events; the signing secret is returned in this reply only',
    description:
      'Each event is POSTed as `{ id, event, occurredAt, data }` with `Peiyu-Signature: t=<unix seconds>,v1=<hex ' +
      'HMAC-SHA256 of "<t>.<raw body>">`, `Peiyu-Event` and `Peiyu-Delivery`. A 2xx within 10 s is delivered; ' +
      'anything else is retried 11 times over about a day (1, 2, 4 … 256 min, then 8 h), and a hook failing ' +
      'for a day is paused and the admins told by mail.',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(CreatedWebhookView)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateWebhookDto) {
    return this.webhooks.create(actor, dto);
  }

  @Get()
  @Requires('webhooks:manage')
  @ApiOperation({ summary: 'Registered hooks (never their secrets)' })
  @ApiPage(WebhookView)
  list(@Query() query: PageQuery) {
    return this.webhooks.list(query);
  }

  @Get(':id')
  @Requires('webhooks:manage')
  @ApiOperation({ summary: 'One hook, with its failure streak and why it was paused' })
  @ApiOk(WebhookView)
  get(@UuidParam() id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @Requires('webhooks:manage')
  @ApiOperation({
    summary: 'Change the URL or events, or turn a hook off or on',
    description: '`active: true` resumes a paused hook: the failure streak is cleared and waiting deliveries go out.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOk(WebhookView)
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateWebhookDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.webhooks.update(actor, id, dto, ifMatch);
  }

  @Delete(':id')
  @Requires('webhooks:manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a hook and its delivery history' })
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiNoContentResponse()
  @ApiProblem(404, 'No such webhook')
  @ApiProblem(412, 'If-Match is stale')
  async remove(@CurrentActor() actor: Actor, @UuidParam() id: string, @IfMatch() ifMatch?: number): Promise<void> {
    await this.webhooks.remove(actor, id, ifMatch);
  }

  @Get(':id/deliveries')
  @Requires('webhooks:manage')
  @ApiOperation({ summary: 'A hook’s deliveries, newest first: status, attempts, last answer and timings' })
  @ApiPage(WebhookDeliveryView)
  @ApiProblem(404, 'No such webhook')
  deliveries(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.webhooks.deliveries(id, query);
  }

  @Get(':id/deliveries/:deliveryId')
  @Requires('webhooks:manage')
  @ApiOperation({ summary: 'One delivery with its body and every attempt' })
  @ApiOk(WebhookDeliveryDetailView)
  delivery(@UuidParam() id: string, @UuidParam('deliveryId') deliveryId: string) {
    return this.webhooks.delivery(id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @Requires('webhooks:manage')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a delivery again now (same id and body), with a fresh retry budget',
    description: '409 while it is being sent, or when the hook is paused or off.',
  })
  @ApiOk(WebhookDeliveryDetailView)
  @ApiProblem(409, 'Being sent right now, or the hook is paused')
  replay(@CurrentActor() actor: Actor, @UuidParam() id: string, @UuidParam('deliveryId') deliveryId: string) {
    return this.webhooks.replay(actor, id, deliveryId);
  }
}
