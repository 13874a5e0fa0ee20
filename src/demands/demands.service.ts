import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { UUID } from '../common/validators.js';
import { isoUtc } from '../database/sql.js';
import {
  assertLiveEnterprise,
  lockChildForWrite,
  lockEnterpriseForChildWrite,
} from '../enterprises/enterprise-access.js';
import { DemandTransition } from './demand-transition.entity.js';
import { Demand } from './demand.entity.js';
import { allowedDemandMoves, PARTNERED_STATUSES, periodOf, possibleDuplicates } from './demand.rules.js';
import type {
  CreateDemandDto,
  DemandDetailView,
  DemandHistoryEntryView,
  DemandQuery,
  DemandView,
  UpdateDemandDto,
} from './dto/demand.dto.js';

const AUDITED: (keyof Demand)[] = [
  'kind',
  'title',
  'description',
  'techDomain',
  'headcount',
  'talentProfile',
  'urgency',
  'period',
  'status',
  'partner',
  'possibleDuplicateOf',
];
const EDITABLE = [
  'title',
  'description',
  'techDomain',
  'headcount',
  'talentProfile',
  'urgency',
  'period',
  'partner',
] as const;

const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');
// Exactly as isoUtc writes it, so a tampered cursor never reaches a timestamptz cast it breaks.
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

/** A demand with its enterprise's name and street; timestamps formatted by PostgreSQL. */
const DEMAND_VIEW_SQL = `
  SELECT d.id, d.enterprise_id AS "enterpriseId", e.name AS "enterpriseName", e.street,
         d.kind, d.title, d.description, d.tech_domain AS "techDomain", d.headcount,
         d.talent_profile AS "talentProfile", d.urgency, d.period, d.status, d.partner,
         d.possible_duplicate_of::text[] AS "possibleDuplicateOf", d.version,
         ${isoUtc('d.created_at')} AS "createdAt", ${isoUtc('d.updated_at')} AS "updatedAt"
    FROM demands d
    -- A deleted enterprise's demands are not visible, like the enterprise itself.
    JOIN enterprises e ON e.id = d.enterprise_id AND e.deleted_at IS NULL`;

