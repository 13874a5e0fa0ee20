import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { TECH_DOMAINS, type TechDomain } from '../../enterprises/enterprise.constants.js';
import { IsCalendarDate } from '../../common/validators.js';
import { IsMoney } from '../../enterprises/money.js';
import {
  DIRECT_PASS_GROUNDS,
  GRADES,
  IP_ACQUISITIONS,
  IP_KINDS,
  IP_LICENSED,
  READINESS_PROGRAMS,
  type DirectPassGround,
  type Grade,
  type IpHolding,
  type IpKind,
  type ReadinessProgram,
} from '../rules.js';

// Types, shapes and per-field bounds here, so one 400 names them all; cross-field rules (domestic R&D ≤ R&D, S&T staff ≤
// employees, grades, R&D-management points) are the rules' own validateReadinessInput, so the
// API and the rules cannot disagree.

export class YearFiguresDto {
  @ApiProperty({ example: 2021 }) @IsInt() @Min(1990) @Max(2100) year: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() revenue?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Defaults to revenue' })
  @IsOptional()
  @IsMoney()
  totalIncome?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() highTechRevenue?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() rdExpense?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() rdExpenseDomestic?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney({ allowNegative: true }) netAssets?:
    number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() totalAssets?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsMoney() totalCostExpense?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(10_000_000) employees?:
    number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(10_000_000) techStaff?:
    number | null;
  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  achievementsTransformed?: number | null;
}

export class IpAssetInputDto {
  @ApiProperty({ enum: IP_KINDS }) @IsIn(IP_KINDS) kind: IpKind;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) @IsOptional() @IsCalendarDate() grantedAt?:
    string | null;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) @IsOptional() @IsCalendarDate() expiresAt?:
    string | null;
  @ApiPropertyOptional({ enum: [...IP_ACQUISITIONS, IP_LICENSED], nullable: true })
  @IsOptional()
  @IsIn([...IP_ACQUISITIONS, IP_LICENSED])
  acquisition?: IpHolding | null;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) @IsOptional() @IsBoolean() usedInCertification?: boolean | null;
}

export class RdManagementDto {
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 6, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(6)
  projectAccounting?: number | null;
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 6, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(6)
  rdInstitution?: number | null;
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 4, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4)
  transformationIncentives?: number | null;
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 4, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4)
  talentDevelopment?: number | null;
}

export class InnovationDto {
  @ApiPropertyOptional({ enum: GRADES, nullable: true })
  @IsOptional()
  @IsIn(GRADES)
  techAdvancement?: Grade | null;
  @ApiPropertyOptional({ enum: GRADES, nullable: true })
  @IsOptional()
  @IsIn(GRADES)
  coreSupport?: Grade | null;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) @IsOptional() @IsBoolean() standardsParticipation?: boolean | null;
  @ApiPropertyOptional({ type: RdManagementDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RdManagementDto)
  rdManagement?: RdManagementDto | null;
}

export class EvaluateReadinessDto {
  @ApiPropertyOptional({ enum: READINESS_PROGRAMS, default: 'hnte' })
  @IsOptional()
  @IsIn(READINESS_PROGRAMS)
  program?: ReadinessProgram;

  @ApiPropertyOptional({ format: 'date', description: 'Defaults to today in APP_TIMEZONE' })
  @IsOptional()
  @IsCalendarDate()
  assessmentDate?: string;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) @IsOptional() @IsCalendarDate() registeredAt?:
    string | null;

  @ApiPropertyOptional({ enum: TECH_DOMAINS, nullable: true })
  @IsOptional()
  @IsIn(TECH_DOMAINS)
  techDomain?: TechDomain | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true }) @IsOptional() @IsBoolean() noMajorIncident?: boolean | null;

  @ApiProperty({
    type: [YearFiguresDto],
    description: 'Up to three accounting years before the assessment, any order',
  })
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => YearFiguresDto)
  years: YearFiguresDto[];

  @ApiPropertyOptional({ type: [IpAssetInputDto], default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => IpAssetInputDto)
  ipAssets?: IpAssetInputDto[];

  @ApiPropertyOptional({ type: InnovationDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => InnovationDto)
  innovation?: InnovationDto | null;

  @ApiPropertyOptional({ enum: DIRECT_PASS_GROUNDS, nullable: true, description: 'tech_sme only' })
  @IsOptional()
  @IsIn(DIRECT_PASS_GROUNDS)
  directPass?: DirectPassGround | null;
}
