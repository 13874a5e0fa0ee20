import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { DomainEvents } from '../common/domain-events.js';
import { toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { namedQuery, pgPool } from '../database/sql.js';
import { creditCodeRefusal, inspectCreditCode } from './credit-code.js';
import type {
  CreateEnterpriseDto,
  EnterpriseQuery,
  EnterpriseView,
  UpdateEnterpriseDto,
} from './dto/enterprise.dto.js';
import { assertAssignableOfficer } from '../users/assignable-officer.js';
import { Enterprise } from './enterprise.entity.js';
import { newEnterpriseValues } from './enterprise-values.js';
import { ENTERPRISE_COLUMNS, enterpriseListQuery } from './enterprise-list.query.js';

const GET_ONE = `SELECT ${ENTERPRISE_COLUMNS} FROM enterprises WHERE id = $1 AND deleted_at IS NULL`;
const LOCK_ONE = `${GET_ONE} FOR UPDATE`;

// Named alike on the entity and in the view, so one list serves the INSERT, the UPDATE and the diff.
const AUDITED: (keyof Enterprise & keyof EnterpriseView)[] = [
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
  /** Entity property → column, from TypeORM's metadata (one mapping, the entity's). */
  private readonly columnOf: Map<string, string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {
    this.pool = pgPool(dataSource);
    this.columnOf = new Map(
      dataSource.getMetadata(Enterprise).columns.map((c) => [c.propertyName, c.databaseName]),
    );
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
    const checked = checkedCreditCode(dto.creditCode, dto.creditCodeConfirmed);
    const values = newEnterpriseValues(dto, checked);
    const officerId = values.officerId;
    if (!canWriteEnterprise(actor, officerId)) {
      throw Problem.forbidden('Officers create enterprises for themselves or unassigned.');
    }
    const view = await this.dataSource.transaction(async (m) => {
      if (officerId) await assertAssignableOfficer(m, officerId);
      const { columns, params } = this.columnsOf(values);
      // ON CONFLICT rather than catching the unique violation: no savepoint, and a concurrent
      // insert of the same code is waited for, then reported as the duplicate it is.
      const [saved] = await namedQuery<EnterpriseView>(
        m,
        `INSERT INTO enterprises (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (credit_code) WHERE deleted_at IS NULL DO NOTHING
         RETURNING ${ENTERPRISE_COLUMNS}`,
        params,
      );
      if (!saved) await this.duplicateCreditCode(m, checked.code);
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'enterprise',
        entityId: saved.id,
        changes: diff(null, saved, AUDITED),
      });
      return saved;
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
      const changes = diff<EnterpriseView>(before, { ...before, ...patch } as EnterpriseView, AUDITED);
      if (Object.keys(changes).length === 0) return before;
      // Only the changed columns (statusManual rides along with status); the row is locked.
      const written: Partial<Enterprise> = {};
      for (const field of Object.keys(changes) as (keyof Enterprise)[])
        (written as Record<string, unknown>)[field] = patch[field];
      if (patch.creditCode !== undefined) written.creditCodeWarning = patch.creditCodeWarning;
      if (patch.statusManual !== undefined) written.statusManual = true;
      const { columns, params } = this.columnsOf(written);
      const assignments = columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
      const update = () =>
        namedQuery<EnterpriseView>(
          m,
          `UPDATE enterprises SET ${assignments}, version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING ${ENTERPRISE_COLUMNS}`,
          [id, ...params],
        );
      // A new credit code may collide: in a savepoint then, so the lookup for the 409 can follow.
      const [saved] =
        written.creditCode === undefined ? await update() : await this.savepointUnique(m, written.creditCode, update);
      await this.audit.record(m, actor, { action: 'update', entity: 'enterprise', entityId: id, changes });
      changed = Object.keys(changes);
      return saved;
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
  ): Promise<EnterpriseView> {
    const [before] = await namedQuery<EnterpriseView>(m, LOCK_ONE, [id]);
    if (!before) throw Problem.notFound('enterprise', id);
    if (!canWriteEnterprise(actor, before.officerId)) {
      throw Problem.forbidden('This enterprise is assigned to another officer.');
    }
    if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
    return before;
  }

  /** Column names and values, in one order, for the fields set in `values`. */
  private columnsOf(values: Partial<Enterprise>): { columns: string[]; params: unknown[] } {
    const columns: string[] = [];
    const params: unknown[] = [];
    for (const [field, value] of Object.entries(values)) {
      const column = this.columnOf.get(field);
      if (!column) throw new Error(`enterprises has no column for ${field}`);
      columns.push(column);
      params.push(value);
    }
    return { columns, params };
  }

  private async savepointUnique<T>(m: EntityManager, creditCode: string, write: () => Promise<T>): Promise<T> {
    try {
      return await m.transaction(() => write());
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'enterprises_credit_code_key'
      )
        await this.duplicateCreditCode(m, creditCode);
      throw err;
    }
  }

  private async duplicateCreditCode(m: EntityManager, creditCode: string): Promise<never> {
    const [existing] = await m.query('SELECT id FROM enterprises WHERE credit_code = $1 AND deleted_at IS NULL', [
      creditCode,
    ]);
    throw Problem.conflict(`An enterprise with credit code ${creditCode} already exists.`, {
      existingId: existing?.id ?? null,
    });
  }
}
