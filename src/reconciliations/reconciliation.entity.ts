import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Batch } from '../applications/batch.entity.js';
import type { ActorType } from '../auth/actor.js';
import type { ReconciliationOutcome } from './reconcile.rules.js';

/** One official list (公示/公告名单) checked against the open applications, and what it moved. */
@Entity('reconciliations')
@Check('reconciliations_program_check', `program IN ('hnte', 'tech_sme')`)
@Check('reconciliations_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
@Check('reconciliations_year_check', `year IS NULL OR year BETWEEN 1990 AND 2100`)
@Index('reconciliations_at_id_idx', ['at', 'id'])
export class Reconciliation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  program: 'hnte' | 'tech_sme';

  /** The notice's date: the certificates' issue date for HNTE. */
  @Column('date', { nullable: true })
  issuedAt: string | null;

  /** The application year the list covers. */
  @Column('int', { nullable: true })
  year: number | null;

  @Column('uuid', { nullable: true })
  batchId: string | null;

  @ManyToOne(() => Batch, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'reconciliations_batch_id_fkey' })
  batch?: Batch;

  @Column('text')
  filename: string;

  @Column('text')
  sha256: string;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  /** matched, moved, notMoved, unmatchedRows and notMentioned as the reply gave them. */
  @Column('jsonb')
  outcome: ReconciliationOutcome;
}
