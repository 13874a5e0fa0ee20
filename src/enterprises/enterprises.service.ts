import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { DomainEvents } from '../common/domain-events.js';
import { toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { pgPool } from '../database/sql.js';
import { creditCodeRefusal, inspectCreditCode } from './credit-code.js';
import type {
  CreateEnterpriseDto,
  EnterpriseQuery,
  EnterpriseView,
  UpdateEnterpriseDto,
} from './dto/enterprise.dto.js';
import { assertAssignableOfficer } from '../users/assignable-officer.js';
import { Enterprise } from './enterprise.entity.js';
import { ENTERPRISE_COLUMNS, enterpriseListQuery } from './enterprise-list.query.js';

const GET_ONE = `SELECT ${ENTERPRISE_COLUMNS} FROM enterprises WHERE id = $1 AND deleted_at IS NULL`;

const AUDITED: (keyof Enterprise)[] = [
  'name',
  'creditCode',
  'creditCodeWarning',
  'registeredAt',
  'street',
  'industry',
  'techDomain',
  'contactName',
  'contactEmail',
  'contactPhone',
  'officerId',
  'status',
  'tier',
  'remindersEnabled',
  'tags',
];

const NOT_NULL: (keyof UpdateEnterpriseDto)[] = [
  'name',
  'creditCode',
  'creditCodeConfirmed',
  'status',
  'remindersEnabled',
  'tags',
];

export const toEnterpriseView = (e: Enterprise): EnterpriseView => ({
  id: e.id,
  name: e.name,
  creditCode: e.creditCode,
  creditCodeWarning: e.creditCodeWarning,
  registeredAt: e.registeredAt,
  street: e.street,
  industry: e.industry,
  techDomain: e.techDomain,
  contactName: e.contactName,
  contactEmail: e.contactEmail,
  contactPhone: e.contactPhone,
  officerId: e.officerId,
  status: e.status,
  tier: e.tier,
  remindersEnabled: e.remindersEnabled,
  tags: e.tags,
  readinessVerdict: e.readinessVerdict ?? null,
  readinessScoreMin: e.readinessScoreMin ?? null,
  readinessScoreMax: e.readinessScoreMax ?? null,
  version: e.version,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

/** The credit code as stored, with its warning flag; a 400 naming creditCode otherwise. */
function checkedCreditCode(raw: string, confirmed: boolean | undefined): { code: string; warning: boolean } {
  const inspected = inspectCreditCode(raw);
  const refusal = creditCodeRefusal(inspected, confirmed === true);
  if (refusal) throw Problem.field('creditCode', refusal);
  return { code: inspected.code, warning: inspected.checkFailed === true };
}

@Injectable()
export class EnterprisesService {
  private readonly pool: pg.Pool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {
    this.pool = pgPool(dataSource);
  }

  async list(query: EnterpriseQuery): Promise<Page<EnterpriseView>> {
    const { text, values, name, cursorOf } = enterpriseListQuery(query);
    const { rows } = await this.pool.query<EnterpriseView>({ name, text, values });
    return toPage(rows, query.limit, cursorOf);
  }

  async get(id: string): Promise<EnterpriseView> {
    const { rows } = await this.pool.query<EnterpriseView>({
      name: 'enterprises:get',
      text: GET_ONE,
      values: [id],
    });
    if (rows.length === 0) throw Problem.notFound('enterprise', id);
    return rows[0];
  }

  async create(actor: Actor, dto: CreateEnterpriseDto): Promise<EnterpriseView> {
    const { code, warning } = checkedCreditCode(dto.creditCode, dto.creditCodeConfirmed);
    const officerId = dto.officerId ?? null;
    if (!canWriteEnterprise(actor, officerId)) {
      throw Problem.forbidden('Officers create enterprises for themselves or unassigned.');
    }
    const view = await this.dataSource.transaction(async (m) => {
      if (officerId) await assertAssignableOfficer(m, officerId);
      const entity = m.create(Enterprise, {
        name: dto.name,
        creditCode: code,
        creditCodeWarning: warning,
        registeredAt: dto.registeredAt ?? null,
        street: dto.street ?? null,
        industry: dto.industry ?? null,
        techDomain: dto.techDomain ?? null,
        contactName: dto.contactName ?? null,
        contactEmail: dto.contactEmail ?? null,
        contactPhone: dto.contactPhone ?? null,
        officerId,
        status: dto.status ?? 'prospect',
        statusManual: dto.status !== undefined,
        tier: dto.tier ?? null,
        remindersEnabled: dto.remindersEnabled ?? true,
        tags: dto.tags ?? [],
      });
      const saved = await this.saveUnique(m, entity);
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'enterprise',
        entityId: saved.id,
        changes: diff(null, saved, AUDITED),
      });
      return toEnterpriseView(saved);
    });
    await this.events.publish({ type: 'enterprise.created', enterpriseId: view.id });
    return view;
  }

  async update(
    actor: Actor,
    id: string,
    dto: UpdateEnterpriseDto,
    ifMatch?: number,
  ): Promise<EnterpriseView> {
    const nulls: FieldError[] = NOT_NULL.filter((f) => dto[f] === null).map((field) => ({
      field,
      message: 'must not be null',
    }));
    if (nulls.length > 0) throw Problem.validation(nulls);
    let changed: string[] = [];
    const view = await this.dataSource.transaction(async (m) => {
      const before = await this.lockForWrite(m, actor, id, ifMatch);
      const patch: Partial<Enterprise> = {};
      for (const field of AUDITED) {
        if (field in dto && (dto as Record<string, unknown>)[field] !== undefined) {
          (patch as Record<string, unknown>)[field] = (dto as Record<string, unknown>)[field];
        }
      }
      if (dto.creditCode !== undefined) {
        const { code, warning } = checkedCreditCode(dto.creditCode, dto.creditCodeConfirmed);
        patch.creditCode = code;
        patch.creditCodeWarning = warning;
      }
      if (dto.status !== undefined) patch.statusManual = true;
      // The same rule as on create: an officer hands an enterprise only to themselves or to nobody;
      // reassigning to a colleague is an admin's decision.
      if (
        patch.officerId !== undefined &&
        patch.officerId !== before.officerId &&
        !canWriteEnterprise(actor, patch.officerId)
      ) {
        throw Problem.forbidden(
          'Officers assign enterprises to themselves or leave them unassigned; ask an admin to reassign.',
        );
      }
      if (patch.officerId) await assertAssignableOfficer(m, patch.officerId);
      const after = m.merge(Enterprise, m.create(Enterprise, { ...before }), patch as Enterprise);
      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return toEnterpriseView(before);
      const saved = await this.saveUnique(m, after);
      await this.audit.record(m, actor, { action: 'update', entity: 'enterprise', entityId: id, changes });
      changed = Object.keys(changes);
      return toEnterpriseView(saved);
    });
    if (changed.length > 0)
      await this.events.publish({ type: 'enterprise.updated', enterpriseId: id, fields: changed });
    return view;
  }

  async remove(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockForWrite(m, actor, id, ifMatch);
      // softDelete bumps version and updatedAt itself (the entity has both columns).
      await m.softDelete(Enterprise, { id });
      await this.audit.record(m, actor, {
        action: 'delete',
        entity: 'enterprise',
        entityId: id,
        changes: { name: [before.name, null], creditCode: [before.creditCode, null] },
      });
    });
    await this.events.publish({ type: 'enterprise.deleted', enterpriseId: id });
  }

  /** Loads a live enterprise for change, enforcing If-Match and the officer rule. */
  private async lockForWrite(
    m: EntityManager,
    actor: Actor,
    id: string,
    ifMatch?: number,
  ): Promise<Enterprise> {
    const before = await m.findOne(Enterprise, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!before) throw Problem.notFound('enterprise', id);
    if (!canWriteEnterprise(actor, before.officerId)) {
      throw Problem.forbidden('This enterprise is assigned to another officer.');
    }
    if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
    return before;
  }

  private async saveUnique(m: EntityManager, entity: Enterprise): Promise<Enterprise> {
    try {
      // A savepoint, so a duplicate leaves the transaction usable for the lookup below.
      return await m.transaction((inner) => inner.save(entity));
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'enterprises_credit_code_key'
      ) {
        const [existing] = await m.query(
          'SELECT id FROM enterprises WHERE credit_code = $1 AND deleted_at IS NULL',
          [entity.creditCode],
        );
        throw Problem.conflict(`An enterprise with credit code ${entity.creditCode} already exists.`, {
          existingId: existing?.id ?? null,
        });
      }
      throw err;
    }
  }
}
