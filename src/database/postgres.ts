import pg from 'pg';

// DATE columns stay the 'YYYY-MM-DD' text PostgreSQL sends: a calendar date is not an
// instant, and a JS Date at local midnight would shift the day when serialised.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// NUMERIC money is parsed to a JS number at the edge; columns keep it exact.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** Splits a database URL into the server's maintenance URL and the database name. */
export function splitDatabaseUrl(url: string): { adminUrl: string; database: string } {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return { adminUrl: admin.toString(), database };
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { adminUrl, database } = splitDatabaseUrl(url);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Serialise check-and-create across processes starting together; without it the loser's
    // CREATE fails on pg_database's unique index.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`peiyu:create-database:${database}`]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount !== 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
    } catch (err) {
      // Created meanwhile by something that does not take our lock: that is fine too.
      if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Drops a database once the connections its users just closed are gone. A pool's end()
 * resolves before its sockets close; forcing the drop then would kill a closing connection,
 * whose client raises an error nobody listens to any more.
 */
export async function dropDatabase(admin: pg.Client, database: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
}
