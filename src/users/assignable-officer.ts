import type { EntityManager } from 'typeorm';
import { Problem } from '../common/problem.js';

/**
 * 400 naming `field` unless the id names an active officer or admin: the people an enterprise,
 * a contract or a visit can be assigned to.
 */
export async function assertAssignableOfficer(
  m: EntityManager,
  officerId: string,
  field = 'officerId',
): Promise<void> {
  const rows: { role: string; active: boolean }[] = await m.query(
    'SELECT role, active FROM users WHERE id = $1',
    [officerId],
  );
  if (rows.length === 0 || !rows[0].active || rows[0].role === 'viewer') {
    throw Problem.field(field, 'must be an active officer or admin');
  }
}
