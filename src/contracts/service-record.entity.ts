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
import { User } from '../users/user.entity.js';
import { SERVICE_RECORD_KINDS, sqlList, type ServiceRecordKind } from './contract.rules.js';

/** A visit, call, training or meeting with an enterprise (走访 / 服务记录). */
@Entity('service_records')
@Check('service_records_kind_check', `kind IN (${sqlList(SERVICE_RECORD_KINDS)})`)
// The enterprise's list and its timeline, newest first.
@Index('service_records_enterprise_idx', ['enterpriseId', 'at', 'id'])
@Index('service_records_officer_idx', ['officerId', 'at'])
export class ServiceRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'service_records_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('text')
  kind: ServiceRecordKind;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column('uuid')
  officerId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'officer_id', foreignKeyConstraintName: 'service_records_officer_id_fkey' })
  officer?: User;

  @Column('text', { array: true, default: () => "'{}'" })
  participants: string[];

  @Column('text')
  summary: string;

  /** 企业提出的难题 */
  @Column('text', { array: true, default: () => "'{}'" })
  problemsRaised: string[];

  /** 点对点解决的难题 */
  @Column('text', { array: true, default: () => "'{}'" })
  problemsSolved: string[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
