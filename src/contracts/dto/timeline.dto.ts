import { ApiProperty } from '@nestjs/swagger';

export const TIMELINE_KINDS = ['service_record', 'contract', 'readiness', 'application'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export class TimelineRefView {
  @ApiProperty({ example: 'contract', description: 'serviceRecord, contract, readinessAssessment, …' })
  type: string;
  @ApiProperty() id: string;
}

export class TimelineEntryView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    enum: TIMELINE_KINDS,
    description: 'More kinds will be added; clients should show unknown ones generically',
  })
  kind: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Kind-specific facts' })
  detail: Record<string, unknown>;
  @ApiProperty({ type: TimelineRefView }) ref: TimelineRefView;
}
