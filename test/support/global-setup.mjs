// Runs once per `npm test`, outside Jest's module system (so plain JS, no src/ imports):
// finds PostgreSQL, names this run's databases, and drops ones left by runs that died.
// The first test file to need the template migrates it (test/support/test-database.ts).
import pg from 'pg';

const STALE_AFTER_MS = 2 * 3600 * 1000;
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

async function findPostgresServer() {
  const candidates = process.env.TEST_POSTGRES_URL
    ? [process.env.TEST_POSTGRES_URL]
    : ['postgres://root@127.0.0.1:5432/postgres', 'postgres://postgres@127.0.0.1:5432/postgres'];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return { url, client };
    } catch {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`No PostgreSQL at ${candidates.join(' or ')}: start it (README, "Tests") or set TEST_POSTGRES_URL`);
}

export default async function globalSetup() {
  const { url, client } = await findPostgresServer();
  try {
    // Test databases are peiyu_t_<base36 ms>_<pid>_…, so their age is in their name.
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'peiyu\\_t\\_%'`);
    for (const { datname } of rows) {
      const born = parseInt(datname.split('_')[2], 36);
      if (Number.isFinite(born) && Date.now() - born > STALE_AFTER_MS) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      }
    }
  } finally {
    await client.end();
  }
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  process.env.PEIYU_TEST_RUN_ID = runId;
  process.env.PEIYU_TEST_SERVER_URL = url;
  process.env.PEIYU_TEST_TEMPLATE = `peiyu_t_${runId}_tpl`;
}
