import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  DIRECT_PASS_GROUNDS,
  GRADES,
  RD_MANAGEMENT_ITEMS,
  type DirectPassGround,
  type Grade,
} from '../../readiness/rules.js';

/** One R&D management item in points: refused outside its range (from the rules), never clamped. */
function Points(item: keyof typeof RD_MANAGEMENT_ITEMS, description: string) {
  const max = RD_MANAGEMENT_ITEMS[item];
  const message = `must be a whole number from 0 to ${max}`;
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: max, nullable: true, description }),
    IsOptional(),
    IsInt({ message }),
    Min(0, { message }),
    Max(max, { message }),
  );
}

/** 研发组织管理水平 (≤ 20 points), as the officer assessed it. */
export class RdManagementDto {
  @Points('projectAccounting', 'Project management, R&D accounting and expense sub-ledger, 0–6')
  projectAccounting?: number | null;

  @Points('rdInstitution', 'Internal R&D institution and industry–university cooperation, 0–6')
  rdInstitution?: number | null;

  @Points('transformationIncentives', 'Transformation incentives and open innovation platform, 0–4')
  transformationIncentives?: number | null;

  @Points('talentDevelopment', 'Talent training, recruitment and performance rewards, 0–4')
  talentDevelopment?: number | null;
}

/** `PUT /enterprises/:id/innovation-profile`: the API.md `innovation` object, plus noMajorIncident and directPass. */
export class PutInnovationProfileDto {
  @ApiPropertyOptional({ enum: GRADES, nullable: true, description: '技术的先进程度' })
  @IsOptional()
  @IsIn(GRADES)
  techAdvancement?: Grade | null;

  @ApiPropertyOptional({ enum: GRADES, nullable: true, description: '核心支持作用' })
  @IsOptional()
  @IsIn(GRADES)
  coreSupport?: Grade | null;

  @ApiPropertyOptional({
    default: false,
    description: 'Took part in drafting a national or industry standard',
  })
  @ValidateIf((_: object, value: unknown) => value !== undefined)
  @IsBoolean()
  standardsParticipation?: boolean;

  @ApiPropertyOptional({ type: RdManagementDto, nullable: true })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => RdManagementDto)
  rdManagement?: RdManagementDto | null;

  @ApiPropertyOptional({
    type: 'boolean',
    nullable: true,
    description: 'No major accident or serious environmental violation in the year before applying',
  })
  @IsOptional()
  @IsBoolean()
  noMajorIncident?: boolean | null;

  @ApiPropertyOptional({
    enum: DIRECT_PASS_GROUNDS,
    nullable: true,
    description: 'Tech-based SME: a ground to pass without the score',
  })
  @IsOptional()
  @IsIn(DIRECT_PASS_GROUNDS)
  directPass?: DirectPassGround | null;
}

export class RdManagementView {
  @ApiProperty({ type: 'integer', nullable: true }) projectAccounting: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) rdInstitution: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) transformationIncentives: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) talentDevelopment: number | null;
}

export class InnovationProfileView {
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ enum: GRADES, nullable: true }) techAdvancement: Grade | null;
  @ApiProperty({ enum: GRADES, nullable: true }) coreSupport: Grade | null;
  @ApiProperty() standardsParticipation: boolean;
  @ApiProperty({ type: RdManagementView }) rdManagement: RdManagementView;
  @ApiProperty({ type: 'boolean', nullable: true }) noMajorIncident: boolean | null;
  @ApiProperty({ enum: DIRECT_PASS_GROUNDS, nullable: true }) directPass: DirectPassGround | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
