import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Enterprise } from '../enterprises/enterprise.entity.js';
import { NUMERIC_AS_NUMBER } from '../enterprises/money.js';
import { User } from '../users/user.entity.js';
import { ContractItem } from './contract-item.entity.js';
import { CONTRACT_STATUSES, sqlList, type ContractStatus } from './contract.rules.js';

/** A technology service contract with an enterprise (科技服务合同). */
@Entity('service_contracts')
@Check('service_contracts_status_check', `status IN (${sqlList(CONTRACT_STATUSES)})`)
@Check('service_contracts_dates_check', `ends_at >= starts_at`)
@Check('service_contracts_amount_check', `amount >= 0`)
// Unique, so a duplicate contract number is refused by the database (409), never checked first.
@Index('service_contracts_contract_no_key', ['contractNo'], { unique: true })
// (filter, signed_at, id): each list filter is one index range scan in the list's order.
@Index('service_contracts_enterprise_idx', ['enterpriseId', 'signedAt', 'id'])
@Index('service_contracts_officer_idx', ['officerId', 'signedAt', 'id'])
@Index('service_contracts_status_idx', ['status', 'signedAt', 'id'])
@Index('service_contracts_signed_at_idx', ['signedAt', 'id'])
export class ServiceContract {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** 合同编号 */
  @Column('text')
  contractNo: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'service_contracts_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('uuid')
  officerId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'officer_id', foreignKeyConstraintName: 'service_contracts_officer_id_fkey' })
  officer?: User;

  @Column('date')
  signedAt: string;

  @Column('date')
  startsAt: string;

  @Column('date')
  endsAt: string;

  /** Yuan, exact. */
  @Column({ type: 'numeric', precision: 14, scale: 2, transformer: NUMERIC_AS_NUMBER })
  amount: number;

  @Column('text', { default: 'draft' })
  status: ContractStatus;

  /** 验收意见 */
  @Column('text', { nullable: true })
  acceptanceNotes: string | null;

  @OneToMany(() => ContractItem, (item) => item.contract)
  items?: ContractItem[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
