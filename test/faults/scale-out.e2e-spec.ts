// Scale-out: two API processes (APP_ROLE=api) and two workers (APP_ROLE=worker) of the built
// service on one fresh PostgreSQL database and one Redis, started together. Migrations run once,
// every job scheduler exists once, a burst of 1,000 due reminders is delivered exactly once
// across both workers, readiness recomputes are not duplicated, both API processes serve the
// same data and share each caller's rate limit.
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { MIGRATIONS } from '../../migrations/index.js';
import { QueueName } from '../../src/queue/queue.constants.js';
import { REDIS_URL, runInfo } from '../support/environment.js';
import { startService, type ServiceHandle } from '../support/service.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/tcp-proxy.js';
import { deleteQueueKeys } from '../support/test-app.js';
import { freshDatabaseUrl } from '../support/test-database.js';

describe('scale-out: two API processes and two workers', () => {
  const prefix = `peiyu-test-${runInfo().runId}-scale-${randomBytes(3).toString('hex')}`;
  const url = freshDatabaseUrl();
  let sink: SmtpSink;
  let apis: ServiceHandle[] = [];
  let workers: ServiceHandle[] = [];
  let db: pg.Pool;
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await db.query<T>(sql, params)).rows;

  beforeAll(async () => {
    sink = await new SmtpSink().start(0, { closeTimeout: 100 });
    const env = (role: string) => ({
      APP_ROLE: role,
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: sink.url,
      JWT_SECRET: 'scale-out-shared-secret-0123456789abcdef',
      REMINDER_SEND_WINDOW: '00:00-24:00',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      REMINDER_SWEEP_INTERVAL_MS: '1000',
      WORKER_HEARTBEAT_MS: '1000',
    });
    // All four at once, on a database that does not exist yet.
    const started = await Promise.all([
      startService(env('api')),
      startService(env('api')),
      startService(env('worker')),
      startService(env('worker')),
    ]);
    apis = started.slice(0, 2);
    workers = started.slice(2);
    db = new pg.Pool({ connectionString: url, max: 2 });
  }, 90_000);

  afterAll(async () => {
    for (const s of [...apis, ...workers]) {
      if (s.service.child.exitCode === null) s.service.child.kill('SIGTERM');
      await s.service.exited;
    }
    await db?.end();
    await sink?.stop();
    await deleteQueueKeys(prefix);
    const admin = new pg.Client({ connectionString: runInfo().serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  });

  it('ran the migrations once and registered every job scheduler once', async () => {
    const ran = await query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(ran.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    const applied = [...apis, ...workers].filter((s) => /Migrations applied/.test(s.service.output()));
    expect(applied).toHaveLength(1);

    const schedulers: string[] = [];
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      try {
        for (const s of await queue.getJobSchedulers()) schedulers.push(`${name}/${s.key}`);
        // One next run per scheduler, not one per worker that started.
        const delayed = await queue.getDelayed();
        const perScheduler = new Map<string, number>();
        for (const job of delayed)
          if (job.repeatJobKey) perScheduler.set(job.repeatJobKey, (perScheduler.get(job.repeatJobKey) ?? 0) + 1);
        expect([...perScheduler.values()].every((n) => n === 1)).toBe(true);
      } finally {
        await queue.close();
      }
    }
    expect(new Set(schedulers).size).toBe(schedulers.length);
    expect(schedulers).toEqual(
      expect.arrayContaining(['reminders/reminders:sweep', 'reminders/reminders:plan-all', 'readiness/readiness:nightly']),
    );
  });

  it('both API processes serve the same data, and a write through one is seen by the other', async () => {
    const [a, b] = apis;
    const authA = { authorization: await a.login() };
    const authB = { authorization: await b.login() }; // same JWT_SECRET: either process accepts either token
    const created = await a.call('POST', '/api/v1/enterprises', { name: '双进程企业', creditCode: '91370304MA3C8N8U7N', creditCodeConfirmed: true }, authA);
    expect(created.status).toBe(201);
    const seen = await b.call('GET', `/api/v1/enterprises/${created.body.id}`, undefined, authA);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(created.body);
    const etag = seen.headers!.get('etag')!;
    const patched = await b.call('PATCH', `/api/v1/enterprises/${created.body.id}`, { street: '城东街道' }, { ...authB, 'if-match': etag });
    expect(patched.status).toBe(200);
    const stale = await a.call('PATCH', `/api/v1/enterprises/${created.body.id}`, { street: '城西街道' }, { ...authA, 'if-match': etag });
    expect(stale.status).toBe(412);
    expect((await a.call('GET', `/api/v1/enterprises/${created.body.id}`, undefined, authA)).body.street).toBe('城东街道');
  });

  it('a caller’s rate limit is one count across both API processes (each settles with Redis every 100 ms)', async () => {
    const [a, b] = apis;
    const admin = { authorization: await a.login() };
    const created = await a.call('POST', '/api/v1/api-keys', { name: 'two-process limit', scopes: ['enterprises:read'], rateLimitPerMinute: 10 }, admin);
    expect(created.status).toBe(201);
    const key = { 'x-api-key': created.body.key as string };
    // Counts are per minute: start early in one, so no step straddles two.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    // Longer than a flush (100 ms) with room for a loaded machine.
    const settle = () => new Promise((r) => setTimeout(r, 600));
    const hit = async (api: ServiceHandle) => {
      const res = await api.call('GET', '/api/v1/enterprises?limit=1', undefined, key);
      await settle();
      return res;
    };
    for (let i = 1; i <= 6; i++) expect((await hit(a)).headers!.get('ratelimit-remaining')).toBe(String(10 - i));
    // b has not heard of a's six until its own first flush (the documented window)...
    expect((await hit(b)).headers!.get('ratelimit-remaining')).toBe('9');
    // ...and knows them after it: 8 used.
    expect((await hit(b)).headers!.get('ratelimit-remaining')).toBe('2');
    // Alternating, each process learns the other's hits at its own flush: one request beyond the
    // limit slips through on a's stale count, then both refuse.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) for (const api of [a, b]) statuses.push((await hit(api)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('a burst of 1,000 due reminders is delivered exactly once across both workers', async () => {
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await query(
      `INSERT INTO reminders (id, kind, recipient, recipient_role, subject, due_at, mandatory, payload, occurrence)
       SELECT id, 'follow_up_due', 'burst' || n || '@scale.test', 'officer', '跟踪提醒', now() - interval '1 minute', true,
              jsonb_build_object('trackingId', gen_random_uuid(), 'enterpriseName', '扩容企业' || n, 'contactName', null,
                                 'officerName', '专员', 'officerEmail', 'burst' || n || '@scale.test',
                                 'nextFollowUpAt', now(), 'reasons', jsonb_build_array('扩容')),
              'burst:' || n
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ids],
    );
    await eventually(async () => {
      const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE id = ANY($1) AND status = 'sent'`, [ids]);
      expect(n).toBe(1000);
    }, 120_000);
    const delivered = new Map<string, number>();
    for (const mail of sink.received) {
      const id = /^X-Peiyu-Reminder: (.+)$/m.exec(mail.raw)?.[1].trim();
      if (id) delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    expect(delivered.size).toBe(1000);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    const byWorker = await query<{ worker: string; n: number }>(
      `SELECT worker, count(*)::int AS n FROM reminder_attempts WHERE reminder_id = ANY($1) GROUP BY worker`,
      [ids],
    );
    expect(byWorker).toHaveLength(2); // both workers took a share
    expect(byWorker.reduce((sum, w) => sum + w.n, 0)).toBe(1000); // one attempt each
  }, 150_000);

  it('readiness recomputes asked for through both API processes at once are not duplicated', async () => {
    const [a, b] = apis;
    const auth = { authorization: await a.login() };
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await a.call('POST', '/api/v1/enterprises', { name: `评估企业${i}`, creditCode: `91370304MB${String(10_000_000 + i).slice(1)}X`, creditCodeConfirmed: true }, auth);
      expect(created.status).toBe(201);
      ids.push(created.body.id);
      const ip = await a.call('POST', `/api/v1/enterprises/${created.body.id}/ip-assets`, { kind: 'invention_patent', title: `发明专利${i}`, grantedAt: '2020-05-01', acquisition: 'self_developed' }, auth);
      expect(ip.status).toBe(201);
    }
    await Promise.all(
      ids.flatMap((id) => [a, b, a, b].map((api) => api.call('POST', `/api/v1/enterprises/${id}/readiness/recompute`, undefined, auth))),
    );
    await eventually(async () => {
      const rows = await query<{ enterprise_id: string; n: number }>(
        `SELECT enterprise_id, count(*)::int AS n FROM readiness_assessments WHERE enterprise_id = ANY($1) GROUP BY enterprise_id`,
        [ids],
      );
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    }, 30_000);
    // A little later still one each: no late duplicate landed.
    await new Promise((r) => setTimeout(r, 1500));
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM readiness_assessments WHERE enterprise_id = ANY($1)`, [ids]);
    expect(n).toBe(10);
  }, 60_000);
});
