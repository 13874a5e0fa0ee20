import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { isoUtc, pgPool } from '../database/sql.js';
import { creditCodeRefusal, inspectCreditCode } from './credit-code.js';
import type { CreateEnterpriseDto, EnterpriseQuery, EnterpriseView, UpdateEnterpriseDto } from './dto/enterprise.dto.js';
import { Enterprise } from './enterprise.entity.js';

// Columns aliased to the API's camelCase, so list rows go out without a mapping step.
const COLUMNS = `id, name, credit_code AS "creditCode", credit_code_warning AS "creditCodeWarning",
  registered_at AS "registeredAt", street, industry, tech_domain AS "techDomain",
  contact_name AS "contactName", contact_email AS "contactEmail", contact_phone AS "contactPhone",
  officer_id AS "officerId", status, tier, reminders_enabled AS "remindersEnabled", tags, version,
  ${isoUtc('created_at')} AS "createdAt", ${isoUtc('updated_at')} AS "updatedAt"`;

const GET_ONE = `SELECT ${COLUMNS} FROM enterprises WHERE id = $1 AND deleted_at IS NULL`;

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

const NOT_NULL: (keyof UpdateEnterpriseDto)[] = ['name', 'creditCode', 'creditCodeConfirmed', 'status', 'remindersEnabled', 'tags'];

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
  version: e.version,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

