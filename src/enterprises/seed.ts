import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import pg from 'pg';
import { demoEnterprises, DEFAULT_DEMO_SEED, type DemoEnterprise } from './demo-data.js';

export interface SeedOptions {
  count: number;
  seed?: number;
  /** How many demo officers to create and assign (~60% of enterprises get one). */
  officers?: number;
  /** Index of the first generated row, to extend an earlier seed without colliding. */
  startIndex?: number;
  batchSize?: number;
}

export interface SeedResult {
  inserted: number;
  skipped: number;
  officers: number;
  ms: number;
}

const INSERT = `
  INSERT INTO enterprises (name, credit_code, registered_at, street, industry, tech_domain, contact_name,
    contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags)
  SELECT u.name, u.code, u.reg::date, u.street, u.industry, u.domain, u.cname, u.cemail, u.cphone,
         u.officer::uuid, u.status, u.tier, u.reminders, string_to_array(u.tags, '|')
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[])
      AS u(name, code, reg, street, industry, domain, cname, cemail, cphone, officer, status, tier, reminders, tags)
  ON CONFLICT (credit_code) WHERE deleted_at IS NULL DO NOTHING`;

/**
 * Inserts realistic, deterministic Boshan enterprises straight into PostgreSQL, many rows
 * per statement (100,000 take seconds, not the minutes one POST each would). Rows whose
 * credit code already exists are skipped, so running it twice adds nothing.
 */
export async function seedEnterprises(databaseUrl: string, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const { count, seed = DEFAULT_DEMO_SEED, officers = 8, startIndex = 0, batchSize = 5000 } = options;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'peiyu-seed' });
  await client.connect();
  try {
    const officerIds = await ensureDemoOfficers(client, officers);
    let inserted = 0;
    let batch: DemoEnterprise[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const column = <K extends keyof DemoEnterprise>(k: K) => batch.map((e) => e[k]);
      const result = await client.query(INSERT, [
        column('name'),
        column('creditCode'),
        column('registeredAt'),
        column('street'),
        column('industry'),
        column('techDomain'),
        column('contactName'),
        column('contactEmail'),
        column('contactPhone'),
        column('officerId'),
        column('status'),
        column('tier'),
        column('remindersEnabled'),
        batch.map((e) => e.tags.join('|')),
      ]);
      inserted += result.rowCount ?? 0;
      batch = [];
    };
    for (const enterprise of demoEnterprises(count, { seed, officerIds, startIndex })) {
      batch.push(enterprise);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await client.query('ANALYZE enterprises');
    return { inserted, skipped: count - inserted, officers: officerIds.length, ms: Date.now() - started };
  } finally {
    await client.end();
  }
}

// Demo officers get a random password nobody knows: an admin sets a real one with
// PATCH /users/:id before anyone signs in as them.
async function ensureDemoOfficers(client: pg.Client, wanted: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= wanted; i++) {
    const email = `officer${i}@demo.peiyu.local`;
    const existing = await client.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    if (existing.rows[0]) {
      ids.push(existing.rows[0].id);
      continue;
    }
    const hash = await argon2.hash(randomBytes(24).toString('base64url'));
    const created = await client.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, 'officer') RETURNING id`,
      [email, `服务专员 ${i}`, hash],
    );
    ids.push(created.rows[0].id);
  }
  return ids;
}
