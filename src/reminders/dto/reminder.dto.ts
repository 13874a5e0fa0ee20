import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { IsInstant, LowerCase } from '../../common/validators.js';
import {
  REMINDER_ATTEMPT_OUTCOMES,
  REMINDER_KINDS,
  REMINDER_RECIPIENTS,
  REMINDER_STATUSES,
  type ReminderAttemptOutcome,
  type ReminderStatus,
} from '../reminder.rules.js';
import type { ReminderKind, ReminderRecipient } from '../schedule.js';

export class ReminderQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REMINDER_STATUSES })
  @IsOptional()
  @IsIn(REMINDER_STATUSES)
  status?: ReminderStatus;

  @ApiPropertyOptional({ enum: REMINDER_KINDS })
  @IsOptional()
  @IsIn(REMINDER_KINDS)
  kind?: ReminderKind;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @LowerCase()
  @IsUUID()
  enterpriseId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due at or after this instant' })
  @IsOptional()
  @IsInstant()
  dueFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due before this instant (exclusive)' })
  @IsOptional()
  @IsInstant()
  dueTo?: string;
}

export class ReminderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: REMINDER_KINDS }) kind: ReminderKind;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) enterpriseId: string | null;
  @ApiProperty({ description: 'The e-mail address' }) recipient: string;
  @ApiProperty({ enum: REMINDER_RECIPIENTS }) recipientRole: ReminderRecipient;
  @ApiProperty() subject: string;
  @ApiProperty({ format: 'date-time', description: 'When it may first go out (inside the send window)' })
  dueAt: string;
  @ApiProperty({ description: 'Mandatory notices ignore remindersEnabled: false' }) mandatory: boolean;
  @ApiProperty({ enum: REMINDER_STATUSES }) status: ReminderStatus;
  @ApiProperty({ description: 'Send attempts so far' }) attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: '<reminder-…@peiyu>' }) messageId: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ReminderAttemptView {
  @ApiProperty({ description: '1 for the first try' }) attempt: number;
  @ApiProperty({ description: 'The worker instance that made it' }) worker: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({
    enum: REMINDER_ATTEMPT_OUTCOMES,
    description: '`retrying` after a transient SMTP failure; `interrupted` when the worker stopped mid-send',
  })
  outcome: ReminderAttemptOutcome;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true }) messageId: string | null;
}

/** One reminder with every delivery attempt, oldest first. */
export class ReminderDetailView extends ReminderView {
  @ApiProperty({ type: [ReminderAttemptView] }) attemptLog: ReminderAttemptView[];
}
