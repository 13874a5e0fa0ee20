import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Enterprise } from '../enterprises/enterprise.entity.js';
import { sqlList } from '../tracking/tracking.rules.js';
import {
  REMINDER_KINDS,
  REMINDER_RECIPIENTS,
  REMINDER_STATUSES,
  type ReminderStatus,
} from './reminder.rules.js';
import type { ReminderKind, ReminderRecipient } from './schedule.js';

/**
 * One mail the bureau owes someone (the reminder outbox). The row is the truth: the queue
 * only carries its id, and the sweeper re-queues what is due or stuck.
 */
@Entity('reminders')
@Check('reminders_kind_check', `kind IN (${sqlList(REMINDER_KINDS)})`)
@Check('reminders_status_check', `status IN (${sqlList(REMINDER_STATUSES)})`)
@Check('reminders_recipient_role_check', `recipient_role IN (${sqlList(REMINDER_RECIPIENTS)})`)
// Planning the same thing twice adds nothing: INSERT … ON CONFLICT on this key.
@Index('reminders_occurrence_key', ['kind', 'enterpriseId', 'occurrence', 'recipient'], { unique: true })
// The sweeper's scans: due rows and rows a crashed worker left claimed.
@Index('reminders_due_idx', ['dueAt', 'id'], { where: `status = 'scheduled'` })
@Index('reminders_claimed_idx', ['claimedAt'], { where: `status = 'sending'` })
// The sender gathers one address's due rows into a digest.
@Index('reminders_recipient_due_idx', ['recipient', 'dueAt'], { where: `status = 'scheduled'` })
// The list's order (due, id), and per enterprise.
@Index('reminders_due_at_id_idx', ['dueAt', 'id'])
@Index('reminders_enterprise_idx', ['enterpriseId', 'dueAt', 'id'])
export class Reminder {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  kind: ReminderKind;

  @Column('uuid', { nullable: true })
  enterpriseId: string | null;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'reminders_enterprise_id_fkey' })
  enterprise?: Enterprise;

  /** The e-mail address. */
  @Column('text')
  recipient: string;

  @Column('text')
  recipientRole: ReminderRecipient;

  @Column('text')
  subject: string;

  /** When it may first go out, already moved into the send window. */
  @Column({ type: 'timestamptz', precision: 3 })
  dueAt: Date;

  /** Mandatory notices ignore `remindersEnabled: false`. */
  @Column('boolean')
  mandatory: boolean;

  @Column('text', { default: 'scheduled' })
  status: ReminderStatus;

  @Column('int', { default: 0 })
  attempts: number;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  sentAt: Date | null;

  @Column('text', { nullable: true })
  messageId: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  claimedAt: Date | null;

  /** The worker instance holding the claim: freed as soon as its heartbeat stops. */
  @Column('text', { nullable: true })
  claimedBy: string | null;

  /** What the template needs, captured when planned. */
  @Column('jsonb', { default: () => `'{}'` })
  payload: Record<string, unknown>;

  /** Stable per enterprise and kind, e.g. `tracking:<id>:follow-up:officer`. */
  @Column('text')
  occurrence: string;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
