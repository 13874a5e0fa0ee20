import pg from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';
import { SnakeNamingStrategy } from './naming.js';
import { ensureDatabase } from './postgres.js';

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

/** The one DataSource shape, used by the app, the migration runner, the seed and the tests. */
export function createDataSource({
  url,
  poolMax = 10,
  applicationName = 'peiyu',
}: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName,
    extra: {
      max: poolMax,
      // Fail a request fast rather than queue forever when the database is unreachable.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  });
}

// Any fixed number works; it only has to be the same in every Peiyu process.
const MIGRATION_LOCK_KEY = 730_202_2016;

/**
 * Creates the database when missing and runs pending migrations. Holds a PostgreSQL advisory
 * lock meanwhile, so processes starting together run them once, one after the other.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new pg.Client({ connectionString: url, application_name: 'peiyu-migrate' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const dataSource = createDataSource({ url, poolMax: 2, applicationName: 'peiyu-migrate' });
    await dataSource.initialize();
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
