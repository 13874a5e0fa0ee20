import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { BatchesService } from './batches.service.js';
import { BatchQuery, BatchView, CreateBatchDto, UpdateBatchDto } from './dto/batch.dto.js';

@ApiTags('batches')
@Controller('batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @Requires('applications:write')
  @ApiOperation({ summary: "Record a province's application batch and its deadlines (批次)" })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreated(BatchView)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateBatchDto) {
    return this.batches.create(actor, dto);
  }

  @Get()
  @Requires('applications:read')
  @ApiOperation({ summary: 'Batches by submission deadline' })
  @ApiPage(BatchView)
  list(@Query() query: BatchQuery) {
    return this.batches.list(query);
  }

  @Get(':id')
  @Requires('applications:read')
  @ApiOperation({ summary: 'One batch' })
  @ApiOk(BatchView)
  get(@UuidParam() id: string) {
    return this.batches.get(id);
  }

  @Patch(':id')
  @Requires('applications:write')
  @ApiOperation({ summary: 'Change a batch (its deadlines move overdue with them)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' })
  @ApiOk(BatchView)
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateBatchDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.batches.update(actor, id, dto, ifMatch);
  }
}
