import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../../auth/access.decorators.js';
import type { Actor } from '../../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem, ApiStandardErrors } from '../../common/openapi.js';
import { PageQuery } from '../../common/pagination.js';
import { CurrentActor, IfMatch, UuidParam } from '../../common/params.js';
import { CreateIpAssetDto, IpAssetView, UpdateIpAssetDto } from './ip-asset.dto.js';
import { IpAssetsService } from './ip-assets.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};

@ApiTags('IP assets')
@Controller()
export class IpAssetsController {
  constructor(private readonly ipAssets: IpAssetsService) {}

  @Post('enterprises/:id/ip-assets')
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Record an IP item of an enterprise (知识产权)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreated(IpAssetView)
  @ApiProblem(404, 'No such enterprise')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateIpAssetDto) {
    return this.ipAssets.create(actor, id, dto);
  }

  @Get('enterprises/:id/ip-assets')
  @Requires('enterprises:read')
  @ApiOperation({ summary: "An enterprise's IP items, in the order they were recorded" })
  @ApiPage(IpAssetView)
  @ApiProblem(404, 'No such enterprise')
  list(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.ipAssets.list(id, query);
  }

  @Patch('ip-assets/:id')
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Change an IP item' })
  @ApiHeader(IF_MATCH)
  @ApiOk(IpAssetView)
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateIpAssetDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.ipAssets.update(actor, id, dto, ifMatch);
  }

  @Delete('ip-assets/:id')
  @Requires('enterprises:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an IP item' })
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
    await this.ipAssets.remove(actor, id, ifMatch);
  }
}
