import { UUID } from '../common/validators.js';
import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../auth/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { mutate } from '../database/sql.js';
import {
  ReadinessInputsService,
  type EnterpriseReadinessInputs,
} from '../enterprises/readiness-inputs.service.js';
import { enqueueWithin } from '../queue/enqueue.js';
import { QueueName, ReadinessJob } from '../queue/queue.constants.js';
import type { EvaluateReadinessDto } from './dto/evaluate.dto.js';
import {
  evaluateReadiness,
  validateReadinessInput,
  type ReadinessInput,
  type ReadinessResult,
  type Verdict,
} from './rules.js';

export interface AssessmentView {
  id: string;
  enterpriseId: string;
  program: 'hnte';
  ruleSet: string;
  assessmentDate: string;
  assessedAt: string;
  trigger: string;
  previousVerdict: string | null;
  verdict: Verdict;
  eligible: boolean;
  criteria: ReadinessResult['criteria'];
  score: ReadinessResult['score'];
  gaps: ReadinessResult['gaps'];
  /** Window years whose figures are self-reported: a "ready" that rests on them is not yet trustworthy. */
  unverifiedYears: number[];
  restsOnUnverifiedFigures: boolean;
  inputs: ReadinessInput;
}

// API.md: a verdict moves the cultivation status where no person has set it by hand.
const STATUS_FOR: Record<Verdict, 'tracking' | 'reserve'> = {
  not_ready: 'tracking',
  ready: 'reserve',
  borderline: 'reserve',
};
const AUTO_STATUSES = ['prospect', 'reserve', 'tracking'];

// A cursor's keys exactly as history() and runs() write them: a tampered one would otherwise
// reach PostgreSQL as a bad uuid or timestamp (2024-02-30 passes Date.parse), and come back as a 500.
const cursorInstant = (v: string) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

const hashOf = (result: ReadinessResult, unverifiedYears: number[]) =>
  createHash('sha1')
    .update(JSON.stringify([result, unverifiedYears]))
    .digest('hex');

/** The rules' input for one enterprise's stored data, as of `assessmentDate`. */
export function inputFor(data: EnterpriseReadinessInputs, assessmentDate: string): ReadinessInput {
  return {
    program: 'hnte',
    assessmentDate,
    registeredAt: data.registeredAt,
    techDomain: data.techDomain,
    noMajorIncident: data.noMajorIncident,
    years: data.years,
    ipAssets: data.ipAssets,
    innovation: data.innovation,
  };
}

/**
 * Readiness for HNTE certification: the stateless what-if, and the stored assessment of each
 * enterprise kept current by recompute jobs (after edits) and a nightly re-score (dates move
 * readiness too).
 */
