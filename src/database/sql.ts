import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';

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

const statementNames = new Map<string, string>();

/** A statement's name from its text (PostgreSQL truncates names at 63 bytes, so a digest). */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * A named statement on the transaction's connection (or the pool's, outside one): parsed and
 * planned once per connection. TypeORM's query() sends every statement unnamed, and on the
 * write paths PostgreSQL spent longer parsing and planning them than running them. Errors
 * come back as QueryFailedError, as from query(). Only for texts drawn from a small, fixed set.
 */
export async function namedQuery<T>(
  db: DataSource | EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = db instanceof DataSource ? undefined : (db.queryRunner as PostgresQueryRunner | undefined);
  const client: pg.ClientBase | pg.Pool = runner
    ? await runner.connect()
    : pgPool(db instanceof DataSource ? db : db.connection);
  try {
    return (await client.query({ name: statementName(text), text, values })).rows as T[];
  } catch (err) {
    throw new QueryFailedError(text, values, err as Error);
  }
}
