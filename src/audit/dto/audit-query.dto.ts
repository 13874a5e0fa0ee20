import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export class ActorView {
  @ApiProperty({ enum: ['user', 'apiKey', 'system'] }) type: string;
  @ApiProperty({ type: String, nullable: true }) id: string | null;
}

export class AuditEntryView {
  @ApiProperty() id: string;
  @ApiProperty() at: Date;
  @ApiProperty({ type: ActorView }) actor: ActorView;
  @ApiProperty({ example: 'update', description: 'create, update, delete, transition, readiness, …' })
  action: string;
  @ApiProperty({ example: 'enterprise' }) entity: string;
  @ApiProperty() entityId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: {}, minItems: 2, maxItems: 2 },
    description: '{ field: [before, after] }',
    example: { status: ['prospect', 'reserve'] },
  })
  changes: Record<string, [unknown, unknown]>;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
}
