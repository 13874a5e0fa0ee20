import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One nightly re-score of every enterprise: how long it took and what moved. */
@Entity('readiness_runs')
export class ReadinessRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column('int', { default: 0 })
  enterprises: number;

  @Column('int', { default: 0 })
  changed: number;

  @Column('int', { default: 0 })
  verdictsChanged: number;

  /** Milliseconds for each successive 10,000 enterprises, to show the run stays linear. */
  @Column('int', { array: true, default: () => "'{}'" })
  msPer10k: number[];

  @Column('text', { nullable: true })
  error: string | null;
}
