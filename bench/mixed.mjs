#!/usr/bin/env node
// Officers and integrating systems at once against one Peiyu process (APP_ROLE=all), then
// optionally a soak at a fraction of the measured rates (issue 7, load and soak).
//
//   npm run build && node bench/mixed.mjs                         # 60 s closed-loop mix, max rates
//   node bench/mixed.mjs --soak-minutes 10 --soak-fraction 0.5    # then 10 min at 50 % of them
//
// Needs a seeded database (default peiyu_scale_100k; bench/scale.mjs --keep leaves it, or
// `DATABASE_URL=postgres://root@127.0.0.1:5432/peiyu_scale_100k npm run seed -- --enterprises 100000`).
// Setup, through the API: four demo officers (from the seed) get a password, each gets up to 40
// of its enterprises on follow-up (挂号跟踪); an API key with enterprises:read/write and a high
// limit. RATE_LIMIT_PER_MINUTE is set to 1,000,000 for the process (the default 600/min per
// staff member and per key would turn the load into 429s).
//
// Classes, each its own autocannon instance and connections (closed loop; in the soak, an
// open-ish loop at a fixed request rate per class, autocannon's overallRate):
//   officer_get     staff JWT   GET /enterprises/:id         (its own enterprises)
//   officer_search  staff JWT   GET /enterprises?q=…         (2–4 character terms, rotating)
//   officer_patch   staff JWT   PATCH /enterprises/:id       If-Match, own enterprises
//   officer_log     staff JWT   POST /tracking/:id/logs      a contact and the next follow-up
//   integ_list      X-API-Key   GET /enterprises?updatedSince=…&limit=100
//   integ_get       X-API-Key   GET /enterprises/:id
//   integ_create    X-API-Key   POST /enterprises            tagged bench-load, deleted at the end
// Every 30 s of the soak: each class's rps, p50, p99, errors, and the Peiyu process's RSS.
// Redis keys under the bench's QUEUE_PREFIX, the API key, and the rows it created are removed at the end.
import { createRequire } from 'node:module';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  ROOT, ADMIN_EMAIL, ADMIN_PASSWORD, dbUrl, fmt, log, login, machine, median, rssMb, sampleRss, slope, sql, startPeiyu,
} from './lib.mjs';

const require = createRequire(join(ROOT, 'bench/baseline/package.json'));
const autocannon = require('autocannon');
const { loadCreditCodeFactory, makeEnterprise, prng } = await import('./baseline/gen.mjs');

const { values: a } = parseArgs({
  options: {
    db: { type: 'string', default: 'peiyu_scale_100k' },
    port: { type: 'string', default: '3104' },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    'soak-minutes': { type: 'string', default: '0' },
    'soak-fraction': { type: 'string', default: '0.5' },
    window: { type: 'string', default: '30' },
    classes: { type: 'string' }, // a subset, e.g. officer_get,integ_get (default: all seven)
    'pool-max': { type: 'string' }, // DB_POOL_MAX for the Peiyu process (default: its own, 10)
    out: { type: 'string' },
  },
});
const QUEUE_PREFIX = 'peiyu-bench-mixed';
const OUT = a.out ?? join(ROOT, 'bench/results', `mixed-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`);
mkdirSync(OUT, { recursive: true });
const URL_ = dbUrl(a.db);

const ALL_CONNECTIONS = { officer_get: 6, officer_search: 4, officer_patch: 4, officer_log: 2, integ_list: 4, integ_get: 6, integ_create: 2 };
const CONNECTIONS = a.classes
  ? Object.fromEntries(a.classes.split(',').map((c) => { if (!ALL_CONNECTIONS[c]) throw new Error(`unknown class ${c}`); return [c, ALL_CONNECTIONS[c]]; }))
  : ALL_CONNECTIONS;
const TERMS = ['鑫源', '泵业', '新材料', '陶瓷', '耐火材料', '华通', '机械', '博山', '科技', '宏达'];

