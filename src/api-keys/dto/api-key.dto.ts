import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OptionalNotNull } from '../../common/validators.js';
import { SCOPES, type Scope } from '../../auth/permissions.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: '区政务数据平台' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['enterprises:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiProperty({
    required: false,
    description: 'Requests per minute this key may make (default: RATE_LIMIT_PER_MINUTE)',
    minimum: 1,
    maximum: 1_000_000,
    example: 120,
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rateLimitPerMinute?: number;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The public start of the key, to recognise it' }) prefix: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ type: Number, nullable: true, description: 'Its own requests per minute; null: RATE_LIMIT_PER_MINUTE' })
  rateLimitPerMinute: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: Date | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The secret key. Shown this once; only its hash is stored.' })
  key: string;
}
