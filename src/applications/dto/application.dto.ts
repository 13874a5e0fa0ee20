import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, IsInstant, Trim } from '../../common/validators.js';
import {
  APPLICATION_PROGRAMS,
  APPLICATION_STAGES,
  type ApplicationProgram,
  type ApplicationStage,
} from '../stages.js';

export class CreateApplicationDto {
  @ApiProperty({ enum: APPLICATION_PROGRAMS })
  @IsIn(APPLICATION_PROGRAMS)
  program: ApplicationProgram;

  @ApiProperty({ example: 2022, minimum: 1990, maximum: 2100, description: 'The application year' })
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  batchId?: string | null;

  @ApiPropertyOptional({
    enum: APPLICATION_STAGES,
    description:
      "Defaults to the programme's first stage; a later open stage records an application already under way",
  })
  @IsOptional()
  @IsIn(APPLICATION_STAGES)
  stage?: ApplicationStage;
}

export class TransitionDto {
  @ApiProperty({ enum: APPLICATION_STAGES })
  @IsIn(APPLICATION_STAGES)
  to: ApplicationStage;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Required as the reason for rejected and withdrawn' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ description: 'When it happened (default now); not in the future' })
  @IsOptional()
  @IsInstant()
  at?: string;

  @ApiPropertyOptional({ description: '证书编号; required with to=certified', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100)
  certificateNo?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Issue date; required with to=certified' })
  @IsOptional()
  @IsCalendarDate()
  issuedAt?: string;

  @ApiPropertyOptional({ description: '入库登记编号; required with to=registered', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100)
  registrationNo?: string;
}

export class ApplicationQuery extends PageQuery {
  @ApiPropertyOptional({ enum: APPLICATION_PROGRAMS })
  @IsOptional()
  @IsIn(APPLICATION_PROGRAMS)
  program?: ApplicationProgram;

  @ApiPropertyOptional({ example: 2022 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ enum: APPLICATION_STAGES })
  @IsOptional()
  @IsIn(APPLICATION_STAGES)
  stage?: ApplicationStage;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  batchId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  enterpriseId?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: "Before submission and past its batch's submission deadline",
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsIn([true, false], { message: 'must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({
    description: 'Only those updated at or after this instant, ordered by update time then id',
  })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

export class BoardQuery {
  @ApiProperty({ enum: APPLICATION_PROGRAMS })
  @IsIn(APPLICATION_PROGRAMS)
  program: ApplicationProgram;

  @ApiProperty({ example: 2022 })
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;
}

export class FunnelQuery {
  @ApiProperty({ example: 2022 })
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;
}

export class ActorRefView {
  @ApiProperty({ enum: ['user', 'apiKey', 'system'] }) type: 'user' | 'apiKey' | 'system';
  @ApiProperty({ nullable: true, type: String }) id: string | null;
}

export class HistoryEntryView {
  @ApiProperty({ enum: APPLICATION_STAGES, nullable: true }) from: ApplicationStage | null;
  @ApiProperty({ enum: APPLICATION_STAGES }) to: ApplicationStage;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: ActorRefView }) by: ActorRefView;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
}

export class ApplicationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ enum: APPLICATION_PROGRAMS }) program: ApplicationProgram;
  @ApiProperty() year: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) batchId: string | null;
  @ApiProperty({ enum: APPLICATION_STAGES }) stage: ApplicationStage;
  @ApiProperty({ format: 'date-time', description: 'When it entered its current stage' })
  enteredStageAt: string;
  @ApiProperty({ description: "Before submission and past its batch's submission deadline (as of today)" })
  overdue: boolean;
  @ApiProperty({ nullable: true, type: String }) certificateNo: string | null;
  @ApiProperty({ format: 'date', nullable: true, type: String }) issuedAt: string | null;
  @ApiProperty({
    format: 'date',
    nullable: true,
    type: String,
    description: 'Certificate: issuedAt + 3 years − 1 day; tech-SME registration: 31 December of year',
  })
  validUntil: string | null;
  @ApiProperty({ nullable: true, type: String }) registrationNo: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The reason given for rejected or withdrawn' })
  closedReason: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ApplicationDetailView extends ApplicationView {
  @ApiProperty({ type: [HistoryEntryView] }) history: HistoryEntryView[];
}

export class BoardCardView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ format: 'date-time' }) enteredStageAt: string;
}

export class BoardColumnView {
  @ApiProperty({ enum: APPLICATION_STAGES }) stage: ApplicationStage;
  @ApiProperty() count: number;
  @ApiProperty({ type: [BoardCardView] }) applications: BoardCardView[];
}

export class BoardView {
  @ApiProperty({ enum: APPLICATION_PROGRAMS }) program: ApplicationProgram;
  @ApiProperty() year: number;
  @ApiProperty({ type: [BoardColumnView] }) stages: BoardColumnView[];
}

export class FunnelCountsView {
  @ApiProperty() tracking: number;
  @ApiProperty() reserve: number;
  @ApiProperty() applying: number;
  @ApiProperty() certified: number;
}

export class FunnelView {
  @ApiProperty() year: number;
  @ApiProperty({ type: FunnelCountsView }) totals: FunnelCountsView;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/FunnelCountsView' },
    description: 'By street (街道/镇); enterprises without one under "unknown"',
  })
  byStreet: Record<string, FunnelCountsView>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/FunnelCountsView' },
    description: 'By officer id; unassigned enterprises under "unassigned"',
  })
  byOfficer: Record<string, FunnelCountsView>;
}
