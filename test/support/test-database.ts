import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../../src/database/data-source.js';
import { dropDatabase, quoteIdent } from '../../src/database/postgres.js';
import { databaseUrl, runInfo } from './environment.js';

/** The application_name of the tests' own connections. */
export const TEST_CLIENT_NAME = 'peiyu-test';

export interface TestDatabase {
  name: string;
  url: string;
  /** A direct client for assertions on what is stored. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { runId, serverUrl, template } = runInfo();
  const name = `peiyu_t_${runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await ensureTemplate(admin, serverUrl, template);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(serverUrl, name);
  // Named, so a fault test that ends the service's connections can spare its own.
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: TEST_CLIENT_NAME });
  // The database is dropped at the end; a client must not turn that into an unhandled error.
  pool.on('error', () => undefined);
  return {
    name,
    url,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await dropDatabase(c, name);
      } finally {
        await c.end();
      }
    },
  };
}

// The first test file of the run migrates the template; the others wait on the lock.
async function ensureTemplate(admin: pg.Client, serverUrl: string, template: string): Promise<void> {
  await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (rowCount === 0) await migrateDatabase(databaseUrl(serverUrl, template));
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
}

/** A database name of this run that does not exist yet (for start-up and migration tests). */
export function freshDatabaseUrl(): string {
  const { runId, serverUrl } = runInfo();
  return databaseUrl(serverUrl, `peiyu_t_${runId}_${randomBytes(4).toString('hex')}`);
}
