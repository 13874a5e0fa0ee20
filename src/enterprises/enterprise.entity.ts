import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';
import type { EnterpriseStatus, EnterpriseTier, TechDomain } from './enterprise.constants.js';

/** An enterprise the bureau cultivates (培育企业). */
@Entity('enterprises')
@Check('enterprises_credit_code_check', `credit_code ~ '^[0-9A-HJ-NP-RTUWXY]{18}$'`)
@Check(
  'enterprises_status_check',
  `status IN ('prospect', 'reserve', 'tracking', 'applying', 'certified', 'lapsed')`,
)
@Check('enterprises_tier_check', `tier IS NULL OR tier IN ('priority', 'medium_term')`)
@Check(
  'enterprises_tech_domain_check',
  `tech_domain IS NULL OR tech_domain IN ('electronic_information', 'biomedicine', 'aerospace', 'new_materials', 'high_tech_services', 'new_energy', 'resources_environment', 'advanced_manufacturing')`,
)
// Deleted enterprises keep their row for history but free their credit code.
@Index('enterprises_credit_code_key', ['creditCode'], { unique: true, where: 'deleted_at IS NULL' })
// (filter, id) pairs: a filtered keyset page is one index range scan.
@Index('enterprises_status_id_idx', ['status', 'id'])
@Index('enterprises_tier_id_idx', ['tier', 'id'])
@Index('enterprises_tech_domain_id_idx', ['techDomain', 'id'])
@Index('enterprises_officer_id_id_idx', ['officerId', 'id'])
@Index('enterprises_street_id_idx', ['street', 'id'])
@Index('enterprises_updated_at_id_idx', ['updatedAt', 'id'])
@Index('enterprises_readiness_verdict_id_idx', ['readinessVerdict', 'id'])
@Index('enterprises_readiness_score_idx', { synchronize: false })
// Substring search on names (Chinese included): pg_trgm for 3+ characters, the name_ngrams()
// GIN index for 1–2 characters, which pg_trgm cannot serve. Both are expression/operator-class
// indexes TypeORM cannot describe, so the migration owns them.
@Index('enterprises_name_trgm_idx', { synchronize: false })
@Index('enterprises_name_ngram_idx', { synchronize: false })
@Index('enterprises_credit_code_trgm_idx', { synchronize: false })
export class Enterprise {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** 统一社会信用代码, normalised (upper-case, no spaces or hyphens). */
  @Column('text')
  creditCode: string;

  /** Set when the check character fails and the caller confirmed the code was really issued. */
  @Column('boolean', { default: false })
  creditCodeWarning: boolean;

  @Column('date', { nullable: true })
  registeredAt: string | null;

  /** 街道 / 镇 */
  @Column('text', { nullable: true })
  street: string | null;

  @Column('text', { nullable: true })
  industry: string | null;

  @Column('text', { nullable: true })
  techDomain: TechDomain | null;

  @Column('text', { nullable: true })
  contactName: string | null;

  @Column('text', { nullable: true })
  contactEmail: string | null;

  @Column('text', { nullable: true })
  contactPhone: string | null;

  @Column('uuid', { nullable: true })
  officerId: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'officer_id', foreignKeyConstraintName: 'enterprises_officer_id_fkey' })
  officer?: User;

  @Column('text', { default: 'prospect' })
  status: EnterpriseStatus;

  /** True once a person set the status; automatic moves (readiness) leave it alone then. */
  @Column('boolean', { default: false })
  statusManual: boolean;

  @Column('text', { nullable: true })
  tier: EnterpriseTier | null;

  @Column('boolean', { default: true })
  remindersEnabled: boolean;

  /** The latest HNTE readiness verdict, kept here by the readiness feature for lists and sorting. */
  @Column('text', { nullable: true })
  readinessVerdict: 'ready' | 'borderline' | 'not_ready' | null;

  @Column('int', { nullable: true })
  readinessScoreMin: number | null;

  @Column('int', { nullable: true })
  readinessScoreMax: number | null;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz', precision: 3 })
  deletedAt: Date | null;
}
