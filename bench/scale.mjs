#!/usr/bin/env node
// Reads and writes at several table sizes, Peiyu against the bare baseline (issue 7, load and soak).
//
//   npm run build && node bench/scale.mjs                      # 10k, 100k, 1M; every endpoint
//   node bench/scale.mjs --sizes 100000 --endpoints get,patch --rounds 1 --keep
//
// For each size: Peiyu's database peiyu_scale_<size> seeded with `npm run seed -- --enterprises N`
// (reused when it already holds exactly N), the baseline's peiyu_scale_base_<size> with the same
// rows and ids copied over; both servers up at once (Peiyu APP_ROLE=api, as in bench/run.sh),
// then for each endpoint ROUNDS rounds of baseline, Peiyu (A B A B), DURATION s each at
// CONNECTIONS connections, autocannon through bench/baseline/load.mjs; medians and ratios.
// Databases are dropped at the end unless --keep. Raw JSON lines: bench/results/scale-<time>/.
import { mkdirSync, appendFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT, ADMIN_EMAIL, ADMIN_PASSWORD, log, sizeLabel, ensurePeiyuDb, ensureBaselineDb, dropDb, sql,
  startPeiyu, startBaseline, login, sampleRss, median, fmt, machine, dropRedisPrefix,
} from './lib.mjs';

const { values: a } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    endpoints: { type: 'string', default: 'list,search,search_short,search_1,get,create,patch,patch_ifmatch' },
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'peiyu-port': { type: 'string', default: '3101' },
    'baseline-port': { type: 'string', default: '3901' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const sizes = a.sizes.split(',').map(Number);
const endpoints = a.endpoints.split(',');
const OUT = a.out ?? join(ROOT, 'bench/results', `scale-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`);
mkdirSync(OUT, { recursive: true });
const RESULTS = join(OUT, 'results.jsonl');

const q = encodeURIComponent;
const EP = {
  list: ['--path', '/api/v1/enterprises?limit=50&status=reserve'],
  search: ['--path', `/api/v1/enterprises?limit=50&q=${q('新材料')}`],
  search_short: ['--path', `/api/v1/enterprises?limit=50&q=${q('鑫源')}`],
  search_1: ['--path', `/api/v1/enterprises?limit=50&q=${q('鑫')}`],
  get: ['--scenario', 'get-random', '--ids', '2000'],
  create: ['--scenario', 'create'],
  patch: ['--scenario', 'patch', '--ids', '2000'],
  patch_ifmatch: ['--scenario', 'patch', '--if-match', '--ids', '2000'],
};
for (const e of endpoints) if (!EP[e]) throw new Error(`unknown endpoint ${e} (${Object.keys(EP).join(', ')})`);

function loadRun(base, token, ep, label, warm) {
  return new Promise((resolve) => {
    execFile(process.execPath, [
      join(ROOT, 'bench/baseline/load.mjs'), '--base', base, '--token', token, '--duration', a.duration,
      '--connections', a.connections, '--warmup', String(warm), '--label', label, ...EP[ep],
    ], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) { log(`${label} failed: ${stderr}`); resolve({ label, failed: true }); return; }
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

const summary = [];
log(`${machine()}; sizes ${sizes.join(', ')}; ${a.duration} s x ${a.connections} connections, ${a.rounds} rounds; raw: ${RESULTS}`);
const dbs = [];
for (const n of sizes) {
  const s = sizeLabel(n);
  const peiyuDb = `peiyu_scale_${s}`;
  const baseDb = `peiyu_scale_base_${s}`;
  dbs.push(peiyuDb, baseDb);
  const p = await ensurePeiyuDb(peiyuDb, n);
  const b = await ensureBaselineDb(baseDb, p.url, n);
  await sql(p.url, 'VACUUM ANALYZE');
  await sql(b.url, 'VACUUM ANALYZE');
  const peiyu = await startPeiyu({ port: Number(a['peiyu-port']), databaseUrl: p.url, logFile: join(OUT, `peiyu-${s}.log`) });
  const baseline = await startBaseline({ port: Number(a['baseline-port']), databaseUrl: b.url, logFile: join(OUT, `baseline-${s}.log`) });
  const tokens = {
    baseline: await login(baseline.base, 'bench@example.com', 'bench-password'),
    peiyu: await login(peiyu.base, ADMIN_EMAIL, ADMIN_PASSWORD),
  };
  const rss = sampleRss(peiyu.pid);
  const started = new Date().toISOString();
  for (const ep of endpoints) {
    for (let r = 1; r <= Number(a.rounds); r++) {
      for (const [side, srv] of [['baseline', baseline], ['peiyu', peiyu]]) {
        const res = await loadRun(srv.base, tokens[side], ep, `${s}:${side}:${ep}:${r}`, r === 1 ? Number(a.warmup) : 0);
        res.size = n; res.side = side; res.ep = ep; res.round = r;
        appendFileSync(RESULTS, JSON.stringify(res) + '\n');
        log(`${s} ${ep} r${r} ${side}: ${res.rps} rps, p50 ${res.p50}, p99 ${res.p99}, non2xx ${res.non2xx}, errors ${res.errors}`);
        summary.push(res);
      }
    }
  }
  const { peak } = rss.stop();
  summary.push({ size: n, side: 'peiyu', ep: '_rss', peak, started, ended: new Date().toISOString() });
  appendFileSync(RESULTS, JSON.stringify({ size: n, ep: '_rss', peak }) + '\n');
  await peiyu.stop();
  await baseline.stop();
  // writes leave rows tagged bench-load: removed (the databases are reused as seeded)
  await ensurePeiyuDb(peiyuDb, n).catch(() => {});
  await sql(b.url, `DELETE FROM enterprises WHERE 'bench-load' = ANY(tags)`);
}

// ---- tables ----
const lines = [];
const pick = (n, side, ep) => summary.filter((r) => r.size === n && r.side === side && r.ep === ep && !r.failed);
lines.push(`machine: ${machine()}; ${a.duration} s x ${a.connections} connections, ${a.rounds} rounds, median; latency ms`);
lines.push('');
lines.push('| size | endpoint | baseline rps / p50 / p99 | Peiyu rps / p50 / p99 | rps ratio | p99 ratio | non-2xx + errors (B / P) |');
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const n of sizes) {
  for (const ep of endpoints) {
    const B = pick(n, 'baseline', ep), P = pick(n, 'peiyu', ep);
    const m = (rs, k) => median(rs.map((r) => r[k]));
    const bad = (rs) => rs.reduce((t, r) => t + r.non2xx + r.errors, 0);
    lines.push(`| ${sizeLabel(n)} | ${ep} | ${fmt(m(B, 'rps'))} / ${m(B, 'p50')} / ${m(B, 'p99')} | ${fmt(m(P, 'rps'))} / ${m(P, 'p50')} / ${m(P, 'p99')} | **${fmt(m(P, 'rps') / m(B, 'rps'), 2)}** | ${fmt(m(P, 'p99') / m(B, 'p99'), 2)} | ${bad(B)} / ${bad(P)} |`);
  }
  const r = summary.find((x) => x.size === n && x.ep === '_rss');
  lines.push(`| ${sizeLabel(n)} | Peiyu peak RSS | | ${r?.peak} MB | | | |`);
}
const text = lines.join('\n');
writeFileSync(join(OUT, 'summary.md'), text + '\n');
console.log(text);

log(`removed ${await dropRedisPrefix()} Redis keys under the bench's QUEUE_PREFIX`);
if (!a.keep) {
  for (const d of dbs) await dropDb(d);
  log(`dropped ${dbs.join(', ')}`);
}
