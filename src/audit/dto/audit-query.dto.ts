import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'enterprise', description: 'Kind of record: enterprise, user, apiKey, …' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z_]{1,40}$/, { message: 'must be a record kind such as enterprise' })
  entity?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;
}
