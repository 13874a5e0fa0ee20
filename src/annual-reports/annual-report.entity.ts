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

/**
 * A certified enterprise's annual development report (年度发展情况报表), due by 31 May and
 * covering the previous year, marked filed. Its absence after 31 May escalates to the officer.
 */
@Entity('annual_reports')
@Check('annual_reports_year_check', 'year BETWEEN 1990 AND 2100')
@Index('annual_reports_enterprise_year_key', ['enterpriseId', 'year'], { unique: true })
export class AnnualReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'annual_reports_enterprise_id_fkey' })
  enterprise?: Enterprise;

  /** The year the report is due in (it covers the year before). */
  @Column('int')
  year: number;

  @Column('date')
  filedOn: string;

  @Column('text', { nullable: true })
  note: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
