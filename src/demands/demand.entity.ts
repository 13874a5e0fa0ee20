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
import { TECH_DOMAINS, type TechDomain } from '../enterprises/enterprise.constants.js';
import {
  DEMAND_KINDS,
  DEMAND_STATUSES,
  DEMAND_URGENCIES,
  HEADCOUNT_MAX,
  sqlList,
  type DemandKind,
  type DemandStatus,
  type DemandUrgency,
} from './demand.rules.js';

/** An enterprise's technical problem (技术难题) or talent need (人才需求), reported by half-year. */
@Entity('demands')
@Check('demands_kind_check', `kind IN (${sqlList(DEMAND_KINDS)})`)
@Check('demands_status_check', `status IN (${sqlList(DEMAND_STATUSES)})`)
@Check('demands_urgency_check', `urgency IN (${sqlList(DEMAND_URGENCIES)})`)
@Check('demands_tech_domain_check', `tech_domain IS NULL OR tech_domain IN (${sqlList(TECH_DOMAINS)})`)
@Check('demands_period_check', `period ~ '^[0-9]{4}H[12]$'`)
// A talent need says how many people; a technical problem has no headcount or talent profile.
@Check('demands_headcount_kind_check', `(kind = 'talent_need') = (headcount IS NOT NULL)`)
@Check('demands_headcount_check', `headcount BETWEEN 1 AND ${HEADCOUNT_MAX}`)
@Check('demands_talent_profile_check', `talent_profile IS NULL OR kind = 'talent_need'`)
// Matched and resolved demands name who took them on.
@Check('demands_partner_check', `status NOT IN ('matched', 'resolved') OR partner IS NOT NULL`)
@Index('demands_created_at_idx', ['createdAt', 'id'])
@Index('demands_updated_at_idx', ['updatedAt', 'id'])
@Index('demands_enterprise_idx', ['enterpriseId', 'period'])
// The half-year report reads a period at a time.
@Index('demands_period_idx', ['period', 'kind', 'status'])
export class Demand {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'demands_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('text')
  kind: DemandKind;

  @Column('text')
  title: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { nullable: true })
  techDomain: TechDomain | null;

  /** People wanted (talent needs only). */
  @Column('int', { nullable: true })
  headcount: number | null;

  /** Who is wanted: field, degree, experience (人才画像; talent needs only). */
  @Column('text', { nullable: true })
  talentProfile: string | null;

  @Column('text', { default: 'normal' })
  urgency: DemandUrgency;

  /** The half-year it is reported in, e.g. 2022H1. */
  @Column('text')
  period: string;

  @Column('text', { default: 'open' })
  status: DemandStatus;

  /** The university, institute or firm it was matched with (对接单位), e.g. 山东理工大学. */
  @Column('text', { nullable: true })
  partner: string | null;

  /** Demands of the same enterprise and period with a near-identical title, when this one was written. */
  @Column('uuid', { array: true, default: () => "'{}'" })
  possibleDuplicateOf: string[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
