import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate, Trim } from '../common/validators.js';

export class PutAnnualReportDto {
  @ApiProperty({ format: 'date', description: 'When the enterprise filed it on the national platform', example: '2026-05-18' })
  @IsCalendarDate()
  filedOn: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

export class AnnualReportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ description: 'The year it was due in (by 31 May); it covers the year before' }) year: number;
  @ApiProperty({ format: 'date' }) filedOn: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