@Injectable()
export class ReadinessService implements OnModuleInit {
  private readonly logger = new Logger(ReadinessService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Readiness) private readonly queue: Queue,
    private readonly inputs: ReadinessInputsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(async (event) => {
      const relevant =
        event.type === 'enterprise.readinessInputsChanged' ||
        (event.type === 'enterprise.updated' &&
          event.fields.some((f) => f === 'registeredAt' || f === 'techDomain'));
      if (relevant) await this.queueRecompute(event.enterpriseId, 'change');
    });
  }

  evaluate(dto: EvaluateReadinessDto): ReadinessResult {
    const input: ReadinessInput = {
      ...dto,
      assessmentDate: dto.assessmentDate ?? this.clock.today(),
      ipAssets: dto.ipAssets ?? [],
    } as ReadinessInput;
    // The rules write paths as years[0].x; the API names fields as years.0.x everywhere.
    const errors = validateReadinessInput(input).map((e) => ({
      ...e,
      field: e.field.replace(/\[(\d+)\]/g, '.$1'),
    }));
    if (errors.length > 0) throw Problem.validation(errors);
    return evaluateReadiness(input);
  }

  /**
   * Queues a re-score. A burst of edits to one enterprise is one job: while one is waiting,
   * BullMQ drops duplicates, and the short delay lets the burst finish first.
   */
  async queueRecompute(enterpriseId: string, trigger: string): Promise<void> {
    await this.queue.add(
      ReadinessJob.Recompute,
      { enterpriseId, trigger },
      {
        deduplication: { id: `recompute:${enterpriseId}` },
        delay: 250,
        removeOnComplete: true,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
      },
    );
  }

  async requestRecompute(enterpriseId: string): Promise<{ enterpriseId: string; status: 'queued' }> {
    await this.assertEnterprise(enterpriseId);
    await enqueueWithin(this.queueRecompute(enterpriseId, 'request'));
    return { enterpriseId, status: 'queued' };
  }

  /**
   * Scores these enterprises from their stored data and stores what changed, in one
   * transaction: a new assessment where the result moved, the verdict on the enterprise, the
   * status where readiness drives it, and audit entries for verdict and status changes.
   */
  async recompute(
    enterpriseIds: string[],
    trigger: string,
    assessmentDate = this.clock.today(),
  ): Promise<{ assessed: number; changed: number; verdictsChanged: number }> {
    const all = await this.inputs.loadMany(enterpriseIds);
    const latest = await this.latestHashes(enterpriseIds);
    const rows: Record<string, unknown>[] = [];
    const verdictChanges: {
      id: string;
      from: Verdict | null;
      to: Verdict;
      scoreMin: number;
      scoreMax: number;
    }[] = [];
    for (const [id, data] of all) {
      // Nothing entered yet: "not ready" would only say that nobody has looked, and would move
      // a fresh prospect to follow-up. It stays unassessed until figures, IP or a profile exist.
      if (data.years.length === 0 && data.ipAssets.length === 0 && data.innovation === null) continue;
      const input = inputFor(data, assessmentDate);
      let result: ReadinessResult;
      try {
        result = evaluateReadiness(input);
      } catch (err) {
        // Stored data is validated on the way in; if it still trips the rules, say so and go on.
        this.logger.error({ err, enterpriseId: id }, 'Stored readiness inputs were refused by the rules');
        continue;
      }
      const windowYears = new Set([0, 1, 2].map((i) => Number(assessmentDate.slice(0, 4)) - 3 + i));
      const unverifiedYears = data.unverifiedYears.filter((y) => windowYears.has(y));
      const hash = hashOf(result, unverifiedYears);
      const previous = latest.get(id);
      if (previous?.hash === hash) continue;
      rows.push({
        enterprise_id: id,
        program: 'hnte',
        rule_set: result.ruleSet,
        assessment_date: assessmentDate,
        verdict: result.verdict,
        eligible: result.eligible,
        score_min: result.score.min,
        score_max: result.score.max,
        result,
        inputs: input,
        unverified_years: unverifiedYears,
        result_hash: hash,
        previous_verdict: previous?.verdict ?? null,
        trigger,
      });
      if (
        previous?.verdict !== result.verdict ||
        previous.scoreMin !== result.score.min ||
        previous.scoreMax !== result.score.max
      ) {
        verdictChanges.push({
          id,
          from: previous?.verdict ?? null,
          to: result.verdict as Verdict,
          scoreMin: result.score.min,
          scoreMax: result.score.max,
        });
      }
    }
    if (rows.length > 0) {
      await this.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO readiness_assessments (enterprise_id, program, rule_set, assessment_date, verdict, eligible, score_min,
             score_max, result, inputs, unverified_years, result_hash, previous_verdict, trigger)
           SELECT enterprise_id, program, rule_set, assessment_date, verdict, eligible, score_min, score_max, result, inputs,
                  unverified_years, result_hash, previous_verdict, trigger
             FROM jsonb_to_recordset($1::jsonb) AS x(enterprise_id uuid, program text, rule_set text, assessment_date date,
                  verdict text, eligible boolean, score_min int, score_max int, result jsonb, inputs jsonb,
                  unverified_years int[], result_hash text, previous_verdict text, trigger text)`,
          [JSON.stringify(rows)],
        );
        if (verdictChanges.length > 0) await this.applyVerdicts(m, verdictChanges);
      });
      for (const c of verdictChanges)
        await this.events.publish({
          type: 'readiness.changed',
          enterpriseId: c.id,
          from: c.from,
          to: c.to,
          scoreMin: c.scoreMin,
          scoreMax: c.scoreMax,
        });
    }
    return {
      assessed: all.size,
      changed: rows.length,
      verdictsChanged: verdictChanges.filter((c) => c.from !== c.to).length,
    };
  }

  private async applyVerdicts(
    m: import('typeorm').EntityManager,
    changes: { id: string; from: Verdict | null; to: Verdict; scoreMin: number; scoreMax: number }[],
  ): Promise<void> {
    await m.query(
      `UPDATE enterprises e SET readiness_verdict = x.verdict, readiness_score_min = x.score_min, readiness_score_max = x.score_max
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, verdict text, score_min int, score_max int)
        WHERE e.id = x.id`,
      [
        JSON.stringify(
          changes.map((c) => ({ id: c.id, verdict: c.to, score_min: c.scoreMin, score_max: c.scoreMax })),
        ),
      ],
    );
    const moved = changes.filter((c) => c.from !== c.to);
    if (moved.length === 0) return;
    const { rows: statusRows } = await mutate<{ id: string; before: string; status: string }>(
      m,
      `UPDATE enterprises e SET status = x.status, updated_at = now(), version = e.version + 1
         FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS y(id uuid, status text)) x,
              LATERAL (SELECT status AS before FROM enterprises WHERE id = x.id) b
        WHERE e.id = x.id AND NOT e.status_manual AND e.deleted_at IS NULL AND e.status = ANY($2) AND e.status <> x.status
        RETURNING e.id, b.before, e.status`,
      [JSON.stringify(moved.map((c) => ({ id: c.id, status: STATUS_FOR[c.to] }))), AUTO_STATUSES],
    );
    for (const c of moved) {
      await this.audit.record(m, SYSTEM_ACTOR, {
        action: 'readiness',
        entity: 'enterprise',
        entityId: c.id,
        changes: { readinessVerdict: [c.from, c.to] },
      });
    }
    for (const s of statusRows) {
      await this.audit.record(m, SYSTEM_ACTOR, {
        action: 'update',
        entity: 'enterprise',
        entityId: s.id,
        changes: { status: [s.before, s.status] },
      });
    }
  }

  private async latestHashes(
    ids: string[],
  ): Promise<Map<string, { hash: string; verdict: Verdict; scoreMin: number; scoreMax: number }>> {
    const rows: {
      enterprise_id: string;
      result_hash: string;
      verdict: Verdict;
      score_min: number;
      score_max: number;
    }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (enterprise_id) enterprise_id, result_hash, verdict, score_min, score_max
         FROM readiness_assessments WHERE enterprise_id = ANY($1) AND program = 'hnte'
        ORDER BY enterprise_id, assessed_at DESC`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.enterprise_id,
        { hash: r.result_hash, verdict: r.verdict, scoreMin: r.score_min, scoreMax: r.score_max },
      ]),
    );
  }

  async latest(enterpriseId: string): Promise<AssessmentView> {
    await this.assertEnterprise(enterpriseId);
    const [row] = await this.dataSource.query(
      `${SELECT_ASSESSMENT} WHERE enterprise_id = $1 AND program = 'hnte' ORDER BY assessed_at DESC LIMIT 1`,
      [enterpriseId],
    );
    if (!row)
      throw new Problem(
        404,
        'not-assessed',
        `Enterprise ${enterpriseId} has no assessment yet; POST …/readiness/recompute to queue one.`,
      );
    return toView(row);
  }

  async history(enterpriseId: string, query: PageQuery): Promise<Page<Omit<AssessmentView, 'inputs'>>> {
    await this.assertEnterprise(enterpriseId);
    const params: unknown[] = [enterpriseId, query.limit + 1];
    let where = `enterprise_id = $1 AND program = 'hnte'`;
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'readiness', 2).map(String);
      if (!cursorInstant(at) || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      params.push(at, id);
      where += ` AND (assessed_at, id) < ($3, $4)`;
    }
    const rows = await this.dataSource.query(
      `${SELECT_ASSESSMENT} WHERE ${where} ORDER BY assessed_at DESC, id DESC LIMIT $2`,
      params,
    );
    const views = rows.map((r: AssessmentRow) => {
      const { inputs: _inputs, ...rest } = toView(r);
      return rest;
    });
    return toPage(views, query.limit, (v) => encodeCursor('readiness', [v.assessedAt, v.id]));
  }

  /** The nightly re-scores, newest first: when, how long, how many results and verdicts moved. */
  async runs(query: PageQuery): Promise<Page<ReadinessRunView>> {
    const params: unknown[] = [query.limit + 1];
    let where = '';
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'runs', 2).map(String);
      if (!cursorInstant(at) || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      params.push(at, id);
      where = 'WHERE (started_at, id) < ($2, $3)';
    }
    const rows: ReadinessRunView[] = await this.dataSource.query(
      `SELECT id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
              to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "finishedAt",
              (extract(epoch FROM finished_at - started_at) * 1000)::int AS "durationMs",
              enterprises, changed, verdicts_changed AS "verdictsChanged", ms_per10k AS "msPer10k", error
         FROM readiness_runs ${where} ORDER BY started_at DESC, id DESC LIMIT $1`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor('runs', [r.startedAt, r.id]));
  }

  /** The bureau's view of its pool: counts by verdict, and by verdict within street, tier and domain. */
  async summary(): Promise<ReadinessSummary> {
    const rows: {
      verdict: string;
      street: string | null;
      tier: string | null;
      domain: string | null;
      g: number;
      n: number;
    }[] = await this.dataSource.query(
      `SELECT coalesce(readiness_verdict, 'unassessed') AS verdict, street, tier, tech_domain AS domain,
                GROUPING(street, tier, tech_domain)::int AS g, count(*)::int AS n
           FROM enterprises WHERE deleted_at IS NULL
          GROUP BY GROUPING SETS ((readiness_verdict), (readiness_verdict, street), (readiness_verdict, tier),
                                  (readiness_verdict, tech_domain))`,
    );
    const summary: ReadinessSummary = {
      total: 0,
      byVerdict: emptyCounts(),
      byStreet: {},
      byTier: {},
      byTechDomain: {},
    };
    const bump = (into: Record<string, VerdictCounts>, key: string | null, verdict: string, n: number) => {
      const k = key ?? 'unknown';
      into[k] ??= emptyCounts();
      into[k][verdict as keyof VerdictCounts] += n;
    };
    for (const r of rows) {
      if (r.g === 7) {
        summary.byVerdict[r.verdict as keyof VerdictCounts] += r.n;
        summary.total += r.n;
      } else if (r.g === 3) bump(summary.byStreet, r.street, r.verdict, r.n);
      else if (r.g === 5) bump(summary.byTier, r.tier, r.verdict, r.n);
      else if (r.g === 6) bump(summary.byTechDomain, r.domain, r.verdict, r.n);
    }
    return summary;
  }

  private async assertEnterprise(id: string): Promise<void> {
    const rows = await this.dataSource.query(
      'SELECT 1 FROM enterprises WHERE id = $1 AND deleted_at IS NULL',
      [id],
    );
    if (rows.length === 0) throw Problem.notFound('enterprise', id);
  }
}

