// Shared by bench/scale.mjs, bench/mixed.mjs and bench/soak.mjs: databases, the two servers,
// RSS sampling, small statistics. Everything started here is stopped by its PID.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PG = process.env.BENCH_PG || 'postgres://root@127.0.0.1:5432';
export const ADMIN_EMAIL = 'bench-admin@example.com';
export const ADMIN_PASSWORD = 'bench-password-1';
export const JWT_SECRET = 'bench-secret-0123456789abcdef';
export const QUEUE_PREFIX = 'peiyu-bench-scale';
export const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

// The load generator and the baseline server have their own package.json (bench/baseline):
// install it on first use, so a fresh clone runs a bench after `npm ci` alone.
if (!existsSync(join(ROOT, 'bench/baseline/node_modules/autocannon'))) {
  log('installing bench/baseline dependencies (npm ci --prefix bench/baseline)');
  execFileSync('npm', ['ci', '--prefix', join(ROOT, 'bench/baseline'), '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** Deletes the Redis keys under a bench QUEUE_PREFIX (the API role registers its queues there). */
export async function dropRedisPrefix(prefix = QUEUE_PREFIX) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  let removed = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) if (keys.length) removed += await redis.del(...keys);
  await redis.quit();
  return removed;
}

export const sizeLabel = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
export const dbUrl = (name) => `${PG}/${name}`;

export async function sql(url, text, values) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}
export async function dbExists(name) {
  return (await sql(dbUrl('postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}
export async function dropDb(name) {
  await sql(dbUrl('postgres'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26, ...opts }).toString();
}

/** Peiyu's database with exactly n seeded enterprises (npm run seed), reused when it has them. */
export async function ensurePeiyuDb(name, n) {
  const url = dbUrl(name);
  if (await dbExists(name)) {
    // rows an earlier bench run created or deleted go first
    await sql(url, `DELETE FROM audit_entries WHERE entity = 'enterprise' AND entity_id IN (SELECT id::text FROM enterprises WHERE 'bench-load' = ANY(tags))`).catch(() => {});
    await sql(url, `DELETE FROM enterprises WHERE 'bench-load' = ANY(tags)`).catch((e) => log(`cleanup of ${name}: ${e.message}`));
    const [{ count }] = await sql(url, 'SELECT count(*)::int AS count FROM enterprises WHERE deleted_at IS NULL');
    if (count === n) return { url, seeded: false };
    log(`${name} holds ${count} enterprises, not ${n}: reseeding`);
    await dropDb(name);
  }
  const t = Date.now();
  log(`npm run seed -- --enterprises ${n} into ${name}`);
  const out = run('npm', ['run', '--silent', 'seed', '--', '--enterprises', String(n)], { env: { ...process.env, DATABASE_URL: url } });
  log(`seeded in ${((Date.now() - t) / 1000).toFixed(1)} s: ${out.trim().split('\n').pop()}`);
  return { url, seeded: true };
}

/** The baseline's database: its own schema (bench/baseline/db.mjs), the same rows and ids as Peiyu's. */
export async function ensureBaselineDb(name, fromUrl, n) {
  const url = dbUrl(name);
  const { SCHEMA_SQL, ensureDatabase } = await import('./baseline/db.mjs');
  if (await dbExists(name)) {
    await sql(url, `DELETE FROM enterprises WHERE 'bench-load' = ANY(tags)`);
    await sql(url, `TRUNCATE audit_entries`).catch(() => {});
    await sql(url, SCHEMA_SQL); // audit_entries on databases made before it existed
    const [{ count }] = await sql(url, 'SELECT count(*)::int AS count FROM enterprises');
    if (count === n) return { url, copied: false };
    await dropDb(name);
  }
  const t = Date.now();
  await ensureDatabase(url);
  await sql(url, SCHEMA_SQL);
  const idx = ['enterprises_status_id_idx', 'enterprises_tech_domain_id_idx', 'enterprises_name_trgm_idx', 'enterprises_name_ngram_idx'];
  await sql(url, idx.map((i) => `DROP INDEX ${i};`).join(''));
  const cols = 'id, name, credit_code, registered_at, street, industry, tech_domain, contact_name, contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags, version, created_at, updated_at';
  run('bash', ['-c', `psql "$1" -qc "\\copy (SELECT ${cols} FROM enterprises WHERE deleted_at IS NULL) TO STDOUT" | psql "$2" -qc "\\copy enterprises (${cols}) FROM STDIN"`, '-', fromUrl, url]);
  await sql(url, SCHEMA_SQL); // the indexes, built once over the whole table
  log(`baseline ${name}: ${n} rows copied and indexed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { url, copied: true };
}

async function portFree(port) {
  try {
    await fetch(`http://127.0.0.1:${port}/health/live`);
    return false;
  } catch {
    return true;
  }
}

async function waitReady(base, child, logFile) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${base} did not become ready`);
}

const children = new Set();
function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { stopAll(); process.exit(130); });

async function startServer(name, args, env, port, logFile) {
  if (!(await portFree(port))) throw new Error(`port ${port} is taken; set another (${name})`);
  const { openSync } = await import('node:fs');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  children.add(child);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, child, logFile);
  return {
    base,
    pid: child.pid,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
      children.delete(child);
    },
  };
}

/** Peiyu as a user runs it: node dist/src/main.js (build first). */
export function startPeiyu({ port, databaseUrl, role = 'api', logFile, extraEnv = {}, nodeArgs = [] }) {
  return startServer('peiyu', [...nodeArgs, 'dist/src/main.js'], {
    APP_ROLE: role, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, QUEUE_PREFIX,
    ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, LOG_LEVEL: 'info',
    // A per-key and per-staff limit (600/min by default) would turn the load into 429s.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...extraEnv,
  }, port, logFile);
}

export function startBaseline({ port, databaseUrl, logFile }) {
  return startServer('baseline', ['bench/baseline/baseline-server.mjs'], {
    PORT: String(port), BASELINE_DATABASE_URL: databaseUrl, JWT_SECRET,
    BASELINE_EMAIL: 'bench@example.com', BASELINE_PASSWORD: 'bench-password',
  }, port, logFile);
}

export async function login(base, email, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${email} at ${base}: ${res.status} ${await res.text()}`);
  return (await res.json()).accessToken;
}

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
/** Samples a PID's RSS every ms; .stop() returns { peak, samples }. */
export function sampleRss(pid, ms = 500) {
  const samples = [];
  const t = setInterval(() => { const r = rssMb(pid); if (r !== null) samples.push(r); }, ms);
  return { stop() { clearInterval(t); return { peak: Math.max(0, ...samples), samples }; } };
}

export const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Least-squares slope of ys over xs. */
export function slope(xs, ys) {
  const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}
export const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');
export const machine = () =>
  `nproc ${run('nproc', []).trim()}, ${Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) / 1048576)} GiB, node ${process.version}`;