/** Enterprise demands (技术难题 / 人才需求): raised, matched with a partner, resolved or closed. */
@Injectable()
export class DemandsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  async list(query: DemandQuery, enterpriseId?: string): Promise<Page<DemandView>> {
    if (enterpriseId) await assertLiveEnterprise(this.dataSource, enterpriseId);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const owner = enterpriseId ?? query.enterpriseId;
    if (owner) where.push(`d.enterprise_id = ${param(owner)}`);
    if (enterpriseId && query.enterpriseId && query.enterpriseId !== enterpriseId) where.push('false');
    if (query.kind) where.push(`d.kind = ${param(query.kind)}`);
    if (query.status) where.push(`d.status = ${param(query.status)}`);
    if (query.period) where.push(`d.period = ${param(query.period)}`);
    if (query.techDomain) where.push(`d.tech_domain = ${param(query.techDomain)}`);
    if (query.street) where.push(`e.street = ${param(query.street)}`);
    if (query.q) {
      // strpos, not LIKE: a % or _ in the search is a character, not a pattern.
      const q = param(query.q.toLowerCase());
      where.push(
        `(strpos(lower(d.title), ${q}) > 0 OR strpos(lower(coalesce(d.description, '')), ${q}) > 0)`,
      );
    }
    const byUpdate = query.updatedSince !== undefined;
    if (query.updatedSince) where.push(`d.updated_at >= ${param(query.updatedSince)}::timestamptz`);
    const sort = byUpdate ? 'demands-updated' : 'demands';
    const column = byUpdate ? 'd.updated_at' : 'd.created_at';
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, sort, 2);
      if (!isIso(at) || typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      where.push(`(${column}, d.id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
    const rows: DemandView[] = await this.dataSource.query(
      `${DEMAND_VIEW_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${column}, d.id LIMIT ${param(query.limit + 1)}`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor(sort, [byUpdate ? r.updatedAt : r.createdAt, r.id]));
  }

  /** Every demand of a half-year, oldest first, for the report. */
  async ofPeriod(period: string, db: DataSource | EntityManager = this.dataSource): Promise<DemandView[]> {
    return db.query(`${DEMAND_VIEW_SQL} WHERE d.period = $1 ORDER BY d.created_at, d.id`, [period]);
  }

  async get(id: string, db: DataSource | EntityManager = this.dataSource): Promise<DemandDetailView> {
    const view = await this.view(db, id);
    const history: (Omit<DemandHistoryEntryView, 'by'> & { type: string; actorId: string | null })[] =
      await db.query(
        `SELECT from_status AS "from", to_status AS "to", ${isoUtc('at')} AS at, actor_type AS type,
                actor_id AS "actorId", note
           FROM demand_transitions WHERE demand_id = $1 ORDER BY at, id`,
        [id],
      );
    return {
      ...view,
      history: history.map(({ type, actorId, ...h }) => ({ ...h, by: { type, id: actorId } })),
    };
  }

  async create(actor: Actor, enterpriseId: string, dto: CreateDemandDto): Promise<DemandDetailView> {
    const view = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const now = this.clock.now();
      const period = dto.period ?? periodOf(this.clock.today());
      const duplicates = await this.duplicatesOf(m, enterpriseId, period, dto.title, null);
      const demand = await m.save(
        m.create(Demand, {
          enterpriseId,
          kind: dto.kind,
          title: dto.title,
          description: dto.description ?? null,
          techDomain: dto.techDomain ?? null,
          headcount: dto.kind === 'talent_need' ? dto.headcount! : null,
          talentProfile: dto.talentProfile ?? null,
          urgency: dto.urgency ?? 'normal',
          period,
          status: 'open',
          partner: null,
          possibleDuplicateOf: duplicates,
        }),
      );
      await this.recordMove(m, actor, demand.id, null, 'open', now, null);
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'demand',
        entityId: demand.id,
        changes: { ...diff(null, demand, AUDITED), enterpriseId: [null, enterpriseId] },
      });
      return this.get(demand.id, m);
    });
    await this.events.publish({ type: 'demand.created', demandId: view.id, enterpriseId });
    return view;
  }

  async update(actor: Actor, id: string, dto: UpdateDemandDto, ifMatch?: number): Promise<DemandDetailView> {
    return this.dataSource.transaction(async (m) => {
      const before = await lockChildForWrite(
        m,
        actor,
        { entity: Demand, table: 'demands', what: 'demand' },
        id,
        ifMatch,
      );
      const patch: Partial<Demand> = {};
      for (const field of EDITABLE) {
        if (dto[field] !== undefined) (patch as Record<string, unknown>)[field] = dto[field];
      }
      const after: Demand = { ...before, ...patch };
      const moving = dto.status !== undefined && dto.status !== before.status;
      if (moving) after.status = dto.status!;

      const bad: FieldError[] = [];
      if (before.kind !== 'talent_need') {
        if (dto.headcount !== undefined)
          bad.push({ field: 'headcount', message: 'is only taken for kind talent_need' });
        if (dto.talentProfile !== undefined && dto.talentProfile !== null)
          bad.push({ field: 'talentProfile', message: 'is only taken for kind talent_need' });
      }
      if (dto.note !== undefined && !moving)
        bad.push({ field: 'note', message: 'is only taken with a status move' });
      if (moving && !allowedDemandMoves(before.status).includes(after.status)) {
        if (bad.length > 0) throw Problem.validation(bad);
        throw new Problem(
          409,
          'illegal-transition',
          `A demand cannot move from ${before.status} to ${after.status}.`,
          { from: before.status, to: after.status, allowed: allowedDemandMoves(before.status) },
        );
      }
      if (PARTNERED_STATUSES.includes(after.status) && !after.partner)
        bad.push({
          field: 'partner',
          message: moving
            ? `is required to reach ${after.status}`
            : `is required while the demand is ${after.status}`,
        });
      if (bad.length > 0) throw Problem.validation(bad);

      if (patch.title !== undefined || patch.period !== undefined)
        after.possibleDuplicateOf = await this.duplicatesOf(
          m,
          before.enterpriseId,
          after.period,
          after.title,
          id,
        );

      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return this.get(id, m);
      await m.update(
        Demand,
        { id },
        Object.fromEntries(Object.keys(changes).map((k) => [k, after[k as keyof Demand]])),
      );
      if (moving)
        await this.recordMove(m, actor, id, before.status, after.status, this.clock.now(), dto.note ?? null);
      await this.audit.record(m, actor, {
        action: moving ? 'transition' : 'update',
        entity: 'demand',
        entityId: id,
        changes,
      });
      return this.get(id, m);
    });
  }

  private async view(db: DataSource | EntityManager, id: string): Promise<DemandView> {
    const [row]: DemandView[] = await db.query(`${DEMAND_VIEW_SQL} WHERE d.id = $1`, [id]);
    if (!row) throw Problem.notFound('demand', id);
    return row;
  }

  /** Near-duplicate titles among the enterprise's other demands of the period. */
  private async duplicatesOf(
    m: EntityManager,
    enterpriseId: string,
    period: string,
    title: string,
    self: string | null,
  ): Promise<string[]> {
    // The enterprise row is locked (FOR SHARE) by the caller, so two concurrent creates for one
    // enterprise may both miss each other; the flag is advisory, not a constraint.
    const others: { id: string; title: string }[] = await m.query(
      `SELECT id, title FROM demands
        WHERE enterprise_id = $1 AND period = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)
        ORDER BY created_at, id`,
      [enterpriseId, period, self],
    );
    return possibleDuplicates(title, others);
  }

  private async recordMove(
    m: EntityManager,
    actor: Actor,
    demandId: string,
    from: Demand['status'] | null,
    to: Demand['status'],
    at: Date,
    note: string | null,
  ): Promise<void> {
    await m.insert(DemandTransition, {
      demandId,
      fromStatus: from,
      toStatus: to,
      at,
      actorType: actor.type,
      actorId: actor.id,
      note,
    });
  }
}
