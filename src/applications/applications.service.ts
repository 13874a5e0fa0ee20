import { moveEnterpriseStatus } from '../enterprises/enterprise-status.js';
import { UUID } from '../common/validators.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor.js';
import { AuditService, type Changes } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc, mutate } from '../database/sql.js';
import { assertLiveEnterprise, lockEnterpriseForChildWrite } from '../enterprises/enterprise-access.js';
import type {
  ApplicationDetailView,
  ApplicationQuery,
  ApplicationView,
  BoardView,
  CreateApplicationDto,
  FunnelCountsView,
  FunnelView,
  HistoryEntryView,
  TransitionDto,
} from './dto/application.dto.js';
import {
  batchFits,
  certificateValidUntil,
  checkTransition,
  firstStage,
  openStagesOf,
  PRE_SUBMISSION_STAGES,
  registrationValidUntil,
  stagesOf,
  type ApplicationProgram,
  type ApplicationStage,
} from './stages.js';

const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Class II IP (DOMAIN.md): one HNTE certification uses it up. */
const CLASS_II_KINDS = ['utility_model', 'design_patent', 'software_copyright'];

/**
 * Overdue: still before submission while its batch's submission deadline has passed. Computed
 * from today's date in APP_TIMEZONE (passed in as `today`), never stored, so it is filterable
 * and never stale.
 */
const overdueSql = (today: string) =>
  `coalesce(a.stage IN (${sqlList(PRE_SUBMISSION_STAGES)}) AND b.submission_deadline < ${today}::date, false)`;

const FROM = `FROM applications a
  JOIN enterprises e ON e.id = a.enterprise_id AND e.deleted_at IS NULL
  LEFT JOIN batches b ON b.id = a.batch_id
  LEFT JOIN LATERAL (
    SELECT at FROM application_transitions WHERE application_id = a.id ORDER BY id DESC LIMIT 1
  ) t ON true`;

const columns = (today: string) => `a.id, a.enterprise_id AS "enterpriseId", a.program, a.year,
  a.batch_id AS "batchId", a.stage, ${isoUtc('t.at')} AS "enteredStageAt", ${overdueSql(today)} AS overdue,
  a.certificate_no AS "certificateNo", a.issued_at AS "issuedAt", a.valid_until AS "validUntil",
  a.registration_no AS "registrationNo", a.closed_reason AS "closedReason", a.version,
  ${isoUtc('a.created_at')} AS "createdAt", ${isoUtc('a.updated_at')} AS "updatedAt"`;

const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');
function cursorInstant(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value)
    throw notIssued();
  return value;
}
function cursorId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notIssued();
  return value;
}

const FUNNEL_LEVELS = ['tracking', 'reserve', 'applying', 'certified'] as const;
const zeroCounts = (): FunnelCountsView => ({ tracking: 0, reserve: 0, applying: 0, certified: 0 });

interface LockedApplication {
  id: string;
  enterprise_id: string;
  program: ApplicationProgram;
  year: number;
  stage: ApplicationStage;
  version: number;
}

