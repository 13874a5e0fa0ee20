import {
  QueryFailedError,
  type DeepPartial,
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
} from 'typeorm';
import { diff, type Changes } from '../audit/audit.service.js';
import { Problem } from '../common/problem.js';

export interface PutOutcome<T> {
  /** What happened, for the audit entry; null when the row already held exactly these values. */
  action: 'create' | 'update' | null;
  row: T;
  changes: Changes;
}

const isDuplicate = (err: unknown) =>
  err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';

/**
 * PUT of a row identified by its key (a year of figures, an enterprise's profile): creates it,
 * or replaces `fields` wholesale, honouring If-Match. Call inside the transaction, after
 * locking the enterprise. A replace that changes nothing keeps the version and writes nothing.
 */
export async function putRow<T extends ObjectLiteral & { version: number }>(
  m: EntityManager,
  target: EntityTarget<T>,
  key: Partial<T>,
  values: Partial<T>,
  fields: (keyof T)[],
  ifMatch: number | undefined,
): Promise<PutOutcome<T>> {
  const lock = () =>
    m.findOne(target, { where: key as FindOptionsWhere<T>, lock: { mode: 'pessimistic_write' } });
  let before = await lock();
  if (!before) {
    // If-Match names a version; a row not yet recorded has none, so it cannot match.
    if (ifMatch !== undefined) {
      throw new Problem(412, 'stale-version', 'Nothing is recorded here yet, so If-Match cannot match.', {
        currentVersion: null,
      });
    }
    try {
      // In a savepoint: when a concurrent PUT created the row first, this one replaces it instead.
      const row = await m.transaction((inner) =>
        inner.save(inner.create(target, { ...key, ...values } as DeepPartial<T>)),
      );
      return { action: 'create', row, changes: diff(null, row, fields) };
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      before = (await lock())!;
    }
  }
  if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
  const after = m.merge(target, m.create(target, { ...before } as DeepPartial<T>), values as DeepPartial<T>);
  const changes = diff(before, after, fields);
  if (Object.keys(changes).length === 0) return { action: null, row: before, changes };
  return { action: 'update', row: await m.save(after), changes };
}
