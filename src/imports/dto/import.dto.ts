import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { ApiUploadProperty, IsUpload, type Upload } from '../../common/upload.js';
import { EnterpriseQuery } from '../../enterprises/dto/enterprise.dto.js';
import { ActorRefView } from '../../applications/dto/application.dto.js';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** `?dryRun=true`: report what would happen, write nothing. */
export class DryRunQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Report without writing' })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  dryRun?: boolean;
}

export class ImportForm {
  @ApiUploadProperty(
    '.xlsx (first sheet) or .csv (UTF-8 with or without BOM, or GBK); header row = field names or their Chinese labels (企业名称, 统一社会信用代码, 注册日期, …); at most 40 MB and 100,000 rows',
  )
  @IsUpload()
  file: Upload;
}

export class ImportErrorView {
  @ApiProperty({ example: 3, description: 'The row as the spreadsheet shows it (the header is row 1)' })
  row: number;
  @ApiProperty({ example: 'creditCode' }) field: string;
  @ApiProperty({ example: 'check character should be L' }) message: string;
}

export class ImportResultView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for a dry run' })
  importId: string | null;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ description: 'Data rows read' }) total: number;
  @ApiProperty({ description: 'Enterprises created (or that would be)' }) created: number;
  @ApiProperty({
    description: 'Enterprises changed (or that would be); matching rows that change nothing count in neither',
  })
  updated: number;
  @ApiProperty({ type: [ImportErrorView], description: 'Rows skipped and why' })
  errors: ImportErrorView[];
}

export class ImportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() filename: string;
  @ApiProperty({ description: 'SHA-256 of the file' }) sha256: string;
  @ApiProperty({ type: ActorRefView }) actor: ActorRefView;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() total: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty({ type: [ImportErrorView] }) errors: ImportErrorView[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revertedAt: string | null;
  @ApiProperty({ type: ActorRefView, nullable: true }) revertedBy: ActorRefView | null;
  @ApiProperty() version: number;
}

export class ImportListQuery extends PageQuery {}

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The list's filters (and sort), without paging: an export holds every match. */
export class EnterpriseExportQuery extends OmitType(EnterpriseQuery, ['limit', 'cursor'] as const) {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'xlsx' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}
