import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { creditCodeRefusal, inspectCreditCode } from '../credit-code.js';
import { IsCalendarDate, IsInstant, OptionalNotNull, Trim } from '../../common/validators.js';
import {
  ENTERPRISE_STATUSES,
  ENTERPRISE_TIERS,
  TECH_DOMAINS,
  type EnterpriseStatus,
  type EnterpriseTier,
  type TechDomain,
} from '../enterprise.constants.js';

/**
 * The credit code is checked with the other fields, so a bad one is named in the same 400 as
 * every other bad field; the service normalises it (and checks again) when it stores it.
 */
function IsCreditCode() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCreditCode',
      target: target.constructor,
      propertyName,
      validator: {
        // Non-strings are IsString's to report.
        validate: (value: unknown, args) =>
          typeof value !== 'string' ||
          creditCodeRefusal(inspectCreditCode(value), confirmedIn(args?.object)) === undefined,
        defaultMessage: (args) =>
          creditCodeRefusal(inspectCreditCode(String(args?.value)), confirmedIn(args?.object)) ?? '',
      },
    });
}
const confirmedIn = (dto: object | undefined) =>
  (dto as { creditCodeConfirmed?: unknown } | undefined)?.creditCodeConfirmed === true;

/** Optional but not nullable: absent is fine, null is refused by the type rules below it (IsOptional lets null through). */

