import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { actorRef, canWriteEnterprise, type Actor } from '../auth/actor.js';
import { AuditService, diff, type AuditRecord } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import type { Upload } from '../common/upload.js';
import { UUID } from '../common/validators.js';
import { isoUtc, mutate } from '../database/sql.js';
import type { EnterpriseValues } from '../enterprises/enterprise-values.js';
import type { ImportListQuery, ImportResultView, ImportView } from './dto/import.dto.js';
import {
  planImport,
  readInputRows,
  VALUE_FIELDS,
  type ExistingEnterprise,
  type ImportPlan,
} from './import-plan.js';
import { readSheet } from './spreadsheet.js';

/** Data rows one file may hold; more is a 413 (split the file), never a silent cut. */
export const IMPORT_MAX_ROWS = 100_000;
const CHUNK = 5000;

/** What the audit trail shows of an enterprise (as EnterprisesService audits it). */
const AUDITED = VALUE_FIELDS.filter((f) => f !== 'statusManual');

const valueColumns = (p = '') => `${p}name, ${p}credit_code AS "creditCode",
  ${p}credit_code_warning AS "creditCodeWarning", ${p}registered_at AS "registeredAt", ${p}street, ${p}industry,
  ${p}tech_domain AS "techDomain", ${p}contact_name AS "contactName", ${p}contact_email AS "contactEmail",
  ${p}contact_phone AS "contactPhone", ${p}officer_id AS "officerId", ${p}status, ${p}status_manual AS "statusManual",
  ${p}tier, ${p}reminders_enabled AS "remindersEnabled", ${p}tags`;

// The recordset an INSERT or UPDATE reads enterprise values from.
const RECORDSET = `jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, credit_code text,
  credit_code_warning boolean, registered_at date, street text, industry text, tech_domain text,
  contact_name text, contact_email text, contact_phone text, officer_id uuid, status text,
  status_manual boolean, tier text, reminders_enabled boolean, tags text[])`;

const record = (v: EnterpriseValues, id?: string) => ({
  id: id ?? null,
  name: v.name,
  credit_code: v.creditCode,
  credit_code_warning: v.creditCodeWarning,
  registered_at: v.registeredAt,
  street: v.street,
  industry: v.industry,
  tech_domain: v.techDomain,
  contact_name: v.contactName,
  contact_email: v.contactEmail,
  contact_phone: v.contactPhone,
  officer_id: v.officerId,
  status: v.status,
  status_manual: v.statusManual,
  tier: v.tier,
  reminders_enabled: v.remindersEnabled,
  tags: v.tags,
});

/** Columns a revert puts back (everything an import may change). */
const SET_FROM_X = `name = x.name, registered_at = x.registered_at, street = x.street, industry = x.industry,
  tech_domain = x.tech_domain, contact_name = x.contact_name, contact_email = x.contact_email,
  contact_phone = x.contact_phone, officer_id = x.officer_id, status = x.status,
  status_manual = x.status_manual, tier = x.tier, reminders_enabled = x.reminders_enabled, tags = x.tags,
  version = e.version + 1, updated_at = now()`;

interface ImportRowRecord {
  id: string;
  filename: string;
  sha256: string;
  actor_type: Actor['type'];
  actor_id: string | null;
  at: string;
  total: number;
  created: number;
  updated: number;
  errors: ImportView['errors'];
  reverted_at: string | null;
  reverted_by_type: Actor['type'] | null;
  reverted_by_id: string | null;
  version: number;
}

const IMPORT_COLUMNS = `id, filename, sha256, actor_type, actor_id, ${isoUtc('at')} AS at, total, created, updated,
  errors, ${isoUtc('reverted_at')} AS reverted_at, reverted_by_type, reverted_by_id, version`;

const toView = (r: ImportRowRecord): ImportView => ({
  id: r.id,
  filename: r.filename,
  sha256: r.sha256,
  actor: { type: r.actor_type, id: r.actor_id },
  at: r.at,
  total: r.total,
  created: r.created,
  updated: r.updated,
  errors: r.errors,
  revertedAt: r.reverted_at,
  revertedBy: r.reverted_by_type ? { type: r.reverted_by_type, id: r.reverted_by_id } : null,
  version: r.version,
});

const chunks = <T>(items: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
};

