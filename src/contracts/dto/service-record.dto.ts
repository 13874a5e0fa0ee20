import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsInstant, OptionalNotNull, Trim } from '../../common/validators.js';
import { SERVICE_RECORD_KINDS, type ServiceRecordKind } from '../contract.rules.js';

const Strings = (max: number) => (target: object, propertyName: string) => {
  OptionalNotNull()(target, propertyName);
  IsArray()(target, propertyName);
  ArrayMaxSize(max)(target, propertyName);
  IsString({ each: true })(target, propertyName);
  MinLength(1, { each: true, message: 'must not hold empty strings' })(target, propertyName);
  MaxLength(1000, { each: true })(target, propertyName);
};

export class CreateServiceRecordDto {
  @ApiProperty({
    enum: SERVICE_RECORD_KINDS,
    description: 'visit 走访; call 电话; training 培训; meeting 会议',
  })
  @IsIn(SERVICE_RECORD_KINDS)
  kind: ServiceRecordKind;

  @ApiProperty({
    format: 'date-time',
    example: '2026-03-02T09:30:00+08:00',
    description: 'An instant with its offset',
  })
  @IsInstant()
  at: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An active officer or admin; defaults to the calling user (required for API keys)',
  })
  @OptionalNotNull()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  officerId?: string;

  @ApiPropertyOptional({ type: [String], example: ['王总 (总经理)', '李会计'] })
  @Strings(50)
  participants?: string[];

  @ApiProperty({ example: '走访企业，了解研发费用归集情况', maxLength: 10000 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(10000)
  summary: string;

  @ApiPropertyOptional({ type: [String], description: '企业提出的难题' })
  @Strings(100)
  problemsRaised?: string[];

  @ApiPropertyOptional({ type: [String], description: '点对点解决的难题' })
  @Strings(100)
  problemsSolved?: string[];
}

export class ServiceRecordView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ enum: SERVICE_RECORD_KINDS }) kind: ServiceRecordKind;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ format: 'uuid' }) officerId: string;
  @ApiProperty({ type: [String] }) participants: string[];
  @ApiProperty() summary: string;
  @ApiProperty({ type: [String] }) problemsRaised: string[];
  @ApiProperty({ type: [String] }) problemsSolved: string[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
