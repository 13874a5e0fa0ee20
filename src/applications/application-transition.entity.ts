import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from '../auth/actor.js';
import { Application } from './application.entity.js';
import { APPLICATION_STAGES, type ApplicationStage } from './stages.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** One move of an application; its history and time in stage derive from these rows. */
@Entity('application_transitions')
@Check(
  'application_transitions_from_stage_check',
  `from_stage IS NULL OR from_stage IN (${list(APPLICATION_STAGES)})`,
)
@Check('application_transitions_to_stage_check', `to_stage IN (${list(APPLICATION_STAGES)})`)
@Check('application_transitions_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
@Index('application_transitions_application_id_idx', ['applicationId', 'id'])
@Index('application_transitions_to_stage_at_idx', ['toStage', 'at'])
export class ApplicationTransition {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('uuid')
  applicationId: string;

  @ManyToOne(() => Application, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'application_id',
    foreignKeyConstraintName: 'application_transitions_application_id_fkey',
  })
  application?: Application;

  @Column('text', { nullable: true })
  fromStage: ApplicationStage | null;

  @Column('text')
  toStage: ApplicationStage;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column('text', { nullable: true })
  note: string | null;
}
