#!/usr/bin/env node
// Does enterprise list and search stay fast as the registry grows? Seeds N enterprises
// (default 1,000,000) into their own database with `npm run seed`'s code, then runs the SQL
// the service itself builds (enterpriseListQuery from the build) under EXPLAIN ANALYZE and
// reports the median execution time and the indexes each plan uses.
//
//   npm run build && node bench/search-scale.mjs [--n 1000000] [--db postgres://…/peiyu_scale] [--reseed]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrateDatabase } from '../dist/src/database/data-source.js';
import { enterpriseListQuery } from '../dist/src/enterprises/enterprise-list.query.js';
import { seedEnterprises } from '../dist/src/enterprises/seed.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'postgres://root@127.0.0.1:5432/peiyu_scale' },
    reseed: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
  },
});
const n = Number(values.n);
const runs = Number(values.runs);

await migrateDatabase(values.db);
const pool = new pg.Pool({ connectionString: values.db, max: 2 });
const [{ count }] = (await pool.query('SELECT count(*)::int AS count FROM enterprises')).rows;
if (values.reseed || count < n) {
  const started = Date.now();
  const result = await seedEnterprises(values.db, { count: n - (values.reseed ? 0 : count), startIndex: values.reseed ? 0 : count });
  await pool.query('VACUUM ANALYZE enterprises');
  console.error(`seeded ${result.inserted} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
const { rows } = (await pool.query('SELECT count(*)::int AS rows FROM enterprises')).rows[0];

// Terms: common and rare, 3+ characters (pg_trgm) and 1–2 (the n-gram index), a code fragment.
const cases = [
  ['list status=reserve', { status: 'reserve' }],
  ['list street + status', { street: '山头街道', status: 'tracking' }],
  ['q=新材料 (common, 3)', { q: '新材料' }],
  ['q=鑫源 (2 chars)', { q: '鑫源' }],
  ['q=耐火材料 (4 chars)', { q: '耐火材料' }],
  ['q=淄 (1 char, very common)', { q: '淄' }],
  ['q=翟 (1 char, absent)', { q: '翟' }],
  ['q=麒麟鼎 (absent, 3)', { q: '麒麟鼎' }],
  ['q=credit-code fragment', { q: 'MA3C' }],
  ['status + q=泵业', { status: 'applying', q: '泵业' }],
];
console.log(`enterprises: ${rows} rows\n`);
console.log(`${'query'.padEnd(30)} ${'median ms'.padStart(9)} ${'max ms'.padStart(7)} ${'rows'.padStart(5)}  indexes`);
for (const [label, filters] of cases) {
  const { text, values: params } = enterpriseListQuery({ limit: 50, ...filters });
  const times = [];
  let plan = '';
  let returned = 0;
  for (let i = 0; i < runs; i++) {
    const res = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
    const root = res.rows[0]['QUERY PLAN'][0];
    times.push(root['Execution Time'] + root['Planning Time']);
    plan = JSON.stringify(root.Plan);
    returned = root.Plan['Actual Rows'];
  }
  times.sort((a, b) => a - b);
  const indexes = [...new Set([...plan.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]))];
  const seq = plan.includes('"Seq Scan"') ? ' + SEQ SCAN' : '';
  console.log(
    `${label.padEnd(30)} ${times[times.length >> 1].toFixed(2).padStart(9)} ${times[times.length - 1].toFixed(2).padStart(7)} ${String(returned).padStart(5)}  ${indexes.join(', ')}${seq}`,
  );
}
await pool.end();