export class CreateEnterpriseDto {
  @ApiProperty({ example: '淄博博山鑫源新材料有限公司', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiProperty({
    example: '91370304MA3C8XUL6K',
    description: '统一社会信用代码; spaces and hyphens are ignored, case too',
  })
  @IsString()
  @MaxLength(40)
  @IsCreditCode()
  creditCode: string;

  @ApiPropertyOptional({
    description: 'Store a code whose check character fails (some early codes really were issued so)',
  })
  @OptionalNotNull()
  @IsBoolean()
  creditCodeConfirmed?: boolean;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2017-03-15', nullable: true })
  @IsOptional()
  @IsCalendarDate()
  registeredAt?: string | null;

  @ApiPropertyOptional({ type: String, example: '山头街道', nullable: true, description: '街道 / 镇' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  street?: string | null;

  @ApiPropertyOptional({ type: String, example: '耐火材料制造', nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  industry?: string | null;

  @ApiPropertyOptional({ enum: TECH_DOMAINS, nullable: true })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain | null;

  @ApiPropertyOptional({ type: String, example: '李强', nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  contactName?: string | null;

  @ApiPropertyOptional({ type: String, example: 'liqiang@example.com', nullable: true })
  @IsOptional()
  @Trim()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  contactEmail?: string | null;

  @ApiPropertyOptional({ type: String, example: '0533-4181234', nullable: true })
  @IsOptional()
  @Trim()
  @Matches(/^[0-9+() -]{5,40}$/, { message: 'must be a phone number: digits, spaces, + - ( )' })
  contactPhone?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The service officer (服务专员) in charge',
  })
  @IsOptional()
  // Stored uuids read back in lower case; an upper-case id must compare equal to them (officer rule).
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  officerId?: string | null;

  @ApiPropertyOptional({ enum: ENTERPRISE_STATUSES, default: 'prospect' })
  @OptionalNotNull()
  @IsIn(ENTERPRISE_STATUSES)
  status?: EnterpriseStatus;

  @ApiPropertyOptional({
    enum: ENTERPRISE_TIERS,
    nullable: true,
    description: 'priority 重点 / medium_term 中长期',
  })
  @IsOptional()
  @IsIn(ENTERPRISE_TIERS)
  tier?: EnterpriseTier | null;

  @ApiPropertyOptional({ default: true })
  @OptionalNotNull()
  @IsBoolean()
  remindersEnabled?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['专精特新'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

// skipNullProperties: false, so a null name or credit code is listed with the other bad fields.
export class UpdateEnterpriseDto extends PartialType(CreateEnterpriseDto, { skipNullProperties: false }) {}

export const ENTERPRISE_SORTS = ['id', 'updatedAt', '-updatedAt', 'scoreMin', '-scoreMin'] as const;
export const READINESS_VERDICTS = ['ready', 'borderline', 'not_ready'] as const;
export type ReadinessVerdict = (typeof READINESS_VERDICTS)[number];
export type EnterpriseSort = (typeof ENTERPRISE_SORTS)[number];

export class EnterpriseQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Substring of the name (Chinese included) or of the credit code',
    maxLength: 100,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ENTERPRISE_STATUSES })
  @IsOptional()
  @IsIn(ENTERPRISE_STATUSES)
  status?: EnterpriseStatus;

  @ApiPropertyOptional({ enum: ENTERPRISE_TIERS })
  @IsOptional()
  @IsIn(ENTERPRISE_TIERS)
  tier?: EnterpriseTier;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  officerId?: string;

  @ApiPropertyOptional({ enum: TECH_DOMAINS })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain;

  @ApiPropertyOptional({ example: '山头街道' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  street?: string;

  @ApiPropertyOptional({
    description: 'Only those updated at or after this instant, ordered by update time then id',
  })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;

  @ApiPropertyOptional({ enum: READINESS_VERDICTS, description: 'The latest HNTE readiness verdict' })
  @IsOptional()
  @IsIn(READINESS_VERDICTS)
  readiness?: ReadinessVerdict;

  @ApiPropertyOptional({
    enum: ENTERPRISE_SORTS,
    default: 'id',
    description: 'scoreMin: by the readiness score range’s low end; unassessed last',
  })
  @IsOptional()
  @IsIn(ENTERPRISE_SORTS)
  sort?: EnterpriseSort;
}

export class EnterpriseView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() creditCode: string;
  @ApiProperty({ description: 'True when the check character fails and the code was confirmed' })
  creditCodeWarning: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true }) registeredAt: string | null;
  @ApiProperty({ type: String, nullable: true }) street: string | null;
  @ApiProperty({ type: String, nullable: true }) industry: string | null;
  @ApiProperty({ enum: TECH_DOMAINS, nullable: true }) techDomain: TechDomain | null;
  @ApiProperty({ type: String, nullable: true }) contactName: string | null;
  @ApiProperty({ type: String, nullable: true }) contactEmail: string | null;
  @ApiProperty({ type: String, nullable: true }) contactPhone: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) officerId: string | null;
  @ApiProperty({ enum: ENTERPRISE_STATUSES }) status: EnterpriseStatus;
  @ApiProperty({ enum: ENTERPRISE_TIERS, nullable: true }) tier: EnterpriseTier | null;
  @ApiProperty() remindersEnabled: boolean;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({
    enum: READINESS_VERDICTS,
    nullable: true,
    description: 'Latest HNTE readiness verdict (null: not assessed yet)',
  })
  readinessVerdict: ReadinessVerdict | null;
  @ApiProperty({ type: Number, nullable: true }) readinessScoreMin: number | null;
  @ApiProperty({ type: Number, nullable: true }) readinessScoreMax: number | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

// JSON Schema of EnterpriseView for Fastify's compiled serializer on the hot reads (list and
// get): fast-json-stringify writes these objects several times faster than JSON.stringify.
// It drops properties not named here, so a test compares it with the fields the queries read
// (ENTERPRISE_VIEW_FIELDS).
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
export const ENTERPRISE_JSON_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    creditCode: { type: 'string' },
    creditCodeWarning: { type: 'boolean' },
    registeredAt: nullable('string'),
    street: nullable('string'),
    industry: nullable('string'),
    techDomain: nullable('string'),
    contactName: nullable('string'),
    contactEmail: nullable('string'),
    contactPhone: nullable('string'),
    officerId: nullable('string'),
    status: { type: 'string' },
    tier: nullable('string'),
    remindersEnabled: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    readinessVerdict: nullable('string'),
    readinessScoreMin: nullable('integer'),
    readinessScoreMax: nullable('integer'),
    version: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const ENTERPRISE_PAGE_JSON_SCHEMA = {
  type: 'object',
  properties: { data: { type: 'array', items: ENTERPRISE_JSON_SCHEMA }, nextCursor: nullable('string') },
} as const;
