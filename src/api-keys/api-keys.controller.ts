import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiPage, ApiStandardErrors } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { CurrentActor, UuidParam } from '../common/params.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto.js';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Requires('admin')
  @ApiOperation({ summary: 'Issue a key for another district system; the secret is shown once' })
  @ApiCreated(CreatedApiKeyView)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateApiKeyDto) {
    return this.keys.create(actor, dto);
  }

  @Get()
  @Requires('admin')
  @ApiOperation({ summary: 'List keys (never their secrets)' })
  @ApiPage(ApiKeyView)
  list(@Query() query: PageQuery) {
    return this.keys.list(query);
  }

  @Delete(':id')
  @Requires('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key; it stops working within seconds' })
  @ApiStandardErrors()
  @ApiNoContentResponse()
  async revoke(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<void> {
    await this.keys.revoke(actor, id);
  }
}
