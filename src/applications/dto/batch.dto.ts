import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, Trim } from '../../common/validators.js';
import { APPLICATION_PROGRAMS, type ApplicationProgram } from '../stages.js';

export class CreateBatchDto {
  @ApiProperty({ enum: APPLICATION_PROGRAMS, description: 'hnte batches also serve hnte_recert' })
  @IsIn(APPLICATION_PROGRAMS)
  program: ApplicationProgram;

  @ApiProperty({ example: 2022, minimum: 1990, maximum: 2100 })
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;

  @ApiProperty({ example: '山东省2022年第二批', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: '网上注册截止' })
  @IsOptional()
  @IsCalendarDate()
  registrationDeadline?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: '材料报送截止' })
  @IsOptional()
  @IsCalendarDate()
  materialsDeadline?: string | null;

  @ApiProperty({ format: 'date', description: '申报截止; an application not submitted by then is overdue' })
  @IsCalendarDate()
  submissionDeadline: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

// skipNullProperties: false, so a null program, year, name or submissionDeadline is a 400.
export class UpdateBatchDto extends PartialType(CreateBatchDto, { skipNullProperties: false }) {}

export class BatchQuery extends PageQuery {
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
}

export class BatchView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: APPLICATION_PROGRAMS }) program: ApplicationProgram;
  @ApiProperty() year: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) registrationDeadline: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) materialsDeadline: string | null;
  @ApiProperty({ format: 'date' }) submissionDeadline: string;
  @ApiProperty({ type: String, nullable: true }) notes: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
