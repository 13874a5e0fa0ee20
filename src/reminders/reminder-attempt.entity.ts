import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { REMINDER_ATTEMPT_OUTCOMES, type ReminderAttemptOutcome } from './reminder.rules.js';
import { Reminder } from './reminder.entity.js';
import { sqlList } from '../tracking/tracking.rules.js';

/** One try at delivering a reminder: which worker, when, and what the SMTP server said. */
@Entity('reminder_attempts')
@Check('reminder_attempts_outcome_check', `outcome IN (${sqlList(REMINDER_ATTEMPT_OUTCOMES)})`)
@Index('reminder_attempts_reminder_idx', ['reminderId', 'attempt'])
export class ReminderAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  reminderId: string;

  @ManyToOne(() => Reminder, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reminder_id', foreignKeyConstraintName: 'reminder_attempts_reminder_id_fkey' })
  reminder?: Reminder;

  /** 1 for the first try; the reminder's `attempts` after this claim. */
  @Column('int')
  attempt: number;

  /** The worker instance (see worker_heartbeats) that made it. */
  @Column('text')
  worker: string;

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column('text', { default: 'sending' })
  outcome: ReminderAttemptOutcome;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text', { nullable: true })
  messageId: string | null;
}
