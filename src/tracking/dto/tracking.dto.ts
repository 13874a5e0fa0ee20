import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
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
} from 'class-validator';
import { ActorView } from '../../audit/dto/audit-query.dto.js';
import { PageQuery } from '../../common/pagination.js';
import { isCalendarDate, IsInstant, LowerCase, OptionalNotNull, Trim } from '../../common/validators.js';
import { HNTE_CRITERIA } from '../../readiness/rules.js';
import {
  CADENCE_DAYS_MAX,
  TRACKING_CHANNELS,
  TRACKING_DUE,
  TRACKING_STATUSES,
  TRACKING_WATCHES,
  type TrackingChannel,
  type TrackingDue,
  type TrackingStatus,
  type TrackingWatch,
} from '../tracking.rules.js';

/** Optional but not nullable: absent keeps the default (or, on PATCH, the stored value); null is refused. */
const TrimEach = () =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value,
  );

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 instant with its offset, or a calendar date YYYY-MM-DD (the start of that day in APP_TIMEZONE). */
export function isInstantOrDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const text: string = value;
  if (isCalendarDate(text)) return true;
  return INSTANT.test(value) && isCalendarDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value));
}

function IsInstantOrDate() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstantOrDate',
      target: target.constructor,
      propertyName,
      options: {
        message: 'must be an ISO 8601 instant with an offset or a calendar date YYYY-MM-DD',
      },
      validator: { validate: isInstantOrDate },
    });
}

/** Refused when `other` is in the same body too: the two say the same thing two ways. */
function NotWith(other: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName,
      options: { message: `must not be sent together with ${other}` },
      validator: {
        validate: (_: unknown, args) =>
          (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      },
    });
}

const NEXT_FOLLOW_UP =
  'An ISO 8601 instant with its offset, or a calendar date YYYY-MM-DD meaning the start of that day in APP_TIMEZONE';

export class CreateTrackingDto {
  @ApiProperty({
    type: [String],
    example: ['研发费用占比不足'],
    description: 'Why it is followed up (跟踪原因)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @TrimEach()
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'must not hold an empty reason' })
  @MaxLength(500, { each: true })
  reasons: string[];

  @ApiPropertyOptional({ enum: HNTE_CRITERIA, isArray: true, description: 'HNTE criteria it falls short on' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(HNTE_CRITERIA.length)
  @IsIn(HNTE_CRITERIA, { each: true })
  criteria?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: "An active officer or admin; defaults to the enterprise's officer, then the calling user",
  })
  @OptionalNotNull()
  @LowerCase()
  @IsUUID()
  officerId?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: CADENCE_DAYS_MAX,
    nullable: true,
    description: 'Days between contacts',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CADENCE_DAYS_MAX)
  cadenceDays?: number | null;

  @ApiPropertyOptional({
    example: '2026-12-15',
    description: `${NEXT_FOLLOW_UP}. Required unless \`watch\` is sent`,
  })
  @ValidateIf((o: CreateTrackingDto) => o.nextFollowUpAt !== undefined || o.watch === undefined)
  @IsInstantOrDate()
  nextFollowUpAt?: string;

  @ApiPropertyOptional({
    enum: TRACKING_WATCHES,
    description:
      'Instead of `nextFollowUpAt`: derive it from the facts — the first anniversary of registration, or ' +
      '31 December of the current year (start of the day in APP_TIMEZONE)',
  })
  @OptionalNotNull()
  @IsIn(TRACKING_WATCHES)
  @NotWith('nextFollowUpAt')
  watch?: TrackingWatch;

  @ApiPropertyOptional({ default: true, description: 'Also remind the enterprise contact' })
  @OptionalNotNull()
  @IsBoolean()
  notifyEnterprise?: boolean;
}

export class UpdateTrackingDto {
  @ApiPropertyOptional({ type: [String] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @TrimEach()
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'must not hold an empty reason' })
  @MaxLength(500, { each: true })
  reasons?: string[];

  @ApiPropertyOptional({ enum: HNTE_CRITERIA, isArray: true })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(HNTE_CRITERIA.length)
  @IsIn(HNTE_CRITERIA, { each: true })
  criteria?: string[];

