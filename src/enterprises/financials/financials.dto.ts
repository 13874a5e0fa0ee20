import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { validateYearFigures } from '../../readiness/rules.js';
import { IsMoney } from '../money.js';
import { AgreesWithRules, atRoot } from '../rules-check.js';
import { FIGURE_SOURCES, type FigureSource } from './financials.constants.js';

const yearRules = atRoot(validateYearFigures);
// The int column's upper bound: a larger count is a typo, and must be a 400, not a failed insert.
const MAX_COUNT = 2_147_483_647;

const money = (description: string, extra: Record<string, unknown> = {}) =>
  ApiPropertyOptional({
    type: 'number',
    nullable: true,
    minimum: 0,
    maximum: 9999999999999.99,
    multipleOf: 0.01,
    description,
    ...extra,
  });
const count = (description: string) =>
  ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: MAX_COUNT, description });

/**
 * `PUT /enterprises/:id/financials/:year`: the whole of one year's figures. A figure left out
 * is unknown (null); the readiness criteria that need it fail and name it.
 */
export class PutFinancialsDto {
  @money('销售收入 (yuan)', { example: 42000000 })
  @IsOptional()
  @IsMoney()
  revenue?: number | null;

  @money('总收入 (yuan); the rules default it to revenue', { example: 42500000 })
  @IsOptional()
  @IsMoney()
  totalIncome?: number | null;

  @money('高新技术产品（服务）收入 (yuan)', { example: 30000000 })
  @IsOptional()
  @IsMoney()
  highTechRevenue?: number | null;

  @money('研发费用 (yuan)', { example: 2500000 })
  @IsOptional()
  @IsMoney()
  rdExpense?: number | null;

  @money('境内研发费用 (yuan); at most rdExpense', { example: 2400000 })
  @IsOptional()
  @IsMoney()
  @AgreesWithRules(yearRules)
  rdExpenseDomestic?: number | null;

  @money('净资产 (yuan); may be negative', { minimum: -9999999999999.99, example: 18000000 })
  @IsOptional()
  @IsMoney({ allowNegative: true })
  netAssets?: number | null;

  @money('资产总额 (yuan), for the tech-based SME evaluation')
  @IsOptional()
  @IsMoney()
  totalAssets?: number | null;

  @money('成本费用总额 (yuan), for the tech-based SME evaluation')
  @IsOptional()
  @IsMoney()
  totalCostExpense?: number | null;

  @count('职工总数')
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(MAX_COUNT)
  employees?: number | null;

  @count('科技人员数; at most employees')
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(MAX_COUNT)
  @AgreesWithRules(yearRules)
  techStaff?: number | null;

  @count('科技成果转化数')
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(MAX_COUNT)
  achievementsTransformed?: number | null;

  @ApiPropertyOptional({
    enum: FIGURE_SOURCES,
    default: 'self_reported',
    description: 'Who vouches for these figures',
  })
  @ValidateIf((_: object, value: unknown) => value !== undefined)
  @IsIn(FIGURE_SOURCES)
  source?: FigureSource;
}

export class FinancialsView {
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ type: 'integer', example: 2021 }) year: number;
  @ApiProperty({ type: 'number', nullable: true }) revenue: number | null;
  @ApiProperty({ type: 'number', nullable: true }) totalIncome: number | null;
  @ApiProperty({ type: 'number', nullable: true }) highTechRevenue: number | null;
  @ApiProperty({ type: 'number', nullable: true }) rdExpense: number | null;
  @ApiProperty({ type: 'number', nullable: true }) rdExpenseDomestic: number | null;
  @ApiProperty({ type: 'number', nullable: true }) netAssets: number | null;
  @ApiProperty({ type: 'number', nullable: true }) totalAssets: number | null;
  @ApiProperty({ type: 'number', nullable: true }) totalCostExpense: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) employees: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) techStaff: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) achievementsTransformed: number | null;
  @ApiProperty({ enum: FIGURE_SOURCES }) source: FigureSource;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
