import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import {
  APPLICATION_PROGRAMS,
  APPLICATION_STAGES,
  type ApplicationProgram,
  type ApplicationStage,
} from '../../applications/stages.js';
import { ActorRefView } from '../../applications/dto/application.dto.js';
import { ApiUploadProperty, IsUpload, type Upload } from '../../common/upload.js';
import { IsCalendarDate } from '../../common/validators.js';
import { RECONCILIATION_PROGRAMS, type ReconciliationProgram } from '../reconcile.rules.js';

export class ReconciliationForm {
  @ApiUploadProperty(
    'The official list as .xlsx or .csv: 统一社会信用代码 (creditCode), 企业名称 (name), and 证书编号 (certificateNo, HNTE) or 入库登记编号 (registrationNo, tech SME); a title line above the header is fine',
  )
  @IsUpload()
  file: Upload;

  @ApiProperty({
    enum: RECONCILIATION_PROGRAMS,
    description: 'hnte: a notice of certified HNTEs; tech_sme: of registered tech-based SMEs',
  })
  @IsIn(RECONCILIATION_PROGRAMS)
  program: ReconciliationProgram;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    description: "The notice's date; required for hnte (the certificates' issue date)",
  })
  @ValidateIf((form: ReconciliationForm) => form.program === 'hnte' || form.issuedAt !== undefined)
  @IsCalendarDate()
  issuedAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1990,
    maximum: 2100,
    description: 'The application year the list covers (default: the year of issuedAt, else this year)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'The batch the list covers' })
  @IsOptional()
  @IsUUID()
  batchId?: string;
}

class MatchedView {
  @ApiProperty() row: number;
  @ApiProperty() creditCode: string;
  @ApiProperty({ type: String, nullable: true, description: 'As the list spells it' }) name: string | null;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty({ enum: APPLICATION_STAGES, description: 'Its stage before the list' })
  stage: ApplicationStage;
}
class MovedView {
  @ApiProperty() row: number;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ enum: APPLICATION_STAGES }) from: ApplicationStage;
  @ApiProperty({ enum: APPLICATION_STAGES }) to: ApplicationStage;
  @ApiPropertyOptional() certificateNo?: string;
  @ApiPropertyOptional({ format: 'date' }) issuedAt?: string;
  @ApiPropertyOptional() registrationNo?: string;
}
class NotMovedView {
  @ApiProperty() row: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) applicationId: string | null;
  @ApiProperty({ example: 'a hnte application in submitted cannot move to certified' }) reason: string;
}
class UnmatchedRowView {
  @ApiProperty() row: number;
  @ApiProperty({ type: String, nullable: true }) creditCode: string | null;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ example: 'no enterprise with this credit code' }) reason: string;
}
class NotMentionedView {
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() enterpriseName: string;
  @ApiProperty() creditCode: string;
  @ApiProperty({ enum: APPLICATION_PROGRAMS }) program: ApplicationProgram;
  @ApiProperty() year: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) batchId: string | null;
  @ApiProperty({ enum: APPLICATION_STAGES }) stage: ApplicationStage;
}

export class ReconciliationView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for a dry run' }) id:
    string | null;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ enum: RECONCILIATION_PROGRAMS }) program: ReconciliationProgram;
  @ApiProperty({ type: String, format: 'date', nullable: true }) issuedAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) year: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) batchId: string | null;
  @ApiProperty() filename: string;
  @ApiProperty({ type: ActorRefView }) actor: ActorRefView;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: [MatchedView], description: 'Rows matched to an open application by credit code' })
  matched: MatchedView[];
  @ApiProperty({
    type: [MovedView],
    description: 'Applications moved (or that would be) to certified / registered',
  })
  moved: MovedView[];
  @ApiProperty({
    type: [NotMovedView],
    description: 'Matched rows whose application could not move, and why',
  })
  notMoved: NotMovedView[];
  @ApiProperty({ type: [UnmatchedRowView] }) unmatchedRows: UnmatchedRowView[];
  @ApiProperty({
    type: [NotMentionedView],
    description: 'Open applications of the programme and year / batch the list did not name',
  })
  notMentioned: NotMentionedView[];
}
