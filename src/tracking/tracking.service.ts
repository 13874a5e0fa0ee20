import { moveEnterpriseStatus } from '../enterprises/enterprise-status.js';
import { UUID } from '../common/validators.js';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor.js';
import { AuditService, diff, type Changes } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { isCalendarDate } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc, mutate } from '../database/sql.js';
import { lockChildForWrite, lockEnterpriseForChildWrite } from '../enterprises/enterprise-access.js';
import { assertAssignableOfficer } from '../users/assignable-officer.js';
import type {
  CreateTrackingDto,
  CreateTrackingLogDto,
  TrackingDetailView,
  TrackingLogView,
  TrackingQuery,
  TrackingSuggestionView,
  TrackingView,
  UpdateTrackingDto,
} from './dto/tracking.dto.js';
import { TrackingLog } from './tracking-log.entity.js';
import { Tracking } from './tracking.entity.js';
import { dueRange, watchDate } from './tracking.rules.js';

const AUDITED: (keyof Tracking)[] = [
  'officerId',
  'reasons',
  'criteria',
  'cadenceDays',
  'nextFollowUpAt',
  'notifyEnterprise',
  'status',
  'closedReason',
];
const EDITABLE = ['reasons', 'criteria', 'officerId', 'cadenceDays', 'notifyEnterprise'] as const;

const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');
// Exactly as isoUtc writes it: Date.parse alone takes 2024-02-30 (rolled over) and +275760-09-13, which PostgreSQL refuses.
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

/** A tracking with its enterprise's name and street, timestamps formatted by PostgreSQL. */
const VIEW_SQL = `
  SELECT t.id, t.enterprise_id AS "enterpriseId", e.name AS "enterpriseName", e.street,
         t.officer_id AS "officerId", t.reasons, t.criteria, t.cadence_days AS "cadenceDays",
         ${isoUtc('t.next_follow_up_at')} AS "nextFollowUpAt", t.notify_enterprise AS "notifyEnterprise",
         t.status, t.closed_reason AS "closedReason", t.version,
         ${isoUtc('t.created_at')} AS "createdAt", ${isoUtc('t.updated_at')} AS "updatedAt",
         ${isoUtc('t.updated_at')} AS "sortUpdatedAt"
    FROM trackings t
    -- A deleted enterprise's trackings are not visible, like the enterprise itself.
    JOIN enterprises e ON e.id = t.enterprise_id AND e.deleted_at IS NULL`;

type Row = TrackingView & { sortUpdatedAt: string };
const toView = ({ sortUpdatedAt: _, ...view }: Row): TrackingView => view;

const toLogView = (l: TrackingLog): TrackingLogView => ({
  id: l.id,
  trackingId: l.trackingId,
  at: l.at.toISOString(),
  channel: l.channel,
  summary: l.summary,
  outcome: l.outcome,
  nextFollowUpAt: l.nextFollowUpAt ? l.nextFollowUpAt.toISOString() : null,
  actor: { type: l.actorType, id: l.actorId },
  createdAt: l.createdAt.toISOString(),
});

/** Follow-up registrations (挂号跟踪) and their contact logs. */
@Injectable()
export class TrackingService implements OnModuleInit {
  private readonly logger = new Logger(TrackingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(async (event) => {
      if (event.type === 'application.certified') await this.closeOnCertification(event.enterpriseId);
    });
  }

