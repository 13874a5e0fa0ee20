import type { EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DomainEvent } from '../common/domain-events.js';
import { mutate } from '../database/sql.js';
import type { EnterpriseStatus } from './enterprise.constants.js';

/**
 * Moves an enterprise's cultivation status as a consequence of something else (filing,
 * promotion), only from the statuses given and, unless `overrideManual`, only where no person
 * set it by hand. Audited; returns the event to announce after commit (none if nothing moved).
 */
export async function moveEnterpriseStatus(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  enterpriseId: string,
  to: EnterpriseStatus,
  from: readonly EnterpriseStatus[],
  { overrideManual = false } = {},
): Promise<DomainEvent[]> {
  const { rows } = await mutate<{ before: string }>(
    m,
    `UPDATE enterprises e SET status = $2, version = e.version + 1, updated_at = now()
       FROM (SELECT status AS before FROM enterprises WHERE id = $1) b
      WHERE e.id = $1 AND e.status = ANY($3) AND ($4 OR NOT e.status_manual)
      RETURNING b.before`,
    [enterpriseId, to, from, overrideManual],
  );
  if (rows.length === 0) return [];
  await audit.record(m, actor, {
    action: 'update',
    entity: 'enterprise',
    entityId: enterpriseId,
    changes: { status: [rows[0].before, to] },
  });
  return [{ type: 'enterprise.updated', enterpriseId, fields: ['status'] }];
}