// PostgreSQL truncates statement names at 63 bytes, so a name is a digest of the SQL text.
const preparedName = (text: string) => `enterprises_list_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');

// A cursor's keys exactly as list() writes them: a tampered one would otherwise reach
// PostgreSQL as a bad uuid or timestamp, and come back as a 500.
function cursorId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notIssued();
  return value;
}
function cursorInstant(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) throw notIssued();
  return value;
}

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
  ) {
    this.pool = pgPool(dataSource);
  }

  async list(query: EnterpriseQuery): Promise<Page<EnterpriseView>> {
    const where = ['deleted_at IS NULL'];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.tier) where.push(`tier = ${param(query.tier)}`);
    if (query.techDomain) where.push(`tech_domain = ${param(query.techDomain)}`);
    if (query.officerId) where.push(`officer_id = ${param(query.officerId)}`);
    if (query.street) where.push(`street = ${param(query.street)}`);
    if (query.updatedSince) where.push(`updated_at >= ${param(query.updatedSince)}`);
    if (query.q) where.push(this.searchCondition(query.q, param));

    const sort = query.updatedSince ? 'updatedAt' : (query.sort ?? 'id');
    let order: string;
    if (sort === 'id') {
      order = 'id';
      if (query.cursor) where.push(`id > ${param(cursorId(decodeCursor(query.cursor, sort, 1)[0]))}`);
    } else {
      const desc = sort.startsWith('-');
      order = desc ? 'updated_at DESC, id DESC' : 'updated_at, id';
      if (query.cursor) {
        const [rawAt, rawId] = decodeCursor(query.cursor, sort, 2);
        const [at, id] = [cursorInstant(rawAt), cursorId(rawId)];
        where.push(`(updated_at, id) ${desc ? '<' : '>'} (${param(at)}, ${param(id)})`);
      }
    }
    const text = `SELECT ${COLUMNS} FROM enterprises WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(query.limit + 1)}`;
    // Filter-only lists have few shapes: prepare them. A search is planned per query, since
    // the best plan depends on the term (a rare one: the index; a common one: the id order).
    const name = query.q ? undefined : preparedName(text);
    const { rows } = await this.pool.query<EnterpriseView>({ name, text, values: params });
    return toPage(rows, query.limit, (row) =>
      sort === 'id' ? encodeCursor(sort, [row.id]) : encodeCursor(sort, [row.updatedAt, row.id]),
    );
  }

  /**
   * Substring search on the name, and on the credit code when the term could be part of one.
   * pg_trgm's GIN index serves 3+ characters; it extracts nothing from 1–2, which is how
   * people search Chinese names (鑫源, 泵业), so those go through the name_ngrams() index.
   */
  private searchCondition(term: string, param: (v: unknown) => string): string {
    const pattern = param(`%${likeEscape(term)}%`);
    if ([...term].length <= 2) return `name_ngrams(name) @> ARRAY[lower(${param(term)})] AND name ILIKE ${pattern}`;
    if (/^[0-9A-Za-z]+$/.test(term)) {
      return `(name ILIKE ${pattern} OR credit_code LIKE ${param(`%${likeEscape(term.toUpperCase())}%`)})`;
    }
    return `name ILIKE ${pattern}`;
  }

  async get(id: string): Promise<EnterpriseView> {
    const { rows } = await this.pool.query<EnterpriseView>({ name: 'enterprises:get', text: GET_ONE, values: [id] });
    if (rows.length === 0) throw Problem.notFound('enterprise', id);
    return rows[0];
  }

  async create(actor: Actor, dto: CreateEnterpriseDto): Promise<EnterpriseView> {
    const { code, warning } = checkedCreditCode(dto.creditCode, dto.creditCodeConfirmed);
    const officerId = dto.officerId ?? null;
    if (!canWriteEnterprise(actor, officerId)) {
      throw Problem.forbidden('Officers create enterprises for themselves or unassigned.');
    }
    return this.dataSource.transaction(async (m) => {
      if (officerId) await this.assertOfficer(m, officerId);
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
      await this.audit.record(m, actor, { action: 'create', entity: 'enterprise', entityId: saved.id, changes: diff(null, saved, AUDITED) });
      return toEnterpriseView(saved);
    });
  }

  async update(actor: Actor, id: string, dto: UpdateEnterpriseDto, ifMatch?: number): Promise<EnterpriseView> {
    const nulls: FieldError[] = NOT_NULL.filter((f) => dto[f] === null).map((field) => ({ field, message: 'must not be null' }));
    if (nulls.length > 0) throw Problem.validation(nulls);
    return this.dataSource.transaction(async (m) => {
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
      if (patch.officerId !== undefined && patch.officerId !== before.officerId && !canWriteEnterprise(actor, patch.officerId)) {
        throw Problem.forbidden('Officers assign enterprises to themselves or leave them unassigned; ask an admin to reassign.');
      }
      if (patch.officerId) await this.assertOfficer(m, patch.officerId);
      const after = m.merge(Enterprise, m.create(Enterprise, { ...before }), patch as Enterprise);
      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return toEnterpriseView(before);
      const saved = await this.saveUnique(m, after);
      await this.audit.record(m, actor, { action: 'update', entity: 'enterprise', entityId: id, changes });
      return toEnterpriseView(saved);
    });
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
  }

  /** Loads a live enterprise for change, enforcing If-Match and the officer rule. */
  private async lockForWrite(m: EntityManager, actor: Actor, id: string, ifMatch?: number): Promise<Enterprise> {
    const before = await m.findOne(Enterprise, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!before) throw Problem.notFound('enterprise', id);
    if (!canWriteEnterprise(actor, before.officerId)) {
      throw Problem.forbidden('This enterprise is assigned to another officer.');
    }
    if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
    return before;
  }

  private async assertOfficer(m: EntityManager, officerId: string): Promise<void> {
    const rows: { role: string; active: boolean }[] = await m.query('SELECT role, active FROM users WHERE id = $1', [officerId]);
    if (rows.length === 0 || !rows[0].active || rows[0].role === 'viewer') {
      throw Problem.field('officerId', 'must be an active officer or admin');
    }
  }

  private async saveUnique(m: EntityManager, entity: Enterprise): Promise<Enterprise> {
    try {
      // A savepoint, so a duplicate leaves the transaction usable for the lookup below.
      return await m.transaction((inner) => inner.save(entity));
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { constraint?: string }).constraint === 'enterprises_credit_code_key') {
        const [existing] = await m.query('SELECT id FROM enterprises WHERE credit_code = $1 AND deleted_at IS NULL', [entity.creditCode]);
        throw Problem.conflict(`An enterprise with credit code ${entity.creditCode} already exists.`, { existingId: existing?.id ?? null });
      }
      throw err;
    }
  }
}
