import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { HNTE_CRITERIA } from '../readiness/rules.js';
import { CONTRACT_ITEM_STATUSES, sqlList, type ContractItemStatus } from './contract.rules.js';
import { ServiceContract } from './service-contract.entity.js';

/** One service item a contract promises (服务事项), optionally aimed at a readiness criterion. */
@Entity('contract_items')
@Check('contract_items_status_check', `status IN (${sqlList(CONTRACT_ITEM_STATUSES)})`)
@Check('contract_items_criterion_check', `criterion IN (${sqlList(HNTE_CRITERIA)})`)
// done_at is set exactly while the item is done: the timeline shows it as the moment it was done.
@Check('contract_items_done_at_check', `(status = 'done') = (done_at IS NOT NULL)`)
@Index('contract_items_contract_idx', ['contractId', 'position'], { unique: true })
export class ContractItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  contractId: string;

  @ManyToOne(() => ServiceContract, (c) => c.items, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'contract_items_contract_id_fkey' })
  contract?: ServiceContract;

  /** Order within the contract, from 0. */
  @Column('int')
  position: number;

  @Column('text')
  description: string;

  @Column('date')
  dueAt: string;

  @Column('text', { default: 'pending' })
  status: ContractItemStatus;

  @Column('text', { nullable: true })
  criterion: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  doneAt: Date | null;
}
