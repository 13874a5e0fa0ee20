import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import {
  DIRECT_PASS_GROUNDS,
  GRADES,
  RD_MANAGEMENT_ITEMS,
  type DirectPassGround,
  type Grade,
} from '../../readiness/rules.js';
import { Enterprise } from '../enterprise.entity.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const range = (column: string, max: number) => `${column} BETWEEN 0 AND ${max}`;

/**
 * The officer's assessment of an enterprise's innovation capability (创新能力评价): the expert
 * grades, R&D management points, and the facts the readiness rules need beside the figures.
 */
@Entity('innovation_profiles')
@Check('innovation_profiles_tech_advancement_check', `tech_advancement IN (${list(GRADES)})`)
@Check('innovation_profiles_core_support_check', `core_support IN (${list(GRADES)})`)
@Check(
  'innovation_profiles_project_accounting_check',
  range('project_accounting', RD_MANAGEMENT_ITEMS.projectAccounting),
)
@Check('innovation_profiles_rd_institution_check', range('rd_institution', RD_MANAGEMENT_ITEMS.rdInstitution))
@Check(
  'innovation_profiles_transformation_incentives_check',
  range('transformation_incentives', RD_MANAGEMENT_ITEMS.transformationIncentives),
)
@Check(
  'innovation_profiles_talent_development_check',
  range('talent_development', RD_MANAGEMENT_ITEMS.talentDevelopment),
)
@Check('innovation_profiles_direct_pass_check', `direct_pass IN (${list(DIRECT_PASS_GROUNDS)})`)
export class InnovationProfile {
  @PrimaryColumn('uuid')
  enterpriseId: string;

  // Many-to-one in TypeORM's terms: the primary key already makes it one profile per enterprise.
  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'innovation_profiles_enterprise_id_fkey' })
  enterprise?: Enterprise;

  /** 技术的先进程度, A–E */
  @Column('text', { nullable: true })
  techAdvancement: Grade | null;

  /** 对主要产品（服务）在技术上发挥核心支持作用, A–E */
  @Column('text', { nullable: true })
  coreSupport: Grade | null;

  /** Took part in drafting a national or industry standard (参与标准制定). */
  @Column('boolean', { default: false })
  standardsParticipation: boolean;

  /** 研发组织管理水平, four items in points. */
  @Column('int', { nullable: true })
  projectAccounting: number | null;

  @Column('int', { nullable: true })
  rdInstitution: number | null;

  @Column('int', { nullable: true })
  transformationIncentives: number | null;

  @Column('int', { nullable: true })
  talentDevelopment: number | null;

  /** No major safety or quality accident or serious environmental violation in the past year; null: not yet checked. */
  @Column('boolean', { nullable: true })
  noMajorIncident: boolean | null;

  /** A ground on which a tech-based SME passes without the score. */
  @Column('text', { nullable: true })
  directPass: DirectPassGround | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
