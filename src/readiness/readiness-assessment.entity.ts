import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Enterprise } from '../enterprises/enterprise.entity.js';
import type { ReadinessInput, ReadinessResult } from './rules.js';

/**
 * A stored readiness verdict. A new row is written only when the result changed, so the
 * history shows how an enterprise moved; re-checks that change nothing touch `checkedAt`.
 */
@Entity('readiness_assessments')
@Index('readiness_assessments_enterprise_idx', ['enterpriseId', 'program', 'assessedAt'])
@Check('readiness_assessments_program_check', `program IN ('hnte', 'tech_sme')`)
@Check('readiness_assessments_verdict_check', `verdict IN ('ready', 'borderline', 'not_ready')`)
export class ReadinessAssessment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'readiness_assessments_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('text')
  program: 'hnte' | 'tech_sme';

  @Column('text')
  ruleSet: string;

  /** The day the rules were applied as of. */
  @Column('date')
  assessmentDate: string;

  @Column('text')
  verdict: 'ready' | 'borderline' | 'not_ready';

  @Column('boolean')
  eligible: boolean;

  @Column('int')
  scoreMin: number;

  @Column('int')
  scoreMax: number;

  @Column('jsonb')
  result: ReadinessResult;

  /** Exactly what the rules were given. */
  @Column('jsonb')
  inputs: ReadinessInput;

  /** Window years whose figures nobody has verified (source self_reported). */
  @Column('int', { array: true, default: () => "'{}'" })
  unverifiedYears: number[];

  /** Digest of the result, to tell a changed verdict from a re-check. */
  @Column('text')
  resultHash: string;

  @Column('text', { nullable: true })
  previousVerdict: string | null;

  /** What caused it: an edit, a request, the nightly re-score. */
  @Column('text')
  trigger: string;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  assessedAt: Date;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  checkedAt: Date;
}
