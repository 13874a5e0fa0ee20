#!/usr/bin/env node
// CPU profile of the built service under one endpoint's load, and where the time goes.
//
//   npm run build && node bench/profile.mjs --db peiyu_scale_100k --endpoint create --duration 15
//   node bench/profile.mjs --summarize path/to/file.cpuprofile
//
// Starts `node --cpu-prof --cpu-prof-dir <out> dist/src/main.js` (APP_ROLE=api) on an existing,
// seeded database (bench/scale.mjs --keep leaves them), loads it with bench/baseline/load.mjs,
// stops it with SIGTERM (the profile is written at exit), then prints self time by function and
// by package. Writes are tagged bench-load and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ADMIN_EMAIL, ADMIN_PASSWORD, dbUrl, dropRedisPrefix, log, login, sql, startPeiyu } from './lib.mjs';

const { values: a } = parseArgs({
  options: {
    db: { type: 'string', default: 'peiyu_scale_100k' },
    endpoint: { type: 'string', default: 'create' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    port: { type: 'string', default: '3102' },
    summarize: { type: 'string' },
    top: { type: 'string', default: '30' },
  },
});

const ARGS = {
  create: ['--scenario', 'create'],
  patch: ['--scenario', 'patch', '--ids', '2000'],
  patch_ifmatch: ['--scenario', 'patch', '--if-match', '--ids', '2000'],
  get: ['--scenario', 'get-random', '--ids', '2000'],
  list: ['--path', '/api/v1/enterprises?limit=50&status=reserve'],
};

function summarize(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
  const total = [...self.values()].reduce((x, y) => x + y, 0);
  const fn = new Map(), pkg = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const url = cf.url || '';
    const key = `${cf.functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const k = m ? m[1] : url.includes('/dist/src/') ? 'peiyu dist/src' : url.startsWith('node:') ? 'node: core' : cf.functionName.startsWith('(') ? cf.functionName : url ? 'other' : '(native/V8)';
    pkg.set(k, (pkg.get(k) ?? 0) + us);
  }
  const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled\n-- by package --`);
  for (const [k, us] of [...pkg].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(pct(us), k);
  console.log('-- by function (self) --');
  for (const [k, us] of [...fn].sort((x, y) => y[1] - x[1]).slice(0, Number(a.top))) console.log(pct(us), k);
}

if (a.summarize) {
  summarize(a.summarize);
} else {
  const dir = join(ROOT, 'bench/results', `profile-${a.endpoint}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const peiyu = await startPeiyu({
    port: Number(a.port), databaseUrl: dbUrl(a.db), logFile: join(dir, 'peiyu.log'),
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  const token = await login(peiyu.base, ADMIN_EMAIL, ADMIN_PASSWORD);
  const out = execFileSync(process.execPath, [join(ROOT, 'bench/baseline/load.mjs'), '--base', peiyu.base, '--token', token,
    '--duration', a.duration, '--connections', a.connections, '--warmup', '2', ...ARGS[a.endpoint]]).toString();
  log(out.trim());
  await peiyu.stop();
  await sql(dbUrl(a.db), `DELETE FROM audit_entries WHERE entity = 'enterprise' AND entity_id IN (SELECT id::text FROM enterprises WHERE 'bench-load' = ANY(tags))`).catch(() => {});
  await sql(dbUrl(a.db), `DELETE FROM enterprises WHERE 'bench-load' = ANY(tags)`).catch(() => {});
  await dropRedisPrefix();
  const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
  if (!f) throw new Error(`no profile in ${dir}`);
  summarize(join(dir, f));
}
