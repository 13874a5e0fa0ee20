import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActorType } from '../auth/actor.js';

/** A half-year demand report as frozen (定稿) for the record: later edits to demands leave it as it was. */
@Entity('demand_report_snapshots')
@Check('demand_report_snapshots_period_check', `period ~ '^[0-9]{4}H[12]$'`)
@Check('demand_report_snapshots_frozen_by_type_check', `frozen_by_type IN ('user', 'apiKey', 'system')`)
export class DemandReportSnapshot {
  /** One snapshot per period. */
  @PrimaryColumn('text')
  period: string;

  @Column({ type: 'timestamptz', precision: 3 })
  frozenAt: Date;

  @Column('text')
  frozenByType: ActorType;

  @Column('text', { nullable: true })
  frozenById: string | null;

  /** The report as GET /reports/demands answered it at that moment (without frozenAt / frozenBy). */
  @Column('jsonb')
  report: unknown;

  /** 1, then one more each time it is frozen again with ?replace=true. */
  @Column('int', { default: 1 })
  version: number;
}
