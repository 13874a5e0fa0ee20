#!/usr/bin/env node
// The enterprise export (issue 6) on N enterprises (default 100,000): wall time, bytes and the
// API process's peak RSS while it streams .csv and .xlsx to a client that reads as it comes.
// Also the import of the CSV just exported back as a dry run (every row matched, none changed).
//
//   npm run build && node bench/export.mjs [--n 100000] [--db postgres://root@127.0.0.1:5432/peiyu_export]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Blob } from 'node:buffer';
import pg from 'pg';
import { migrateDatabase } from '../dist/src/database/data-source.js';
import { seedEnterprises } from '../dist/src/enterprises/seed.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'postgres://root@127.0.0.1:5432/peiyu_export' },
    port: { type: 'string', default: '3011' },
  },
});
const N = Number(values.n);
const PORT = Number(values.port);
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-password-1' };
const BASE = `http://127.0.0.1:${PORT}/api/v1`;

await migrateDatabase(values.db);
const client = new pg.Client({ connectionString: values.db });
await client.connect();
const [{ n }] = (await client.query('SELECT count(*)::int AS n FROM enterprises WHERE deleted_at IS NULL'))
  .rows;
if (n < N) await seedEnterprises(values.db, { count: N - n, startIndex: n });
await client.end();

const child = spawn(process.execPath, ['dist/src/main.js'], {
  env: {
    PATH: process.env.PATH,
    DATABASE_URL: values.db,
    QUEUE_PREFIX: `peiyu-bench-export-${process.pid}`,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    APP_ROLE: 'api',
    NODE_OPTIONS: process.env.CHILD_NODE_OPTIONS ?? '',
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'bench-export-secret-bench-export-secret',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const rss = () => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  if (!kb) throw new Error('the API process died (out of memory?)');
  return Number(kb[1]) / 1024;
};
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health/live`)).ok) break;
    } catch {
      if (i > 300) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const login = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const auth = { authorization: `Bearer ${(await login.json()).accessToken}` };
  const results = {};
  let csv;
  for (const format of ['csv', 'xlsx']) {
    const before = rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 20);
    const started = Date.now();
    const res = await fetch(`${BASE}/enterprises/export?format=${format}${process.env.EXPORT_QUERY ?? ''}`, {
      headers: auth,
    });
    const chunks = [];
    let bytes = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      if (format === 'csv') chunks.push(chunk);
    }
    clearInterval(timer);
    if (format === 'csv') csv = Buffer.concat(chunks);
    results[format] = {
      status: res.status,
      seconds: (Date.now() - started) / 1000,
      megabytes: +(bytes / 1e6).toFixed(1),
      rssBeforeMB: Math.round(before),
      peakRssMB: Math.round(peak),
    };
  }
  const rows = csv.toString('utf8').split('\r\n').length - 2;
  const form = new globalThis.FormData();
  form.append('file', new Blob([csv]), 'export.csv');
  const started = Date.now();
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 20);
  const dry = await fetch(`${BASE}/enterprises/import?dryRun=true`, {
    method: 'POST',
    headers: auth,
    body: form,
  });
  clearInterval(timer);
  const body = await dry.json();
  results.importDryRun = {
    status: dry.status,
    seconds: (Date.now() - started) / 1000,
    total: body.total,
    created: body.created,
    updated: body.updated,
    errors: body.errors?.length,
    peakRssMB: Math.round(peak),
  };
  process.stdout.write(`${JSON.stringify({ enterprises: N, csvRows: rows, ...results }, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
}
