import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import argon2 from 'argon2';
import { createSigner, createVerifier } from 'fast-jwt';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/app-config.js';
import { REDIS_URL } from './support/environment.js';
import { ADMIN, deleteQueueKeys, startTestApp, type TestApp } from './support/test-app.js';

const LOGIN = '/api/v1/auth/login';
const PROBLEM_JSON = /^application\/problem\+json/;
// Not the harness default (3600), so a hard-coded expiresIn shows.
const TTL_SECONDS = 900;
const STAFF_PASSWORD = 'staff-password-1';
// The documented staleness of the role/active and API-key caches, plus room for the request.
const CACHE_TTL_MS = 5_000;
const POLL_DEADLINE_MS = CACHE_TTL_MS + 1_500;

type Res = Awaited<ReturnType<TestApp['http']['get']>>;

/** Repeats `attempt` every 100 ms until `done` holds or the deadline passes; returns the last reply. */
async function poll(attempt: () => Promise<Res>, done: (res: Res) => boolean, deadlineMs = POLL_DEADLINE_MS) {
  const started = Date.now();
  for (;;) {
    const res = await attempt();
    if (done(res) || Date.now() - started > deadlineMs) return { res, elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (auth: string) => auth.slice('Bearer '.length);

describe('auth', () => {
  let t: TestApp;
  let adminId: string;

  const failures = async (email: string) =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_failures WHERE email = $1', [
        email.toLowerCase(),
      ])
    )[0].n;
  const login = (email: string, password: string) => t.http.post(LOGIN).send({ email, password });
  // Failed sign-ins written straight into the table (each real one costs an argon2 verify).
  const seedFailures = (email: string, count: number, age = '0 seconds') =>
    t.db.query(
      `INSERT INTO login_failures (email, at) SELECT $1, now() - $2::interval FROM generate_series(1, $3)`,
      [email, age, count],
    );
  const apiKey = async (scopes: string[]) => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set('authorization', t.adminAuth)
      .send({ name: `key ${randomUUID()}`, scopes });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; prefix: string; scopes: string[] };
  };

  beforeAll(async () => {
    t = await startTestApp({ JWT_TTL_SECONDS: String(TTL_SECONDS) });
    [{ id: adminId }] = await t.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
      ADMIN.email,
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('login', () => {
    it('returns an HS256 JWT signed with JWT_SECRET, for the user, expiring in JWT_TTL_SECONDS', async () => {
      const res = await login(ADMIN.email, ADMIN.password);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: TTL_SECONDS,
      });
      const [header, payload, signature] = res.body.accessToken.split('.');
      expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(b64json(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = createVerifier({ key: t.config.jwtSecret, algorithms: ['HS256'] })(res.body.accessToken);
      expect(claims.sub).toBe(adminId);
      expect(claims.exp - claims.iat).toBe(TTL_SECONDS);
      expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(30);
      expect(b64json(payload)).not.toHaveProperty('password');
    });

    it('treats the email case-insensitively', async () => {
      const res = await login(ADMIN.email.toUpperCase(), ADMIN.password);
      expect(res.status).toBe(200);
      expect(b64json(res.body.accessToken.split('.')[1]).sub).toBe(adminId);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const wrong = await login(ADMIN.email, 'not-the-password');
      const unknown = await login(`nobody-${randomUUID()}@peiyu.test`, ADMIN.password);
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).not.toHaveProperty('accessToken');
      }
      expect(unknown.body.type).toBe(wrong.body.type);
      expect(unknown.body.title).toBe(wrong.body.title);
      expect(unknown.body.detail).toBe(wrong.body.detail);
      expect(wrong.body.detail).toEqual(expect.any(String));
    });

    it('refuses a deactivated user with the right password, like a wrong password', async () => {
      const user = await t.staff('officer');
      const patched = await t.http
        .patch(`/api/v1/users/${user.id}`)
        .set('authorization', t.adminAuth)
        .send({ active: false });
      expect(patched.status).toBe(200);
      const res = await login(user.email, STAFF_PASSWORD);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.detail).toBe((await login(user.email, 'wrong-password')).body.detail);
    });

    it('names every missing field in a 400', async () => {
      const none = await t.http.post(LOGIN).send({});
      expect(none.status).toBe(400);
      expect(none.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(new Set(none.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['email', 'password']),
      );

      const noPassword = await t.http.post(LOGIN).send({ email: ADMIN.email });
      expect(noPassword.status).toBe(400);
      expect(new Set(noPassword.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['password']),
      );
    });
  });

  describe('throttle', () => {
    it('after ten failures for one email the next attempt, right password included, is 429 with Retry-After', async () => {
      const [user, other] = await Promise.all([t.staff('viewer'), t.staff('viewer')]);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        // Mixed case: the throttle is per email, not per spelling.
        const res = await login(i % 2 ? user.email.toUpperCase() : user.email, `wrong-${i}`);
        statuses.push(res.status);
      }
      expect(statuses).toEqual(Array(10).fill(401));
      expect(await failures(user.email)).toBe(10);

      const blocked = await login(user.email, STAFF_PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(blocked.body.status).toBe(429);
      expect(blocked.body).not.toHaveProperty('accessToken');

      // Another email is not affected, neither for a right nor for a wrong password.
      expect((await login(other.email, STAFF_PASSWORD)).status).toBe(200);
      expect((await login(other.email, 'wrong')).status).toBe(401);
    });

    it('holds under concurrency: a burst of wrong passwords gets at most ten tries', async () => {
      const user = await t.staff('viewer');
      const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => login(user.email, `wrong-${i}`)));
      // Checked before and recorded after the slow password check, all sixteen would be tried.
      expect(burst.map((r) => r.status).sort()).toEqual([...Array(10).fill(401), ...Array(6).fill(429)]);
      expect(await failures(user.email)).toBe(10);
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(429);
    });

    it('counts only the last 15 minutes, and Retry-After says when the oldest failure leaves the window', async () => {
      const user = await t.staff('viewer');
      // Ten failures, as the test above records them, but fourteen minutes old.
      await seedFailures(user.email, 10, '14 minutes');
      const blocked = await login(user.email, STAFF_PASSWORD);
      expect(blocked.status).toBe(429);
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(55);
      expect(retryAfter).toBeLessThanOrEqual(61);

      await t.db.query(
        `UPDATE login_failures SET at = now() - interval '15 minutes 1 second' WHERE email = $1`,
        [user.email],
      );
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(200);
      expect(await failures(user.email)).toBe(0);
    });

    it('a successful sign-in before the limit starts the count again', async () => {
      const user = await t.staff('officer');
      await seedFailures(user.email, 9);
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(200);
      expect(await failures(user.email)).toBe(0);

      await seedFailures(user.email, 8);
      expect((await login(user.email, 'wrong')).status).toBe(401);
      expect(await failures(user.email)).toBe(9);
      // 18 failures in the window, but only 9 since the success.
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(200);

      await seedFailures(user.email, 9);
      expect((await login(user.email, 'wrong')).status).toBe(401);
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(429);
    });
  });

  describe('tokens', () => {
    const sign = (claims: object, options: { algorithm?: 'HS256' | 'HS512'; clockTimestamp?: number } = {}) =>
      createSigner({ key: t.config.jwtSecret, algorithm: 'HS256', expiresIn: 60_000, ...options })(claims);
    const users = (auth?: string) => {
      const req = t.http.get('/api/v1/users');
      return auth === undefined ? req : req.set('authorization', auth);
    };

    it('answers no Authorization with 401 and WWW-Authenticate', async () => {
      const res = await users();
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    });

    it('refuses garbage, another scheme, tampered and wrongly signed tokens', async () => {
      const viewer = await t.staff('viewer');
      const [header, , signature] = bearer(viewer.auth).split('.');
      const now = Math.floor(Date.now() / 1000);
      const escalated = `${header}.${b64({ sub: adminId, role: 'admin', iat: now, exp: now + 600 })}.${signature}`;
      // A character inside the signature: the last one carries padding bits, so changing it may not change the bytes.
      const token = bearer(viewer.auth);
      const at = token.length - 10;
      const flipped = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      const otherKey = createSigner({ key: 'another-secret-of-32-characters!', algorithm: 'HS256' })({
        sub: adminId,
        role: 'admin',
      });
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: adminId, role: 'admin', iat: now, exp: now + 600 })}.`;
      const hs512 = sign({ sub: adminId, role: 'admin' }, { algorithm: 'HS512' });

      // The viewer's own token is good, so the refusals below are about the token alone.
      expect((await t.http.get('/api/v1/enterprises').set('authorization', viewer.auth)).status).toBe(200);
      for (const [what, auth] of Object.entries({
        garbage: 'Bearer garbage',
        empty: 'Bearer ',
        escalated: `Bearer ${escalated}`,
        flipped: `Bearer ${flipped}`,
        otherKey: `Bearer ${otherKey}`,
        unsigned: `Bearer ${unsigned}`,
        hs512: `Bearer ${hs512}`,
        basic: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}`,
        bareToken: bearer(t.adminAuth),
      })) {
        const res = await t.http.get('/api/v1/enterprises').set('authorization', auth);
        expect({ what, status: res.status, problem: res.headers['content-type'] }).toEqual({
          what,
          status: 401,
          problem: expect.stringMatching(PROBLEM_JSON),
        });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('refuses an expired token that is otherwise valid', async () => {
      const claims = { sub: adminId, role: 'admin' };
      expect((await users(`Bearer ${sign(claims)}`)).status).toBe(200);
      const expired = sign(claims, { clockTimestamp: Date.now() - 2 * 3600_000 });
      expect(b64json(expired.split('.')[1]).exp).toBeLessThan(Date.now() / 1000);
      const res = await users(`Bearer ${expired}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('refuses a validly signed token for a user who does not exist', async () => {
      const res = await users(`Bearer ${sign({ sub: randomUUID(), role: 'admin' })}`);
      expect(res.status).toBe(401);
    });

    it('a deactivated user loses access within the cache TTL', async () => {
      const officer = await t.staff('officer');
      const read = () => t.http.get('/api/v1/enterprises').set('authorization', officer.auth);
      expect((await read()).status).toBe(200); // warms the cache
      const patched = await t.http
        .patch(`/api/v1/users/${officer.id}`)
        .set('authorization', t.adminAuth)
        .send({ active: false });
      expect(patched.status).toBe(200);
      expect(patched.body.active).toBe(false);
      const { res, elapsedMs } = await poll(read, (r) => r.status !== 200);
      expect(res.status).toBe(401);
      expect(elapsedMs).toBeLessThanOrEqual(POLL_DEADLINE_MS);
    });

    it('a demotion applies to an existing token within the cache TTL', async () => {
      const second = await t.staff('admin');
      const list = () => t.http.get('/api/v1/users').set('authorization', second.auth);
      expect((await list()).status).toBe(200);
      const patched = await t.http
        .patch(`/api/v1/users/${second.id}`)
        .set('authorization', t.adminAuth)
        .send({ role: 'viewer' });
      expect(patched.status).toBe(200);
      const { res } = await poll(list, (r) => r.status !== 200);
      expect(res.status).toBe(403);
      // Still signed in, with the new role's rights.
      expect((await t.http.get('/api/v1/enterprises').set('authorization', second.auth)).status).toBe(200);
      expect(
        (await t.http.post('/api/v1/enterprises').set('authorization', second.auth).send({})).status,
      ).toBe(403);
    });
  });

  describe('users', () => {
    const post = (body: object, auth = t.adminAuth) =>
      t.http.post('/api/v1/users').set('authorization', auth).send(body);
    const newUser = (over: Record<string, unknown> = {}) => ({
      email: `u-${randomBytes(4).toString('hex')}@peiyu.test`,
      name: '王丽',
      password: 'a-good-password',
      role: 'officer',
      ...over,
    });

    it('creates a user without ever returning the password, and stores an argon2id hash', async () => {
      const body = newUser({ email: `Wang.Li-${randomBytes(3).toString('hex')}@Peiyu.TEST` });
      const res = await post(body);
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: body.email.toLowerCase(),
        name: '王丽',
        role: 'officer',
        active: true,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toContain(body.password);

      const [row] = await t.db.query<{ email: string; password_hash: string }>(
        'SELECT email, password_hash FROM users WHERE id = $1',
        [res.body.id],
      );
      expect(row.email).toBe(body.email.toLowerCase());
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(body.password);
      expect(await argon2.verify(row.password_hash, body.password)).toBe(true);

      const got = await t.http.get(`/api/v1/users/${res.body.id}`).set('authorization', t.adminAuth);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
      expect((await login(body.email, body.password)).status).toBe(200);
    });

    it('refuses a duplicate email in any case with 409', async () => {
      const body = newUser();
      expect((await post(body)).status).toBe(201);
      const again = await post(newUser({ email: body.email.toUpperCase() }));
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
      const rows = await t.db.query('SELECT id FROM users WHERE lower(email) = $1', [body.email]);
      expect(rows).toHaveLength(1);
    });

    it('names an invalid role, a short password and an unknown field in one 400', async () => {
      const res = await post(newUser({ role: 'superuser', password: 'short', isAdmin: true }));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(new Set(res.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['role', 'password', 'isAdmin']),
      );
      expect((await post(newUser({ role: 'Admin' }))).status).toBe(400);
    });

    it('lists users in pages of {data, nextCursor} that together hold every user once', async () => {
      for (let i = 0; i < 3; i++) expect((await post(newUser())).status).toBe(201);
      const all = (await t.db.query<{ id: string }>('SELECT id FROM users ORDER BY email, id')).map(
        (r) => r.id,
      );
      expect(all.length).toBeGreaterThanOrEqual(4);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Res = await t.http
          .get('/api/v1/users')
          .query({ limit: 2, ...(cursor && { cursor }) })
          .set('authorization', t.adminAuth);
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        for (const u of res.body.data) {
          expect(u).not.toHaveProperty('password');
          expect(u).not.toHaveProperty('passwordHash');
          seen.push(u.id);
        }
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 2));

      const bad = await t.http.get('/api/v1/users').query({ limit: 0 }).set('authorization', t.adminAuth);
      expect(bad.status).toBe(400);
      const roles = await t.http
        .get('/api/v1/users')
        .query({ role: 'viewer', limit: 200 })
        .set('authorization', t.adminAuth);
      expect(roles.status).toBe(200);
      expect(roles.body.data.length).toBeGreaterThan(0);
      expect(roles.body.data.every((u: { role: string }) => u.role === 'viewer')).toBe(true);
    });

    it('PATCH honours If-Match: a stale version is 412 and changes nothing', async () => {
      const created = await post(newUser({ name: 'before' }));
      const id = created.body.id;
      const ok = await t.http
        .patch(`/api/v1/users/${id}`)
        .set('authorization', t.adminAuth)
        .set('if-match', '"1"')
        .send({ name: 'after' });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.body).toMatchObject({ name: 'after', version: 2 });

      const stale = await t.http
        .patch(`/api/v1/users/${id}`)
        .set('authorization', t.adminAuth)
        .set('if-match', '"1"')
        .send({ name: 'lost' });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(PROBLEM_JSON);
      const [row] = await t.db.query<{ name: string; version: number }>(
        'SELECT name, version FROM users WHERE id = $1',
        [id],
      );
      expect(row).toEqual({ name: 'after', version: 2 });

      const missing = await t.http
        .patch(`/api/v1/users/${randomUUID()}`)
        .set('authorization', t.adminAuth)
        .send({ name: 'x' });
      expect(missing.status).toBe(404);
      const notUuid = await t.http
        .patch('/api/v1/users/123')
        .set('authorization', t.adminAuth)
        .send({ name: 'x' });
      expect(notUuid.status).toBe(400);
    });

    it('an admin cannot demote or deactivate themselves', async () => {
      const admin = await t.staff('admin');
      for (const change of [{ role: 'officer' }, { role: 'viewer' }, { active: false }]) {
        const res = await t.http
          .patch(`/api/v1/users/${admin.id}`)
          .set('authorization', admin.auth)
          .send(change);
        expect({ change, status: res.status }).toEqual({ change, status: 409 });
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      }
      const [row] = await t.db.query('SELECT role, active, version FROM users WHERE id = $1', [admin.id]);
      expect(row).toEqual({ role: 'admin', active: true, version: 1 });
      // Renaming oneself is fine, and another admin may demote them.
      expect(
        (
          await t.http
            .patch(`/api/v1/users/${admin.id}`)
            .set('authorization', admin.auth)
            .send({ name: 'Renamed' })
        ).status,
      ).toBe(200);
      expect(
        (
          await t.http
            .patch(`/api/v1/users/${admin.id}`)
            .set('authorization', t.adminAuth)
            .send({ role: 'officer' })
        ).status,
      ).toBe(200);
    });

    it('officers and viewers get 403 on every /users route', async () => {
      const target = (await post(newUser())).body.id as string;
      for (const role of ['officer', 'viewer'] as const) {
        const { auth } = await t.staff(role);
        const replies = {
          post: (await post(newUser(), auth)).status,
          list: (await t.http.get('/api/v1/users').set('authorization', auth)).status,
          get: (await t.http.get(`/api/v1/users/${target}`).set('authorization', auth)).status,
          patch: (
            await t.http.patch(`/api/v1/users/${target}`).set('authorization', auth).send({ role: 'admin' })
          ).status,
        };
        expect({ role, replies }).toEqual({ role, replies: { post: 403, list: 403, get: 403, patch: 403 } });
      }
      const [row] = await t.db.query('SELECT role FROM users WHERE id = $1', [target]);
      expect(row).toEqual({ role: 'officer' });
    });

    it('changes a password: the old one fails, the new one signs in', async () => {
      const user = await t.staff('viewer');
      const res = await t.http
        .patch(`/api/v1/users/${user.id}`)
        .set('authorization', t.adminAuth)
        .send({ password: 'brand-new-password' });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('password');
      expect((await login(user.email, STAFF_PASSWORD)).status).toBe(401);
      expect((await login(user.email, 'brand-new-password')).status).toBe(200);
      const [entry] = await t.db.query<{ changes: Record<string, unknown> }>(
        `SELECT changes FROM audit_entries WHERE entity = 'user' AND entity_id = $1 AND action = 'update'`,
        [user.id],
      );
      expect(JSON.stringify(entry.changes)).not.toContain('brand-new-password');
    });
  });

  describe('API keys', () => {
    const KEY = /^pyk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

    it('issues a key once and stores only a SHA-256 of its secret', async () => {
      const res = await t.http
        .post('/api/v1/api-keys')
        .set('authorization', t.adminAuth)
        .send({ name: '区政务数据平台', scopes: ['enterprises:read'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        name: '区政务数据平台',
        scopes: ['enterprises:read'],
        prefix: expect.any(String),
      });
      const [, prefix, secret] = KEY.exec(res.body.key) ?? [];
      expect(prefix).toBe(res.body.prefix);
      expect(Object.keys(res.body)).not.toEqual(expect.arrayContaining(['secretHash']));

      const listed = await t.http
        .get('/api/v1/api-keys')
        .query({ limit: 200 })
        .set('authorization', t.adminAuth);
      expect(listed.status).toBe(200);
      expect(Object.keys(listed.body).sort()).toEqual(['data', 'nextCursor']);
      const mine = listed.body.data.find((k: { id: string }) => k.id === res.body.id);
      expect(mine).toMatchObject({
        name: '区政务数据平台',
        prefix,
        scopes: ['enterprises:read'],
        revokedAt: null,
      });
      for (const k of listed.body.data) {
        expect(Object.keys(k).filter((f) => /key|secret|hash/i.test(f))).toEqual([]);
      }
      expect(listed.text).not.toContain(secret);

      const rows = await t.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [
        res.body.id,
      ]);
      expect(rows).toHaveLength(1);
      const stored = JSON.stringify(rows[0]);
      expect(stored).not.toContain(res.body.key);
      expect(stored).not.toContain(secret);
      expect(rows[0].secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    });

    it('authenticates X-API-Key with exactly its scopes', async () => {
      const { key } = await apiKey(['enterprises:read']);
      const read = await t.http.get('/api/v1/enterprises').set('x-api-key', key);
      expect(read.status).toBe(200);
      const write = await t.http.post('/api/v1/enterprises').set('x-api-key', key).send({});
      expect(write.status).toBe(403);
      expect(write.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(write.body.detail).toContain('enterprises:write');
      expect((await t.http.get('/metrics').set('x-api-key', key)).status).toBe(403);
    });

    it('refuses an unknown scope, an empty list and a missing name with 400', async () => {
      const unknown = await t.http
        .post('/api/v1/api-keys')
        .set('authorization', t.adminAuth)
        .send({ name: 'x', scopes: ['enterprises:read', 'admin'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['scopes']);
      const empty = await t.http
        .post('/api/v1/api-keys')
        .set('authorization', t.adminAuth)
        .send({ scopes: [] });
      expect(empty.status).toBe(400);
      expect(new Set(empty.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['name', 'scopes']),
      );
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM api_keys WHERE name = 'x'`,
      );
      expect(n).toBe(0);
    });

    it('officers get 403 on /api-keys', async () => {
      const officer = await t.staff('officer');
      const { id } = await apiKey(['enterprises:read']);
      expect(
        (
          await t.http
            .post('/api/v1/api-keys')
            .set('authorization', officer.auth)
            .send({ name: 'mine', scopes: ['enterprises:read'] })
        ).status,
      ).toBe(403);
      expect((await t.http.get('/api/v1/api-keys').set('authorization', officer.auth)).status).toBe(403);
      expect((await t.http.delete(`/api/v1/api-keys/${id}`).set('authorization', officer.auth)).status).toBe(
        403,
      );
      const [row] = await t.db.query('SELECT revoked_at FROM api_keys WHERE id = $1', [id]);
      expect(row).toEqual({ revoked_at: null });
    });

    it('DELETE revokes: 204, the key stops working within the TTL, a repeat is 204, an unknown id 404', async () => {
      const { id, key } = await apiKey(['enterprises:read']);
      const use = () => t.http.get('/api/v1/enterprises').set('x-api-key', key);
      expect((await use()).status).toBe(200); // warms the cache
      const del = await t.http.delete(`/api/v1/api-keys/${id}`).set('authorization', t.adminAuth);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      const { res, elapsedMs } = await poll(use, (r) => r.status !== 200);
      expect(res.status).toBe(401);
      expect(elapsedMs).toBeLessThanOrEqual(POLL_DEADLINE_MS);
      const [row] = await t.db.query<{ revoked_at: Date | null }>(
        'SELECT revoked_at FROM api_keys WHERE id = $1',
        [id],
      );
      expect(row.revoked_at).toBeInstanceOf(Date);

      expect((await t.http.delete(`/api/v1/api-keys/${id}`).set('authorization', t.adminAuth)).status).toBe(
        204,
      );
      const [again] = await t.db.query<{ revoked_at: Date }>(
        'SELECT revoked_at FROM api_keys WHERE id = $1',
        [id],
      );
      expect(again.revoked_at.getTime()).toBe(row.revoked_at!.getTime());
      const listed = await t.http
        .get('/api/v1/api-keys')
        .query({ limit: 200 })
        .set('authorization', t.adminAuth);
      expect(listed.body.data.find((k: { id: string }) => k.id === id).revokedAt).toBe(
        row.revoked_at!.toISOString(),
      );
      // One revocation, one audit entry: the repeat changed nothing.
      const entries = await t.db.query(
        'SELECT actor_type, actor_id, changes FROM audit_entries WHERE entity = $1 AND entity_id = $2 AND action = $3',
        ['apiKey', id, 'delete'],
      );
      expect(entries).toEqual([
        { actor_type: 'user', actor_id: adminId, changes: { revoked: [false, true] } },
      ]);
      const unknown = await t.http
        .delete(`/api/v1/api-keys/${randomUUID()}`)
        .set('authorization', t.adminAuth);
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toMatch(PROBLEM_JSON);
    });

    it('refuses malformed and forged keys with 401', async () => {
      const { key, prefix } = await apiKey(['enterprises:read']);
      const forged = `pyk_${prefix}_${randomBytes(32).toString('base64url')}`;
      for (const presented of [
        'garbage',
        `${key}x`,
        key.toUpperCase(),
        forged,
        `pyk_${'0'.repeat(12)}_${'A'.repeat(43)}`,
      ]) {
        const res = await t.http.get('/api/v1/enterprises').set('x-api-key', presented);
        expect({ presented, status: res.status }).toEqual({ presented, status: 401 });
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      }
      expect((await t.http.get('/api/v1/enterprises').set('x-api-key', key)).status).toBe(200);
    });

    it('never lets a key reach admin-only routes, even with every scope', async () => {
      const scopes = (await t.http.get('/openapi.json')).body.components.schemas.CreateApiKeyDto.properties
        .scopes.items.enum as string[];
      expect(scopes).toContain('metrics:read');
      const { key } = await apiKey(scopes);
      const replies = {
        listUsers: (await t.http.get('/api/v1/users').set('x-api-key', key)).status,
        getUser: (await t.http.get(`/api/v1/users/${adminId}`).set('x-api-key', key)).status,
        createUser: (
          await t.http
            .post('/api/v1/users')
            .set('x-api-key', key)
            .send({ email: 'k@peiyu.test', name: 'k', password: 'password-1', role: 'admin' })
        ).status,
        patchUser: (
          await t.http
            .patch(`/api/v1/users/${adminId}`)
            .set('x-api-key', key)
            .send({ password: 'hijacked-password' })
        ).status,
        listKeys: (await t.http.get('/api/v1/api-keys').set('x-api-key', key)).status,
        createKey: (
          await t.http
            .post('/api/v1/api-keys')
            .set('x-api-key', key)
            .send({ name: 'k', scopes: ['enterprises:read'] })
        ).status,
        audit: (await t.http.get('/api/v1/audit').set('x-api-key', key)).status,
      };
      expect(replies).toEqual({
        listUsers: 403,
        getUser: 403,
        createUser: 403,
        patchUser: 403,
        listKeys: 403,
        createKey: 403,
        audit: 403,
      });
      // The same key is good for everything its scopes name.
      expect((await t.http.get('/metrics').set('x-api-key', key)).status).toBe(200);
      expect((await login(ADMIN.email, ADMIN.password)).status).toBe(200);
    });
  });

  describe('a second process on the same database', () => {
    let second: { app: NestFastifyApplication; http: ReturnType<typeof request>; prefix: string };

    beforeAll(async () => {
      const prefix = `${t.config.QUEUE_PREFIX}-second`;
      const config = loadConfig({
        DATABASE_URL: t.db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        JWT_SECRET: t.config.jwtSecret,
        LOG_LEVEL: 'silent',
        APP_ROLE: 'api',
        ADMIN_EMAIL: `another-admin-${randomBytes(3).toString('hex')}@peiyu.test`,
        ADMIN_PASSWORD: 'another-admin-password',
        OUTBOX_DIR: `var/test-outbox/${prefix}`,
      });
      const { app } = await createApp(config);
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      second = { app, http: request(app.getHttpServer()), prefix };
    });
    afterAll(async () => {
      await second?.app.close();
      if (second) await deleteQueueKeys(second.prefix);
    });

    it('does not create another first admin when an admin exists', async () => {
      const users = await t.db.query<{ email: string; role: string }>('SELECT email, role FROM users');
      expect(users.filter((u) => u.email.startsWith('another-admin-'))).toEqual([]);
      const [first] = await t.db.query<{ actor_type: string; actor_id: string | null }>(
        `SELECT actor_type, actor_id FROM audit_entries WHERE entity = 'user' AND entity_id = $1 AND action = 'create'`,
        [adminId],
      );
      expect(first).toEqual({ actor_type: 'system', actor_id: null });
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_entries WHERE actor_type = 'system' AND entity = 'user' AND action = 'create'`,
      );
      expect(n).toBe(1);
      // And it shares the sign-in: a token from one process works on the other.
      expect((await second.http.get('/api/v1/users').set('authorization', t.adminAuth)).status).toBe(200);
    });

    it('a deactivation and a key revocation made on one process reach the other within the TTL', async () => {
      const viewer = await t.staff('viewer');
      const { id: keyId, key } = await apiKey(['enterprises:read']);
      const asViewer = () => second.http.get('/api/v1/enterprises').set('authorization', viewer.auth);
      const asKey = () => second.http.get('/api/v1/enterprises').set('x-api-key', key);
      // Warm the second process's caches, then change things through the first.
      expect((await asViewer()).status).toBe(200);
      expect((await asKey()).status).toBe(200);
      expect(
        (
          await t.http
            .patch(`/api/v1/users/${viewer.id}`)
            .set('authorization', t.adminAuth)
            .send({ active: false })
        ).status,
      ).toBe(200);
      expect(
        (await t.http.delete(`/api/v1/api-keys/${keyId}`).set('authorization', t.adminAuth)).status,
      ).toBe(204);
      const [user, apiKeyPoll] = await Promise.all([
        poll(asViewer, (r) => r.status !== 200),
        poll(asKey, (r) => r.status !== 200),
      ]);
      expect(user.res.status).toBe(401);
      expect(apiKeyPoll.res.status).toBe(401);
      expect(Math.max(user.elapsedMs, apiKeyPoll.elapsedMs)).toBeLessThanOrEqual(POLL_DEADLINE_MS);
    });
  });
});
