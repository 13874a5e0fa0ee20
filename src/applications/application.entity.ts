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
import { Batch } from './batch.entity.js';
import {
  APPLICATION_PROGRAMS,
  APPLICATION_STAGES,
  type ApplicationProgram,
  type ApplicationStage,
} from './stages.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** An enterprise's application in a certification pipeline (HNTE, re-certification, tech-based SME). */
@Entity('applications')
@Check('applications_program_check', `program IN (${list(APPLICATION_PROGRAMS)})`)
@Check('applications_stage_check', `stage IN (${list(APPLICATION_STAGES)})`)
@Check('applications_year_check', `year BETWEEN 1990 AND 2100`)
// One open application per enterprise and programme; a partial unique index, so a concurrent
// duplicate fails in the database rather than slipping past a check-then-insert. The migration
// owns its exact predicate.
@Index('applications_open_key', { synchronize: false })
@Index('applications_enterprise_id_idx', ['enterpriseId', 'createdAt', 'id'])
@Index('applications_program_year_stage_idx', ['program', 'year', 'stage'])
@Index('applications_batch_id_idx', ['batchId'])
@Index('applications_updated_at_id_idx', ['updatedAt', 'id'])
export class Application {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'applications_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @Column('text')
  program: ApplicationProgram;

  @Column('int')
  year: number;

  @Column('uuid', { nullable: true })
  batchId: string | null;

  @ManyToOne(() => Batch, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'applications_batch_id_fkey' })
  batch?: Batch;

  @Column('text')
  stage: ApplicationStage;

  /** 证书编号 */
  @Column('text', { nullable: true })
  certificateNo: string | null;

  @Column('date', { nullable: true })
  issuedAt: string | null;

  /** Certificate: issuedAt + 3 years − 1 day; registration: 31 December of `year`. */
  @Column('date', { nullable: true })
  validUntil: string | null;

  /** 科技型中小企业入库登记编号 */
  @Column('text', { nullable: true })
  registrationNo: string | null;

  /** Why it was rejected or withdrawn. */
  @Column('text', { nullable: true })
  closedReason: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
