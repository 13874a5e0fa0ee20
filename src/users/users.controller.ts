import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiCreated, ApiOk, ApiPage } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { CreateUserDto, UpdateUserDto, UserQuery, UserView } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Requires('admin')
  @ApiOperation({ summary: 'Create a staff account (admin, officer or viewer)' })
  @ApiCreated(UserView)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto) {
    return this.users.create(actor, dto);
  }

  @Get()
  @Requires('admin')
  @ApiOperation({ summary: 'List staff accounts' })
  @ApiPage(UserView)
  list(@Query() query: UserQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  @Requires('admin')
  @ApiOperation({ summary: 'One staff account' })
  @ApiOk(UserView)
  get(@UuidParam() id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @Requires('admin')
  @ApiOperation({ summary: 'Rename, change role, reset password or deactivate' })
  @ApiOk(UserView)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam() id: string,
    @Body() dto: UpdateUserDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.users.update(actor, id, dto, ifMatch);
  }
}
