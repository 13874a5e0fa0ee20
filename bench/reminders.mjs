#!/usr/bin/env node
// Reminder outbox benchmarks (issue 5). Runs against the build: `npm run build` first.
//
//   npm run build && node bench/reminders.mjs [options]
//
//   --only send,plan,outbox   phases to run (default: all three, in this order)
//   --n 5000                  send: rows of the first run, one address each
//   --digest-n 20000          send: rows of the second run, over --addresses addresses (digests)
//   --addresses 100           send: addresses of the second run; 0 skips it
//   --head-of-line 2500       send: a third run, this many rows to ONE address due first and a
//                             fifth as many to one address each due after them; 0 skips it
//   --sweep-ms 1000           send: REMINDER_SWEEP_INTERVAL_MS of the sending workers
//   --enterprises 100000      plan/outbox: enterprises seeded (npm run seed's code)
//   --outbox 1000000          outbox: rows in `reminders` before the EXPLAINs
//   --due 3000                outbox: of them, scheduled and due now
//   --send-at-scale           outbox: then send the due rows with one worker, for at most
//   --scale-seconds 120       this long (at a million rows the claim makes it slow)
//   --cpu-prof                write CPU profiles of the first send worker and the planning worker
//                             under bench/results/ and print where their time went
//   --db-base postgres://root@127.0.0.1:5432/peiyu_bench_reminders  (the send phase adds _send)
//   --keep                    leave the databases behind (dropped by default)
//
// 1. Sending throughput of ONE worker process (`node dist/src/main.js`, APP_ROLE=worker, send
//    window 00:00-24:00): due follow_up_due rows are inserted in SQL, first each to its own
//    address, then many to few addresses (digests), then one address's backlog ahead of others
//    (head of line); an SMTP listener in this process accepts and counts the mail. Reports mails/s and reminders/s from the first mail to the last row `sent`,
//    checks that every row went out exactly once (Message-IDs and X-Peiyu-Reminder headers,
//    rows, attempts), and the CPU the worker, its PostgreSQL backends, Redis and the listener used.
// 2. EnterpriseReminderPlanner.planAll() over --enterprises enterprises with dated facts (30%
//    a certified HNTE application, 20% an open one in a batch with deadlines ahead, 10% an active
//    contract with pending items): the `plan-all` job a worker runs at start, then a second one,
//    which must change no row.
// 3. The outbox filled to --outbox rows (and reminder_attempts to match): EXPLAIN (ANALYZE,
//    BUFFERS) of the sweeper's due query, the sender's claim and its mark-sent (run and rolled
//    back), the stuck-claim recovery (run and rolled back), /health/ready's oldest-due query and
//    the per-enterprise queueDue. Fails unless `reminders` is read through an Index Cond on the
//    expected index: an Index Scan or Index Only Scan, or a bitmap scan whose arms all have one
//    (an OR of two ranges); never a Seq Scan, nor a walk of a whole index but the small partial
//    reminders_claimed_idx (see indexDriven).
//
// Exit status 1 when a check fails (duplicates, a slow plan, a plan that is not an index scan).
// Everything it creates is its own and removed at the end, also on failure and Ctrl-C: the
// databases, the queue keys under peiyu-bench-reminders-<pid>-*, the SMTP listener (an OS-chosen
// port); only --cpu-prof leaves its profiles in bench/results/ (ignored by git). Row ids and
// contents derive from fixed seeds; dates are relative to now.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { migrateDatabase } from '../dist/src/database/data-source.js';
import { seedEnterprises } from '../dist/src/enterprises/seed.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'send,plan,outbox' },
    n: { type: 'string', default: '5000' },
    'digest-n': { type: 'string', default: '20000' },
    addresses: { type: 'string', default: '100' },
    'head-of-line': { type: 'string', default: '2500' },
    'sweep-ms': { type: 'string', default: '1000' },
    enterprises: { type: 'string', default: '100000' },
    outbox: { type: 'string', default: '1000000' },
    due: { type: 'string', default: '3000' },
    'send-at-scale': { type: 'boolean', default: false },
    'scale-seconds': { type: 'string', default: '120' },
    'cpu-prof': { type: 'boolean', default: false },
    'db-base': { type: 'string', default: 'postgres://root@127.0.0.1:5432/peiyu_bench_reminders' },
    keep: { type: 'boolean', default: false },
  },
});
const phases = new Set(values.only.split(','));
const N = Number(values.n);
const DIGEST_N = Number(values['digest-n']);
const ADDRESSES = Number(values.addresses);
const HOL = Number(values['head-of-line']);
const SWEEP_MS = Number(values['sweep-ms']);
const ENTERPRISES = Number(values.enterprises);
const OUTBOX = Number(values.outbox);
const DUE = Number(values.due);
const SCALE_SECONDS = Number(values['scale-seconds']);
const DB_MAIN = values['db-base'];
const DB_SEND = `${values['db-base']}_send`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `peiyu-bench-reminders-${process.pid}`;
/** The plan phase's queues; the send-at-scale worker reuses them, so today's start-up plan-all is not run again. */
const PLAN_PREFIX = `${PREFIX}-plan`;
const ROOT = new URL('..', import.meta.url).pathname;
const RESULTS = join(ROOT, 'bench', 'results', `reminders-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const failures = [];

const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (x, d = 0) =>
  Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const sec = (ms) => (ms / 1000).toFixed(2);
const dbName = (url) => new URL(url).pathname.slice(1);

// ---------------------------------------------------------------------------------------------
// What to clean up whatever happens: child processes (by pid), queue keys, databases.
const children = new Set();
const prefixes = new Set();
const databases = new Set();
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill('SIGKILL');
  const redis = new Redis(REDIS_URL);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  if (!values.keep) for (const url of databases) await dropDatabase(url);
}
process.on('SIGINT', () => {
  cleanup().finally(() => process.exit(130));
});

async function adminQuery(url, sql) {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
const dropDatabase = (url) => adminQuery(url, `DROP DATABASE IF EXISTS "${dbName(url)}" WITH (FORCE)`);
async function freshDatabase(url) {
  databases.add(url);
  await dropDatabase(url);
  await migrateDatabase(url);
  return benchPool(url);
}
/** This script's own connections, told apart from the worker's by application_name. */
function benchPool(url) {
  return new pg.Pool({ connectionString: url, max: 4, application_name: 'bench' });
}

/** CPU seconds (user + system) a process has used so far; null once it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}
/** Busy and total CPU time of the whole machine (all cores), from /proc/stat. */
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/**
 * CPU seconds used between now and stop() by a worker process, its PostgreSQL backends (every
 * connection to `db` but this script's, sampled as they come and go), Redis, this process (the
 * SMTP listener) and the whole machine. `query` runs this script's queries.
 */
async function cpuMeter({ db, workerPid, query }) {
  const redis = new Redis(REDIS_URL);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))[1]);
  redis.disconnect();
  const backends = new Map(); // pid → [first, last]
  const sample = async () => {
    const { rows } = await query(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = $1 AND application_name <> 'bench' AND backend_type = 'client backend'`,
      [dbName(db)],
    );
    for (const { pid } of rows) {
      const s = cpuSeconds(pid);
      if (s === null) continue;
      const seen = backends.get(pid);
      if (seen) seen[1] = s;
      else backends.set(pid, [s, s]);
    }
  };
  await sample();
  const t0 = Date.now();
  const at0 = {
    worker: cpuSeconds(workerPid),
    redis: cpuSeconds(redisPid),
    self: process.cpuUsage(),
    machine: machineCpu(),
  };
  return {
    sample,
    async stop() {
      await sample();
      const self = process.cpuUsage(at0.self);
      const machine = machineCpu();
      let postgres = 0;
      for (const [first, last] of backends.values()) postgres += last - first;
      return {
        wall: (Date.now() - t0) / 1000,
        worker: cpuSeconds(workerPid) - at0.worker,
        postgres,
        redis: cpuSeconds(redisPid) - at0.redis,
        sink: (self.user + self.system) / 1e6,
        machineBusyShare: (machine.busy - at0.machine.busy) / (machine.total - at0.machine.total),
      };
    },
  };
}
const cpuLine = (c) =>
  `CPU seconds over ${c.wall.toFixed(1)} s: worker ${c.worker.toFixed(1)} (${fmt((100 * c.worker) / c.wall)}% of a core), ` +
  `its PostgreSQL backends ${c.postgres.toFixed(1)}, Redis ${c.redis.toFixed(1)}, this process (SMTP listener) ${c.sink.toFixed(1)}; ` +
  `machine busy ${fmt(100 * c.machineBusyShare)}% of ${cpus().length} cores`;

