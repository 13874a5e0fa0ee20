// Per-caller rate limits, counted in the real Redis: 429 with Retry-After once a key or a staff
// member has used its minute, RateLimit-* headers on every authenticated reply, each caller
// counted apart, the exempt routes, and requests let through (uncounted) when Redis is away.
import { Clock } from '../src/common/clock.js';
import { REDIS_URL } from './support/environment.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const API = '/api/v1';

describe('rate limits (e2e)', () => {
  let t: TestApp;
  const createKey = async (body: Record<string, unknown>) => {
    const res = await t.http
      .post(`${API}/api-keys`)
      .set('authorization', t.adminAuth)
      .send({ name: 'limited', scopes: ['enterprises:read'], ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; rateLimitPerMinute: number | null };
  };

  beforeAll(async () => {
    // A generous default for the admin who sets things up; the keys below carry lower ones.
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '20' });
    // Early in a window, so no test straddles two (the windows are whole minutes of this clock).
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    t.app.get(Clock).setNow(new Date(minute + 60_000 + 1000));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After once a key has used its own limit, and counts each key apart', async () => {
    const three = await createKey({ rateLimitPerMinute: 3 });
    expect(three.rateLimitPerMinute).toBe(3);
    const other = await createKey({ rateLimitPerMinute: 3 });
    for (let i = 1; i <= 3; i++) {
      const res = await t.http.get(`${API}/enterprises`).set('x-api-key', three.key);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(res.headers['ratelimit-remaining']).toBe(String(3 - i));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(res.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    }
    const refused = await t.http.get(`${API}/enterprises`).set('x-api-key', three.key);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: '/problems/rate-limited', status: 429, limit: 3 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.retryAfter).toBe(retryAfter);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    // Refused writes count too, and stay refused; another key is untouched.
    expect((await t.http.post(`${API}/enterprises`).set('x-api-key', three.key).send({})).status).toBe(429);
    const fresh = await t.http.get(`${API}/enterprises`).set('x-api-key', other.key);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['ratelimit-remaining']).toBe('2');
    // The next minute starts a new count.
    const clock = t.app.get(Clock);
    clock.setNow(new Date(clock.now().getTime() + 60_000));
    expect((await t.http.get(`${API}/enterprises`).set('x-api-key', three.key)).status).toBe(200);
  });

  it('a key without its own limit and every staff member get RATE_LIMIT_PER_MINUTE, each counted apart', async () => {
    const plain = await createKey({});
    expect(plain.rateLimitPerMinute).toBeNull();
    const viewer = await t.staff('viewer');
    const officer = await t.staff('officer');
    let last = await t.http.get(`${API}/enterprises`).set('authorization', viewer.auth);
    for (let i = 1; i < 20; i++) last = await t.http.get(`${API}/enterprises`).set('authorization', viewer.auth);
    expect(last.status).toBe(200);
    expect(last.headers['ratelimit-limit']).toBe('20');
    expect(last.headers['ratelimit-remaining']).toBe('0');
    const over = await t.http.get(`${API}/enterprises`).set('authorization', viewer.auth);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    // A 403 is counted and carries the headers as well.
    expect((await t.http.get(`${API}/users`).set('authorization', officer.auth)).headers['ratelimit-remaining']).toBe('19');
    expect((await t.http.get(`${API}/enterprises`).set('x-api-key', plain.key)).headers['ratelimit-limit']).toBe('20');
  });

  it('leaves login, health and metrics alone', async () => {
    for (let i = 0; i < 25; i++) {
      const health = await t.http.get('/health/live');
      expect(health.status).toBe(200);
      expect(health.headers['ratelimit-limit']).toBeUndefined();
    }
    for (let i = 0; i < 25; i++) {
      const metrics = await t.http.get('/metrics').set('authorization', t.adminAuth);
      expect(metrics.status).toBe(200);
      expect(metrics.headers['ratelimit-limit']).toBeUndefined();
    }
    const login = await t.http.post(`${API}/auth/login`).send({ email: 'nobody@peiyu.test', password: 'wrong-password' });
    expect(login.status).toBe(401);
    expect(login.headers['ratelimit-limit']).toBeUndefined();
  });

  it('a bad key is a 401 and counts against nobody', async () => {
    const res = await t.http.get(`${API}/enterprises`).set('x-api-key', 'pyk_000000000000_not-a-key');
    expect(res.status).toBe(401);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('rate limits without Redis', () => {
  let t: TestApp;
  let redisProxy: TcpProxy;

  beforeAll(async () => {
    const target = new URL(REDIS_URL);
    redisProxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, APP_ROLE: 'api', RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await redisProxy?.restore().catch(() => undefined);
    await t?.close();
    await redisProxy?.stop();
  });

  it('lets requests through uncounted (fail open) while Redis is away, and counts again after', async () => {
    const counted = await t.http.get(`${API}/enterprises`).set('authorization', t.adminAuth);
    expect(counted.status).toBe(200);
    expect(counted.headers['ratelimit-limit']).toBe('2');
    await redisProxy.cut();
    for (let i = 0; i < 5; i++) {
      const res = await t.http.get(`${API}/enterprises`).set('authorization', t.adminAuth);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    await redisProxy.restore();
    const { eventually } = await import('./support/tcp-proxy.js');
    await eventually(async () => {
      const res = await t.http.get(`${API}/enterprises`).set('authorization', t.adminAuth);
      expect(res.headers['ratelimit-limit']).toBe('2');
    });
  });
});
