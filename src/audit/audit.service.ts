import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Problem } from '../common/problem.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { namedQuery } from '../database/sql.js';
import { AuditEntry } from './audit-entry.entity.js';
import type { AuditQuery } from './dto/audit-query.dto.js';

export type Changes = Record<string, [unknown, unknown]>;

export interface AuditRecord {
  action: string;
  entity: string;
  entityId: string;
  changes?: Changes;
}

/** The fields that differ between two versions of a record, as `{ field: [before, after] }`. */
export function diff<T extends object>(
  before: Partial<T> | null,
  after: Partial<T> | null,
  fields: (keyof T)[],
): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    const a = before ? (before[field] ?? null) : null;
    const b = after ? (after[field] ?? null) : null;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[field as string] = [a, b];
  }
  return changes;
}

/**
 * Writes the audit trail. `record` takes the transaction's EntityManager so the entry
 * commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, actor: Actor, entry: AuditRecord): Promise<void> {
    await namedQuery(
      manager,
      `INSERT INTO audit_entries (actor_type, actor_id, action, entity, entity_id, changes, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        actor.type,
        actor.id,
        entry.action,
        entry.entity,
        entry.entityId,
        JSON.stringify(entry.changes ?? {}),
        actor.requestId ?? null,
      ],
    );
  }

  /** Many entries in one statement (an import of 100,000 rows audits each enterprise). */
  async recordMany(manager: EntityManager, actor: Actor, entries: AuditRecord[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 5000) {
      const chunk = entries.slice(i, i + 5000).map((e) => ({
        action: e.action,
        entity: e.entity,
        entity_id: e.entityId,
        changes: e.changes ?? {},
      }));
      await manager.query(
        `INSERT INTO audit_entries (actor_type, actor_id, action, entity, entity_id, changes, request_id)
         SELECT $1, $2, x.action, x.entity, x.entity_id, x.changes, $3
           FROM jsonb_to_recordset($4::jsonb) AS x(action text, entity text, entity_id text, changes jsonb)`,
        [actor.type, actor.id, actor.requestId ?? null, JSON.stringify(chunk)],
      );
    }
  }

  async list(query: AuditQuery): Promise<Page<AuditEntryView>> {
    const qb = this.dataSource
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .limit(query.limit + 1);
    if (query.entity) qb.andWhere('a.entity = :entity', { entity: query.entity });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    if (query.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: query.actorId });
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, 'audit', 1);
      if (typeof id !== 'string' || !/^\d{1,19}$/.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      qb.andWhere('a.id < :id', { id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toView), query.limit, (row) => encodeCursor('audit', [row.id]));
  }
}

export interface AuditEntryView {
  id: string;
  at: Date;
  actor: { type: string; id: string | null };
  action: string;
  entity: string;
  entityId: string;
  changes: Changes;
  requestId: string | null;
}

const toView = (e: AuditEntry): AuditEntryView => ({
  id: e.id,
  at: e.at,
  actor: { type: e.actorType, id: e.actorId },
  action: e.action,
  entity: e.entity,
  entityId: e.entityId,
  changes: e.changes,
  requestId: e.requestId,
});