// ---------------------------------------------------------------------------------------------
// The SMTP listener: accepts everything, keeps only what the checks need.
async function startSink() {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        mails.push({
          at: Date.now(),
          messageId: /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '',
          ids: (/^x-peiyu-reminder:\s*(.+)$/im.exec(head)?.[1] ?? '').split(/[\s,]+/).filter(Boolean),
        });
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    mails,
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** Checks what the listener received against the rows: each reminder in exactly one mail. */
function checkMails(label, mails, expectedReminders) {
  const messageIds = new Set(mails.map((m) => m.messageId));
  const perId = new Map();
  for (const m of mails) for (const id of m.ids) perId.set(id, (perId.get(id) ?? 0) + 1);
  const twice = [...perId.values()].filter((c) => c > 1).length;
  const problems = [];
  if (messageIds.size !== mails.length)
    problems.push(`${mails.length - messageIds.size} Message-IDs received twice`);
  if (twice) problems.push(`${twice} reminders in more than one mail`);
  if (perId.size !== expectedReminders)
    problems.push(`${perId.size} reminders in the mails, ${expectedReminders} expected`);
  for (const p of problems) failures.push(`${label}: ${p}`);
  return { problems, messageIds: messageIds.size };
}

// ---------------------------------------------------------------------------------------------
// A worker process as an operator starts one: node dist/src/main.js, APP_ROLE=worker.
function startWorker({ db, prefix, env = {}, cpuProf = false, captureStdout = false }) {
  prefixes.add(prefix);
  const args = cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS}`, 'dist/src/main.js']
    : ['dist/src/main.js'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      APP_ROLE: 'worker',
      DATABASE_URL: db,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      JWT_SECRET: 'bench-secret-0123456789abcdef',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', captureStdout ? 'pipe' : 'inherit', 'inherit'],
  });
  children.add(child);
  const lines = [];
  if (captureStdout) {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) lines.push(buf.slice(0, i));
    });
  }
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // exited
    }
  }, 200);
  const exited = new Promise((r) =>
    child.on('exit', (code) => {
      clearInterval(sampler);
      children.delete(child);
      r(code);
    }),
  );
  return {
    child,
    lines,
    peakMb: () => Math.round(peakKb / 1024),
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until the worker beats, has registered the sweeper and has finished its start-up plan-all. */
async function workerReady(pool, queue, worker, ms = 120_000, onPoll = async () => {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited with ${worker.child.exitCode}`);
    await onPoll();
    const { rows } = await pool.query('SELECT 1 FROM worker_heartbeats WHERE pid = $1', [worker.child.pid]);
    if (rows.length && (await queue.getJobScheduler('reminders:sweep'))) {
      const planAll = (await queue.getCompleted(0, 100)).find((j) => j.name === 'plan-all');
      if (planAll) return planAll;
    }
    if (Date.now() > deadline) throw new Error('the worker did not become ready');
    await sleep(200);
  }
}

