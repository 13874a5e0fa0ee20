import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../tracking/tracking.rules.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from './webhook.rules.js';

/**
 * A receiver another system registered: where to POST which events, and the secret that signs
 * them. The secret is kept as given (HMAC needs it; a hash would not do) and never returned
 * after the create reply.
 */
@Entity('webhooks')
@Check('webhooks_events_check', `cardinality(events) > 0 AND events <@ ARRAY[${sqlList(WEBHOOK_EVENTS)}]::text[]`)
@Check('webhooks_paused_check', `active OR paused_reason IS NULL OR paused_at IS NOT NULL`)
export class Webhook {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  url: string;

  @Column('text', { array: true })
  events: WebhookEvent[];

  @Column('text')
  secret: string;

  @Column('boolean', { default: true })
  active: boolean;

  /** Set when Peiyu paused the hook itself (a day of failures); cleared when someone turns it on again. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  pausedAt: Date | null;

  @Column('text', { nullable: true })
  pausedReason: string | null;

  /** The first failed attempt since the last success; null while deliveries succeed. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  failingSince: Date | null;

  /** Failed attempts since the last success. */
  @Column('int', { default: 0 })
  consecutiveFailures: number;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
