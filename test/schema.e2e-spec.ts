import pg from 'pg';
import { migrateDatabase } from '../src/database/data-source.js';
import { schemaDrift } from '../src/database/schema-drift.js';
import { MIGRATIONS } from '../migrations/index.js';
import { createTestDatabase, freshDatabaseUrl } from './support/test-database.js';

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('database schema', () => {
  it('the checked-in migrations and the entities agree', async () => {
    const { up } = await schemaDrift(freshDatabaseUrl());
    // Any SQL here means an entity changed without a migration: run `npm run migration:generate`.
    expect(up).toEqual([]);
  });

  it('creates the database when missing and migrates it once when processes start together', async () => {
    const url = freshDatabaseUrl();
    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
    const ran = results.flat();
    expect(ran).toEqual(MIGRATIONS.map((m) => m.name));
    const rows = await query(url, 'SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await migrateDatabase(url)).toEqual([]);
    const server = new URL(url);
    const name = server.pathname.slice(1);
    server.pathname = '/postgres';
    await query(server.toString(), `DROP DATABASE "${name}" WITH (FORCE)`);
  });

  it('pg_trgm reads Chinese in this database (its LC_CTYPE classifies CJK as letters)', async () => {
    const db = await createTestDatabase();
    try {
      // Under LC_CTYPE=C pg_trgm drops CJK and the name index finds nothing; see README.
      const [row] = await db.query<{ n: number }>(`SELECT cardinality(show_trgm('淄博鑫源新材料有限公司')) AS n`);
      expect(row.n).toBeGreaterThan(5);
      const [grams] = await db.query<{ g: string[] }>(`SELECT name_ngrams('鑫源A') AS g`);
      expect(grams.g).toEqual(['鑫', '鑫源', '源', '源a', 'a']);
    } finally {
      await db.drop();
    }
  });

  it('enterprises keep small GIN pending lists and an eager autovacuum (searches under sustained writes)', async () => {
    const db = await createTestDatabase();
    try {
      const rows = await db.query<{ relname: string; reloptions: string[] }>(
        `SELECT relname, reloptions FROM pg_class
          WHERE relname IN ('enterprises', 'enterprises_name_trgm_idx', 'enterprises_name_ngram_idx', 'enterprises_credit_code_trgm_idx')
          ORDER BY relname`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.relname, [...(r.reloptions ?? [])].sort()]))).toEqual({
        enterprises: ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_scale_factor=0.02'],
        enterprises_credit_code_trgm_idx: ['gin_pending_list_limit=256'],
        enterprises_name_ngram_idx: ['gin_pending_list_limit=256'],
        enterprises_name_trgm_idx: ['gin_pending_list_limit=256'],
      });
    } finally {
      await db.drop();
    }
  });
});