/** Self time in a worker's CPU profile, by package (or Peiyu's own folder). */
function profileSummary(pid) {
  const file = readdirSync(RESULTS).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`));
  if (!file) return log('  (no CPU profile written)');
  const p = JSON.parse(readFileSync(join(RESULTS, file), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const groupOf = (cf) => {
    const url = cf.url ?? '';
    if (url.includes('/node_modules/')) {
      const rest = url.slice(url.lastIndexOf('/node_modules/') + 14).split('/');
      return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    }
    if (url.includes('/dist/src/')) return `peiyu ${url.slice(url.indexOf('/dist/src/') + 10)}`;
    return null;
  };
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const cf = byId.get(p.samples[i]).callFrame;
    if (cf.functionName === '(idle)') continue;
    let g = groupOf(cf);
    if (!g && cf.functionName.startsWith('(')) g = cf.functionName;
    // Native code (socket writes, JSON, crypto): charged to the nearest package that called it.
    for (let x = parent.get(p.samples[i]); !g && x !== undefined; x = parent.get(x)) {
      const owner = groupOf(byId.get(x).callFrame);
      if (owner) g = `${owner} → ${cf.functionName || 'native'}`;
    }
    g ??= cf.url || cf.functionName || '(anonymous)';
    const us = p.timeDeltas[i] ?? 0;
    groups.set(g, (groups.get(g) ?? 0) + us);
    total += us;
  }
  const top = [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16);
  log(
    `  worker CPU profile bench/results/${RESULTS.split('/').at(-1)}/${file}: busy ${sec(total / 1000)} s, self time by owner:`,
  );
  for (const [g, us] of top) log(`    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${g}`);
}

// ---------------------------------------------------------------------------------------------
// Reminder rows as the follow-up planner writes them (the payload of reminder-template.ts's
// follow_up_due), enterprise_id a seeded enterprise's. $1 rows, $2 addresses (0: one each),
// $3 the instant they are due by, $4 the id seed. Row g is due 1 h before $3 plus g ms.
const INSERT_DUE = `
  INSERT INTO reminders (id, kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, status,
                         payload, occurrence)
  SELECT md5($4 || g)::uuid, 'follow_up_due', e.id,
         'officer' || CASE WHEN $2::int > 0 THEN g % $2::int ELSE g END || '@bench.test', 'officer',
         '【跟踪提醒】' || e.name || ' 的跟踪回访到期', $3::timestamptz - interval '1 hour' + g * interval '1 ms', true,
         'scheduled',
         jsonb_build_object('enterpriseName', e.name, 'contactName', e.contact_name, 'officerName', '服务专员 ' || (g % 8 + 1),
           'officerEmail', 'officer' || (g % 8 + 1) || '@demo.peiyu.local', 'trackingId', md5($4 || 't' || g)::uuid,
           'nextFollowUpAt', to_char(($3::timestamptz - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'reasons', jsonb_build_array('研发费用占比待核实', '知识产权数量不足')),
         'tracking:' || md5($4 || 't' || g)::uuid || ':follow-up:officer'
    FROM generate_series(1, $1::int) g
    JOIN (SELECT id, name, contact_name, row_number() OVER (ORDER BY credit_code) - 1 AS k FROM enterprises) e
      ON e.k = g % (SELECT count(*) FROM enterprises)`;

/**
 * One sending run: a worker started and settled (start-up plan-all done), then the rows
 * inserted, until every row is sent. Measures from the first mail to the last row `sent`.
 */
async function sendRun({ label, slug, pool, db, sink, batches, probe, cpuProf }) {
  const rows = batches.reduce((n, b) => n + b.rows, 0);
  const addresses = batches.reduce((n, b) => n + (b.addresses || b.rows), 0);
  await pool.query('TRUNCATE reminders CASCADE');
  sink.mails.length = 0;
  const prefix = `${PREFIX}-${slug}`;
  const queue = new Queue('reminders', { connection: { url: REDIS_URL }, prefix });
  const worker = startWorker({
    db,
    prefix,
    cpuProf,
    env: {
      SMTP_URL: sink.url,
      REMINDER_SEND_WINDOW: '00:00-24:00',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      REMINDER_SWEEP_INTERVAL_MS: String(SWEEP_MS),
    },
  });
  await workerReady(pool, queue, worker);

  // This script's queries during the run go through `watch` and are counted, so the
  // transactions the worker made can be told from ours in pg_stat_database (a backend reports
  // its counts within a second or so, and when it exits).
  const xactCount = async () => {
    const c = new pg.Client({ connectionString: db, application_name: 'bench' });
    await c.connect();
    const { rows: r } = await c.query(
      'SELECT xact_commit + xact_rollback AS x FROM pg_stat_database WHERE datname = $1',
      [dbName(db)],
    );
    await c.end();
    return Number(r[0].x);
  };
  const watch = benchPool(db);
  let ownQueries = 0;
  const q = (sql, params) => (ownQueries++, watch.query(sql, params));
  const meter = await cpuMeter({ db, workerPid: worker.child.pid, query: q });
  const x0 = await xactCount();

  const t0 = Date.now();
  for (const b of batches)
    await q(INSERT_DUE, [b.rows, b.addresses, new Date(t0 + (b.dueByOffsetMs ?? 0)), b.idSeed]);
  const tInserted = Date.now();
  const probeIds = probe
    ? new Set((await q(`SELECT id FROM reminders WHERE ${probe}`)).rows.map((r) => r.id))
    : new Set();
  let state;
  for (;;) {
    await sleep(100);
    await meter.sample();
    state = (
      await q(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                max(sent_at) AS "lastSentAt" FROM reminders`,
      )
    ).rows[0];
    if (state.sent + state.failed >= rows) break;
    if (Date.now() - t0 > 15 * 60_000)
      throw new Error(`${label}: only ${state.sent} of ${rows} sent after 15 min`);
  }
  const cpu = await meter.stop();
  await worker.stop();
  await watch.end();
  await sleep(500);
  const xacts = (await xactCount()) - x0 - ownQueries - 1; // less ours, and the one that read x0

  // ---- checks: every row sent, in exactly one mail, by one attempt ----
  const mails = sink.mails.slice();
  const { problems, messageIds } = checkMails(label, mails, rows);
  const {
    rows: [db1],
  } = await pool.query(
    `SELECT count(*) FILTER (WHERE attempts <> 1)::int AS retried, count(DISTINCT message_id)::int AS "messageIds",
            (SELECT count(*)::int FROM reminder_attempts WHERE outcome = 'sent') AS attempts
       FROM reminders`,
  );
  const more = [];
  if (state.failed) more.push(`${state.failed} rows failed`);
  if (db1.messageIds !== mails.length)
    more.push(`${db1.messageIds} Message-IDs in the rows, ${mails.length} mails received`);
  if (db1.attempts !== rows || db1.retried)
    more.push(`${db1.attempts} sent attempts, ${db1.retried} rows with attempts ≠ 1`);
  for (const p of more) failures.push(`${label}: ${p}`);
  problems.push(...more);

  // ---- numbers ----
  const firstMail = mails[0].at;
  const lastMail = mails[mails.length - 1].at;
  const span = (Math.max(new Date(state.lastSentAt).getTime(), lastMail) - firstMail) / 1000;
  const perSecond = new Map();
  for (const m of mails) {
    const s = Math.floor((m.at - firstMail) / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  const lastWhole = Math.floor((lastMail - firstMail) / 1000);
  const whole = [...Array(lastWhole).keys()].map((s) => perSecond.get(s) ?? 0).sort((a, b) => a - b);
  const result = {
    label,
    rows,
    addresses,
    mails: mails.length,
    span,
    mailsPerSec: mails.length / span,
    remindersPerSec: rows / span,
    whole,
    pgXactsPerMail: xacts / mails.length,
    cpu,
    workerRssMb: worker.peakMb(),
  };
  log(
    `\n[send: ${label}] ${fmt(rows)} rows to ${fmt(result.addresses)} addresses → ${fmt(mails.length)} mails\n` +
      `  first mail ${sec(firstMail - tInserted)} s after the insert; first mail → last row sent ${span.toFixed(2)} s\n` +
      `  ${fmt(result.mailsPerSec, 1)} mails/s, ${fmt(result.remindersPerSec, 1)} reminders/s` +
      (whole.length
        ? `; mails in each whole second: min ${whole[0]}, median ${whole[whole.length >> 1]}, max ${whole.at(-1)} (${whole.length} s)`
        : '') +
      `\n  checks: ${problems.length ? problems.join('; ') : `${fmt(messageIds)} distinct Message-IDs, every reminder in exactly one mail, one attempt each`}\n` +
      `  PostgreSQL transactions per mail (sweeps and heartbeats included): ${result.pgXactsPerMail.toFixed(2)}\n` +
      `  ${cpuLine(cpu)} (insert → all sent); per mail: worker ${((1000 * cpu.worker) / mails.length).toFixed(2)} ms, ` +
      `PostgreSQL ${((1000 * cpu.postgres) / mails.length).toFixed(2)} ms; worker peak RSS ${result.workerRssMb} MB`,
  );
  if (probe) {
    const probed = mails.filter((m) => m.ids.some((id) => probeIds.has(id)));
    log(
      `  the ${fmt(probeIds.size)} rows where ${probe}: first mail ${sec(probed[0].at - tInserted)} s after the insert, ` +
        `last ${sec(probed.at(-1).at - tInserted)} s`,
    );
  }
  await queue.close();
  if (cpuProf) profileSummary(worker.child.pid);
  return result;
}

async function send() {
  const pool = await freshDatabase(DB_SEND);
  await seedEnterprises(DB_SEND, { count: 100, officers: 1 });
  const sink = await startSink();
  try {
    const common = { pool, db: DB_SEND, sink, cpuProf: false };
    await sendRun({
      ...common,
      label: 'one address each',
      slug: 'send-a',
      batches: [{ rows: N, addresses: 0, idSeed: 'send-a' }],
      cpuProf: values['cpu-prof'],
    });
    if (ADDRESSES > 0)
      await sendRun({
        ...common,
        label: `${ADDRESSES} addresses (digests)`,
        slug: 'send-b',
        batches: [{ rows: DIGEST_N, addresses: ADDRESSES, idSeed: 'send-b' }],
      });
    if (HOL > 0)
      // One address's backlog due first, then rows one address each due 10 s later.
      await sendRun({
        ...common,
        label: `${HOL} rows to one address ahead of ${Math.round(HOL / 5)} rows to one address each`,
        slug: 'send-c',
        batches: [
          { rows: HOL, addresses: 1, idSeed: 'send-c1' },
          { rows: Math.round(HOL / 5), addresses: 0, idSeed: 'send-c2', dueByOffsetMs: 10_000 },
        ],
        probe: `recipient <> 'officer0@bench.test'`,
      });
  } finally {
    await sink.stop();
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Dated facts for the planner, from each enterprise's rank by credit code (the seed is
// deterministic, the ids are not): rank % 10 in 0–2 a certified HNTE application (issued in the
// last 1,000 days, valid three years less a day), 3–4 an open one (cultivating / coaching /
// preparing) in one of two batches with deadlines 5–60 days ahead, 5 an active contract with
// pending items due in 3, 30 and 90 days. contact_email comes with the seed.
async function addFacts(url) {
  const c = new pg.Client({ connectionString: url, application_name: 'bench' });
  await c.connect();
  try {
    await c.query(`CREATE TEMP TABLE ranked AS
      SELECT id, officer_id, row_number() OVER (ORDER BY credit_code) AS n FROM enterprises`);
    await c.query(`
      INSERT INTO batches (program, year, name, registration_deadline, materials_deadline, submission_deadline)
      VALUES ('hnte', extract(year FROM current_date)::int + 1, 'bench batch A', current_date + 5, current_date + 12, current_date + 30),
             ('hnte', extract(year FROM current_date)::int + 1, 'bench batch B', current_date + 20, current_date + 40, current_date + 60)`);
    await c.query(`
      INSERT INTO applications (enterprise_id, program, year, stage, certificate_no, issued_at, valid_until)
      SELECT id, 'hnte', extract(year FROM d)::int, 'certified', 'GR' || lpad(n::text, 9, '0'), d,
             (d + interval '3 years' - interval '1 day')::date
        FROM (SELECT id, n, current_date - 1000 + (n * 7 % 1000)::int AS d FROM ranked WHERE n % 10 < 3) x`);
    await c.query(`
      INSERT INTO applications (enterprise_id, program, year, stage, batch_id)
      SELECT r.id, 'hnte', b.year, (ARRAY['cultivating', 'coaching', 'preparing'])[1 + n % 3], b.id
        FROM ranked r JOIN batches b ON b.name = CASE WHEN n % 20 IN (3, 13) THEN 'bench batch A' ELSE 'bench batch B' END
       WHERE n % 10 IN (3, 4)`);
    await c.query(`
      INSERT INTO service_contracts (contract_no, enterprise_id, officer_id, signed_at, starts_at, ends_at, amount, status)
      SELECT 'BENCH-' || n, id, coalesce(officer_id, (SELECT id FROM users ORDER BY email LIMIT 1)),
             current_date - 30, current_date - 30, current_date + 335, 50000, 'active'
        FROM ranked WHERE n % 10 = 5`);
    await c.query(`
      INSERT INTO contract_items (contract_id, position, description, due_at)
      SELECT c.id, k, '服务事项 ' || k, current_date + (ARRAY[3, 30, 90])[k]
        FROM service_contracts c, generate_series(1, 3) k`);
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}

/** Waits for a job to finish, sampling the CPU meter meanwhile. */
async function finished(queue, id, meter) {
  for (;;) {
    const job = await queue.getJob(id);
    if (job?.finishedOn) return job;
    await meter?.sample();
    await sleep(250);
  }
}

async function plan() {
  const pool = await freshDatabase(DB_MAIN);
  let t = Date.now();
  const seeded = await seedEnterprises(DB_MAIN, { count: ENTERPRISES });
  log(`\n[plan] seeded ${fmt(seeded.inserted)} enterprises in ${sec(Date.now() - t)} s`);
  t = Date.now();
  await addFacts(DB_MAIN);
  const {
    rows: [facts],
  } = await pool.query(`
    SELECT (SELECT count(*) FROM applications WHERE stage = 'certified')::int AS certified,
           (SELECT count(*) FROM applications WHERE stage <> 'certified')::int AS open,
           (SELECT count(*) FROM service_contracts)::int AS contracts, (SELECT count(*) FROM contract_items)::int AS items`);
  log(
    `[plan] facts in ${sec(Date.now() - t)} s: ${fmt(facts.certified)} certified HNTE applications, ` +
      `${fmt(facts.open)} open ones in 2 batches, ${fmt(facts.contracts)} active contracts with ${fmt(facts.items)} pending items`,
  );

  // The production send window (09:00–18:00, working days) and one sweep an hour: the sweeper
  // sends nothing while planning runs, as at 01:30 when the nightly plan runs. A listener anyway,
  // to show that nothing went out.
  const sink = await startSink();
  const queue = new Queue('reminders', { connection: { url: REDIS_URL }, prefix: PLAN_PREFIX });
  const tStart = Date.now();
  const worker = startWorker({
    db: DB_MAIN,
    prefix: PLAN_PREFIX,
    captureStdout: true,
    cpuProf: values['cpu-prof'],
    env: { LOG_LEVEL: 'info', REMINDER_SWEEP_INTERVAL_MS: '3600000', SMTP_URL: sink.url },
  });
  const meter1 = await cpuMeter({
    db: DB_MAIN,
    workerPid: worker.child.pid,
    query: (s, p) => pool.query(s, p),
  });
  const first = await workerReady(pool, queue, worker, 600_000, meter1.sample);
  const cpu1 = await meter1.stop();
  const firstMs = first.finishedOn - first.processedOn;
  // The service writes its log in batches (every 250 ms at the latest): give the line time to arrive.
  let logLine;
  for (let i = 0; i < 20 && !logLine; i++) {
    logLine = worker.lines.find((l) => l.includes('Planned the reminders of every enterprise'));
    if (!logLine) await new Promise((r) => setTimeout(r, 100));
  }
  const outboxState = async () =>
    (
      await pool.query(`SELECT count(*)::int AS rows, sum(version)::bigint AS versions, max(updated_at) AS "lastUpdate",
                               count(*) FILTER (WHERE status = 'scheduled')::int AS scheduled FROM reminders`)
    ).rows[0];
  const before = await outboxState();
  const { rows: byKind } = await pool.query(
    `SELECT kind, count(*)::int AS n, count(*) FILTER (WHERE due_at <= now())::int AS due FROM reminders GROUP BY kind ORDER BY kind`,
  );
  log(
    `[plan] first plan-all (the job a worker runs at start): ${sec(firstMs)} s in the job ` +
      `(${sec(first.finishedOn - tStart)} s from spawning the worker); it returned ${JSON.stringify(first.returnvalue)}\n` +
      `  worker log: ${logLine ?? '(no "Planned the reminders" line)'}\n` +
      `  ${fmt(before.rows)} rows in the outbox: ${byKind.map((k) => `${k.kind} ${fmt(k.n)} (${fmt(k.due)} due now)`).join(', ')}\n` +
      `  ${cpuLine(cpu1)} (spawn → done, start-up included)`,
  );
  if (first.returnvalue?.planned !== before.rows)
    log(
      `  NOTE: the job says planned ${first.returnvalue?.planned}, the outbox holds ${before.rows} new rows`,
    );

  const meter2 = await cpuMeter({
    db: DB_MAIN,
    workerPid: worker.child.pid,
    query: (s, p) => pool.query(s, p),
  });
  const second = await finished(
    queue,
    (await queue.add('plan-all', {}, { jobId: 'bench-plan-all-2' })).id,
    meter2,
  );
  const cpu2 = await meter2.stop();
  const secondMs = second.finishedOn - second.processedOn;
  const after = await outboxState();
  const unchanged = JSON.stringify(before) === JSON.stringify(after);
  log(
    `[plan] second plan-all, nothing to change: ${sec(secondMs)} s, returned ${JSON.stringify(second.returnvalue)}; ` +
      `outbox ${unchanged ? 'unchanged (rows, versions, last update)' : `CHANGED: ${JSON.stringify(before)} → ${JSON.stringify(after)}`}\n` +
      `  ${cpuLine(cpu2)}; worker peak RSS ${worker.peakMb()} MB`,
  );
  if (!unchanged) failures.push('plan: the second plan-all changed the outbox');
  if (firstMs > 60_000) failures.push(`plan: the first plan-all took ${sec(firstMs)} s (> 60 s)`);
  await worker.stop();
  await queue.close();
  await sink.stop();
  if (sink.mails.length)
    log(`[plan] ${sink.mails.length} mails went out while planning (inside the send window)`);
  if (values['cpu-prof']) profileSummary(worker.child.pid);
  await pool.end();
}

// ---------------------------------------------------------------------------------------------
// The outbox at a million rows. Filler: 60% sent (with their attempt), 15% cancelled, 25%
// scheduled 1–400 days ahead; DUE rows scheduled and due within the last hour; 200 `sending`
// with an open attempt, half claimed 10 min ago by a worker without a heartbeat, half 5 s ago by
// one with a fresh heartbeat. A fifth go to the eight demo officers, the rest to 100,000 contacts.
async function fillOutbox(pool) {
  const {
    rows: [{ have }],
  } = await pool.query('SELECT count(*)::int AS have FROM reminders');
  const filler = Math.max(0, OUTBOX - have - DUE - 200);
  const t = Date.now();
  const columns = `id, kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, status, attempts,
                   sent_at, message_id, claimed_at, claimed_by, payload, occurrence`;
  const select = (status, due, extra) => `
    SELECT md5('outbox' || g)::uuid, 'follow_up_due', e.id,
           CASE WHEN g % 5 = 0 THEN 'officer' || (g % 8 + 1) || '@demo.peiyu.local' ELSE 'contact' || (g % 100000) || '@bench.test' END,
           CASE WHEN g % 5 = 0 THEN 'officer' ELSE 'enterprise' END, '【跟踪提醒】bench ' || g, ${due}, true, ${status}, ${extra},
           jsonb_build_object('enterpriseName', '博山测试企业 ' || g, 'contactName', '联系人', 'officerName', '服务专员 1',
             'officerEmail', 'officer1@demo.peiyu.local', 'trackingId', md5('outbox-t' || g)::uuid,
             'nextFollowUpAt', to_char((now() - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'reasons', jsonb_build_array('研发费用占比待核实')),
           'bench:' || g`;
  const from = (lo, hi) => `FROM generate_series(${lo}, ${hi}) g
    JOIN (SELECT id, row_number() OVER (ORDER BY credit_code) - 1 AS k FROM enterprises) e
      ON e.k = g % (SELECT count(*) FROM enterprises)`;
  for (let lo = 1; lo <= filler; lo += 200_000) {
    await pool.query(
      `INSERT INTO reminders (${columns}) ${select(
        `CASE WHEN g % 100 < 60 THEN 'sent' WHEN g % 100 < 75 THEN 'cancelled' ELSE 'scheduled' END`,
        `CASE WHEN g % 100 < 75 THEN now() - (g % 700) * interval '1 day' ELSE now() + (1 + g % 400) * interval '1 day' END`,
        `CASE WHEN g % 100 < 60 THEN 1 ELSE 0 END, CASE WHEN g % 100 < 60 THEN now() - (g % 700) * interval '1 day' END,
         CASE WHEN g % 100 < 60 THEN '<reminder-' || md5('outbox' || g)::uuid || '@peiyu>' END, NULL, NULL`,
      )} ${from(lo, Math.min(filler, lo + 199_999))}`,
    );
  }
  const base = filler + 1;
  await pool.query(
    `INSERT INTO reminders (${columns}) ${select(`'scheduled'`, `now() - (g % 3600) * interval '1 s'`, '0, NULL, NULL, NULL, NULL')}
     ${from(base, base + DUE - 1)}`,
  );
  await pool.query(
    `INSERT INTO reminders (${columns}) ${select(
      `'sending'`,
      `now() - interval '1 hour'`,
      `1, NULL, NULL, now() - CASE WHEN g % 2 = 0 THEN interval '10 minutes' ELSE interval '5 s' END,
       CASE WHEN g % 2 = 0 THEN 'dead-host:1:bench' ELSE 'live-host:2:bench' END`,
    )} ${from(base + DUE, base + DUE + 199)}`,
  );
  // Every sent row has its attempt, every claim its open one, as the sender leaves them.
  await pool.query(`
    INSERT INTO reminder_attempts (reminder_id, attempt, worker, started_at, finished_at, outcome, message_id)
    SELECT id, 1, 'old-host:1:bench', sent_at - interval '1 s', sent_at, 'sent', message_id
      FROM reminders WHERE status = 'sent' AND occurrence LIKE 'bench:%'`);
  await pool.query(`
    INSERT INTO reminder_attempts (reminder_id, attempt, worker, started_at)
    SELECT id, 1, claimed_by, claimed_at FROM reminders WHERE status = 'sending'`);
  await pool.query(`INSERT INTO worker_heartbeats (instance_id, hostname, pid, role, started_at, beat_at)
                    VALUES ('live-host:2:bench', 'live-host', 2, 'worker', now(), now())`);
  await pool.query('VACUUM ANALYZE reminders');
  await pool.query('VACUUM ANALYZE reminder_attempts');
  await pool.query('VACUUM ANALYZE worker_heartbeats');
  const {
    rows: [s],
  } = await pool.query(`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'sent')::int AS sent,
           count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
           count(*) FILTER (WHERE status = 'scheduled' AND due_at > now())::int AS future,
           count(*) FILTER (WHERE status = 'scheduled' AND due_at <= now())::int AS due,
           count(*) FILTER (WHERE status = 'sending')::int AS sending,
           (SELECT count(*)::int FROM reminder_attempts) AS attempts,
           pg_size_pretty(pg_total_relation_size('reminders')) AS size FROM reminders`);
  log(
    `\n[outbox] filled in ${sec(Date.now() - t)} s: ${fmt(s.total)} rows (${fmt(s.sent)} sent, ${fmt(s.cancelled)} cancelled, ` +
      `${fmt(s.future)} scheduled ahead, ${fmt(s.due)} due, ${fmt(s.sending)} sending), ${s.size} with indexes; ` +
      `${fmt(s.attempts)} attempts`,
  );
  return s;
}

// The statements as src/reminders/reminders.service.ts, src/workers/heartbeat.rules.ts and
// src/health/health.controller.ts send them. Fragments of each are looked for in the build
// (IN_BUILD), so a change there makes this script say its copies are stale.
const SQL = {
  // queueDue pages through the due rows, SWEEP_BATCH at a time, after the last (due_at, id) seen.
  due: `SELECT id, attempts, recipient, due_at AS "dueAt" FROM reminders
          WHERE status = 'scheduled' AND due_at <= $1
          ORDER BY due_at, id LIMIT $2`,
  duePage: `SELECT id, attempts, recipient, due_at AS "dueAt" FROM reminders
          WHERE status = 'scheduled' AND due_at <= $1 AND (due_at, id) > ($3::timestamptz, $4::uuid)
          ORDER BY due_at, id LIMIT $2`,
  dueForEnterprises: `SELECT id, attempts, recipient, due_at AS "dueAt" FROM reminders
          WHERE status = 'scheduled' AND due_at <= $1 AND enterprise_id = ANY($3::uuid[])
          ORDER BY due_at, id LIMIT $2`,
  claim: `WITH target AS (
         SELECT pg_advisory_xact_lock(hashtextextended('reminder-recipient:' || recipient, 0)) AS locked
           FROM reminders WHERE id = $1),
       lead AS (
         SELECT r.id, r.recipient FROM reminders r, target
          WHERE r.id = $1 AND r.status = 'scheduled' FOR UPDATE OF r),
       siblings AS (
         SELECT r.id FROM reminders r JOIN lead ON r.recipient = lead.recipient
          WHERE r.status = 'scheduled' AND r.due_at <= $2 AND r.id <> lead.id
          ORDER BY r.due_at, r.id LIMIT 49 FOR UPDATE OF r SKIP LOCKED),
       picked AS (SELECT id FROM lead UNION ALL SELECT id FROM siblings),
       claimed AS (
         UPDATE reminders r SET status = 'sending', claimed_at = $2, claimed_by = $3, attempts = r.attempts + 1,
                version = r.version + 1, updated_at = now()
           FROM picked WHERE r.id = picked.id AND r.status = 'scheduled'
         RETURNING r.id, r.kind, r.recipient, r.recipient_role AS "recipientRole", r.mandatory, r.attempts,
                   r.payload, r.due_at AS "dueAt"),
       opened AS (
         INSERT INTO reminder_attempts (reminder_id, attempt, worker, started_at)
         SELECT id, attempts, $3, $2 FROM claimed)
       SELECT * FROM claimed ORDER BY (id = $1) DESC, "dueAt", id`,
  markSent: `WITH done AS (
         UPDATE reminders
            SET status = $3, claimed_at = NULL, claimed_by = NULL,
                sent_at = CASE WHEN $3 = 'sent' THEN $4 ELSE sent_at END,
                message_id = coalesce($5, message_id),
                last_error = CASE WHEN $3 = 'sent' THEN NULL ELSE coalesce($6, last_error) END,
                due_at = coalesce($7, due_at),
                occurrence = CASE WHEN $3 = 'scheduled' THEN occurrence ELSE CASE WHEN kind = 'follow_up_due' AND strpos(occurrence, '@') = 0 THEN occurrence || '@' || id ELSE occurrence END END,
                version = version + 1, updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'sending' AND claimed_by = $2
          RETURNING id, attempts)
       UPDATE reminder_attempts a SET outcome = $8, finished_at = $4, error = $6, message_id = $5
         FROM done WHERE a.reminder_id = done.id AND a.attempt = done.attempts AND a.outcome = 'sending'`,
  recover: `WITH freed AS (
         UPDATE reminders r SET status = 'scheduled', claimed_at = NULL, claimed_by = NULL,
                last_error = 'the worker stopped while sending; sending again',
                version = r.version + 1, updated_at = now()
          WHERE r.status = 'sending'
            AND (r.claimed_at < $2 OR (r.claimed_at < $3 AND NOT EXISTS (SELECT 1 FROM worker_heartbeats wh WHERE wh.instance_id = r.claimed_by AND wh.beat_at >= $3)))
          RETURNING r.id, r.attempts),
       closed AS (
         UPDATE reminder_attempts a SET outcome = 'interrupted', finished_at = $1,
                error = 'the worker stopped while sending'
           FROM freed WHERE a.reminder_id = freed.id AND a.attempt = freed.attempts AND a.outcome = 'sending')
       SELECT id FROM freed`,
  health: `SELECT (SELECT count(*)::int FROM worker_heartbeats WHERE beat_at >= $1) AS alive,
                  (SELECT max(beat_at) FROM worker_heartbeats) AS "newestBeatAt",
                  (SELECT min(due_at) FROM reminders WHERE status = 'scheduled' AND due_at <= $2) AS "oldestDue"`,
};
// Not the code's any more: the claim with its UPDATE as before 6242729, picking its rows with an
// OR of two IN lists (a scan of every scheduled row); shown beside the code's, not checked.
SQL.claimBefore6242729 = SQL.claim
  .replace(/\n\s*picked AS \(SELECT id FROM lead UNION ALL SELECT id FROM siblings\),/, '')
  .replace(
    'FROM picked WHERE r.id = picked.id AND r.status',
    'WHERE (r.id IN (SELECT id FROM lead) OR r.id IN (SELECT id FROM siblings)) AND r.status',
  );
const IN_BUILD = [
  ['reminders/reminders.service.js', "WHERE status = 'scheduled' AND due_at <= $1"],
  ['reminders/reminders.service.js', 'ORDER BY due_at, id LIMIT $2'],
  ['reminders/reminders.service.js', '(due_at, id) > (${at}, $${params.push(after.id)}::uuid)'],
  ['reminders/reminders.service.js', 'enterprise_id = ANY($${params.push(enterpriseIds)}::uuid[])'],
  [
    'reminders/reminders.service.js',
    "SELECT pg_advisory_xact_lock(hashtextextended('reminder-recipient:' || recipient, 0)) AS locked",
  ],
  ['reminders/reminders.service.js', "WHERE r.id = $1 AND r.status = 'scheduled' FOR UPDATE OF r),"],
  [
    'reminders/reminders.service.js',
    'SELECT r.id FROM reminders r JOIN lead ON r.recipient = lead.recipient',
  ],
  ['reminders/reminders.service.js', "WHERE r.status = 'scheduled' AND r.due_at <= $2 AND r.id <> lead.id"],
  ['reminders/reminders.service.js', 'picked AS (SELECT id FROM lead UNION ALL SELECT id FROM siblings),'],
  ['reminders/reminders.service.js', "FROM picked WHERE r.id = picked.id AND r.status = 'scheduled'"],
  ['reminders/reminders.service.js', "WHERE id = ANY($1::uuid[]) AND status = 'sending' AND claimed_by = $2"],
  [
    'reminders/reminders.service.js',
    "FROM done WHERE a.reminder_id = done.id AND a.attempt = done.attempts AND a.outcome = 'sending'",
  ],
  ['reminders/reminders.service.js', "WHERE r.status = 'sending' AND (r.claimed_at < $2 OR"],
  ['workers/heartbeat.rules.js', 'EXISTS (SELECT 1 FROM worker_heartbeats wh WHERE wh.instance_id = '],
  [
    'health/health.controller.js',
    "(SELECT min(due_at) FROM reminders WHERE status = 'scheduled' AND due_at <= $2)",
  ],
];

/** The nodes of a JSON plan that read `reminders`; for a bitmap scan, the index scans that build it. */
function reminderReads(node, out = []) {
  if (node['Relation Name'] === 'reminders' && node['Node Type'] !== 'ModifyTable') {
    const arms = [];
    const collect = (n) => {
      if (n['Node Type'] === 'Bitmap Index Scan')
        arms.push({ index: n['Index Name'], keyed: Boolean(n['Index Cond']) });
      for (const c of n.Plans ?? []) if (c['Parent Relationship'] !== 'SubPlan') collect(c);
    };
    const bitmap = node['Node Type'] === 'Bitmap Heap Scan' ? node.Plans?.[0] : undefined;
    if (bitmap) collect(bitmap);
    out.push({
      type: node['Node Type'],
      index: node['Index Name'] ?? null,
      keyed: Boolean(node['Index Cond']),
      combine:
        bitmap?.['Node Type'] === 'BitmapAnd' ? 'And' : bitmap?.['Node Type'] === 'BitmapOr' ? 'Or' : null,
      arms,
      rows: node['Actual Rows'],
      loops: node['Actual Loops'],
      removed: (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0),
    });
  }
  for (const child of node.Plans ?? []) reminderReads(child, out);
  return out;
}
/**
 * Index-driven: only rows an Index Cond picked are read. An Index Scan or Index Only Scan on an
 * expected index with an Index Cond, or a bitmap scan of expected indexes whose arms all have one
 * (one range, or an OR of ranges) or, for a BitmapAnd, at least one. A scan without an Index
 * Cond walks the whole index: accepted only on the `walkable` ones, partial indexes as small as
 * the work in flight (reminders_claimed_idx holds the rows being sent).
 */
function indexDriven(read, { indexes, walkable = [] }) {
  const fine = (index, keyed) => indexes.includes(index) && (keyed || walkable.includes(index));
  if (['Index Scan', 'Index Only Scan'].includes(read.type)) return fine(read.index, read.keyed);
  if (
    read.type !== 'Bitmap Heap Scan' ||
    !read.arms.length ||
    !read.arms.every((a) => indexes.includes(a.index))
  )
    return false;
  return read.combine === 'And'
    ? read.arms.some((a) => a.keyed) || read.arms.every((a) => fine(a.index, a.keyed))
    : read.arms.every((a) => fine(a.index, a.keyed));
}
const WHOLE = ' without an Index Cond, i.e. the whole index';
const describeRead = (r) =>
  r.type === 'Bitmap Heap Scan'
    ? `Bitmap Heap Scan (${r.combine ? `Bitmap${r.combine} of ` : ''}${r.arms
        .map((a) => `${a.index}${a.keyed ? '' : WHOLE}`)
        .join(', ')})`
    : `${r.type}${r.index ? ` using ${r.index}${r.keyed ? '' : WHOLE}` : ''}`;

async function explainAll(pool) {
  const squash = (s) => s.replace(/\s+/g, ' ');
  for (const [file, fragment] of IN_BUILD) {
    if (!squash(readFileSync(join(ROOT, 'dist/src', file), 'utf8')).includes(squash(fragment)))
      failures.push(
        `outbox: the build's ${file} no longer contains «${fragment}»: bring bench/reminders.mjs's copy up to date`,
      );
  }
  const now = new Date();
  // The lead: an officer's oldest due row, with dozens of due siblings (a digest).
  const {
    rows: [lead],
  } = await pool.query(`
    SELECT id, recipient FROM reminders WHERE status = 'scheduled' AND due_at <= now() AND recipient LIKE 'officer%'
     ORDER BY due_at, id LIMIT 1`);
  const {
    rows: [ent],
  } = await pool.query(`
    SELECT array_agg(enterprise_id) AS ids FROM (SELECT enterprise_id FROM reminders
     WHERE status = 'scheduled' AND due_at <= now() AND enterprise_id IS NOT NULL ORDER BY due_at LIMIT 1) x`);
  const claimParams = [lead.id, now, 'bench-worker'];
  // The key a later page of the sweep starts after: the last row of the page before.
  const DUE_PAGE = Math.max(2, Math.min(20, Math.floor(DUE / 1000)));
  const {
    rows: [pageAfter],
  } = await pool.query(
    `SELECT id, due_at FROM reminders WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at, id OFFSET $2 LIMIT 1`,
    [now, (DUE_PAGE - 1) * 1000 - 1],
  );
  const cases = [
    {
      label: 'sweeper: due rows, first page (queueDue)',
      sql: SQL.due,
      params: [now, 1000],
      indexes: ['reminders_due_idx'],
    },
    {
      label: `sweeper: due rows, page ${DUE_PAGE} (after the ${fmt((DUE_PAGE - 1) * 1000)}th due row)`,
      sql: SQL.duePage,
      params: [now, 1000, pageAfter.due_at, pageAfter.id],
      indexes: ['reminders_due_idx'],
    },
    {
      label: 'sender: claim, lead + siblings (rolled back)',
      sql: SQL.claim,
      params: claimParams,
      indexes: ['reminders_pkey', 'reminders_recipient_due_idx'],
    },
    {
      label: 'sender: mark sent (rolled back)',
      sql: SQL.markSent,
      // Claimed first, in the same transaction, so there is something to mark.
      before: async (c) => (await c.query(SQL.claim, claimParams)).rows.map((r) => r.id),
      params: (ids) => [ids, 'bench-worker', 'sent', now, `<reminder-${lead.id}@peiyu>`, null, null, 'sent'],
      indexes: ['reminders_pkey', 'reminders_claimed_idx'],
      walkable: ['reminders_claimed_idx'],
    },
    {
      label: 'sweeper: stuck-claim recovery (rolled back)',
      sql: SQL.recover,
      params: [now, new Date(now - 5 * 60_000), new Date(now - 15_000)],
      indexes: ['reminders_claimed_idx'],
      walkable: ['reminders_claimed_idx'],
    },
    {
      label: '/health/ready: oldest due',
      sql: SQL.health,
      params: [new Date(now - 15_000), now],
      indexes: ['reminders_due_idx'],
    },
    {
      label: 'planner events: queueDue for one enterprise',
      sql: SQL.dueForEnterprises,
      params: [now, 1000, ent.ids],
      indexes: ['reminders_enterprise_idx', 'reminders_due_idx'],
    },
    {
      label:
        'NOT THE CODE: the claim with its UPDATE as before 6242729, WHERE (r.id IN lead OR r.id IN siblings) (rolled back)',
      sql: SQL.claimBefore6242729,
      params: claimParams,
      indexes: ['reminders_pkey', 'reminders_recipient_due_idx'],
      informational: true,
    },
  ];
  const client = await pool.connect();
  const report = [];
  try {
    const run = async (kase, explain) => {
      await client.query('BEGIN');
      try {
        const prior = kase.before ? await kase.before(client) : undefined;
        const params = typeof kase.params === 'function' ? kase.params(prior) : kase.params;
        return (await client.query(`${explain} ${kase.sql}`, params)).rows;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    for (const kase of cases) {
      // Once to warm the caches: the steady state is what counts.
      await run(kase, 'EXPLAIN (ANALYZE)');
      const json = (await run(kase, 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)'))[0]['QUERY PLAN'][0];
      const text = (await run(kase, 'EXPLAIN (ANALYZE, BUFFERS)')).map((r) => r['QUERY PLAN']);
      const reads = reminderReads(json.Plan);
      const bad = reads.filter((r) => !indexDriven(r, kase));
      const ok = reads.length > 0 && bad.length === 0;
      if (!ok && !kase.informational)
        failures.push(
          `outbox: «${kase.label}» reads reminders by ${bad.map(describeRead).join(', ')} ` +
            `(expected an Index Scan / Index Only Scan on ${kase.indexes.join(' or ')})`,
        );
      const ms = json['Planning Time'] + json['Execution Time'];
      log(
        `\n[outbox] ${kase.label}: ${ok ? 'index-driven' : 'NOT INDEX-DRIVEN'}, ${ms.toFixed(2)} ms ` +
          `(planning ${json['Planning Time'].toFixed(2)} + execution ${json['Execution Time'].toFixed(2)})\n` +
          `  reminders read by: ${reads.map((r) => `${describeRead(r)}: ${fmt(r.rows)} rows × ${r.loops}${r.removed ? `, ${fmt(r.removed)} removed by filter` : ''}`).join('; ')}`,
      );
      for (const line of text) log(`  | ${line}`);
      report.push({ label: kase.label, ok, ms, reads });
    }
  } finally {
    client.release();
  }
  return report;
}

/**
 * Sends the due rows of the million-row outbox with one worker, for at most --scale-seconds:
 * what the claim's plan costs in mails/s. The due rows are parked (moved 100 years ahead) until
 * the worker has started, then put back, so the measurement starts with a settled worker.
 */
async function sendAtScale(pool, fill) {
  const { rows: parked } = await pool.query(
    `UPDATE reminders SET due_at = due_at + interval '100 years'
      WHERE status = 'scheduled' AND due_at <= now() RETURNING id`,
  );
  // The made-up claims go; a real worker would free the dead one's and wait for the live one's.
  await pool.query(`DELETE FROM reminders WHERE status = 'sending'`);
  const sink = await startSink();
  // Under the plan phase's queue prefix, whose start-up plan-all (today's job id) has run: it
  // is not run again, so the planned rows keep their production send times. Without the plan
  // phase there are no facts, and its plan-all plans nothing.
  const prefix = phases.has('plan') ? PLAN_PREFIX : `${PREFIX}-scale`;
  const queue = new Queue('reminders', { connection: { url: REDIS_URL }, prefix });
  // The plan phase registered the sweeper every hour. BullMQ keeps a scheduler's offset when
  // `every` changes, and once a sweep runs late (behind a batch of send jobs) it schedules the
  // next one that offset ahead — up to an hour here. Removed, the worker registers it afresh.
  await queue.removeJobScheduler('reminders:sweep');
  const worker = startWorker({
    db: DB_MAIN,
    prefix,
    env: {
      SMTP_URL: sink.url,
      REMINDER_SEND_WINDOW: '00:00-24:00',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      REMINDER_SWEEP_INTERVAL_MS: String(SWEEP_MS),
    },
  });
  await workerReady(pool, queue, worker, 300_000);
  await sleep(2000);
  const ids = parked.map((r) => r.id);
  const meter = await cpuMeter({
    db: DB_MAIN,
    workerPid: worker.child.pid,
    query: (s, p) => pool.query(s, p),
  });
  const t0 = Date.now();
  await pool.query(`UPDATE reminders SET due_at = due_at - interval '100 years' WHERE id = ANY($1::uuid[])`, [
    ids,
  ]);
  let lastProgress = t0;
  while (Date.now() - t0 < SCALE_SECONDS * 1000) {
    await sleep(250);
    await meter.sample();
    const { rows } = await pool.query(
      `SELECT count(*)::int AS sent FROM reminders WHERE id = ANY($1::uuid[]) AND status = 'sent'`,
      [ids],
    );
    if (rows[0].sent === ids.length) break;
    if (Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      log(
        `  [${sec(Date.now() - t0)} s] ${fmt(rows[0].sent)} rows sent, ${fmt(sink.mails.length)} mails; ` +
          `jobs ${Object.entries(counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      );
    }
  }
  const cpu = await meter.stop();
  const tEnd = Date.now();
  await worker.stop();
  await queue.close();
  await sink.stop();
  const mails = sink.mails;
  const {
    rows: [r],
  } = await pool.query(
    `SELECT max(sent_at) AS last, count(*)::int AS sent FROM reminders WHERE id = ANY($1::uuid[]) AND status = 'sent'`,
    [ids],
  );
  const all = r.sent === ids.length;
  const span = ((all ? new Date(r.last).getTime() : tEnd) - (mails[0]?.at ?? t0)) / 1000;
  const { problems } = checkMails('send at scale', mails, r.sent);
  log(
    `\n[outbox] sending with ${fmt(fill.total)} rows in the outbox: ${fmt(r.sent)} of ${fmt(ids.length)} due rows sent ` +
      `in ${fmt(mails.length)} mails ${all ? 'in' : `— NOT ALL: stopped after --scale-seconds ${SCALE_SECONDS},`} ` +
      `${span.toFixed(1)} s from the first mail: ${fmt(mails.length / span, 1)} mails/s, ${fmt(r.sent / span, 1)} reminders/s\n` +
      `  checks: ${problems.length ? problems.join('; ') : 'every reminder sent was in exactly one mail'}\n` +
      `  ${cpuLine(cpu)}; PostgreSQL ${((1000 * cpu.postgres) / Math.max(1, mails.length)).toFixed(1)} ms CPU per mail`,
  );
  if (mails.length / span < 100)
    failures.push(
      `send at scale: ${fmt(mails.length / span, 1)} mails/s with ${fmt(fill.total)} rows in the outbox (< 100)`,
    );
}

async function outbox() {
  if (!phases.has('plan')) {
    const p = await freshDatabase(DB_MAIN);
    await p.end();
    const seeded = await seedEnterprises(DB_MAIN, { count: ENTERPRISES });
    log(
      `\n[outbox] seeded ${fmt(seeded.inserted)} enterprises (no dated facts, nothing planned: the plan phase did not run)`,
    );
  }
  const pool = benchPool(DB_MAIN);
  try {
    const fill = await fillOutbox(pool);
    await explainAll(pool);
    if (values['send-at-scale']) await sendAtScale(pool, fill);
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
const started = new Date();
if (values['cpu-prof']) mkdirSync(RESULTS, { recursive: true });
log(
  `machine: nproc ${cpus().length} (${cpus()[0].model}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${started.toISOString()}`,
);
try {
  if (phases.has('send')) await send();
  if (phases.has('plan')) await plan();
  if (phases.has('outbox')) await outbox();
} catch (err) {
  failures.push(`error: ${err.stack ?? err}`);
} finally {
  await cleanup();
}
log(
  `\nfinished ${new Date().toISOString()} (${sec(Date.now() - started)} s); ` +
    (values.keep ? 'databases kept' : 'databases dropped') +
    ', queue keys removed',
);
if (failures.length) {
  console.error(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
