import pg from 'pg';
import { createDataSource, migrateDatabase } from './data-source.js';
import { dropDatabase, splitDatabaseUrl } from './postgres.js';

/**
 * The SQL TypeORM would run to make the migrated schema match the entities. Empty means the
 * checked-in migrations and the entities agree. Uses a scratch database beside `url`.
 */
export async function schemaDrift(url: string): Promise<{ up: string[]; down: string[] }> {
  const { adminUrl, database } = splitDatabaseUrl(url);
  const scratch = `${database}_drift_${process.pid}_${Date.now()}`;
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${scratch}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await migrateDatabase(scratchUrl.toString());
    const dataSource = createDataSource({ url: scratchUrl.toString(), poolMax: 2 });
    await dataSource.initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
      return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.map((q) => q.query) };
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await dropDatabase(admin, scratch);
    await admin.end();
  }
}
