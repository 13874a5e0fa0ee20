import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
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
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { ActorView } from '../../audit/dto/audit-query.dto.js';
import { PageQuery } from '../../common/pagination.js';
import { IsInstant, LowerCase, OptionalNotNull, Trim } from '../../common/validators.js';
import { TECH_DOMAINS, type TechDomain } from '../../enterprises/enterprise.constants.js';
import {
  DEMAND_KINDS,
  DEMAND_STATUSES,
  DEMAND_URGENCIES,
  HEADCOUNT_MAX,
  isPeriod,
  PERIOD_YEAR_MAX,
  PERIOD_YEAR_MIN,
  type DemandKind,
  type DemandStatus,
  type DemandUrgency,
} from '../demand.rules.js';

export const PERIOD_DESCRIPTION = `A half-year, \`YYYYH1\` (January–June) or \`YYYYH2\` (July–December), years ${PERIOD_YEAR_MIN}–${PERIOD_YEAR_MAX}`;

/** A half-year such as 2022H1. */
export function IsPeriod(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPeriod',
      target: target.constructor,
      propertyName,
      options: {
        message: `must be a half-year such as 2022H1 or 2022H2 (years ${PERIOD_YEAR_MIN}–${PERIOD_YEAR_MAX})`,
        ...options,
      },
      validator: { validate: isPeriod },
    });
}

/** Refused (when set) unless the body's `kind` is `kind`. */
function OnlyForKind(kind: DemandKind) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyForKind',
      target: target.constructor,
      propertyName,
      options: { message: `is only taken for kind ${kind}` },
      validator: {
        validate: (value: unknown, args) =>
          value === undefined || value === null || (args?.object as { kind?: unknown }).kind === kind,
      },
    });
}

const TITLE_MAX = 200;
const TEXT_MAX = 5000;
const PARTNER_MAX = 200;

export class CreateDemandDto {
  @ApiProperty({ enum: DEMAND_KINDS, description: '`tech_problem` 技术难题 or `talent_need` 人才需求' })
  @IsIn(DEMAND_KINDS)
  kind: DemandKind;

  @ApiProperty({ example: '高铝耐火材料高温抗折强度不足', maxLength: TITLE_MAX })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(TITLE_MAX)
  title: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: TEXT_MAX })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(TEXT_MAX)
  description?: string | null;

  @ApiPropertyOptional({
    enum: TECH_DOMAINS,
    nullable: true,
    description: 'The HNTE technology domain it belongs to',
  })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain | null;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: HEADCOUNT_MAX,
    nullable: true,
    description: 'People wanted: required for `talent_need`, refused for `tech_problem`',
  })
  @ValidateIf(
    (o: CreateDemandDto) => o.kind === 'talent_need' || (o.headcount !== undefined && o.headcount !== null),
  )
  @IsInt()
  @Min(1)
  @Max(HEADCOUNT_MAX)
  @OnlyForKind('talent_need')
  headcount?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: TEXT_MAX,
    description: 'Who is wanted (人才画像: field, degree, experience); `talent_need` only',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(TEXT_MAX)
  @OnlyForKind('talent_need')
  talentProfile?: string | null;

  @ApiPropertyOptional({ enum: DEMAND_URGENCIES, default: 'normal' })
  @OptionalNotNull()
  @IsIn(DEMAND_URGENCIES)
  urgency?: DemandUrgency;

  @ApiPropertyOptional({
    example: '2022H1',
    pattern: '^\\d{4}H[12]$',
    description: `${PERIOD_DESCRIPTION}; defaults to the half-year it is created in (APP_TIMEZONE)`,
  })
  @OptionalNotNull()
  @IsPeriod()
  period?: string;
}

export class UpdateDemandDto {
  @ApiPropertyOptional({ maxLength: TITLE_MAX })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: TEXT_MAX })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(TEXT_MAX)
  description?: string | null;

  @ApiPropertyOptional({ enum: TECH_DOMAINS, nullable: true })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain | null;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: HEADCOUNT_MAX,
    description: '`talent_need` only',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(HEADCOUNT_MAX)
  headcount?: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: TEXT_MAX,
    description: '`talent_need` only',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(TEXT_MAX)
  talentProfile?: string | null;

  @ApiPropertyOptional({ enum: DEMAND_URGENCIES })
  @OptionalNotNull()
  @IsIn(DEMAND_URGENCIES)
  urgency?: DemandUrgency;

  @ApiPropertyOptional({ example: '2022H2', pattern: '^\\d{4}H[12]$', description: PERIOD_DESCRIPTION })
  @OptionalNotNull()
  @IsPeriod()
  period?: string;

  @ApiPropertyOptional({
    enum: DEMAND_STATUSES,
    description:
      'open → matched (needs `partner`) → resolved | closed; open → closed. resolved and closed are final; ' +
      'an illegal move is a 409 listing the `allowed` ones',
  })
  @OptionalNotNull()
  @IsIn(DEMAND_STATUSES)
  status?: DemandStatus;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: PARTNER_MAX,
    example: '山东理工大学',
    description: 'Who took it on (对接单位); required for matched and resolved',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(PARTNER_MAX)
  partner?: string | null;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Kept with the status move in the history' })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class DemandQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DEMAND_KINDS })
  @IsOptional()
  @IsIn(DEMAND_KINDS)
  kind?: DemandKind;

  @ApiPropertyOptional({ enum: DEMAND_STATUSES })
  @IsOptional()
  @IsIn(DEMAND_STATUSES)
  status?: DemandStatus;

  @ApiPropertyOptional({ example: '2022H1', pattern: '^\\d{4}H[12]$', description: PERIOD_DESCRIPTION })
  @IsOptional()
  @IsPeriod()
  period?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @LowerCase()
  @IsUUID()
  enterpriseId?: string;

  @ApiPropertyOptional({ enum: TECH_DOMAINS })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain;

  @ApiPropertyOptional({ description: 'The enterprise’s street (街道 / 镇)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  street?: string;

  @ApiPropertyOptional({ description: 'Substring of the title or description, any case (Chinese included)' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Changed at or after; orders by update time, then id',
  })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

export class DemandHistoryEntryView {
  @ApiProperty({ enum: DEMAND_STATUSES, nullable: true }) from: DemandStatus | null;
  @ApiProperty({ enum: DEMAND_STATUSES }) to: DemandStatus;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: ActorView }) by: ActorView;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

export class DemandView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty({ type: String, nullable: true, description: 'The enterprise’s street' }) street:
    string | null;
  @ApiProperty({ enum: DEMAND_KINDS }) kind: DemandKind;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ enum: TECH_DOMAINS, nullable: true }) techDomain: TechDomain | null;
  @ApiProperty({ type: Number, nullable: true }) headcount: number | null;
  @ApiProperty({ type: String, nullable: true }) talentProfile: string | null;
  @ApiProperty({ enum: DEMAND_URGENCIES }) urgency: DemandUrgency;
  @ApiProperty({ example: '2022H1' }) period: string;
  @ApiProperty({ enum: DEMAND_STATUSES }) status: DemandStatus;
  @ApiProperty({ type: String, nullable: true }) partner: string | null;
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description:
      'Demands of the same enterprise and period whose titles are near-identical (normalised, character-bigram ' +
      'Dice ≥ 0.8), found when this one was created or its title or period changed',
  })
  possibleDuplicateOf: string[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class DemandDetailView extends DemandView {
  @ApiProperty({ type: [DemandHistoryEntryView], description: 'Status moves, oldest first' })
  history: DemandHistoryEntryView[];
}