export interface ReadinessRunView {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  enterprises: number;
  changed: number;
  verdictsChanged: number;
  msPer10k: number[];
  error: string | null;
}

export interface VerdictCounts {
  ready: number;
  borderline: number;
  not_ready: number;
  unassessed: number;
}
const emptyCounts = (): VerdictCounts => ({ ready: 0, borderline: 0, not_ready: 0, unassessed: 0 });

export interface ReadinessSummary {
  total: number;
  byVerdict: VerdictCounts;
  byStreet: Record<string, VerdictCounts>;
  byTier: Record<string, VerdictCounts>;
  byTechDomain: Record<string, VerdictCounts>;
}

const SELECT_ASSESSMENT = `SELECT id, enterprise_id, program, rule_set, assessment_date, verdict, result, inputs, unverified_years,
  previous_verdict, trigger, to_char(assessed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS assessed_at
  FROM readiness_assessments`;

interface AssessmentRow {
  id: string;
  enterprise_id: string;
  rule_set: string;
  assessment_date: string;
  result: ReadinessResult;
  inputs: ReadinessInput;
  unverified_years: number[];
  previous_verdict: string | null;
  trigger: string;
  assessed_at: string;
}

const toView = (r: AssessmentRow): AssessmentView => ({
  id: r.id,
  enterpriseId: r.enterprise_id,
  program: 'hnte',
  ruleSet: r.rule_set,
  assessmentDate: r.assessment_date,
  assessedAt: r.assessed_at,
  trigger: r.trigger,
  previousVerdict: r.previous_verdict,
  verdict: r.result.verdict,
  eligible: r.result.eligible,
  criteria: r.result.criteria,
  score: r.result.score,
  gaps: r.result.gaps,
  unverifiedYears: r.unverified_years,
  restsOnUnverifiedFigures: r.unverified_years.length > 0,
  inputs: r.inputs,
});
