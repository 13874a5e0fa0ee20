import type { DataSource, EntityManager } from 'typeorm';
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
