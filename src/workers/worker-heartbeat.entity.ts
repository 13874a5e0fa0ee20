import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A running worker process's proof of life, written every WORKER_HEARTBEAT_MS. Claims held
 * by an instance whose heartbeat stopped are freed by the sweeper; /health/ready shows it.
 */
@Entity('worker_heartbeats')
export class WorkerHeartbeat {
  @PrimaryColumn('text')
  instanceId: string;

  @Column('text')
  hostname: string;

  @Column('int')
  pid: number;

  @Column('text')
  role: string;

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  beatAt: Date;
}
