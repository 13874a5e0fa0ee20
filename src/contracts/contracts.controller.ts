import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage, ApiProblem } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { ContractsService } from './contracts.service.js';
import {
  ContractQuery,
  ContractView,
  CreateContractDto,
  EnterpriseContractQuery,
  UpdateContractDto,
} from './dto/contract.dto.js';
import { CreateServiceRecordDto, ServiceRecordView } from './dto/service-record.dto.js';
import { TimelineEntryView } from './dto/timeline.dto.js';
import { ServiceRecordsService } from './service-records.service.js';
import { TimelineService } from './timeline.service.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag last seen; a stale one is a 412',
};
const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', required: false };

@ApiTags('service contracts')
@Controller()
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Post('enterprises/:id/contracts')
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Record a technology service contract with an enterprise (科技服务合同)' })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(ContractView)
  @ApiProblem(404, 'No such enterprise')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateContractDto) {
    return this.contracts.create(actor, id, dto);
  }

  @Get('enterprises/:id/contracts')
  @Requires('enterprises:read')
  @ApiOperation({ summary: "An enterprise's contracts, newest signed first" })
  @ApiPage(ContractView)
  @ApiProblem(404, 'No such enterprise')
  listForEnterprise(@UuidParam() id: string, @Query() query: EnterpriseContractQuery) {
    return this.contracts.list(query, id);
  }

  @Get('contracts')
  @Requires('enterprises:read')
  @ApiOperation({
    summary: 'All contracts, newest signed first; filter by year signed, status, officer, enterprise',
  })
  @ApiPage(ContractView)
  list(@Query() query: ContractQuery) {
    return this.contracts.list(query);
  }

  @Get('contracts/:id')
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'One contract with its items and progress' })
  @ApiOk(ContractView)
  get(@UuidParam() id: string) {
    return this.contracts.get(id);
  }

  @Patch('contracts/:id')
  @Requires('enterprises:write')
  @ApiOperation({
    summary: 'Change a contract, move its status, or replace its items',
    description:
      'Status moves: draft → active | terminated; active → completed | terminated; completed and terminated ' +
      'are final. Another move is a 409 whose `allowed` lists the legal next statuses. `items`, when sent, ' +
      'replaces the whole list (entries with an `id` keep that item, entries without add one, items left out ' +
      'are removed); to mark one item done, send the list back with that item’s status changed.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOk(ContractView)
  @ApiProblem(409, 'Illegal status move, or the contract number is taken')
  @ApiProblem(412, 'If-Match is stale')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateContractDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.contracts.update(actor, id, dto, ifMatch);
  }
}

@ApiTags('service records')
@Controller('enterprises/:id')
export class ServiceRecordsController {
  constructor(
    private readonly records: ServiceRecordsService,
    private readonly timeline: TimelineService,
  ) {}

  @Post('service-records')
  @Requires('enterprises:write')
  @ApiOperation({ summary: 'Record a visit, call, training or meeting (走访 / 服务记录)' })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreated(ServiceRecordView)
  @ApiProblem(404, 'No such enterprise')
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateServiceRecordDto) {
    return this.records.create(actor, id, dto);
  }

  @Get('service-records')
  @Requires('enterprises:read')
  @ApiOperation({ summary: "An enterprise's service records, newest first" })
  @ApiPage(ServiceRecordView)
  @ApiProblem(404, 'No such enterprise')
  list(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.records.list(id, query);
  }

  @Get('timeline')
  @Requires('enterprises:read')
  @ApiOperation({
    summary: "The enterprise's timeline, newest first",
    description:
      'Service records, contract events (recorded, status moves, items done) and readiness changes in one ' +
      'list ordered by (at desc, kind, id). More kinds will join; show unknown ones by title.',
  })
  @ApiPage(TimelineEntryView)
  @ApiProblem(404, 'No such enterprise')
  timelineOf(@UuidParam() id: string, @Query() query: PageQuery) {
    return this.timeline.list(id, query);
  }
}