  @ApiPropertyOptional({ format: 'uuid' })
  @OptionalNotNull()
  @LowerCase()
  @IsUUID()
  officerId?: string;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: CADENCE_DAYS_MAX, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CADENCE_DAYS_MAX)
  cadenceDays?: number | null;

  @ApiPropertyOptional({ description: NEXT_FOLLOW_UP })
  @OptionalNotNull()
  @IsInstantOrDate()
  nextFollowUpAt?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  notifyEnterprise?: boolean;

  @ApiPropertyOptional({
    enum: TRACKING_STATUSES,
    description:
      '`closed` ends the follow-up; `promoted` moves the enterprise into the cultivation pool (status ' +
      '`reserve`, unless an officer set its status by hand). Both need `reason` and are final: reopening is a 409',
  })
  @OptionalNotNull()
  @IsIn(TRACKING_STATUSES)
  status?: TrackingStatus;

  @ApiPropertyOptional({
    description: 'Why it was closed or promoted; required with those statuses',
    maxLength: 2000,
  })
  @ValidateIf(
    (o: UpdateTrackingDto) => o.reason !== undefined || o.status === 'closed' || o.status === 'promoted',
  )
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(2000)
  reason?: string;
}

export class CreateTrackingLogDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'When the contact happened; defaults to now' })
  @OptionalNotNull()
  @IsInstant()
  at?: string;

  @ApiProperty({ enum: TRACKING_CHANNELS })
  @IsIn(TRACKING_CHANNELS)
  channel: TrackingChannel;

  @ApiProperty({ maxLength: 5000 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(5000)
  summary: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(5000)
  outcome?: string | null;

  @ApiPropertyOptional({
    description: `${NEXT_FOLLOW_UP}. Defaults to \`at\` + the tracking's cadenceDays; without a cadence it is required`,
  })
  @OptionalNotNull()
  @IsInstantOrDate()
  nextFollowUpAt?: string;
}

export class TrackingQuery extends PageQuery {
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

  @ApiPropertyOptional({ enum: TRACKING_STATUSES })
  @IsOptional()
  @IsIn(TRACKING_STATUSES)
  status?: TrackingStatus;

  @ApiPropertyOptional({ description: 'The enterprise’s street (街道 / 镇)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  street?: string;

  @ApiPropertyOptional({
    enum: TRACKING_DUE,
    description:
      'Open trackings by next follow-up, in APP_TIMEZONE: `overdue` before today, `today` within today, ' +
      '`week` from the start of today through the next 7 days',
  })
  @IsOptional()
  @IsIn(TRACKING_DUE)
  due?: TrackingDue;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Changed at or after; orders by update time, then id',
  })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

export class TrackingLogView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) trackingId: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: TRACKING_CHANNELS }) channel: TrackingChannel;
  @ApiProperty() summary: string;
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextFollowUpAt: string | null;
  @ApiProperty({ type: ActorView }) actor: ActorView;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TrackingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty({ type: String, nullable: true }) street: string | null;
  @ApiProperty({ format: 'uuid' }) officerId: string;
  @ApiProperty({ type: [String] }) reasons: string[];
  @ApiProperty({ enum: HNTE_CRITERIA, isArray: true }) criteria: string[];
  @ApiProperty({ type: Number, nullable: true }) cadenceDays: number | null;
  @ApiProperty({ format: 'date-time' }) nextFollowUpAt: string;
  @ApiProperty() notifyEnterprise: boolean;
  @ApiProperty({ enum: TRACKING_STATUSES }) status: TrackingStatus;
  @ApiProperty({ type: String, nullable: true }) closedReason: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class TrackingDetailView extends TrackingView {
  @ApiProperty({ type: [TrackingLogView], description: 'Newest first' }) logs: TrackingLogView[];
}

export class TrackingSuggestionView {
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty({ type: String, nullable: true }) street: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) officerId: string | null;
  @ApiProperty({ enum: HNTE_CRITERIA, isArray: true, description: 'Failing in the latest assessment' })
  failingCriteria: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assessedAt: string | null;
}
