// bull-board at /admin/queues: raw Fastify routes, outside the AccessGuard and the OpenAPI
// document (so outside the access matrix); this suite is what covers who may open them.
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QUEUE_DASHBOARD_CSP } from '../src/admin/queue-dashboard.js';
import { QueueName } from '../src/queue/queue.constants.js';
import { eventually } from './support/tcp-proxy.js';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

const PAGE = '/admin/queues';
const API = '/admin/queues/api/queues';
const basic = (email: string, password: string) =>
  `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;
const PROBLEM_JSON = /^application\/problem\+json/;
const CHALLENGE = /^Basic realm="Peiyu queues"/;

describe('queue dashboard', () => {
  let t: TestApp;
  let officer: { id: string; auth: string; email: string };
  const adminBasic = basic(ADMIN.email, ADMIN.password);
  const failuresOf = async (email: string) =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_failures WHERE email = $1', [
        email,
      ])
    )[0].n;

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLE: 'api' });
    officer = await t.staff('officer');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an admin with a Bearer token gets the page, its scripts and the API listing every queue', async () => {
    const page = await t.http.get(PAGE).set('authorization', t.adminAuth);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/" />');
    expect(page.text).toContain('<title>Peiyu queues</title>');
    // The dashboard's own policy, which lets its same-origin scripts and inline styles run.
    expect(page.headers['content-security-policy']).toBe(QUEUE_DASHBOARD_CSP);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const scripts = [...page.text.matchAll(/<script defer src="([^"]+)"/g)].map((m) => m[1]);
    const styles = [...page.text.matchAll(/<link href="(static\/[^"]+)" rel="stylesheet"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const asset of [...scripts, ...styles]) {
      expect(asset).toMatch(/^static\//); // same origin, which the policy allows
      const res = await t.http.get(`${PAGE}/${asset}`).set('authorization', t.adminAuth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(asset.endsWith('.js') ? /javascript/ : /^text\/css/);
    }

    const api = await t.http.get(API).set('authorization', t.adminAuth);
    expect(api.status).toBe(200);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    expect(api.headers['cache-control']).toBe('no-store');
    const names = (api.body.queues as { name: string }[]).map((q) => q.name).sort();
    expect(names).toEqual(Object.values(QueueName).sort());

    // The board's client routes serve the same page.
    const queuePage = await t.http
      .get(`${PAGE}/queue/${QueueName.Reminders}`)
      .set('authorization', t.adminAuth);
    expect(queuePage.status).toBe(200);
    expect(queuePage.text).toContain('<base href="/admin/queues/" />');
  });

  it('HTTP Basic with an admin’s email and password works, so a browser can open it', async () => {
    const page = await t.http.get(`${PAGE}/`).set('authorization', adminBasic);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/admin/queues/" />');
    // Remembered for a minute: the browser's many requests do not each cost a password check.
    for (let i = 0; i < 3; i++)
      expect((await t.http.get(API).set('authorization', adminBasic)).status).toBe(200);
    expect(await failuresOf(ADMIN.email)).toBe(0);
  });

  it('anonymous callers get 401 with a Basic challenge, as problem+json', async () => {
    for (const url of [
      PAGE,
      `${PAGE}/`,
      API,
      `${PAGE}/static/favicon.ico`,
      `${PAGE}/queue/${QueueName.Readiness}`,
    ]) {
      const res = await t.http.get(url);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ status: 401, type: '/problems/unauthorized', instance: url });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    }
  });

  it('a wrong password is 401 and counts as a failed sign-in; so are bad tokens and other schemes', async () => {
    const before = await failuresOf(ADMIN.email);
    const wrong = await t.http.get(PAGE).set('authorization', basic(ADMIN.email, 'not-the-password'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(CHALLENGE);
    expect(wrong.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(wrong.body.type).toBe('/problems/invalid-credentials');
    expect(await failuresOf(ADMIN.email)).toBe(before + 1);

    for (const header of [
      basic('nobody@peiyu.test', 'whatever-password'),
      'Bearer not-a-token',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Digest username="admin"',
    ]) {
      const res = await t.http.get(API).set('authorization', header);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    }
    // A right password after a wrong one clears the count, as sign-in does.
    expect((await t.http.get(PAGE).set('authorization', adminBasic)).status).toBe(200);
  });

  it('the login throttle applies: after ten wrong passwords even the right one is a 429', async () => {
    const victim = await t.staff('admin');
    for (let i = 0; i < 10; i++) {
      expect((await t.http.get(API).set('authorization', basic(victim.email, `wrong-${i}`))).status).toBe(
        401,
      );
    }
    const res = await t.http.get(API).set('authorization', basic(victim.email, 'staff-password-1'));
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an officer is refused with 403, by token or by password', async () => {
    for (const header of [officer.auth, basic(officer.email, 'staff-password-1')]) {
      for (const url of [PAGE, API]) {
        const res = await t.http.get(url).set('authorization', header);
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).toMatchObject({ status: 403, type: '/problems/forbidden' });
        expect(res.body.detail).toMatch(/only an admin/i);
      }
    }
  });

  it('a deactivated admin is refused within seconds, even with a remembered password', async () => {
    const other = await t.staff('admin');
    const header = basic(other.email, 'staff-password-1');
    expect((await t.http.get(API).set('authorization', header)).status).toBe(200);
    const off = await t.http
      .patch(`/api/v1/users/${other.id}`)
      .set('authorization', t.adminAuth)
      .send({ active: false });
    expect(off.status).toBe(200);
    await eventually(async () => {
      const res = await t.http.get(API).set('authorization', header);
      expect(res.status).toBe(401);
    }, 10_000);
    expect((await t.http.get(API).set('authorization', other.auth)).status).toBe(401);
  });

  it('takes changes only from its own pages', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    const pause = `${API}/${QueueName.Maintenance}/pause`;
    const fromEvil = await t.http
      .put(pause)
      .set('authorization', adminBasic)
      .set('origin', 'https://evil.example');
    expect(fromEvil.status).toBe(403);
    expect(fromEvil.headers['content-type']).toMatch(PROBLEM_JSON);
    const crossSite = await t.http
      .put(pause)
      .set('authorization', adminBasic)
      .set('sec-fetch-site', 'cross-site');
    expect(crossSite.status).toBe(403);
    expect(await queue.isPaused()).toBe(false);

    const own = await t.http.put(pause).set('authorization', adminBasic).set('sec-fetch-site', 'same-origin');
    expect(own.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    const resume = await t.http
      .put(`${API}/${QueueName.Maintenance}/resume`)
      .set('authorization', t.adminAuth);
    expect(resume.status).toBe(200);
    expect(await queue.isPaused()).toBe(false);
  });

  it('is not in the OpenAPI document, and other responses keep the strict policy', async () => {
    const doc = await t.http.get('/openapi.json');
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
    expect(doc.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe('queue dashboard in a worker process', () => {
  it('is not served where no HTTP API is', async () => {
    const w = await startTestApp({ APP_ROLE: 'worker' });
    try {
      expect((await w.http.get(PAGE).set('authorization', w.adminAuth)).status).toBe(404);
    } finally {
      await w.close();
    }
  });
});
