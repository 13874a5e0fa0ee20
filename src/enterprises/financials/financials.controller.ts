import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../../auth/access.decorators.js';
import type { Actor } from '../../auth/actor.js';
import { ApiPage, ApiProblem, ApiStandardErrors } from '../../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../../common/params.js';
import { FIRST_YEAR, LAST_YEAR } from './financials.constants.js';
import { FinancialsView, PutFinancialsDto } from './financials.dto.js';
import { FinancialsService } from './financials.service.js';
import { YearParam } from './year.param.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};

@ApiTags('yearly figures')
@Controller('enterprises/:id/financials')
export class FinancialsController {
  constructor(private readonly financials: FinancialsService) {}

  @Put(':year')
  @Requires('enterprises:write')
  @ApiOperation({ summary: "Record one accounting year's figures, replacing what that year had" })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: FIRST_YEAR, maximum: LAST_YEAR } })
  @ApiHeader(IF_MATCH)
  @ApiStandardErrors()
  @ApiCreatedResponse({ type: FinancialsView, description: 'The year was not recorded before' })
  @ApiOkResponse({ type: FinancialsView, description: "The year's figures were replaced" })
  @ApiProblem(404, 'No such enterprise')
  @ApiProblem(412, 'If-Match is stale')
  async put(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @YearParam() year: number,
    @Body() dto: PutFinancialsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IfMatch() ifMatch?: number,
  ): Promise<FinancialsView> {
    const { created, figures } = await this.financials.put(actor, id, year, dto, ifMatch);
    void reply.status(created ? 201 : 200);
    return figures;
  }

  @Get()
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'Every recorded year of an enterprise, oldest first (one page)' })
  @ApiPage(FinancialsView)
  @ApiProblem(404, 'No such enterprise')
  list(@UuidParam() id: string) {
    return this.financials.list(id);
  }
}
