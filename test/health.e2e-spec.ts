import { Clock } from '../src/common/clock.js';
import { REDIS_URL, runInfo } from './support/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { eventually, TcpProxy } from './support/tcp-proxy.js';

const redisTarget = new URL(REDIS_URL);

describe('health', () => {
  let t: TestApp;
  let redisProxy: TcpProxy;

  beforeAll(async () => {
    redisProxy = await new TcpProxy(redisTarget.hostname, Number(redisTarget.port || 6379)).start();
    // The app reaches Redis only through the proxy, so the test can take Redis away.
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, APP_ROLE: 'api' });
  });
  afterAll(async () => {
    await t?.close();
    await redisProxy?.stop();
  });

  it('live answers without credentials', async () => {
    const res = await t.http.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('ready checks PostgreSQL and Redis', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('is 503 naming Redis while it is down, and recovers by itself', async () => {
    await redisProxy.cut();
    const down = await eventually(async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      return res;
    });
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body.checks.postgres).toBe('ok');
    expect(down.body.checks.redis).toMatch(/^down: /);
    // PostgreSQL answered, so the report is there too.
    expect(down.body.workers.status).toBe('none');
    // Serving data does not depend on Redis.
    expect((await t.http.get('/api/v1/enterprises').set('authorization', t.adminAuth)).status).toBe(200);

    await redisProxy.restore();
    await eventually(async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
    });
  });
});

describe('health with PostgreSQL cut', () => {
  let t: TestApp;
  let pgProxy: TcpProxy;

  beforeAll(async () => {
    const server = new URL(runInfo().serverUrl);
    pgProxy = await new TcpProxy(server.hostname, Number(server.port || 5432)).start();
    t = await startTestApp({ APP_ROLE: 'api' }, { postgresPort: pgProxy.port });
  });
  afterAll(async () => {
    await t?.close();
    await pgProxy?.stop();
  });

  it('is 503 naming PostgreSQL while it is down, and recovers by itself', async () => {
    expect((await t.http.get('/health/ready')).status).toBe(200);
    await pgProxy.cut();
    const down = await eventually(async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      return res;
    });
    expect(down.body.checks.postgres).toMatch(/^down: /);
    expect(down.body.checks.redis).toBe('ok');
    // What only PostgreSQL knows is left out rather than guessed.
    expect(down.body.workers).toBeUndefined();
    await pgProxy.restore();
    await eventually(async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
    });
    expect((await t.http.get('/api/v1/enterprises').set('authorization', t.adminAuth)).status).toBe(200);
  });
});