  async list(query: TrackingQuery): Promise<Page<TrackingView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.officerId) where.push(`t.officer_id = ${param(query.officerId)}`);
    if (query.enterpriseId) where.push(`t.enterprise_id = ${param(query.enterpriseId)}`);
    if (query.status) where.push(`t.status = ${param(query.status)}`);
    if (query.street) where.push(`e.street = ${param(query.street)}`);
    if (query.due) {
      // Days in APP_TIMEZONE: a day starts at local midnight, whatever the process zone.
      const { from, to } = dueRange(query.due, this.clock.today());
      const tz = param(this.config.APP_TIMEZONE);
      where.push(`t.status = 'open'`);
      where.push(`t.next_follow_up_at < (${param(to)}::date::timestamp AT TIME ZONE ${tz})`);
      if (from) where.push(`t.next_follow_up_at >= (${param(from)}::date::timestamp AT TIME ZONE ${tz})`);
    }
    const byUpdate = query.updatedSince !== undefined;
    if (query.updatedSince) where.push(`t.updated_at >= ${param(query.updatedSince)}::timestamptz`);
    const sort = byUpdate ? 'tracking-updated' : 'tracking';
    const column = byUpdate ? 't.updated_at' : 't.next_follow_up_at';
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, sort, 2);
      if (!isIso(at) || typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      where.push(`(${column}, t.id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
    const rows: Row[] = await this.dataSource.query(
      `${VIEW_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${column}, t.id LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = toPage(rows, query.limit, (r) =>
      encodeCursor(sort, [byUpdate ? r.sortUpdatedAt : r.nextFollowUpAt, r.id]),
    );
    return { data: page.data.map(toView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<TrackingDetailView> {
    const view = await this.view(this.dataSource.manager, id);
    const logs = await this.dataSource.manager.find(TrackingLog, {
      where: { trackingId: id },
      order: { at: 'DESC', id: 'DESC' },
    });
    return { ...view, logs: logs.map(toLogView) };
  }

  /** Live enterprises readiness finds not ready that nobody follows up yet, with what they fail. */
  async suggestions(query: PageQuery): Promise<Page<TrackingSuggestionView>> {
    const params: unknown[] = [query.limit + 1];
    let after = '';
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, 'tracking-suggestions', 1);
      if (typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      params.push(id);
      after = 'AND e.id > $2';
    }
    const rows: TrackingSuggestionView[] = await this.dataSource.query(
      `SELECT e.id AS "enterpriseId", e.name AS "enterpriseName", e.street, e.officer_id AS "officerId",
              COALESCE(a.failing, '{}') AS "failingCriteria",
              ${isoUtc('a.assessed_at')} AS "assessedAt"
         FROM enterprises e
         LEFT JOIN LATERAL (
           SELECT ra.assessed_at,
                  ARRAY(SELECT c->>'code' FROM jsonb_array_elements(ra.result->'criteria') c
                         WHERE NOT COALESCE((c->>'passed')::boolean, false)) AS failing
             FROM readiness_assessments ra
            WHERE ra.enterprise_id = e.id AND ra.program = 'hnte'
            ORDER BY ra.assessed_at DESC LIMIT 1) a ON true
        WHERE e.deleted_at IS NULL AND e.readiness_verdict = 'not_ready'
          AND NOT EXISTS (SELECT 1 FROM trackings t WHERE t.enterprise_id = e.id AND t.status = 'open')
          ${after}
        ORDER BY e.id LIMIT $1`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor('tracking-suggestions', [r.enterpriseId]));
  }

  async create(actor: Actor, enterpriseId: string, dto: CreateTrackingDto): Promise<TrackingView> {
    const view = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const [enterprise]: { officer_id: string | null; registered_at: string | null }[] = await m.query(
        'SELECT officer_id, registered_at::text AS registered_at FROM enterprises WHERE id = $1',
        [enterpriseId],
      );
      const officerId =
        dto.officerId ?? enterprise.officer_id ?? (actor.type === 'user' && actor.id ? actor.id : undefined);
      if (officerId === undefined)
        throw Problem.field(
          'officerId',
          'is required: the enterprise has no officer and an API key is calling',
        );
      await assertAssignableOfficer(m, officerId);

      let next: Date;
      if (dto.watch) {
        const day = watchDate(dto.watch, enterprise.registered_at, this.clock.today());
        if (day === null)
          throw Problem.field('watch', 'needs the enterprise’s registeredAt, which is not set');
        next = await this.instantOf(m, day);
      } else {
        next = await this.instantOf(m, dto.nextFollowUpAt!);
      }

      const tracking = await this.insertUnique(
        m,
        m.create(Tracking, {
          enterpriseId,
          officerId,
          reasons: dto.reasons,
          criteria: [...new Set(dto.criteria ?? [])],
          cadenceDays: dto.cadenceDays ?? null,
          nextFollowUpAt: next,
          notifyEnterprise: dto.notifyEnterprise ?? true,
          status: 'open',
          closedReason: null,
        }),
      );
      const changes: Changes = { ...diff(null, tracking, AUDITED), enterpriseId: [null, enterpriseId] };
      // Where a derived date came from, so a reader of the trail sees why it is that day.
      if (dto.watch) changes.watch = [null, dto.watch];
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'tracking',
        entityId: tracking.id,
        changes,
      });
      return this.view(m, tracking.id);
    });
    await this.changed(view);
    return view;
  }

  async update(actor: Actor, id: string, dto: UpdateTrackingDto, ifMatch?: number): Promise<TrackingView> {
    const events: DomainEvent[] = [];
    const view = await this.dataSource.transaction(async (m) => {
      const before = await lockChildForWrite(
        m,
        actor,
        { entity: Tracking, table: 'trackings', what: 'tracking' },
        id,
        ifMatch,
      );
      const sent = Object.entries(dto).some(([, v]) => v !== undefined);
      if (before.status !== 'open' && sent) {
        throw Problem.conflict(`A ${before.status} tracking is final: it cannot be changed or reopened.`, {
          current: before.status,
        });
      }
      if (dto.reason !== undefined && dto.status !== 'closed' && dto.status !== 'promoted')
        throw Problem.field('reason', 'is only taken with status closed or promoted');

      const patch: Partial<Tracking> = {};
      for (const field of EDITABLE) {
        if (dto[field] !== undefined) (patch as Record<string, unknown>)[field] = dto[field];
      }
      if (patch.criteria) patch.criteria = [...new Set(patch.criteria)];
      if (dto.nextFollowUpAt !== undefined)
        patch.nextFollowUpAt = await this.instantOf(m, dto.nextFollowUpAt);
      if (dto.status === 'closed' || dto.status === 'promoted') {
        patch.status = dto.status;
        patch.closedReason = dto.reason!;
      }
      const after = { ...before, ...patch };
      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return this.view(m, id);
      if (changes.officerId) await assertAssignableOfficer(m, after.officerId);

      await m.update(
        Tracking,
        { id },
        Object.fromEntries(Object.keys(changes).map((k) => [k, patch[k as keyof Tracking]])),
      );
      await this.audit.record(m, actor, {
        action: changes.status ? 'transition' : 'update',
        entity: 'tracking',
        entityId: id,
        changes,
      });
      if (patch.status === 'promoted')
        events.push(
          ...(await moveEnterpriseStatus(m, this.audit, actor, before.enterpriseId, 'reserve', [
            'prospect',
            'tracking',
            'lapsed',
          ])),
        );
      return this.view(m, id);
    });
    for (const event of events) await this.events.publish(event);
    await this.changed(view);
    return view;
  }

  async addLog(actor: Actor, id: string, dto: CreateTrackingLogDto): Promise<TrackingLogView> {
    const { log, tracking } = await this.dataSource.transaction(async (m) => {
      const before = await lockChildForWrite(
        m,
        actor,
        { entity: Tracking, table: 'trackings', what: 'tracking' },
        id,
      );
      if (before.status !== 'open')
        throw Problem.conflict(`A ${before.status} tracking takes no more logs.`, { current: before.status });
      const at = dto.at ? new Date(dto.at) : this.clock.now();
      let next: Date;
      if (dto.nextFollowUpAt !== undefined) next = await this.instantOf(m, dto.nextFollowUpAt);
      else if (before.cadenceDays !== null) next = await this.plusDays(m, at, before.cadenceDays);
      else throw Problem.field('nextFollowUpAt', 'is required: this tracking has no cadenceDays');

      const saved = await m.save(
        m.create(TrackingLog, {
          trackingId: id,
          at,
          channel: dto.channel,
          summary: dto.summary,
          outcome: dto.outcome ?? null,
          nextFollowUpAt: next,
          actorType: actor.type,
          actorId: actor.id,
        }),
      );
      // A log is a write to the tracking: its version and updated_at move even when the date stays.
      await m.update(Tracking, { id }, { nextFollowUpAt: next });
      await this.audit.record(m, actor, {
        action: 'log',
        entity: 'tracking',
        entityId: id,
        changes: {
          nextFollowUpAt: [before.nextFollowUpAt, next],
          log: [
            null,
            { id: saved.id, at, channel: saved.channel, summary: saved.summary, outcome: saved.outcome },
          ],
        },
      });
      return { log: saved, tracking: before };
    });
    await this.changed(tracking);
    return toLogView(log);
  }

  /** Certified: the follow-up has done its work, so the open one is closed by the system. */
  async closeOnCertification(enterpriseId: string): Promise<void> {
    const closed = await this.dataSource.transaction(async (m) => {
      const { rows } = await mutate<{ id: string }>(
        m,
        `UPDATE trackings SET status = 'closed', closed_reason = 'certified', version = version + 1, updated_at = now()
          WHERE enterprise_id = $1 AND status = 'open'
          RETURNING id`,
        [enterpriseId],
      );
      for (const { id } of rows) {
        await this.audit.record(m, SYSTEM_ACTOR, {
          action: 'transition',
          entity: 'tracking',
          entityId: id,
          changes: { status: ['open', 'closed'], closedReason: [null, 'certified'] },
        });
      }
      return rows;
    });
    for (const { id } of closed) await this.changed({ id, enterpriseId });
    if (closed.length > 0)
      this.logger.log({ enterpriseId }, 'Closed the follow-up of a certified enterprise');
  }

  private async view(m: EntityManager, id: string): Promise<TrackingView> {
    const [row]: Row[] = await m.query(`${VIEW_SQL} WHERE t.id = $1`, [id]);
    if (!row) throw Problem.notFound('tracking', id);
    return toView(row);
  }

  /** An instant as given, or a calendar date as the start of that day in APP_TIMEZONE. */
  private async instantOf(m: EntityManager, value: string): Promise<Date> {
    if (!isCalendarDate(value)) return new Date(value);
    const [row]: { at: Date }[] = await m.query(`SELECT ($1::date::timestamp AT TIME ZONE $2) AS at`, [
      value,
      this.config.APP_TIMEZONE,
    ]);
    return row.at;
  }

  /** `days` calendar days later at the same local time in APP_TIMEZONE. */
  private async plusDays(m: EntityManager, at: Date, days: number): Promise<Date> {
    const [row]: { at: Date }[] = await m.query(
      `SELECT (($1::timestamptz AT TIME ZONE $3) + make_interval(days => $2)) AT TIME ZONE $3 AS at`,
      [at.toISOString(), days, this.config.APP_TIMEZONE],
    );
    return row.at;
  }

  private async insertUnique(m: EntityManager, tracking: Tracking): Promise<Tracking> {
    try {
      // A savepoint, so a duplicate leaves the transaction usable for the lookup below.
      return await m.transaction((inner) => inner.save(tracking));
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'trackings_open_enterprise_key'
      ) {
        const [existing]: { id: string }[] = await m.query(
          `SELECT id FROM trackings WHERE enterprise_id = $1 AND status = 'open'`,
          [tracking.enterpriseId],
        );
        throw Problem.conflict('This enterprise already has an open tracking.', {
          existingId: existing?.id ?? null,
        });
      }
      throw err;
    }
  }

  private async changed(t: { id: string; enterpriseId: string }): Promise<void> {
    await this.events.publish({ type: 'tracking.changed', trackingId: t.id, enterpriseId: t.enterpriseId });
  }
}
