import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, registerDecorator } from 'class-validator';
import { ActorView } from '../../audit/dto/audit-query.dto.js';
import { DemandView, IsPeriod, PERIOD_DESCRIPTION } from '../../demands/dto/demand.dto.js';
import { FIRST_YEAR, LAST_YEAR } from '../../enterprises/financials/financials.constants.js';
import { OVERVIEW_METRICS } from '../overview-metrics.js';

export const REPORT_FORMATS = ['json', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const TARGET_MAX = 10_000_000;

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class DemandReportQuery {
  @ApiProperty({ example: '2022H1', pattern: '^\\d{4}H[12]$', description: PERIOD_DESCRIPTION })
  @IsPeriod()
  period: string;

  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    default: 'json',
    description: '`xlsx`: the same as a workbook',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class FreezeQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'Freeze again over an existing snapshot (otherwise that is a 409)',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  replace?: boolean;
}

export class OverviewQuery {
  @ApiProperty({ example: 2022, minimum: FIRST_YEAR, maximum: LAST_YEAR })
  @Type(() => Number)
  @IsInt()
  @Min(FIRST_YEAR)
  @Max(LAST_YEAR)
  year: number;

  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    default: 'json',
    description: '`xlsx`: the same as a workbook',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

/** A target: a whole number from 0, or null to remove it. */
function IsTarget() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isTarget',
      target: target.constructor,
      propertyName,
      options: { message: `must be a whole number from 0 to ${TARGET_MAX}, or null to remove the target` },
      validator: {
        validate: (v: unknown) =>
          v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= TARGET_MAX),
      },
    });
}

const TARGET_DOC = {
  nullable: true,
  minimum: 0,
  maximum: TARGET_MAX,
  description: 'A whole number; null removes the target',
};

/** `PUT /targets/:year`: the targets named are set (null removes one); the others stay as they are. */
export class PutTargetsDto {
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer', example: 40 })
  @IsOptional()
  @IsTarget()
  contractsSigned?: number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() hnteApplicants?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() hnteNewlyCertified?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() hnteInForce?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() tsmeRegistered?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() poolPriority?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() poolMediumTerm?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() tracking?: number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() openDemands?:
    number | null;
  @ApiPropertyOptional({ ...TARGET_DOC, type: 'integer' }) @IsOptional() @IsTarget() serviceRecords?:
    number | null;
}

const countsSchema = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'Value → count; every known value listed, zeros included',
} as const;

export class TotalsView {
  @ApiProperty({ ...countsSchema, example: { tech_problem: 3, talent_need: 2 } }) byKind: Record<
    string,
    number
  >;
  @ApiProperty({ ...countsSchema, example: { open: 2, matched: 1, resolved: 1, closed: 1 } })
  byStatus: Record<string, number>;
  @ApiProperty({ ...countsSchema, description: 'Every domain of the catalogue, then `unknown` (unset)' })
  byDomain: Record<string, number>;
  @ApiProperty({
    ...countsSchema,
    description: 'Enterprise streets of either period, then `unknown` (unset)',
  })
  byStreet: Record<string, number>;
}

export class PreviousTotalsView {
  @ApiProperty({ example: '2021H2' }) period: string;
  @ApiProperty({ type: TotalsView, description: 'From its frozen snapshot when it has one' })
  totals: TotalsView;
}

export class DemandReportView {
  @ApiProperty({ example: '2022H1' }) period: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the report was frozen; null while it is computed live',
  })
  frozenAt: string | null;
  @ApiProperty({ type: ActorView, nullable: true }) frozenBy: ActorView | null;
  @ApiProperty({ type: TotalsView }) totals: TotalsView;
  @ApiProperty({ type: PreviousTotalsView }) previous: PreviousTotalsView;
  @ApiProperty({ type: TotalsView, description: 'This period minus the previous, per value' })
  change: TotalsView;
  @ApiProperty({ type: [DemandView], description: 'The period’s demands, oldest first' }) items: DemandView[];
}

export class MetricFigureView {
  @ApiProperty({ type: Number, nullable: true }) value: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The year before' }) previous: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'round((value − previous) / previous × 100, 1); null when previous is 0 or null',
  })
  changePct: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'From PUT /targets/:year' }) target:
    number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'round(value / target × 100, 1); null without a target',
  })
  progressPct: number | null;
}

export class OverviewView {
  @ApiProperty({ example: 2022 }) year: number;
  @ApiProperty({
    format: 'date',
    description:
      'The day snapshot figures (hnteInForce, openDemands) are taken on: 31 December, or today in the current year',
  })
  asOf: string;
  @ApiProperty({
    type: 'object',
    description: `One figure per metric: ${OVERVIEW_METRICS.join(', ')}`,
    // A $ref per metric, which the decorator's typing does not foresee.
    properties: Object.fromEntries(
      OVERVIEW_METRICS.map((m) => [m, { $ref: '#/components/schemas/MetricFigureView' }]),
    ) as never,
    required: [...OVERVIEW_METRICS],
  })
  metrics: Record<string, MetricFigureView>;
}

export class TargetsView {
  @ApiProperty({ example: 2022 }) year: number;
  @ApiProperty({
    type: 'object',
    description: 'Every metric, null where no target is set',
    properties: Object.fromEntries(OVERVIEW_METRICS.map((m) => [m, { type: 'integer', nullable: true }])),
  })
  targets: Record<string, number | null>;
  @ApiProperty({ description: '0 while no target was ever set for the year' }) version: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}
