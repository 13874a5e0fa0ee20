import type { DataSource, EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { Problem } from '../common/problem.js';

// The enterprise's children (yearly figures, IP assets, innovation profile) follow their
// enterprise: invisible once it is deleted, writable under the same officer rule.

/** 404 unless the enterprise exists and is not deleted. */
export async function assertLiveEnterprise(
  db: DataSource | EntityManager,
  enterpriseId: string,
): Promise<void> {
  const rows: unknown[] = await db.query('SELECT 1 FROM enterprises WHERE id = $1 AND deleted_at IS NULL', [
    enterpriseId,
  ]);
  if (rows.length === 0) throw Problem.notFound('enterprise', enterpriseId);
}

/**
 * Checks that `actor` may change this enterprise's children, and holds a share lock on it
 * until the transaction ends, so it is neither deleted nor reassigned meanwhile.
 */
export async function lockEnterpriseForChildWrite(
  m: EntityManager,
  actor: Actor,
  enterpriseId: string,
): Promise<void> {
  const rows: { officer_id: string | null }[] = await m.query(
    'SELECT officer_id FROM enterprises WHERE id = $1 AND deleted_at IS NULL FOR SHARE',
    [enterpriseId],
  );
  if (rows.length === 0) throw Problem.notFound('enterprise', enterpriseId);
  if (!canWriteEnterprise(actor, rows[0].officer_id)) {
    throw Problem.forbidden('This enterprise is assigned to another officer.');
  }
}

/**
 * A child row (an IP asset, a contract, …) locked for change, enterprise first: 404 when the
 * row or its enterprise is gone (children of a deleted enterprise are not visible), 403 under
 * the officer rule, 412 on a stale If-Match. `table` is a constant of the caller, never input.
 */
export async function lockChildForWrite<T extends { id: string; version: number }>(
  m: EntityManager,
  actor: Actor,
  child: { entity: EntityTarget<T>; table: string; what: string },
  id: string,
  ifMatch?: number,
): Promise<T> {
  const owner: { enterprise_id: string }[] = await m.query(
    `SELECT c.enterprise_id FROM ${child.table} c JOIN enterprises e ON e.id = c.enterprise_id
      WHERE c.id = $1 AND e.deleted_at IS NULL`,
    [id],
  );
  if (owner.length === 0) throw Problem.notFound(child.what, id);
  // Enterprise first, then the child: the order every write to an enterprise's children takes.
  await lockEnterpriseForChildWrite(m, actor, owner[0].enterprise_id);
  const row = await m.findOne(child.entity, {
    where: { id } as FindOptionsWhere<T>,
    lock: { mode: 'pessimistic_write' },
  });
  if (!row) throw Problem.notFound(child.what, id);
  if (ifMatch !== undefined && ifMatch !== row.version) throw Problem.stale(row.version);
  return row;
}
