import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, type Changes } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc } from '../database/sql.js';
import type { OverviewView, PutTargetsDto, TargetsView } from './dto/report.dto.js';
import {
  asOfDate,
  figure,
  METRICS,
  OVERVIEW_METRICS,
  type MetricFigure,
  type OverviewMetric,
} from './overview-metrics.js';

const column = (metric: OverviewMetric) => metric.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const TARGET_COLUMNS = OVERVIEW_METRICS.map((m) => `${column(m)} AS "${m}"`).join(', ');

type Targets = Record<OverviewMetric, number | null>;
const noTargets = (): Targets => Object.fromEntries(OVERVIEW_METRICS.map((m) => [m, null])) as Targets;

/** The district overview (全区统计概览) against last year and the bureau's targets. */
@Injectable()
export class StatsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async overview(year: number): Promise<OverviewView & { metrics: Record<OverviewMetric, MetricFigure> }> {
    const today = this.clock.today();
    const [value, previous, targets] = await Promise.all([
      this.figures(year, today),
      this.figures(year - 1, today),
      this.targets(year),
    ]);
    const metrics = Object.fromEntries(
      OVERVIEW_METRICS.map((m) => [m, figure(value[m], previous[m], targets.targets[m])]),
    ) as Record<OverviewMetric, MetricFigure>;
    return { year, asOf: asOfDate(year, today), metrics };
  }

  async targets(
    year: number,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<TargetsView & { targets: Targets }> {
    const [row]: (Targets & { version: number; updatedAt: string })[] = await db.query(
      `SELECT ${TARGET_COLUMNS}, version, ${isoUtc('updated_at')} AS "updatedAt" FROM district_targets WHERE year = $1`,
      [year],
    );
    if (!row) return { year, targets: noTargets(), version: 0, updatedAt: null };
    const { version, updatedAt, ...targets } = row;
    return { year, targets: targets as Targets, version, updatedAt };
  }

  /** Sets the targets named in the body (null removes one); the others stay. Audited. */
  async putTargets(actor: Actor, year: number, dto: PutTargetsDto, ifMatch?: number): Promise<TargetsView> {
    const sent = OVERVIEW_METRICS.filter((m) => dto[m] !== undefined);
    if (sent.length === 0)
      throw Problem.field('body', `must name at least one of ${OVERVIEW_METRICS.join(', ')}`);
    return this.dataSource.transaction(async (m) => {
      // Serialises writers of one year, the first one included (the row may not exist yet).
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('district_targets'), $1)`, [year]);
      const before = await this.targets(year, m);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      const changes: Changes = {};
      for (const metric of sent)
        if (before.targets[metric] !== dto[metric]) changes[metric] = [before.targets[metric], dto[metric]];
      if (Object.keys(changes).length === 0) return before;
      const after = { ...before.targets, ...Object.fromEntries(sent.map((s) => [s, dto[s]])) } as Targets;
      const values = OVERVIEW_METRICS.map((metric) => after[metric]);
      const columns = OVERVIEW_METRICS.map(column);
      await m.query(
        `INSERT INTO district_targets (year, ${columns.join(', ')})
         VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (year) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
           version = district_targets.version + 1, updated_at = now()`,
        [year, ...values],
      );
      await this.audit.record(m, actor, {
        action: before.version === 0 ? 'create' : 'update',
        entity: 'targets',
        entityId: String(year),
        changes,
      });
      return this.targets(year, m);
    });
  }

  /** Every metric's count for one year (null for today's snapshots in another year). */
  private async figures(year: number, today: string): Promise<Record<OverviewMetric, number | null>> {
    const current = Number(today.slice(0, 4)) === year;
    const asOf = asOfDate(year, today);
    const select = OVERVIEW_METRICS.map((m) =>
      METRICS[m].currentOnly && !current ? `NULL::int AS "${m}"` : `(${METRICS[m].sql})::int AS "${m}"`,
    ).join(',\n');
    const [row]: Record<OverviewMetric, number | null>[] = await this.dataSource.query(
      `SELECT ${select}`,
      // $1 is the year, $2 APP_TIMEZONE, $3 the as-of date: see overview-metrics.ts.
      [year, this.config.APP_TIMEZONE, asOf],
    );
    return row;
  }
}
