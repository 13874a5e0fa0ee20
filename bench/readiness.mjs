#!/usr/bin/env node
// Readiness benchmarks (issue "Readiness"):
//  1. POST /readiness/evaluate: requests/s for 10 s at 32 connections (target ≥ 2,000).
//  2. The nightly re-score of N enterprises (default 100,000), each with three years of
//     figures, three IP items and a profile: wall time, time per 10,000, peak RSS of the worker
//     (targets ≤ 60 s, ≤ 400 MB, linear).
//
//   npm run build && node bench/readiness.mjs [--n 100000] [--db postgres://…/peiyu_readiness] [--skip-evaluate]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import pg from 'pg';
import { migrateDatabase } from '../dist/src/database/data-source.js';
import { seedEnterprises } from '../dist/src/enterprises/seed.js';

const require = createRequire(import.meta.url);
const autocannon = require('./baseline/node_modules/autocannon');

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'postgres://root@127.0.0.1:5432/peiyu_readiness' },
    port: { type: 'string', default: '3010' },
    'skip-evaluate': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const PORT = Number(values.port);
const PREFIX = `peiyu-bench-readiness-${process.pid}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-password-1' };
const env = {
  PATH: process.env.PATH,
  DATABASE_URL: values.db,
  REDIS_URL,
  QUEUE_PREFIX: PREFIX,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  JWT_SECRET: 'bench-secret-0123456789abcdef',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOG_LEVEL: 'warn',
};

function start(role) {
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...env, APP_ROLE: role }, stdio: ['ignore', 'inherit', 'inherit'] });
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // the process has just exited
    }
  }, 200);
  return { child, peakMb: () => Math.round(peakKb / 1024), stop: () => (clearInterval(sampler), child.kill('SIGTERM'), new Promise((r) => child.on('exit', r))) };
}

async function until(check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---- data: N enterprises with three years of figures, three IP items and a profile ----
await migrateDatabase(values.db);
const pool = new pg.Pool({ connectionString: values.db, max: 2 });
const { rows: [{ count }] } = await pool.query('SELECT count(*)::int AS count FROM enterprises');
if (count < N) {
  const t0 = Date.now();
  await seedEnterprises(values.db, { count: N - count, startIndex: count });
  // Figures derived from the id, so every run builds the same data; a spread of verdicts.
  await pool.query(`
    INSERT INTO enterprise_financials (enterprise_id, year, revenue, high_tech_revenue, rd_expense, rd_expense_domestic,
      net_assets, employees, tech_staff, achievements_transformed, source)
    SELECT e.id, y, r, round(r * (0.45 + (h % 30) / 100.0), 2), round(r * (0.02 + (h % 50) / 1000.0), 2),
           round(r * (0.02 + (h % 50) / 1000.0) * 0.9, 2), round(r * 0.4 * (1 + (y - 2022) * 0.1), 2),
           50 + h % 200, 5 + h % 40, h % 7, CASE WHEN h % 3 = 0 THEN 'audited' ELSE 'self_reported' END
      FROM (SELECT id, abs(hashtext(id::text)) AS h FROM enterprises) e,
           generate_series(2023, 2025) AS y,
           LATERAL (SELECT round((5000000 + (e.h % 90000000)) * (1 + (y - 2023) * 0.15), 2) AS r) rr
    ON CONFLICT DO NOTHING`);
  await pool.query(`
    INSERT INTO ip_assets (enterprise_id, kind, title, granted_at, acquisition)
    SELECT e.id, (ARRAY['invention_patent','utility_model','software_copyright'])[k], '专利 ' || k, DATE '2021-01-01' + (e.h % 900), 'self_developed'
      FROM (SELECT id, abs(hashtext(id::text)) AS h FROM enterprises) e, generate_series(1, 3) AS k
     WHERE NOT EXISTS (SELECT 1 FROM ip_assets i WHERE i.enterprise_id = e.id)`);
  await pool.query(`
    INSERT INTO innovation_profiles (enterprise_id, tech_advancement, core_support, standards_participation, project_accounting,
      rd_institution, transformation_incentives, talent_development, no_major_incident)
    SELECT id, (ARRAY['A','B','C','D'])[1 + h % 4], (ARRAY['A','B','C','D'])[1 + (h / 4) % 4], h % 5 = 0, h % 7, h % 7, h % 5, h % 5, true
      FROM (SELECT id, abs(hashtext(id::text)) AS h FROM enterprises) e
    ON CONFLICT DO NOTHING`);
  await pool.query('VACUUM ANALYZE');
  console.log(`seeded to ${N} enterprises with figures, IP and profiles in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
