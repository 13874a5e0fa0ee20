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
import {
  IP_ACQUISITIONS,
  IP_KINDS,
  IP_LICENSED,
  type IpHolding,
  type IpKind,
} from '../../readiness/rules.js';
import { Enterprise } from '../enterprise.entity.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** An intellectual-property item of an enterprise (知识产权): patents, software copyrights, … */
@Entity('ip_assets')
@Check('ip_assets_kind_check', `kind IN (${list(IP_KINDS)})`)
// The API offers the four ways of owning; `licensed` (许可使用, never counts) is for imported data.
@Check('ip_assets_acquisition_check', `acquisition IN (${list([...IP_ACQUISITIONS, IP_LICENSED])})`)
@Check('ip_assets_expires_at_check', `expires_at >= granted_at`)
// One enterprise's items in creation order: its list, and the readiness loads.
@Index('ip_assets_enterprise_id_idx', ['enterpriseId', 'createdAt', 'id'])
export class EnterpriseIpAsset {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'ip_assets_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('text')
  kind: IpKind;

  /** The patent, registration or certificate number (专利号 / 登记号). */
  @Column('text', { nullable: true })
  number: string | null;

  @Column('text')
  title: string;

  /** Counts from this day (授权日). */
  @Column('date', { nullable: true })
  grantedAt: string | null;

  /** Counts through this day. */
  @Column('date', { nullable: true })
  expiresAt: string | null;

  @Column('text')
  acquisition: IpHolding;

  /** A Class II item already relied on by a certified HNTE application (one use only). */
  @Column('boolean', { default: false })
  usedInCertification: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
