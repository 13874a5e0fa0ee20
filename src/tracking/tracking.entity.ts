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
import { HNTE_CRITERIA } from '../readiness/rules.js';
import { User } from '../users/user.entity.js';
import { CADENCE_DAYS_MAX, sqlList, TRACKING_STATUSES, type TrackingStatus } from './tracking.rules.js';

/** A follow-up registration (挂号跟踪): an enterprise the bureau means to contact again, and when. */
@Entity('trackings')
@Check('trackings_status_check', `status IN (${sqlList(TRACKING_STATUSES)})`)
@Check('trackings_criteria_check', `criteria <@ ARRAY[${sqlList(HNTE_CRITERIA)}]::text[]`)
@Check('trackings_cadence_days_check', `cadence_days BETWEEN 1 AND ${CADENCE_DAYS_MAX}`)
// A closed or promoted tracking says why; an open one has nothing to say yet.
@Check('trackings_closed_reason_check', `(status = 'open') = (closed_reason IS NULL)`)
// At most one open tracking per enterprise: a second registration is refused by the database (409).
@Index('trackings_open_enterprise_key', ['enterpriseId'], { unique: true, where: `status = 'open'` })
// The list's order (next follow-up, id), filtered by officer or status.
@Index('trackings_next_follow_up_idx', ['nextFollowUpAt', 'id'])
@Index('trackings_officer_idx', ['officerId', 'nextFollowUpAt', 'id'])
@Index('trackings_enterprise_idx', ['enterpriseId', 'nextFollowUpAt', 'id'])
@Index('trackings_updated_at_idx', ['updatedAt', 'id'])
export class Tracking {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'trackings_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('uuid')
  officerId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'officer_id', foreignKeyConstraintName: 'trackings_officer_id_fkey' })
  officer?: User;

  /** Why the enterprise is followed up (跟踪原因). */
  @Column('text', { array: true })
  reasons: string[];

  /** HNTE criterion codes the enterprise falls short on. */
  @Column('text', { array: true, default: () => "'{}'" })
  criteria: string[];

  @Column('int', { nullable: true })
  cadenceDays: number | null;

  @Column({ type: 'timestamptz', precision: 3 })
  nextFollowUpAt: Date;

  @Column('boolean', { default: true })
  notifyEnterprise: boolean;

  @Column('text', { default: 'open' })
  status: TrackingStatus;

  @Column('text', { nullable: true })
  closedReason: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
