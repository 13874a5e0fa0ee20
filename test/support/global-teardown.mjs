// Drops every database this run created, template included.
import pg from 'pg';

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

export default async function globalTeardown() {
  const { PEIYU_TEST_RUN_ID: runId, PEIYU_TEST_SERVER_URL: serverUrl } = process.env;
  if (!runId || !serverUrl) return;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`peiyu_t_${runId}_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
