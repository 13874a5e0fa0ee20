import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { APPLICATION_PROGRAMS, type ApplicationProgram } from './stages.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A province's application batch (批次) with its deadlines: batches are data, not code. */
@Entity('batches')
@Check('batches_program_check', `program IN (${list(APPLICATION_PROGRAMS)})`)
@Check('batches_year_check', `year BETWEEN 1990 AND 2100`)
@Index('batches_submission_deadline_id_idx', ['submissionDeadline', 'id'])
export class Batch {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  program: ApplicationProgram;

  @Column('int')
  year: number;

  @Column('text')
  name: string;

  /** 网上注册截止 */
  @Column('date', { nullable: true })
  registrationDeadline: string | null;

  /** 材料报送截止 */
  @Column('date', { nullable: true })
  materialsDeadline: string | null;

  /** 申报截止: an application not submitted by this day is overdue. */
  @Column('date')
  submissionDeadline: string;

  @Column('text', { nullable: true })
  notes: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
