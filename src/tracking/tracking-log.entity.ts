import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ActorType } from '../auth/actor.js';
import { sqlList, TRACKING_CHANNELS, type TrackingChannel } from './tracking.rules.js';
import { Tracking } from './tracking.entity.js';

/** One contact made on a follow-up (跟踪记录): when, how, what came of it. */
@Entity('tracking_logs')
@Check('tracking_logs_channel_check', `channel IN (${sqlList(TRACKING_CHANNELS)})`)
@Check('tracking_logs_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
// A tracking's logs, newest first.
@Index('tracking_logs_tracking_idx', ['trackingId', 'at', 'id'])
export class TrackingLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  trackingId: string;

  @ManyToOne(() => Tracking, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tracking_id', foreignKeyConstraintName: 'tracking_logs_tracking_id_fkey' })
  tracking?: Tracking;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column('text')
  channel: TrackingChannel;

  @Column('text')
  summary: string;

  @Column('text', { nullable: true })
  outcome: string | null;

  /** The next follow-up this contact agreed or implied. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  nextFollowUpAt: Date | null;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
