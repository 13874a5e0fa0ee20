import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

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
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return { rows: result[0] as T[], count: result[1] };
  }
  const rows = (result ?? []) as T[];
  return { rows, count: rows.length };
}

/**
 * The pg pool under TypeORM, for the hottest reads: a named statement is parsed and planned
 * once per connection, and no QueryRunner is built per call. Same pool, same connections.
 */
export function pgPool(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as PostgresDriver).master as pg.Pool;
}

/** ISO 8601 in UTC with milliseconds, formatted by PostgreSQL rather than parsed into a Date and back. */
export const isoUtc = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
