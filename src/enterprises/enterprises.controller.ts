import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiHeader, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import {
  CreateEnterpriseDto,
  ENTERPRISE_JSON_SCHEMA,
  ENTERPRISE_PAGE_JSON_SCHEMA,
  EnterpriseQuery,
  EnterpriseView,
  UpdateEnterpriseDto,
} from './dto/enterprise.dto.js';
import { EnterprisesService } from './enterprises.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};

@ApiTags('enterprises')
@Controller('enterprises')
export class EnterprisesController {
  constructor(private readonly enterprises: EnterprisesService) {}

  @Post()
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Register an enterprise for cultivation' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreated(EnterpriseView)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateEnterpriseDto) {
    return this.enterprises.create(actor, dto);
  }

  @Get()
  @Requires('enterprises:read')
  @RouteSchema({ response: { 200: ENTERPRISE_PAGE_JSON_SCHEMA } })
  @ApiOperation({ summary: 'List, filter and search enterprises' })
  @ApiPage(EnterpriseView)
  list(@Query() query: EnterpriseQuery) {
    return this.enterprises.list(query);
  }

  @Get(':id')
  @Requires('enterprises:read')
  @RouteSchema({ response: { 200: ENTERPRISE_JSON_SCHEMA } })
  @ApiOperation({ summary: 'One enterprise' })
  @ApiOk(EnterpriseView)
  get(@UuidParam() id: string) {
    return this.enterprises.get(id);
  }

  @Patch(':id')
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Change an enterprise' })
  @ApiHeader(IF_MATCH)
  @ApiOk(EnterpriseView)
  @ApiProblem(409, 'Duplicate credit code')
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateEnterpriseDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.enterprises.update(actor, id, dto, ifMatch);
  }

  @Delete(':id')
  @Requires('enterprises:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an enterprise (kept for history, its credit code freed)' })
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiNoContentResponse()
  @ApiProblem(404, 'Not found')
  @ApiProblem(412, 'If-Match is stale')
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @IfMatch() ifMatch?: number,
  ): Promise<void> {
    await this.enterprises.remove(actor, id, ifMatch);
  }
}
