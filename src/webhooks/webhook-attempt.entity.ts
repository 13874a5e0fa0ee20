import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../tracking/tracking.rules.js';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from './webhook.rules.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';

/** One try at delivering: which worker, when, how long, and what the receiver answered. */
@Entity('webhook_attempts')
@Check('webhook_attempts_outcome_check', `outcome IN (${sqlList(ATTEMPT_OUTCOMES)})`)
@Index('webhook_attempts_delivery_idx', ['deliveryId', 'attempt'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  deliveryId: string;

  @ManyToOne(() => WebhookDelivery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'webhook_attempts_delivery_id_fkey' })
  delivery?: WebhookDelivery;

  /** 1 for the first try; the delivery's `attempts` after this claim. */
  @Column('int')
  attempt: number;

  @Column('text')
  worker: string;

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column('text', { default: 'sending' })
  outcome: AttemptOutcome;

  @Column('int', { nullable: true })
  statusCode: number | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('int', { nullable: true })
  durationMs: number | null;
}
