import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../../auth/access.decorators.js';
import type { Actor } from '../../auth/actor.js';
import { ApiOk, ApiProblem, ApiStandardErrors } from '../../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../../common/params.js';
import { InnovationProfileView, PutInnovationProfileDto } from './innovation-profile.dto.js';
import { InnovationProfileService } from './innovation-profile.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};

@ApiTags('innovation profile')
@Controller('enterprises/:id/innovation-profile')
export class InnovationProfileController {
  constructor(private readonly profiles: InnovationProfileService) {}

  @Put()
  @Requires('enterprises:write')
  @ApiOperation({
    summary: "Record the officer's innovation assessment of an enterprise, replacing the previous one",
  })
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiCreatedResponse({ type: InnovationProfileView, description: 'The enterprise had no profile before' })
  @ApiOkResponse({ type: InnovationProfileView, description: 'The profile was replaced' })
  @ApiProblem(404, 'No such enterprise')
  @ApiProblem(412, 'If-Match is stale')
  async put(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: PutInnovationProfileDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IfMatch() ifMatch?: number,
  ): Promise<InnovationProfileView> {
    const { created, profile } = await this.profiles.put(actor, id, dto, ifMatch);
    void reply.status(created ? 201 : 200);
    return profile;
  }

  @Get()
  @Requires('enterprises:read')
  @ApiOperation({ summary: "An enterprise's innovation profile (404 until one is recorded)" })
  @ApiOk(InnovationProfileView)
  get(@UuidParam() id: string) {
    return this.profiles.get(id);
  }
}