/** Certification pipelines: applications, their stage machine, certificates and their expiry. */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async list(query: ApplicationQuery, enterpriseId?: string): Promise<Page<ApplicationView>> {
    if (enterpriseId) await assertLiveEnterprise(this.dataSource, enterpriseId);
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const today = param(this.clock.today());
    const where: string[] = [];
    const scope = enterpriseId ?? query.enterpriseId;
    if (scope) where.push(`a.enterprise_id = ${param(scope)}`);
    if (query.program) where.push(`a.program = ${param(query.program)}`);
    if (query.year !== undefined) where.push(`a.year = ${param(query.year)}`);
    if (query.stage) where.push(`a.stage = ${param(query.stage)}`);
    if (query.batchId) where.push(`a.batch_id = ${param(query.batchId)}`);
    if (query.overdue !== undefined)
      where.push(query.overdue ? overdueSql(today) : `NOT ${overdueSql(today)}`);
    // updatedSince syncs by update time; otherwise the order applications were created in.
    const sort = query.updatedSince ? 'updated' : 'created';
    const key = sort === 'updated' ? 'a.updated_at' : 'a.created_at';
    if (query.updatedSince) where.push(`a.updated_at >= ${param(query.updatedSince)}`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, `applications:${sort}`, 2);
      where.push(`(${key}, a.id) > (${param(cursorInstant(at))}::timestamptz, ${param(cursorId(id))}::uuid)`);
    }
    const rows: ApplicationView[] = await this.dataSource.query(
      `SELECT ${columns(today)} ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${key}, a.id LIMIT ${param(query.limit + 1)}`,
      params,
    );
    return toPage(rows, query.limit, (row) =>
      encodeCursor(`applications:${sort}`, [sort === 'updated' ? row.updatedAt : row.createdAt, row.id]),
    );
  }

  async get(id: string, db: DataSource | EntityManager = this.dataSource): Promise<ApplicationDetailView> {
    const [row]: ApplicationView[] = await db.query(`SELECT ${columns('$2')} ${FROM} WHERE a.id = $1`, [
      id,
      this.clock.today(),
    ]);
    if (!row) throw Problem.notFound('application', id);
    const history: {
      from: ApplicationStage | null;
      to: ApplicationStage;
      at: string;
      type: string;
      actorId: string | null;
      note: string | null;
    }[] = await db.query(
      `SELECT from_stage AS "from", to_stage AS "to", ${isoUtc('at')} AS at, actor_type AS type,
                actor_id AS "actorId", note
           FROM application_transitions WHERE application_id = $1 ORDER BY id`,
      [id],
    );
    return {
      ...row,
      history: history.map((h): HistoryEntryView => ({
        from: h.from,
        to: h.to,
        at: h.at,
        by: { type: h.type as HistoryEntryView['by']['type'], id: h.actorId },
        note: h.note,
      })),
    };
  }

  async create(
    actor: Actor,
    enterpriseId: string,
    dto: CreateApplicationDto,
  ): Promise<ApplicationDetailView> {
    const stage = dto.stage ?? firstStage(dto.program);
    const open = openStagesOf(dto.program);
    if (!open.includes(stage)) {
      throw Problem.field('stage', `must be an open stage of ${dto.program}: ${open.join(', ')}`);
    }
    const batchId = dto.batchId ?? null;
    const at = this.clock.now();
    const id = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      if (batchId) await this.assertBatchFits(m, batchId, dto.program, dto.year);
      let inserted: { id: string }[];
      try {
        // A savepoint, so the duplicate's lookup below runs in a usable transaction.
        inserted = await m.transaction((inner) =>
          inner.query(
            `INSERT INTO applications (enterprise_id, program, year, batch_id, stage, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
            [enterpriseId, dto.program, dto.year, batchId, stage, at],
          ),
        );
      } catch (err) {
        if (
          err instanceof QueryFailedError &&
          (err.driverError as { constraint?: string }).constraint === 'applications_open_key'
        ) {
          const [existing]: { id: string; stage: string }[] = await m.query(
            `SELECT id, stage FROM applications WHERE enterprise_id = $1 AND program = $2
               AND stage NOT IN ('certified', 'registered', 'rejected', 'withdrawn')`,
            [enterpriseId, dto.program],
          );
          throw Problem.conflict(
            `This enterprise already has an open ${dto.program} application; close it (withdraw) before opening another.`,
            { existingId: existing?.id ?? null },
          );
        }
        throw err;
      }
      const newId = inserted[0].id;
      await this.recordTransition(m, actor, newId, null, stage, at, null);
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'application',
        entityId: newId,
        changes: {
          enterpriseId: [null, enterpriseId],
          program: [null, dto.program],
          year: [null, dto.year],
          batchId: [null, batchId],
          stage: [null, stage],
        },
      });
      return newId;
    });
    await this.events.publish({
      type: 'application.transitioned',
      applicationId: id,
      enterpriseId,
      from: null,
      to: stage,
    });
    return this.get(id);
  }

  async transition(
    actor: Actor,
    id: string,
    dto: TransitionDto,
    ifMatch?: number,
  ): Promise<ApplicationDetailView> {
    const events = await this.dataSource.transaction((m) =>
      this.transitionWithin(m, actor, id, dto, ifMatch),
    );
    for (const event of events) await this.events.publish(event);
    return this.get(id);
  }

  /**
   * One move through the stage machine inside the caller's transaction (a reconciliation moves
   * many in one). Returns the events to publish once that transaction has committed.
   */
  async transitionWithin(
    m: EntityManager,
    actor: Actor,
    id: string,
    dto: TransitionDto,
    ifMatch?: number,
  ): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    // Moves that change the enterprise take its row lock first: taking the shared lock and
    // upgrading later would deadlock two such moves on one enterprise.
    if (dto.to === 'certified' || dto.to === 'submitted') {
      await m.query(
        'SELECT 1 FROM enterprises e JOIN applications a ON a.enterprise_id = e.id WHERE a.id = $1 FOR UPDATE OF e',
        [id],
      );
    }
    const app = await this.lockForWrite(m, actor, id, ifMatch);
    const check = checkTransition(app.program, app.stage, dto.to, dto);
    if (!check.ok) {
      if (check.error === 'invalid_fields') throw Problem.validation(check.fields);
      throw new Problem(
        409,
        'illegal-transition',
        `A ${app.program} application cannot move from ${app.stage} to ${dto.to}.`,
        { from: app.stage, to: dto.to, allowed: check.allowed },
      );
    }
    const now = this.clock.now();
    const at = dto.at ? new Date(dto.at) : now;
    if (at.getTime() > now.getTime()) throw Problem.field('at', 'must not be in the future');
    const [last]: { at: Date }[] = await m.query(
      'SELECT at FROM application_transitions WHERE application_id = $1 ORDER BY id DESC LIMIT 1',
      [id],
    );
    if (last && at.getTime() < new Date(last.at).getTime()) {
      throw Problem.field('at', `must not be before the previous move (${new Date(last.at).toISOString()})`);
    }

    const changes: Changes = { stage: [app.stage, dto.to] };
    let validUntil: string | null = null;
    if (dto.to === 'certified') {
      validUntil = certificateValidUntil(dto.issuedAt!);
      Object.assign(changes, {
        certificateNo: [null, dto.certificateNo],
        issuedAt: [null, dto.issuedAt],
        validUntil: [null, validUntil],
      });
    } else if (dto.to === 'registered') {
      validUntil = registrationValidUntil(app.year);
      Object.assign(changes, {
        registrationNo: [null, dto.registrationNo],
        validUntil: [null, validUntil],
      });
    }
    const closing = dto.to === 'rejected' || dto.to === 'withdrawn';
    if (closing) changes.closedReason = [null, dto.note];
    await mutate(
      m,
      `UPDATE applications SET stage = $2,
          certificate_no = coalesce($3, certificate_no), issued_at = coalesce($4::date, issued_at),
          registration_no = coalesce($5, registration_no), valid_until = coalesce($6::date, valid_until),
          closed_reason = CASE WHEN $7 THEN $8 ELSE closed_reason END,
          version = version + 1, updated_at = $9
        WHERE id = $1`,
      [
        id,
        dto.to,
        dto.to === 'certified' ? dto.certificateNo : null,
        dto.to === 'certified' ? dto.issuedAt : null,
        dto.to === 'registered' ? dto.registrationNo : null,
        validUntil,
        closing,
        closing ? (dto.note ?? null) : null,
        now,
      ],
    );
    await this.recordTransition(m, actor, id, app.stage, dto.to, at, dto.note ?? null);
    await this.audit.record(m, actor, {
      action: 'transition',
      entity: 'application',
      entityId: id,
      changes,
    });
    events.push({
      type: 'application.transitioned',
      applicationId: id,
      enterpriseId: app.enterprise_id,
      from: app.stage,
      to: dto.to,
    });
    if (dto.to === 'certified' || dto.to === 'registered') {
      events.push({
        type: 'application.certified',
        applicationId: id,
        enterpriseId: app.enterprise_id,
        certificateNo: (dto.to === 'certified' ? dto.certificateNo : dto.registrationNo)!,
        validUntil: validUntil!,
      });
    }
    if (dto.to === 'certified')
      events.push(...(await this.certify(m, actor, app.enterprise_id, dto.issuedAt!)));
    if (dto.to === 'submitted' && app.program !== 'tech_sme')
      events.push(
        ...(await moveEnterpriseStatus(
          m,
          this.audit,
          actor,
          app.enterprise_id,
          'applying',
          ['prospect', 'reserve', 'tracking', 'lapsed'],
          { overrideManual: true },
        )),
      );
    return events;
  }

  /**
   * A certificate was issued: the enterprise is certified, and the Class II IP valid on the
   * issue day is used up (DOMAIN.md: one HNTE application per Class II item).
   */
  private async certify(
    m: EntityManager,
    actor: Actor,
    enterpriseId: string,
    issuedAt: string,
  ): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    const [enterprise]: { status: string }[] = await m.query(
      'SELECT status FROM enterprises WHERE id = $1 FOR UPDATE',
      [enterpriseId],
    );
    if (enterprise.status !== 'certified') {
      await mutate(
        m,
        `UPDATE enterprises SET status = 'certified', version = version + 1, updated_at = now() WHERE id = $1`,
        [enterpriseId],
      );
      await this.audit.record(m, actor, {
        action: 'update',
        entity: 'enterprise',
        entityId: enterpriseId,
        changes: { status: [enterprise.status, 'certified'] },
      });
      events.push({ type: 'enterprise.updated', enterpriseId, fields: ['status'] });
    }
    const { rows } = await mutate<{ id: string }>(
      m,
      `UPDATE ip_assets SET used_in_certification = true, version = version + 1, updated_at = now()
        WHERE enterprise_id = $1 AND kind IN (${sqlList(CLASS_II_KINDS)}) AND NOT used_in_certification
          AND granted_at <= $2::date AND (expires_at IS NULL OR expires_at >= $2::date)
        RETURNING id`,
      [enterpriseId, issuedAt],
    );
    for (const { id } of rows) {
      await this.audit.record(m, actor, {
        action: 'update',
        entity: 'ipAsset',
        entityId: id,
        changes: { usedInCertification: [false, true] },
      });
    }
    if (rows.length > 0) events.push({ type: 'enterprise.readinessInputsChanged', enterpriseId });
    return events;
  }

  /**
   * Daily: enterprises whose latest certificate ended before today (APP_TIMEZONE) go from
   * certified to lapsed, audited as the system. Returns the ids moved.
   */
  async lapseExpired(today = this.clock.today()): Promise<string[]> {
    const ids = await this.dataSource.transaction(async (m) => {
      const { rows } = await mutate<{ id: string }>(
        m,
        `UPDATE enterprises e SET status = 'lapsed', version = e.version + 1, updated_at = now()
           FROM (SELECT DISTINCT ON (enterprise_id) enterprise_id, valid_until FROM applications
                  WHERE stage = 'certified' AND valid_until IS NOT NULL
                  ORDER BY enterprise_id, issued_at DESC, valid_until DESC) latest
          WHERE latest.enterprise_id = e.id AND e.status = 'certified' AND e.deleted_at IS NULL
            AND latest.valid_until < $1::date
          RETURNING e.id`,
        [today],
      );
      for (const { id } of rows) {
        await this.audit.record(m, SYSTEM_ACTOR, {
          action: 'update',
          entity: 'enterprise',
          entityId: id,
          changes: { status: ['certified', 'lapsed'] },
        });
      }
      return rows.map((r) => r.id);
    });
    for (const enterpriseId of ids)
      await this.events.publish({ type: 'enterprise.updated', enterpriseId, fields: ['status'] });
    return ids;
  }

  async board(program: ApplicationProgram, year: number): Promise<BoardView> {
    const rows: {
      id: string;
      enterpriseId: string;
      enterpriseName: string;
      stage: ApplicationStage;
      overdue: boolean;
      enteredStageAt: string;
    }[] = await this.dataSource.query(
      `SELECT a.id, a.enterprise_id AS "enterpriseId", e.name AS "enterpriseName", a.stage,
                ${overdueSql('$3')} AS overdue, ${isoUtc('t.at')} AS "enteredStageAt"
           ${FROM}
          WHERE a.program = $1 AND a.year = $2
          ORDER BY t.at, a.id`,
      [program, year, this.clock.today()],
    );
    return {
      program,
      year,
      stages: stagesOf(program).map((stage) => {
        const applications = rows
          .filter((r) => r.stage === stage)
          .map(({ id, enterpriseId, enterpriseName, overdue, enteredStageAt }) => ({
            id,
            enterpriseId,
            enterpriseName,
            overdue,
            enteredStageAt,
          }));
        return { stage, count: applications.length, applications };
      }),
    };
  }

  /**
   * The cultivation funnel of one calendar year (APP_TIMEZONE). An enterprise *reached* a level
   * in the year when, within it:
   * - tracking / reserve: the audit log shows its status set to that value (create or update);
   * - applying: its status was set to `applying`, or an HNTE / re-certification application
   *   of it entered `submitted` or a later review stage;
   * - certified: its status was set to `certified`, or an HNTE application entered `certified`.
   * Levels are cumulative (a ladder): an enterprise counts at the highest level it reached and
   * at every level below it. Groups use the enterprise's current street and officer.
   */
  async funnel(year: number): Promise<FunnelView> {
    const rows: { street: string; officer: string; rank: number }[] = await this.dataSource.query(
      `WITH bounds AS (
         SELECT make_date($1, 1, 1)::timestamp AT TIME ZONE $2 AS start,
                make_date($1 + 1, 1, 1)::timestamp AT TIME ZONE $2 AS stop
       ), reached AS (
         SELECT x.entity_id AS enterprise_id, x.changes->'status'->>1 AS level
           FROM audit_entries x, bounds
          WHERE x.entity = 'enterprise' AND x.changes ? 'status' AND x.at >= bounds.start AND x.at < bounds.stop
         UNION ALL
         SELECT a.enterprise_id::text,
                CASE WHEN t.to_stage = 'certified' THEN 'certified' ELSE 'applying' END
           FROM application_transitions t JOIN applications a ON a.id = t.application_id, bounds
          WHERE a.program IN ('hnte', 'hnte_recert')
            AND t.to_stage IN ('submitted', 'expert_review', 'publicized', 'certified')
            AND t.at >= bounds.start AND t.at < bounds.stop
       ), best AS (
         SELECT enterprise_id, max(CASE level WHEN 'tracking' THEN 1 WHEN 'reserve' THEN 2
                                              WHEN 'applying' THEN 3 WHEN 'certified' THEN 4 END) AS rank
           FROM reached GROUP BY enterprise_id
       )
       SELECT coalesce(e.street, 'unknown') AS street, coalesce(e.officer_id::text, 'unassigned') AS officer,
              best.rank::int AS rank
         FROM best JOIN enterprises e ON e.id::text = best.enterprise_id AND e.deleted_at IS NULL
        WHERE best.rank IS NOT NULL`,
      [year, this.config.APP_TIMEZONE],
    );
    const totals = zeroCounts();
    const byStreet: Record<string, FunnelCountsView> = {};
    const byOfficer: Record<string, FunnelCountsView> = {};
    for (const row of rows) {
      for (const counts of [
        totals,
        (byStreet[row.street] ??= zeroCounts()),
        (byOfficer[row.officer] ??= zeroCounts()),
      ]) {
        FUNNEL_LEVELS.forEach((level, i) => {
          if (row.rank >= i + 1) counts[level]++;
        });
      }
    }
    return { year, totals, byStreet, byOfficer };
  }

  private async recordTransition(
    m: EntityManager,
    actor: Actor,
    applicationId: string,
    from: ApplicationStage | null,
    to: ApplicationStage,
    at: Date,
    note: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO application_transitions (application_id, from_stage, to_stage, at, actor_type, actor_id, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [applicationId, from, to, at, actor.type, actor.id, note],
    );
  }

  private async assertBatchFits(
    m: EntityManager,
    batchId: string,
    program: ApplicationProgram,
    year: number,
  ) {
    const [batch]: { program: ApplicationProgram; year: number }[] = await m.query(
      'SELECT program, year FROM batches WHERE id = $1',
      [batchId],
    );
    if (!batch) throw Problem.field('batchId', 'no such batch');
    if (!batchFits(program, batch.program)) throw Problem.field('batchId', `is a ${batch.program} batch`);
    if (batch.year !== year) throw Problem.field('batchId', `is a batch of ${batch.year}, not ${year}`);
  }

  /** Enterprise first (officer rule, share lock), then the application row: 404, 403, 412. */
  private async lockForWrite(
    m: EntityManager,
    actor: Actor,
    id: string,
    ifMatch?: number,
  ): Promise<LockedApplication> {
    const owner: { enterprise_id: string }[] = await m.query(
      `SELECT a.enterprise_id FROM applications a JOIN enterprises e ON e.id = a.enterprise_id
        WHERE a.id = $1 AND e.deleted_at IS NULL`,
      [id],
    );
    if (owner.length === 0) throw Problem.notFound('application', id);
    await lockEnterpriseForChildWrite(m, actor, owner[0].enterprise_id);
    const [app]: LockedApplication[] = await m.query(
      'SELECT id, enterprise_id, program, year, stage, version FROM applications WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!app) throw Problem.notFound('application', id);
    if (ifMatch !== undefined && ifMatch !== app.version) throw Problem.stale(app.version);
    return app;
  }
}