// Start each measurement from no stored assessments, as after a fresh deployment.
await pool.query('TRUNCATE readiness_assessments, readiness_runs');
await pool.query('UPDATE enterprises SET readiness_verdict = NULL, readiness_score_min = NULL, readiness_score_max = NULL');

// ---- 1. evaluate ----
if (!values['skip-evaluate']) {
  const api = start('api');
  await until(async () => (await fetch(`http://127.0.0.1:${PORT}/health/ready`)).ok);
  const login = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { accessToken } = await login.json();
  const body = JSON.stringify({
    assessmentDate: '2022-06-01', registeredAt: '2017-03-15', techDomain: 'advanced_manufacturing', noMajorIncident: true,
    years: [2019, 2020, 2021].map((year, i) => ({ year, revenue: 30e6 + i * 6e6, highTechRevenue: 21e6 + i * 4e6, rdExpense: 1.8e6 + i * 3e5,
      rdExpenseDomestic: 1.7e6 + i * 3e5, netAssets: 1e7 + i * 4e6, employees: 100 + i * 10, techStaff: 18 + i, achievementsTransformed: 5 })),
    ipAssets: [{ kind: 'invention_patent', grantedAt: '2020-05-01', acquisition: 'self_developed' }, { kind: 'utility_model', grantedAt: '2019-03-01', acquisition: 'transferred' }],
    innovation: { techAdvancement: 'B', coreSupport: 'B', standardsParticipation: false, rdManagement: { projectAccounting: 5, rdInstitution: 4, transformationIncentives: 3, talentDevelopment: 3 } },
  });
  const opts = { url: `http://127.0.0.1:${PORT}/api/v1/readiness/evaluate`, method: 'POST', body, connections: 32,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` } };
  await autocannon({ ...opts, duration: 3 });
  const r = await autocannon({ ...opts, duration: 10 });
  console.log(`evaluate: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}, errors ${r.errors}, RSS peak ${api.peakMb()} MB`);
  await api.stop();
}

// ---- 2. nightly re-score in a worker process ----
const worker = start('worker');
const queue = new Queue('readiness', { connection: { url: REDIS_URL }, prefix: PREFIX });
const events = new QueueEvents('readiness', { connection: { url: REDIS_URL }, prefix: PREFIX });
await events.waitUntilReady();
await until(async () => (await queue.getJobSchedulers()).length === 1);
const t0 = Date.now();
const job = await queue.add('rescore-all', {});
const result = await job.waitUntilFinished(events, 600_000);
const wall = Date.now() - t0;
const { rows: [run] } = await pool.query('SELECT enterprises, changed, verdicts_changed, ms_per10k FROM readiness_runs WHERE id = $1', [result.runId]);
const { rows: verdicts } = await pool.query(`SELECT readiness_verdict AS v, count(*)::int AS n FROM enterprises GROUP BY 1 ORDER BY 1`);
console.log(`nightly re-score: ${run.enterprises} enterprises in ${(wall / 1000).toFixed(1)} s wall (${(result.ms / 1000).toFixed(1)} s in the job), ` +
  `${run.changed} assessments stored, ${run.verdicts_changed} verdicts changed, worker peak RSS ${worker.peakMb()} MB`);
console.log(`ms per 10,000: ${run.ms_per10k.join(', ')}`);
console.log(`verdicts: ${verdicts.map((v) => `${v.v ?? 'unassessed'} ${v.n}`).join(', ')}`);
const t1 = Date.now();
const again = await (await queue.add('rescore-all', {})).waitUntilFinished(events, 600_000);
console.log(`second run, nothing changed: ${((Date.now() - t1) / 1000).toFixed(1)} s, ${again.changed} stored`);
await queue.obliterate({ force: true }).catch(() => undefined);
await Promise.all([queue.close(), events.close()]);
await worker.stop();
await pool.end();
console.log(`machine: nproc ${(await import('node:os')).cpus().length}, node ${process.version}, ${new Date().toISOString()}`);