describe('ready reports workers and reminders, but is not failed by them', () => {
  const BEAT_MS = 1000;
  let api: TestApp;
  let worker: TestApp | undefined;

  const ready = async () => {
    const res = await api.http.get('/health/ready');
    // An API process stays in the load balancer whatever the workers do.
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    return res.body as {
      workers: { alive: number; newestBeatAt: string | null; ageSeconds: number | null; status: string };
      reminders: { oldestDueUnsentAt: string | null; oldestDueUnsentAgeSeconds: number | null; status: string };
      warnings: string[];
    };
  };
  const addReminder = async (status: string, dueAt: Date) => {
    const [row] = await api.db.query<{ id: string }>(
      `INSERT INTO reminders (kind, enterprise_id, recipient, recipient_role, subject, due_at, mandatory, status, occurrence)
       VALUES ('follow_up_due', NULL, 'officer@peiyu.test', 'officer', '跟踪提醒', $1, false, $2, gen_random_uuid()::text)
       RETURNING id`,
      [dueAt, status],
    );
    return row.id;
  };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    api = await startTestApp({ APP_ROLE: 'api', WORKER_HEARTBEAT_MS: String(BEAT_MS) });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('with no worker: workers none, a warning, nothing due', async () => {
    const body = await ready();
    expect(body.workers).toEqual({ alive: 0, newestBeatAt: null, ageSeconds: null, status: 'none' });
    expect(body.reminders).toEqual({ oldestDueUnsentAt: null, oldestDueUnsentAgeSeconds: null, status: 'ok' });
    expect(body.warnings).toEqual([
      'workers: no worker process is running; jobs and reminders wait until one starts',
    ]);
  });

  it('an old due reminder still scheduled is behind, with its age; sent and future ones do not count', async () => {
    const old = await addReminder('scheduled', minutesAgo(10));
    await addReminder('scheduled', minutesAgo(1));
    await addReminder('sent', minutesAgo(60));
    await addReminder('scheduled', new Date(Date.now() + 3600_000));
    const [{ due_at: oldDueAt }] = await api.db.query<{ due_at: Date }>('SELECT due_at FROM reminders WHERE id = $1', [old]);

    const behind = await ready();
    expect(behind.reminders.status).toBe('behind');
    expect(behind.reminders.oldestDueUnsentAt).toBe(oldDueAt.toISOString());
    expect(behind.reminders.oldestDueUnsentAgeSeconds).toBeGreaterThanOrEqual(600);
    expect(behind.reminders.oldestDueUnsentAgeSeconds).toBeLessThan(630);
    // REMINDER_SWEEP_INTERVAL_MS is 60 s here: behind after 2 × 60 s + 60 s.
    expect(behind.warnings).toContainEqual(
      expect.stringMatching(/^reminders: the oldest due reminder has waited 6\d\d s \(more than 180 s\) since /),
    );

    // Once it is sent, the one due a minute ago is the oldest: within the limit.
    await api.db.query(`UPDATE reminders SET status = 'sent' WHERE id = $1`, [old]);
    const caughtUp = await ready();
    expect(caughtUp.reminders.status).toBe('ok');
    expect(caughtUp.reminders.oldestDueUnsentAgeSeconds).toBeGreaterThanOrEqual(60);
    expect(caughtUp.reminders.oldestDueUnsentAgeSeconds).toBeLessThan(90);
    expect(caughtUp.warnings.filter((w) => w.startsWith('reminders:'))).toEqual([]);

    // The worker started below would send these.
    await api.db.query('DELETE FROM reminders');
  });

  it('a running worker shows alive', async () => {
    worker = await startTestApp({ APP_ROLE: 'worker', WORKER_HEARTBEAT_MS: String(BEAT_MS) }, { database: api.db });
    const body = await ready();
    expect(body.workers).toMatchObject({ alive: 1, status: 'ok' });
    expect(body.workers.ageSeconds).toBeLessThanOrEqual(2);
    expect(Date.parse(body.workers.newestBeatAt!)).toBeGreaterThan(Date.now() - 5000);
    expect(body.warnings).toEqual([]);
  });

  it('is stale, with a warning, once its beats are older than three intervals', async () => {
    // Seen from ten seconds on (the API's clock moved), the worker's latest beat is too old.
    const clock = api.app.get(Clock);
    clock.setNow(new Date(Date.now() + 10_000));
    try {
      const body = await ready();
      expect(body.workers.status).toBe('stale');
      expect(body.workers.alive).toBe(0);
      expect(body.workers.ageSeconds).toBeGreaterThanOrEqual(8);
      expect(body.warnings).toEqual([
        expect.stringMatching(/^workers: no worker has written a heartbeat for \d+ s \(newest .+\); jobs and reminders are not being processed$/),
      ]);
    } finally {
      clock.setNow(new Date());
    }
    expect((await ready()).workers.status).toBe('ok');
  });

  it('a worker that stops gracefully leaves; one that died leaves a stale row', async () => {
    await worker!.close();
    worker = undefined;
    expect((await ready()).workers.status).toBe('none');

    // A worker killed without a goodbye: its row stays and ages.
    await api.db.query(
      `INSERT INTO worker_heartbeats (instance_id, hostname, pid, role, started_at, beat_at)
       VALUES ('crashed:1:deadbeef', 'crashed', 1, 'worker', now() - interval '1 hour', now() - interval '2 minutes')`,
    );
    const body = await ready();
    expect(body.workers).toMatchObject({ alive: 0, status: 'stale' });
    expect(body.workers.ageSeconds).toBeGreaterThanOrEqual(119);
    expect(body.workers.ageSeconds).toBeLessThan(150);
    expect(body.warnings).toHaveLength(1);
    expect(body.warnings[0]).toMatch(/^workers: no worker has written a heartbeat for 1\d\d s/);
  });
});
