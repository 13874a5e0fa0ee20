import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, ActorType } from '../auth/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { Problem } from '../common/problem.js';
import { periodDays, previousPeriod } from '../demands/demand.rules.js';
import { DemandsService } from '../demands/demands.service.js';
import type { DemandView } from '../demands/dto/demand.dto.js';
import { isoUtc, mutate } from '../database/sql.js';
import { buildDemandReport, countDemands, type DemandReport, type Totals } from './demand-report.js';
import type { DemandReportView } from './dto/report.dto.js';

type Report = DemandReport<DemandView>;

interface SnapshotRow {
  report: Report;
  frozenAt: string;
  type: ActorType;
  id: string | null;
}

const SNAPSHOT_SQL = `SELECT report, ${isoUtc('frozen_at')} AS "frozenAt", frozen_by_type AS type, frozen_by_id AS id
                        FROM demand_report_snapshots WHERE period = $1`;

const frozen = (row: SnapshotRow): DemandReportView => {
  const { period, totals, previous, change, items } = row.report;
  return {
    period,
    frozenAt: row.frozenAt,
    frozenBy: { type: row.type, id: row.id },
    totals,
    previous,
    change,
    items,
  };
};

/** The half-year demand report (每半年梳理汇总): live until frozen, then the frozen copy. */
@Injectable()
export class DemandReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly demands: DemandsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async report(period: string): Promise<DemandReportView> {
    const [snapshot]: SnapshotRow[] = await this.dataSource.query(SNAPSHOT_SQL, [period]);
    if (snapshot) return frozen(snapshot);
    const live = await this.live(this.dataSource.manager, period);
    return { ...live, frozenAt: null, frozenBy: null };
  }

  /**
   * Stores the report as it is now; from then on GET answers this copy. Freezing a frozen
   * period again is a 409 unless `replace`, which overwrites it (200; 201 for a first freeze).
   */
  async freeze(
    actor: Actor,
    period: string,
    replace: boolean,
  ): Promise<{ created: boolean; view: DemandReportView }> {
    if (periodDays(period).first > this.clock.today())
      throw Problem.field('period', `has not begun yet: ${period} starts on ${periodDays(period).first}`);
    return this.dataSource.transaction(async (m) => {
      // Serialises freezes of one period, the first one included (the row may not exist yet).
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('demand_report_snapshots'), hashtext($1))`, [
        period,
      ]);
      const [existing]: SnapshotRow[] = await m.query(SNAPSHOT_SQL, [period]);
      if (existing && !replace)
        throw Problem.conflict(
          `The ${period} report was frozen at ${existing.frozenAt}; send ?replace=true to freeze it again.`,
          {
            frozenAt: existing.frozenAt,
          },
        );
      const report = await this.live(m, period);
      const now = this.clock.now();
      await mutate(
        m,
        `INSERT INTO demand_report_snapshots (period, frozen_at, frozen_by_type, frozen_by_id, report)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (period) DO UPDATE SET frozen_at = EXCLUDED.frozen_at, frozen_by_type = EXCLUDED.frozen_by_type,
           frozen_by_id = EXCLUDED.frozen_by_id, report = EXCLUDED.report,
           version = demand_report_snapshots.version + 1`,
        [period, now, actor.type, actor.id, JSON.stringify(report)],
      );
      await this.audit.record(m, actor, {
        action: existing ? 'refreeze' : 'freeze',
        entity: 'demandReport',
        entityId: period,
        changes: {
          frozenAt: [existing?.frozenAt ?? null, now.toISOString()],
          items: [existing ? existing.report.items.length : null, report.items.length],
        },
      });
      const [row]: SnapshotRow[] = await m.query(SNAPSHOT_SQL, [period]);
      return { created: !existing, view: frozen(row) };
    });
  }

  /**
   * The report from today's data. The previous period's counts come from its frozen copy when
   * there is one (what was reported then), else from its demands now.
   */
  private async live(m: EntityManager, period: string): Promise<Report> {
    const before = previousPeriod(period);
    const items = await this.demands.ofPeriod(period, m);
    const [snapshot]: SnapshotRow[] = await m.query(SNAPSHOT_SQL, [before]);
    const totals: Totals = snapshot
      ? snapshot.report.totals
      : countDemands(await this.demands.ofPeriod(before, m));
    return buildDemandReport(period, items, { period: before, totals });
  }
}
