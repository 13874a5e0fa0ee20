import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs an UPDATE or DELETE and returns its rows (with RETURNING) and the affected count.
 * TypeORM's query() answers those two commands as `[rows, count]` but others as `rows`;
 * this keeps that quirk in one place.
 */
export async function mutate<T = Record<string, unknown>>(
  db: DataSource | EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<{ rows: T[]; count: number }> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return { rows: result[0] as T[], count: result[1] };
  }
  const rows = (result ?? []) as T[];
  return { rows, count: rows.length };
}
