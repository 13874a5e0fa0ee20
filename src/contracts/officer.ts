import type { EntityManager } from 'typeorm';
import { Problem } from '../common/problem.js';

/** The id, when it names an active officer or admin; a 400 naming `officerId` otherwise. */
export async function assertOfficer(m: EntityManager, officerId: string | undefined): Promise<string> {
  if (officerId === undefined) throw Problem.field('officerId', 'is required when an API key records this');
  const rows: { role: string; active: boolean }[] = await m.query(
    'SELECT role, active FROM users WHERE id = $1',
    [officerId],
  );
  if (rows.length === 0 || !rows[0].active || rows[0].role === 'viewer') {
    throw Problem.field('officerId', 'must be an active officer or admin');
  }
  return officerId;
}
