import type { EntityManager } from 'typeorm';
import { Problem } from '../common/problem.js';
import { assertAssignableOfficer } from '../users/assignable-officer.js';

/** The id, when it names an active officer or admin; a 400 naming `officerId` otherwise. */
export async function assertOfficer(m: EntityManager, officerId: string | undefined): Promise<string> {
  if (officerId === undefined) throw Problem.field('officerId', 'is required when an API key records this');
  await assertAssignableOfficer(m, officerId);
  return officerId;
}
