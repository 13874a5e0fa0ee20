import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from '../auth/actor.js';
import { Demand } from './demand.entity.js';
import { DEMAND_STATUSES, sqlList, type DemandStatus } from './demand.rules.js';

/** One status move of a demand (from null when it was raised); its history, and its status on any day. */
@Entity('demand_transitions')
@Check(
  'demand_transitions_from_status_check',
  `from_status IS NULL OR from_status IN (${sqlList(DEMAND_STATUSES)})`,
)
@Check('demand_transitions_to_status_check', `to_status IN (${sqlList(DEMAND_STATUSES)})`)
@Check('demand_transitions_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
@Index('demand_transitions_demand_id_idx', ['demandId', 'at', 'id'])
export class DemandTransition {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('uuid')
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id', foreignKeyConstraintName: 'demand_transitions_demand_id_fkey' })
  demand?: Demand;

  @Column('text', { nullable: true })
  fromStatus: DemandStatus | null;

  @Column('text')
  toStatus: DemandStatus;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column('text', { nullable: true })
  note: string | null;
}
