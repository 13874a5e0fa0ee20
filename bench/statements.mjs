#!/usr/bin/env node
// The SQL statements one request sends, read from PostgreSQL's own log (log_statement = all on the
// bench database for the duration). Used to count round trips on the write paths (issue 7).
//
//   npm run build && node bench/statements.mjs [--db peiyu_scale_10k]
//
// Needs a seeded database (bench/scale.mjs --keep leaves one) and read access to the server log
// (LOG, default /var/log/postgresql/postgresql-15-main.log).
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dbUrl, login, sql, startPeiyu, ADMIN_EMAIL, ADMIN_PASSWORD, log } from './lib.mjs';

const { values: a } = parseArgs({
  options: {
    db: { type: 'string', default: 'peiyu_scale_10k' },
    log: { type: 'string', default: process.env.PG_LOG || '/var/log/postgresql/postgresql-15-main.log' },
    port: { type: 'string', default: '3151' },
  },
});
const url = dbUrl(a.db);
const peiyu = await startPeiyu({ port: Number(a.port), databaseUrl: url, logFile: '/dev/null' });
const base = `http://127.0.0.1:${a.port}/api/v1`;
try {
  const token = await login(`http://127.0.0.1:${a.port}`, ADMIN_EMAIL, ADMIN_PASSWORD);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const [row] = await sql(url, 'SELECT id, version FROM enterprises WHERE deleted_at IS NULL ORDER BY id LIMIT 1');
  const call = (method, path, body, headers = {}) =>
    fetch(base + path, { method, headers: { ...auth, ...headers }, body: body && JSON.stringify(body) });
  // Warm the process (prepared statements, actor cache) so the trace shows the steady state.
  await call('GET', `/enterprises/${row.id}`);
  await call('PATCH', `/enterprises/${row.id}`, { contactPhone: '13900000000' });
  const code = (await sql(url, "SELECT '91370304' || lpad((floor(random() * 1e9))::text, 9, '0') || '0' AS c"))[0].c;
  const cases = [
    ['GET', `/enterprises/${row.id}`, undefined, {}],
    ['PATCH contactName + contactPhone', `/enterprises/${row.id}`, { contactName: `联系人${Date.now() % 1e5}`, contactPhone: `13${String(Date.now()).slice(-9)}` }, {}],
    ['PATCH contactPhone, If-Match', `/enterprises/${row.id}`, { contactPhone: `13${String(Date.now() + 1).slice(-9)}` }, 'if-match'],
    ['POST', '/enterprises', { name: `语句计数${Date.now()}`, creditCode: code, creditCodeConfirmed: true, tags: ['bench-load'] }, {}],
  ];
  await sql(url, `ALTER DATABASE ${a.db} SET log_statement = 'all'`);
  await sql(dbUrl('postgres'), 'SELECT pg_reload_conf()');
  // Settings of ALTER DATABASE apply to new sessions only: restart the pool's connections.
  await sql(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [a.db]);
  await new Promise((r) => setTimeout(r, 500));
  await call('GET', `/enterprises/${row.id}`); // reconnect
  for (const [label, path, body, h] of cases) {
    const method = label.split(' ')[0];
    let headers = {};
    if (h === 'if-match') {
      const cur = await (await call('GET', path)).json();
      headers = { 'if-match': `"${cur.version}"` };
    }
    await new Promise((r) => setTimeout(r, 300));
    const from = statSync(a.log).size;
    const res = await call(method, path, body, headers);
    await new Promise((r) => setTimeout(r, 1500)); // after-commit listeners
    const text = readFileSync(a.log).subarray(from).toString();
    const stmts = text.split('\n').filter((l) => / LOG: {2}(statement|execute [^:]*):/.test(l))
      .map((l) => l.replace(/^.*? LOG: {2}/, '').slice(0, 160));
    console.log(`\n## ${label} → ${res.status}: ${stmts.length} statements`);
    for (const s of stmts) console.log(`- ${s}`);
  }
} finally {
  await sql(url, `ALTER DATABASE ${a.db} RESET log_statement`).catch(() => {});
  await peiyu.stop();
  log('done');
}