/** Enterprises from spreadsheets (批量导入), recorded so that each import can be undone. */
@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  async importEnterprises(actor: Actor, file: Upload, dryRun: boolean): Promise<ImportResultView> {
    const sheet = await readSheet(file.filename, file.data, { maxRows: IMPORT_MAX_ROWS });
    const { rows, errors } = readInputRows(sheet);
    const codes = [...new Set(rows.flatMap((r) => (r.code ? [r.code] : [])))];
    const officerIds = [
      ...new Set(
        rows.flatMap((r) => (typeof r.input.officerId === 'string' ? [r.input.officerId.toLowerCase()] : [])),
      ),
    ].filter((id) => UUID.test(id));

    const plan = async (db: DataSource | EntityManager, lock: boolean): Promise<ImportPlan> => {
      const existing = new Map<string, ExistingEnterprise>();
      for (const part of chunks(codes)) {
        const found: ExistingEnterprise[] = await db.query(
          `SELECT id, version, ${valueColumns()} FROM enterprises
            WHERE credit_code = ANY($1) AND deleted_at IS NULL ORDER BY id ${lock ? 'FOR UPDATE' : ''}`,
          [part],
        );
        for (const e of found) existing.set(e.creditCode, e);
      }
      const assignable: { id: string }[] = officerIds.length
        ? await db.query(`SELECT id FROM users WHERE id = ANY($1) AND active AND role <> 'viewer'`, [
            officerIds,
          ])
        : [];
      return planImport(rows, errors, { actor, existing, assignable: new Set(assignable.map((u) => u.id)) });
    };

    if (dryRun) {
      const p = await plan(this.dataSource, false);
      return {
        importId: null,
        dryRun: true,
        total: p.total,
        created: p.creates.length,
        updated: p.updates.length,
        errors: p.errors,
      };
    }

    const events: DomainEvent[] = [];
    const result = await this.dataSource.transaction(async (m) => {
      const p = await plan(m, true);
      const at = this.clock.now();
      const [{ id: importId }]: { id: string }[] = await m.query(
        `INSERT INTO imports (filename, sha256, actor_type, actor_id, total, created, updated, errors, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          file.filename,
          file.sha256,
          actor.type,
          actor.id,
          p.total,
          p.creates.length,
          p.updates.length,
          JSON.stringify(p.errors),
          at,
        ],
      );
      const audits: AuditRecord[] = [];
      const importRows: {
        enterprise_id: string;
        row: number;
        action: string;
        before: EnterpriseValues | null;
        after_version: number;
      }[] = [];

      for (const part of chunks(p.creates)) {
        const inserted: { id: string; credit_code: string; version: number }[] = await this.insertUnique(
          m,
          `INSERT INTO enterprises (name, credit_code, credit_code_warning, registered_at, street, industry, tech_domain,
                  contact_name, contact_email, contact_phone, officer_id, status, status_manual, tier, reminders_enabled, tags)
           SELECT name, credit_code, credit_code_warning, registered_at, street, industry, tech_domain,
                  contact_name, contact_email, contact_phone, officer_id, status, status_manual, tier, reminders_enabled, tags
             FROM ${RECORDSET}
           RETURNING id, credit_code, version`,
          [JSON.stringify(part.map((c) => record(c.values)))],
        );
        const byCode = new Map(inserted.map((r) => [r.credit_code, r]));
        for (const c of part) {
          const { id, version } = byCode.get(c.values.creditCode)!;
          importRows.push({
            enterprise_id: id,
            row: c.row,
            action: 'created',
            before: null,
            after_version: version,
          });
          audits.push({
            action: 'import',
            entity: 'enterprise',
            entityId: id,
            changes: diff(null, c.values, AUDITED),
          });
          events.push({ type: 'enterprise.created', enterpriseId: id });
        }
      }
      for (const part of chunks(p.updates)) {
        const { rows: updated } = await mutate<{ id: string; version: number }>(
          m,
          `UPDATE enterprises e SET ${SET_FROM_X} FROM ${RECORDSET} WHERE e.id = x.id RETURNING e.id, e.version`,
          [JSON.stringify(part.map((u) => record(u.after, u.id)))],
        );
        const versionOf = new Map(updated.map((r) => [r.id, r.version]));
        for (const u of part) {
          importRows.push({
            enterprise_id: u.id,
            row: u.row,
            action: 'updated',
            before: u.before,
            after_version: versionOf.get(u.id)!,
          });
          audits.push({
            action: 'import',
            entity: 'enterprise',
            entityId: u.id,
            changes: diff(u.before, u.after, AUDITED),
          });
          events.push({ type: 'enterprise.updated', enterpriseId: u.id, fields: u.fields });
        }
      }
      for (const part of chunks(importRows)) {
        await m.query(
          `INSERT INTO import_rows (import_id, enterprise_id, row, action, before, after_version)
           SELECT $2, x.enterprise_id, x.row, x.action, x.before, x.after_version
             FROM jsonb_to_recordset($1::jsonb) AS x(enterprise_id uuid, row int, action text, before jsonb, after_version int)`,
          [JSON.stringify(part), importId],
        );
      }
      audits.push({
        action: 'import',
        entity: 'import',
        entityId: importId,
        changes: {
          filename: [null, file.filename],
          created: [null, p.creates.length],
          updated: [null, p.updates.length],
          skippedRows: [null, new Set(p.errors.map((e) => e.row)).size],
        },
      });
      await this.audit.recordMany(m, actor, audits);
      return {
        importId,
        dryRun: false,
        total: p.total,
        created: p.creates.length,
        updated: p.updates.length,
        errors: p.errors,
      };
    });
    for (const event of events) await this.events.publish(event);
    return result;
  }

  async list(query: ImportListQuery): Promise<Page<ImportView>> {
    const params: unknown[] = [];
    let where = '';
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'imports', 2);
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      params.push(at, id);
      where = `WHERE (at, id) < ($1::timestamptz, $2::uuid)`;
    }
    params.push(query.limit + 1);
    const rows: ImportRowRecord[] = await this.dataSource.query(
      `SELECT ${IMPORT_COLUMNS} FROM imports ${where} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows.map(toView), query.limit, (v) => encodeCursor('imports', [v.at, v.id]));
  }

  async get(id: string, db: DataSource | EntityManager = this.dataSource): Promise<ImportView> {
    const [row]: ImportRowRecord[] = await db.query(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1`, [
      id,
    ]);
    if (!row) throw Problem.notFound('import', id);
    return toView(row);
  }

  /**
   * Undoes a whole import in one transaction: enterprises it created are deleted (kept for
   * history, as DELETE does), those it changed get their values back. All or nothing: if any of
   * them changed since (edited, moved by readiness, deleted), the revert is refused with the
   * list, since putting old values over newer work would lose it silently.
   */
  async revert(actor: Actor, id: string, ifMatch?: number): Promise<ImportView> {
    const events: DomainEvent[] = [];
    const view = await this.dataSource.transaction(async (m) => {
      const [imp]: { version: number; reverted_at: Date | null }[] = await m.query(
        'SELECT version, reverted_at FROM imports WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!imp) throw Problem.notFound('import', id);
      if (ifMatch !== undefined && ifMatch !== imp.version) throw Problem.stale(imp.version);
      if (imp.reverted_at) {
        throw Problem.conflict(
          `This import was already reverted at ${new Date(imp.reverted_at).toISOString()}.`,
        );
      }
      const rows: (ExistingEnterprise & {
        row: number;
        action: 'created' | 'updated';
        before: EnterpriseValues | null;
        afterVersion: number;
        deleted: boolean;
      })[] = await m.query(
        `SELECT e.id, e.version, ${valueColumns('e.')},
                e.deleted_at IS NOT NULL AS deleted, r.row, r.action, r.before, r.after_version AS "afterVersion"
           FROM import_rows r JOIN enterprises e ON e.id = r.enterprise_id
          WHERE r.import_id = $1 ORDER BY e.id FOR UPDATE OF e`,
        [id],
      );
      const changed = rows.filter((r) => r.deleted || r.version !== r.afterVersion);
      if (changed.length > 0) {
        throw Problem.conflict(
          `${changed.length} of the enterprises this import wrote changed since; revert refused, nothing was changed.`,
          {
            changed: changed
              .sort((a, b) => a.row - b.row)
              .map((r) => ({
                row: r.row,
                enterpriseId: r.id,
                creditCode: r.creditCode,
                name: r.name,
                deleted: r.deleted,
              })),
          },
        );
      }
      const forbidden = rows.filter((r) => !canWriteEnterprise(actor, r.officerId));
      if (forbidden.length > 0) {
        throw Problem.forbidden(`${forbidden.length} of these enterprises are assigned to another officer.`);
      }
      const created = rows.filter((r) => r.action === 'created');
      const updated = rows.filter((r) => r.action === 'updated');
      const audits: AuditRecord[] = [];
      for (const part of chunks(created)) {
        await m.query(
          `UPDATE enterprises SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = ANY($1)`,
          [part.map((r) => r.id)],
        );
      }
      for (const r of created) {
        audits.push({
          action: 'revert',
          entity: 'enterprise',
          entityId: r.id,
          changes: { name: [r.name, null], creditCode: [r.creditCode, null] },
        });
        events.push({ type: 'enterprise.deleted', enterpriseId: r.id });
      }
      for (const part of chunks(updated)) {
        await m.query(`UPDATE enterprises e SET ${SET_FROM_X} FROM ${RECORDSET} WHERE e.id = x.id`, [
          JSON.stringify(part.map((r) => record(r.before!, r.id))),
        ]);
      }
      for (const r of updated) {
        const changes = diff(r, r.before!, AUDITED);
        audits.push({ action: 'revert', entity: 'enterprise', entityId: r.id, changes });
        events.push({ type: 'enterprise.updated', enterpriseId: r.id, fields: Object.keys(changes) });
      }
      const by = actorRef(actor);
      await m.query(
        `UPDATE imports SET reverted_at = $2, reverted_by_type = $3, reverted_by_id = $4, version = version + 1 WHERE id = $1`,
        [id, this.clock.now(), by.type, by.id],
      );
      audits.push({
        action: 'revert',
        entity: 'import',
        entityId: id,
        changes: { deleted: [null, created.length], restored: [null, updated.length] },
      });
      await this.audit.recordMany(m, actor, audits);
      return this.get(id, m);
    });
    for (const event of events) await this.events.publish(event);
    return view;
  }

  /** A credit code taken by someone else between our read and our write: 409, send again. */
  private async insertUnique<T>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await m.query(sql, params)) as T[];
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'enterprises_credit_code_key'
      ) {
        throw Problem.conflict(
          'An enterprise in this file was registered by someone else while it was being imported; nothing was imported. Send the file again.',
        );
      }
      throw err;
    }
  }
}
