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
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
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
    await pgProxy.restore();
    await eventually(async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
    });
    expect((await t.http.get('/api/v1/enterprises').set('authorization', t.adminAuth)).status).toBe(200);
  });
});
