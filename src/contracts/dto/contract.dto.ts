import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { isCalendarDate, IsCalendarDate, LowerCase, OptionalNotNull, Trim } from '../../common/validators.js';
import { IsMoney } from '../../enterprises/money.js';
import { HNTE_CRITERIA } from '../../readiness/rules.js';
import {
  CONTRACT_AMOUNT_MAX,
  CONTRACT_ITEM_STATUSES,
  CONTRACT_STATUSES,
  type ContractItemStatus,
  type ContractStatus,
} from '../contract.rules.js';

/** Optional but not nullable: absent keeps the default (or, on PATCH, the stored value); null is refused. */

/** Not before the date in `other` of the same body (when both are dates; PATCH checks the stored one too). */
function NotBefore(other: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notBefore',
      target: target.constructor,
      propertyName,
      options: { message: `must not be before ${other}` },
      validator: {
        validate: (value: unknown, args) => {
          const start = (args?.object as Record<string, unknown> | undefined)?.[other];
          return !isCalendarDate(value) || !isCalendarDate(start) || value >= start;
        },
      },
    });
}

export class ContractItemDto {
  @ApiProperty({ example: '协助归集研发费用辅助账', maxLength: 1000 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(1000)
  description: string;

  @ApiProperty({ format: 'date', example: '2026-03-31' })
  @IsCalendarDate()
  dueAt: string;

  @ApiPropertyOptional({ enum: CONTRACT_ITEM_STATUSES, default: 'pending' })
  @OptionalNotNull()
  @IsIn(CONTRACT_ITEM_STATUSES)
  status?: ContractItemStatus;

  @ApiPropertyOptional({
    type: String,
    enum: HNTE_CRITERIA,
    nullable: true,
    description: 'The HNTE readiness criterion this item works on, or null',
  })
  @IsOptional()
  @IsIn(HNTE_CRITERIA)
  criterion?: string | null;
}

export class ReplaceContractItemDto extends ContractItemDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An item of this contract to keep (and change); without one the item is new',
  })
  @OptionalNotNull()
  @LowerCase()
  @IsUUID()
  id?: string;
}

export class CreateContractDto {
  @ApiProperty({ example: 'KJFW-2026-001', description: '合同编号, unique', maxLength: 100 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100)
  contractNo: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An active officer or admin; defaults to the calling user (required for API keys)',
  })
  @OptionalNotNull()
  @LowerCase()
  @IsUUID()
  officerId?: string;

  @ApiProperty({ format: 'date', example: '2026-01-10' })
  @IsCalendarDate()
  signedAt: string;

  @ApiProperty({ format: 'date', example: '2026-01-15' })
  @IsCalendarDate()
  startsAt: string;

  @ApiProperty({ format: 'date', example: '2026-12-31', description: 'Not before startsAt' })
  @IsCalendarDate()
  @NotBefore('startsAt')
  endsAt: string;

  @ApiProperty({ example: 50000, description: 'Yuan, at most two decimals' })
  @IsMoney()
  @Max(CONTRACT_AMOUNT_MAX)
  amount: number;

  @ApiPropertyOptional({
    enum: CONTRACT_STATUSES,
    default: 'draft',
    description: 'Moves: draft → active | terminated; active → completed | terminated; others are 409',
  })
  @OptionalNotNull()
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;

  @ApiPropertyOptional({ type: [ContractItemDto], description: 'The service items (服务事项), in order' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ContractItemDto)
  items?: ContractItemDto[];

  @ApiPropertyOptional({ type: String, nullable: true, description: '验收意见', maxLength: 5000 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(5000)
  acceptanceNotes?: string | null;
}

export class UpdateContractDto extends PartialType(OmitType(CreateContractDto, ['items'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    type: [ReplaceContractItemDto],
    description:
      'Replaces the whole item list, in order: an entry with the `id` of an item of this contract keeps and ' +
      'changes that item, one without `id` adds an item, and items left out are removed. Leave `items` out ' +
      'to keep them as they are. Marking an item `done` records when (shown on the timeline).',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ReplaceContractItemDto)
  items?: ReplaceContractItemDto[];
}

export class ContractQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Signed in this year', minimum: 1990, maximum: 2100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @LowerCase()
  @IsUUID()
  officerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @LowerCase()
  @IsUUID()
  enterpriseId?: string;
}

export class EnterpriseContractQuery extends OmitType(ContractQuery, ['enterpriseId'] as const) {}

export class ContractItemView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'date' }) dueAt: string;
  @ApiProperty({ enum: CONTRACT_ITEM_STATUSES }) status: ContractItemStatus;
  @ApiProperty({ type: String, enum: HNTE_CRITERIA, nullable: true }) criterion: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was marked done' })
  doneAt: string | null;
}

export class ProgressView {
  @ApiProperty() done: number;
  @ApiProperty({ description: 'Items that count: cancelled ones are left out' }) total: number;
  @ApiProperty({ description: 'Whole percent, rounded down; 0 with no items' }) percent: number;
}

export class ContractView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() contractNo: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ format: 'uuid' }) officerId: string;
  @ApiProperty({ format: 'date' }) signedAt: string;
  @ApiProperty({ format: 'date' }) startsAt: string;
  @ApiProperty({ format: 'date' }) endsAt: string;
  @ApiProperty({ description: 'Yuan' }) amount: number;
  @ApiProperty({ enum: CONTRACT_STATUSES }) status: ContractStatus;
  @ApiProperty({ type: [ContractItemView] }) items: ContractItemView[];
  @ApiProperty({ type: String, nullable: true }) acceptanceNotes: string | null;
  @ApiProperty({ type: ProgressView }) progress: ProgressView;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
