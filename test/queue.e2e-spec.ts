import { Queue, QueueEvents } from 'bullmq';
import { MaintenanceJob, QueueName } from '../src/queue/queue.constants.js';
import { REDIS_URL } from './support/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const connection = { url: REDIS_URL };

describe('queues and recurring work', () => {
  const apps: TestApp[] = [];
  const queues: (Queue | QueueEvents)[] = [];
  afterAll(async () => {
    for (const q of queues) await q.close();
    for (const app of apps) await app.close();
  });
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp(env);
    apps.push(app);
    return app;
  };
  const maintenanceQueue = (prefix: string) => {
    const queue = new Queue(QueueName.Maintenance, { connection, prefix });
    queues.push(queue);
    return queue;
  };

  it('registers each job scheduler once, however many workers start', async () => {
    const first = await start({ APP_ROLE: 'worker', APP_TIMEZONE: 'Asia/Shanghai' });
    const prefix = first.config.QUEUE_PREFIX;
    await start({ APP_ROLE: 'worker', QUEUE_PREFIX: prefix });
    await start({ APP_ROLE: 'all', QUEUE_PREFIX: prefix });
    const schedulers = await maintenanceQueue(prefix).getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: 'maintenance:purge-expired', tz: 'Asia/Shanghai', pattern: '17 * * * *' });
  });

  it('an API-only process consumes nothing and schedules nothing', async () => {
    const api = await start({ APP_ROLE: 'api' });
    const queue = maintenanceQueue(api.config.QUEUE_PREFIX);
    expect(await queue.getJobSchedulers()).toEqual([]);
    const job = await queue.add(MaintenanceJob.PurgeExpired, {});
    await new Promise((r) => setTimeout(r, 300)); // a worker would pick it up within milliseconds
    expect(await job.getState()).toBe('waiting');
  });

  it('the maintenance job drops expired idempotency keys and login failures, keeping fresh ones', async () => {
    const worker = await start({ APP_ROLE: 'worker' });
    await worker.db.query(`
      INSERT INTO idempotency_keys (owner, key, method, path, body_hash, state, created_at) VALUES
        ('user:x', 'old', 'POST', '/p', 'h', 'done', now() - interval '25 hours'),
        ('user:x', 'new', 'POST', '/p', 'h', 'done', now() - interval '1 hour')`);
    await worker.db.query(`
      INSERT INTO login_failures (email, at) VALUES ('a@x.test', now() - interval '2 days'), ('a@x.test', now())`);
    const prefix = worker.config.QUEUE_PREFIX;
    const events = new QueueEvents(QueueName.Maintenance, { connection, prefix });
    queues.push(events);
    await events.waitUntilReady();
    const job = await maintenanceQueue(prefix).add(MaintenanceJob.PurgeExpired, {});
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({ idempotencyKeys: 1, loginFailures: 1 });
    expect(await worker.db.query('SELECT key FROM idempotency_keys')).toEqual([{ key: 'new' }]);
    expect(await worker.db.query('SELECT count(*)::int AS n FROM login_failures')).toEqual([{ n: 1 }]);
  });
});