// ---- start and set up ----
await cleanupRows();
const peiyu = await startPeiyu({
  port: Number(a.port), databaseUrl: URL_, role: 'all', logFile: join(OUT, 'peiyu.log'), extraEnv: { QUEUE_PREFIX, ...(a['pool-max'] ? { DB_POOL_MAX: a['pool-max'] } : {}) },
});
const base = peiyu.base;
const admin = await login(base, ADMIN_EMAIL, ADMIN_PASSWORD);
const call = async (method, path, body, headers = { authorization: `Bearer ${admin}` }) => {
  const res = await fetch(base + path, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
};

const officers = await sql(URL_, `SELECT id, email FROM users WHERE email LIKE 'officer%@demo.peiyu.local' AND role = 'officer' ORDER BY email LIMIT 4`);
if (officers.length === 0) throw new Error(`no demo officers in ${a.db}: seed it with npm run seed`);
const own = []; // { id, version, token }
const trackings = []; // { id, token }
for (const [i, o] of officers.entries()) {
  const pw = `bench-officer-${i + 1}-password`;
  const u = await call('PATCH', `/api/v1/users/${o.id}`, { password: pw });
  if (u.status !== 200) throw new Error(`set officer password: ${u.status} ${JSON.stringify(u.json)}`);
  o.token = await login(base, o.email, pw);
  const rows = await sql(URL_, `SELECT id, version FROM enterprises WHERE officer_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 250`, [o.id]);
  for (const r of rows) own.push({ id: r.id, version: r.version, token: o.token });
  for (const r of rows.slice(0, 40)) {
    const t = await call('POST', `/api/v1/enterprises/${r.id}/tracking`, { reasons: ['研发费用占比不足'], nextFollowUpAt: '2027-03-01' },
      { authorization: `Bearer ${o.token}` });
    const tid = t.status === 201 ? t.json.id : t.json?.existingId;
    if (!tid) throw new Error(`tracking: ${t.status} ${JSON.stringify(t.json)}`);
    trackings.push({ id: tid, token: o.token });
  }
}
const key = await call('POST', '/api/v1/api-keys', { name: 'bench mixed', scopes: ['enterprises:read', 'enterprises:write'], rateLimitPerMinute: 1000000 });
if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.json)}`);
const apiKey = key.json.key;
const anyIds = (await sql(URL_, `SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY md5(id::text) LIMIT 2000`)).map((r) => r.id);
const updatedSince = new Date(Date.now() - 60_000).toISOString();
log(`setup: ${officers.length} officers, ${own.length} own enterprises, ${trackings.length} trackings, API key ${key.json.prefix}`);

// ---- request definitions ----
function classes() {
  const r = prng(20261127);
  const nextCode = loadCreditCodeFactory();
  let gi = 0, si = 0, ii = 0, li = 0;
  const free = own.slice(); // PATCH: one request in flight per row, version from the last answer
  const byId = new Map(own.map((e) => [e.id, e]));
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  const json = { 'content-type': 'application/json' };
  return {
    officer_get: { setupRequest: (req) => { const e = own[gi++ % own.length]; return { ...req, method: 'GET', path: `/api/v1/enterprises/${e.id}`, headers: bearer(e.token) }; } },
    officer_search: { setupRequest: (req) => { const o = officers[si % officers.length]; const q = TERMS[si++ % TERMS.length]; return { ...req, method: 'GET', path: `/api/v1/enterprises?limit=20&q=${encodeURIComponent(q)}`, headers: bearer(o.token) }; } },
    officer_patch: {
      setupRequest: (req) => {
        const e = free.shift();
        return { ...req, method: 'PATCH', path: `/api/v1/enterprises/${e.id}`,
          headers: { ...bearer(e.token), ...json, 'if-match': `"${e.version}"` },
          body: JSON.stringify({ contactName: `联系人${r.int(100000)}`, contactPhone: `13${String(r.int(1e9)).padStart(9, '0')}` }) };
      },
      onResponse: (status, body) => { if (status !== 200) return; const v = JSON.parse(body); const e = byId.get(v.id); e.version = v.version; free.push(e); },
    },
    officer_log: {
      setupRequest: (req) => {
        const t = trackings[li++ % trackings.length];
        return { ...req, method: 'POST', path: `/api/v1/tracking/${t.id}/logs`, headers: { ...bearer(t.token), ...json },
          body: JSON.stringify({ channel: 'call', summary: `电话回访，研发费用归集进展 ${li}`, nextFollowUpAt: '2027-03-01' }) };
      },
    },
    integ_list: { setupRequest: (req) => ({ ...req, method: 'GET', path: `/api/v1/enterprises?limit=100&updatedSince=${encodeURIComponent(updatedSince)}`, headers: { 'x-api-key': apiKey } }) },
    integ_get: { setupRequest: (req) => ({ ...req, method: 'GET', path: `/api/v1/enterprises/${anyIds[ii++ % anyIds.length]}`, headers: { 'x-api-key': apiKey } }) },
    integ_create: {
      setupRequest: (req) => {
        const e = makeEnterprise(r, { creditCode: nextCode() });
        e.officerId = undefined;
        e.tags = [...e.tags, 'bench-load'];
        return { ...req, method: 'POST', path: '/api/v1/enterprises', headers: { 'x-api-key': apiKey, ...json }, body: JSON.stringify(e) };
      },
    },
  };
}
const defs = classes();

function runClass(name, seconds, rate) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({
      url: base, connections: CONNECTIONS[name], duration: seconds, timeout: 10,
      ...(rate ? { overallRate: Math.max(1, Math.round(rate)) } : {}),
      requests: [{ method: 'GET', path: '/', ...defs[name] }],
    }, (err, res) => (err ? reject(err) : resolve(res)));
    inst.on('error', reject);
  });
}
async function runMix(seconds, rates) {
  const names = Object.keys(CONNECTIONS);
  const results = await Promise.all(names.map((n) => runClass(n, seconds, rates?.[n])));
  const out = {};
  names.forEach((n, i) => {
    const res = results[i];
    const codes = {};
    for (const [c, { count }] of Object.entries(res.statusCodeStats || {})) codes[c] = Number(count);
    out[n] = { rps: +(res.requests.total / res.duration).toFixed(1), p50: res.latency.p50, p99: res.latency.p99, requests: res.requests.total, non2xx: res.non2xx, errors: res.errors, timeouts: res.timeouts, codes };
  });
  return out;
}
const total = (r) => Object.values(r).reduce((s, c) => s + c.rps, 0);
const bad = (r) => Object.values(r).reduce((s, c) => s + c.non2xx + c.errors, 0);

// ---- max (closed loop) ----
const lines = [`machine: ${machine()}; ${new Date().toISOString()}; Peiyu APP_ROLE=all on ${a.db}, RATE_LIMIT_PER_MINUTE=1000000${a['pool-max'] ? `, DB_POOL_MAX=${a['pool-max']}` : ''}`];
if (Number(a.warmup) > 0) await runMix(Number(a.warmup));
const max = await runMix(Number(a.duration));
writeFileSync(join(OUT, 'max.json'), JSON.stringify(max, null, 1));
lines.push('', `closed loop, ${a.duration} s, connections ${JSON.stringify(CONNECTIONS)}: ${fmt(total(max))} req/s in all, non-2xx + errors ${bad(max)}, RSS ${rssMb(peiyu.pid)} MB`, '',
  '| class | connections | req/s | p50 ms | p99 ms | non-2xx + errors |', '| --- | --- | --- | --- | --- | --- |');
for (const [n, c] of Object.entries(max)) lines.push(`| ${n} | ${CONNECTIONS[n]} | ${fmt(c.rps)} | ${c.p50} | ${c.p99} | ${c.non2xx + c.errors}${c.non2xx ? ' ' + JSON.stringify(c.codes) : ''} |`);
console.log(lines.join('\n'));
log(`max: ${fmt(total(max))} req/s, bad ${bad(max)}`);

// ---- soak ----
const minutes = Number(a['soak-minutes']);
if (minutes > 0) {
  const f = Number(a['soak-fraction']);
  const rates = Object.fromEntries(Object.entries(max).map(([n, c]) => [n, c.rps * f]));
  const windows = Math.round((minutes * 60) / Number(a.window));
  const rows = [];
  const t0 = Date.now();
  for (let w = 1; w <= windows; w++) {
    const sampler = sampleRss(peiyu.pid, 1000); // RSS every second; the window's mean, min and max
    const r = await runMix(Number(a.window), rates);
    const { samples } = sampler.stop();
    const lat = Object.values(r);
    const row = {
      t: Math.round((Date.now() - t0) / 1000), rps: total(r), bad: bad(r),
      rss: Math.round(samples.reduce((x, y) => x + y, 0) / samples.length), rssMin: Math.min(...samples), rssMax: Math.max(...samples),
      // the mix's p50 and p99 as the request-weighted median/max over classes is misleading; report the worst class and the reads
      p50get: r.integ_get?.p50, p99get: r.integ_get?.p99, p99patch: r.officer_patch?.p99, p99create: r.integ_create?.p99,
      p99max: Math.max(...lat.map((c) => c.p99)), p50med: median(lat.map((c) => c.p50)), classes: r,
    };
    rows.push(row);
    appendFileSync(join(OUT, 'soak.jsonl'), JSON.stringify(row) + '\n');
    log(`soak ${row.t}s: ${fmt(row.rps)} req/s, RSS mean ${row.rss} MB (${row.rssMin}–${row.rssMax}), get p50/p99 ${row.p50get}/${row.p99get}, patch p99 ${row.p99patch}, create p99 ${row.p99create}, worst p99 ${row.p99max}, bad ${row.bad}`);
  }
  const xs = rows.map((r) => r.t / 60);
  lines.push('', `soak: ${minutes} min at ${f * 100}% of the closed-loop rates (${fmt(total(max) * f)} req/s offered), sampled every ${a.window} s`, '',
    '| t (s) | req/s | RSS MB mean (min–max) | get p50 / p99 | patch p99 | create p99 | worst class p99 | non-2xx + errors |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) lines.push(`| ${r.t} | ${fmt(r.rps)} | ${r.rss} (${r.rssMin}–${r.rssMax}) | ${r.p50get} / ${r.p99get} | ${r.p99patch} | ${r.p99create} | ${r.p99max} | ${r.bad} |`);
  const tail = rows.slice(1); // the first window includes the step from the closed-loop run
  const tx = tail.map((r) => r.t / 60);
  lines.push('', `slopes (least squares over windows 2–${rows.length}): RSS mean ${slope(tx, tail.map((r) => r.rss)).toFixed(2)} MB/min, RSS max ${slope(tx, tail.map((r) => r.rssMax)).toFixed(2)} MB/min, ` +
    `get p99 ${slope(tx, tail.map((r) => r.p99get)).toFixed(3)} ms/min, patch p99 ${slope(tx, tail.map((r) => r.p99patch)).toFixed(3)} ms/min, ` +
    `create p99 ${slope(tx, tail.map((r) => r.p99create)).toFixed(3)} ms/min, worst p99 ${slope(tx, tail.map((r) => r.p99max)).toFixed(3)} ms/min; ` +
    `throughput ${slope(xs, rows.map((r) => r.rps)).toFixed(2)} req/s per min; non-2xx + errors ${rows.reduce((s, r) => s + r.bad, 0)}`);
  console.log(lines.slice(-rows.length - 5).join('\n'));
}
writeFileSync(join(OUT, 'summary.md'), lines.join('\n') + '\n');

// ---- clean up ----
await call('DELETE', `/api/v1/api-keys/${key.json.id}`).catch(() => {});
await peiyu.stop();
await cleanupRows();
// the follow-ups the bench opened (with their logs and planned reminders); the seed makes none
const tids = trackings.map((t) => t.id);
await sql(URL_, `DELETE FROM reminders WHERE occurrence LIKE 'tracking:%' AND split_part(occurrence, ':', 2) = ANY($1::text[])`, [tids]).catch((e) => log(`cleanup: ${e.message}`));
await sql(URL_, `DELETE FROM trackings WHERE id = ANY($1::uuid[])`, [tids]).catch((e) => log(`cleanup: ${e.message}`));
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
let removed = 0;
for await (const keys of redis.scanStream({ match: `${QUEUE_PREFIX}:*`, count: 1000 })) if (keys.length) removed += await redis.del(...keys);
await redis.quit();
log(`removed ${removed} Redis keys under ${QUEUE_PREFIX}:, the bench rows and the API key; output in ${OUT}`);

async function cleanupRows() {
  await sql(URL_, `DELETE FROM audit_entries WHERE entity = 'enterprise' AND entity_id IN (SELECT id::text FROM enterprises WHERE 'bench-load' = ANY(tags))`).catch(() => {});
  await sql(URL_, `DELETE FROM enterprises WHERE 'bench-load' = ANY(tags)`).catch((e) => log(`cleanup: ${e.message}`));
  await sql(URL_, `DELETE FROM api_keys WHERE name = 'bench mixed'`).catch(() => {});
}
