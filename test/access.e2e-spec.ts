import { randomUUID } from 'node:crypto';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

// The access matrix of API.md, generated from /openapi.json: every operation the document
// lists is sent without credentials, with bad credentials, and as each kind of caller.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Res = Awaited<ReturnType<TestApp['http']['get']>>;

/** What an operation needs: nothing, an admin user, or a scope (which staff roles map onto). */
type Need = 'public' | 'admin' | `${string}:${string}`;

/**
 * One line per operation, keyed `METHOD /path` as the document spells it; `* /prefix/**`
 * covers every method on and under a prefix that API.md makes admin-only as a whole.
 * An operation with no line fails the suite: a new endpoint needs a decision here.
 */
const RULES: Record<string, Need> = {
  'POST /api/v1/auth/login': 'public',
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'metrics:read',
  '* /api/v1/users/**': 'admin',
  '* /api/v1/api-keys/**': 'admin',
  '* /api/v1/audit/**': 'admin',
  'GET /api/v1/enterprises': 'enterprises:read',
  'POST /api/v1/enterprises': 'enterprises:write',
  'GET /api/v1/enterprises/{id}': 'enterprises:read',
  'PATCH /api/v1/enterprises/{id}': 'enterprises:write',
  'DELETE /api/v1/enterprises/{id}': 'enterprises:write',
  'PUT /api/v1/enterprises/{id}/financials/{year}': 'enterprises:write',
  'GET /api/v1/enterprises/{id}/financials': 'enterprises:read',
  'GET /api/v1/enterprises/{id}/annual-reports': 'enterprises:read',
  'PUT /api/v1/enterprises/{id}/annual-reports/{year}': 'enterprises:write',
  'DELETE /api/v1/enterprises/{id}/annual-reports/{year}': 'enterprises:write',
  'POST /api/v1/enterprises/{id}/ip-assets': 'enterprises:write',
  'GET /api/v1/enterprises/{id}/ip-assets': 'enterprises:read',
  'PATCH /api/v1/ip-assets/{id}': 'enterprises:write',
  'DELETE /api/v1/ip-assets/{id}': 'enterprises:write',
  'PUT /api/v1/enterprises/{id}/innovation-profile': 'enterprises:write',
  'GET /api/v1/enterprises/{id}/innovation-profile': 'enterprises:read',
  'POST /api/v1/readiness/evaluate': 'readiness:evaluate',
  'GET /api/v1/readiness/summary': 'enterprises:read',
  'GET /api/v1/readiness/runs': 'enterprises:read',
  'GET /api/v1/enterprises/{id}/readiness': 'enterprises:read',
  'GET /api/v1/enterprises/{id}/readiness/history': 'enterprises:read',
  'POST /api/v1/enterprises/{id}/readiness/recompute': 'enterprises:write',
  'POST /api/v1/enterprises/{id}/applications': 'applications:write',
  'GET /api/v1/enterprises/{id}/applications': 'applications:read',
  'GET /api/v1/applications': 'applications:read',
  'GET /api/v1/applications/board': 'applications:read',
  'GET /api/v1/applications/funnel': 'applications:read',
  'GET /api/v1/applications/{id}': 'applications:read',
  'POST /api/v1/applications/{id}/transitions': 'applications:write',
  'POST /api/v1/batches': 'applications:write',
  'GET /api/v1/batches': 'applications:read',
  'GET /api/v1/batches/{id}': 'applications:read',
  'PATCH /api/v1/batches/{id}': 'applications:write',
  'POST /api/v1/enterprises/{id}/contracts': 'enterprises:write',
  'GET /api/v1/enterprises/{id}/contracts': 'enterprises:read',
  'GET /api/v1/contracts': 'enterprises:read',
  'GET /api/v1/contracts/{id}': 'enterprises:read',
  'PATCH /api/v1/contracts/{id}': 'enterprises:write',
  'POST /api/v1/enterprises/{id}/service-records': 'enterprises:write',
  'GET /api/v1/enterprises/{id}/service-records': 'enterprises:read',
  'GET /api/v1/enterprises/{id}/timeline': 'enterprises:read',
  'POST /api/v1/enterprises/{id}/tracking': 'tracking:write',
  'GET /api/v1/tracking': 'tracking:read',
  'GET /api/v1/tracking/suggestions': 'tracking:read',
  'GET /api/v1/tracking/{id}': 'tracking:read',
  'POST /api/v1/tracking/{id}/logs': 'tracking:write',
  'PATCH /api/v1/tracking/{id}': 'tracking:write',
  'GET /api/v1/reminders': 'reminders:read',
  'GET /api/v1/reminders/{id}': 'reminders:read',
  // Not in API.md's scope list: a write scope of our own, which officers and admins hold.
  'POST /api/v1/reminders/{id}/cancel': 'reminders:write',
  'POST /api/v1/reminders/{id}/retry': 'reminders:write',
  'POST /api/v1/enterprises/{id}/demands': 'demands:write',
  'GET /api/v1/enterprises/{id}/demands': 'demands:read',
  'GET /api/v1/demands': 'demands:read',
  'GET /api/v1/demands/{id}': 'demands:read',
  'PATCH /api/v1/demands/{id}': 'demands:write',
  'GET /api/v1/reports/demands': 'reports:read',
  // Freezing writes the record of a period: the demand writers (officers, admins), not report readers.
  'POST /api/v1/reports/demands/{period}/freeze': 'demands:write',
  'GET /api/v1/stats/overview': 'reports:read',
  'GET /api/v1/targets/{year}': 'reports:read',
  // The bureau's own targets: API.md has no scope to write them, so admins only.
  'PUT /api/v1/targets/{year}': 'admin',
  'POST /api/v1/webhooks': 'webhooks:manage',
  'GET /api/v1/webhooks': 'webhooks:manage',
  'GET /api/v1/webhooks/{id}': 'webhooks:manage',
  'PATCH /api/v1/webhooks/{id}': 'webhooks:manage',
  'DELETE /api/v1/webhooks/{id}': 'webhooks:manage',
  'GET /api/v1/webhooks/{id}/deliveries': 'webhooks:manage',
  'GET /api/v1/webhooks/{id}/deliveries/{deliveryId}': 'webhooks:manage',
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay': 'webhooks:manage',
  'POST /api/v1/enterprises/import': 'enterprises:write',
  'GET /api/v1/enterprises/export': 'enterprises:read',
  'GET /api/v1/imports': 'enterprises:read',
  'GET /api/v1/imports/{id}': 'enterprises:read',
  'POST /api/v1/imports/{id}/revert': 'enterprises:write',
  'POST /api/v1/reconciliations': 'applications:write',
  'GET /api/v1/reconciliations/{id}': 'applications:read',
};

type Caller = 'viewer' | 'officer' | 'admin' | 'keyWithoutScope' | 'keyWithEveryScope';

// API.md's rules, written out rather than read from src/auth/permissions.ts, so the code is
// checked against the contract and not against itself.
const REFUSED: Record<Caller, (method: Method, need: Need) => boolean> = {
  // Reads and reports only: every write is refused, and so are admin-only reads and /metrics.
  // The readiness what-if is a POST that stores nothing: a read, so viewers may ask it.
  viewer: (method, need) =>
    need !== 'public' &&
    need !== 'readiness:evaluate' &&
    // Webhooks are managed, reads included, only with webhooks:manage (admins, keys): officers are refused them too.
    (method !== 'GET' || need === 'admin' || need === 'metrics:read' || need === 'webhooks:manage'),
  // Reads everything and writes the bureau's records; not users, keys, audit, metrics or webhooks.
  officer: (_, need) => need === 'admin' || need === 'metrics:read' || need === 'webhooks:manage',
  admin: () => false,
  // The key below carries only reports:read.
  keyWithoutScope: (_, need) => need !== 'public' && need !== 'reports:read',
  // No key, whatever its scopes, reaches what only an admin may do.
  keyWithEveryScope: (_, need) => need === 'admin',
};

interface Operation {
  method: Method;
  path: string;
}

function ruleFor(op: Operation): Need | undefined {
  const exact = RULES[`${op.method} ${op.path}`];
  if (exact) return exact;
  for (const [key, need] of Object.entries(RULES)) {
    const [method, pattern] = key.split(' ');
    if (!pattern.endsWith('/**') || (method !== '*' && method !== op.method)) continue;
    const prefix = pattern.slice(0, -3);
    if (op.path === prefix || op.path.startsWith(`${prefix}/`)) return need;
  }
  return undefined;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: { CreateApiKeyDto: { properties: { scopes: { items: { enum: string[] } } } } } };
}

const PROBLEM_JSON = /^application\/problem\+json/;
// The queue dashboard (bull-board): raw Fastify routes behind their own admin hook, not in the
// document. test/queue-dashboard.e2e-spec.ts covers it; the matrix checks each route is closed.
const QUEUE_DASHBOARD = /^[A-Z]+ \/admin\/queues(\/|$)/;
const label = (op: Operation) => `${op.method} ${op.path}`;

describe('access', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let operations: Operation[];
  const auth: Record<Caller, [string, string]> = {} as never;

  const send = (op: Operation, headers: Record<string, string> = {}) => {
    const url = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
    const req = t.http[op.method.toLowerCase() as 'get'](url);
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    // The guard runs before validation, so a small body is enough to reach it.
    return op.method === 'GET' || op.method === 'DELETE' ? req : req.send({});
  };
  const createKey = async (scopes: string[]) => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set('authorization', t.adminAuth)
      .send({ name: `matrix ${scopes.length}`, scopes });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase() as Method, path })),
    );
    const everyScope = document.components.schemas.CreateApiKeyDto.properties.scopes.items.enum as string[];
    const [viewer, officer, withoutScope, withEveryScope] = await Promise.all([
      t.staff('viewer'),
      t.staff('officer'),
      createKey(['reports:read']),
      createKey(everyScope),
    ]);
    auth.viewer = ['authorization', viewer.auth];
    auth.officer = ['authorization', officer.auth];
    auth.admin = ['authorization', t.adminAuth];
    auth.keyWithoutScope = ['x-api-key', withoutScope.key];
    auth.keyWithEveryScope = ['x-api-key', withEveryScope.key];
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('matrix', () => {
    it('has a rule for every operation in the document, and no rule without an operation', () => {
      expect(operations.length).toBeGreaterThanOrEqual(15);
      expect(operations.filter((op) => ruleFor(op) === undefined).map(label)).toEqual([]);
      const unused = Object.keys(RULES).filter((key) => {
        const [method, pattern] = key.split(' ');
        return !operations.some((op) =>
          pattern.endsWith('/**')
            ? (method === '*' || method === op.method) &&
              (op.path === pattern.slice(0, -3) || op.path.startsWith(pattern.slice(0, -2)))
            : `${op.method} ${op.path}` === key,
        );
      });
      expect(unused).toEqual([]);
    });

    it('the document lists every route the server answers (so nothing escapes the matrix)', () => {
      const served = servedRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
      expect(served.length).toBeGreaterThanOrEqual(operations.length);
      const documented = new Set(operations.map(label));
      const undocumented = served.filter(
        (r) =>
          !r.startsWith('HEAD ') &&
          !/^GET \/(docs|openapi\.(json|yaml))(\/|$)/.test(r) &&
          !QUEUE_DASHBOARD.test(r) &&
          !documented.has(r),
      );
      expect(undocumented).toEqual([]);
    });

    it('every queue dashboard route the server answers is closed to all but admins', async () => {
      const routes = servedRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }))
        // The static files' wildcard prints without its `static/` segment; the dashboard suite checks them.
        .filter((r) => QUEUE_DASHBOARD.test(r) && !r.startsWith('HEAD ') && !r.endsWith('*'))
        .map((r) => {
          const [method, path] = r.split(' ');
          return { method: method as Method, path };
        });
      expect(routes.length).toBeGreaterThan(20);
      const wrong: string[] = [];
      // Never as an admin: these include obliterate and clean.
      for (const [who, headers, status] of [
        ['anonymous', {}, 401],
        ['bad token', { authorization: 'Bearer not.a.token' }, 401],
        ['key with every scope', { [auth.keyWithEveryScope[0]]: auth.keyWithEveryScope[1] }, 401],
        ['officer', { [auth.officer[0]]: auth.officer[1] }, 403],
        ['viewer', { [auth.viewer[0]]: auth.viewer[1] }, 403],
      ] as [string, Record<string, string>, number][]) {
        for (const op of routes) {
          const res = await send(op, headers);
          if (
            res.status !== status ||
            !PROBLEM_JSON.test(res.headers['content-type'] ?? '') ||
            (status === 401 && !/^Basic realm=/.test(res.headers['www-authenticate'] ?? ''))
          ) {
            wrong.push(`${label(op)} as ${who}: ${res.status} ${res.headers['content-type']}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('without credentials every operation but the public ones is 401 problem+json with WWW-Authenticate', async () => {
      const wrong: string[] = [];
      for (const op of operations) {
        const res = await send(op);
        const need = ruleFor(op);
        if (need === 'public') {
          if (res.status === 401 || res.status === 403 || res.status >= 500)
            wrong.push(`${label(op)}: public but ${res.status}`);
        } else if (
          res.status !== 401 ||
          !PROBLEM_JSON.test(res.headers['content-type'] ?? '') ||
          res.headers['www-authenticate'] !== 'Bearer' ||
          res.headers['x-content-type-options'] !== 'nosniff'
        ) {
          wrong.push(
            `${label(op)}: ${res.status} ${res.headers['content-type']} www-authenticate=${res.headers['www-authenticate']}`,
          );
        }
      }
      expect(wrong).toEqual([]);
    });

    it('a bad token or a bad key is 401 on every operation but the public ones', async () => {
      const wrong: string[] = [];
      for (const op of operations) {
        if (ruleFor(op) === 'public') continue;
        for (const headers of [
          { authorization: 'Bearer not.a.token' },
          { 'x-api-key': 'pyk_000000000000_not-a-key' },
        ] as Record<string, string>[]) {
          const res = await send(op, headers);
          if (res.status !== 401) wrong.push(`${label(op)} ${Object.keys(headers)[0]}: ${res.status}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it.each<Caller>(['viewer', 'officer', 'admin', 'keyWithoutScope', 'keyWithEveryScope'])(
      'as %s: never 401, and 403 exactly where API.md refuses',
      async (caller) => {
        const wrong: string[] = [];
        for (const op of operations) {
          const need = ruleFor(op);
          if (need === undefined) continue; // reported by the first test
          const [header, value] = auth[caller];
          const res: Res = await send(op, { [header]: value });
          const refused = REFUSED[caller](op.method, need);
          if (res.status === 401 || (res.status === 403) !== refused || res.status >= 500) {
            wrong.push(
              `${label(op)} (${need}): expected ${refused ? 403 : 'not 401/403'}, got ${res.status} ${res.body?.detail ?? ''}`,
            );
          } else if (refused && !PROBLEM_JSON.test(res.headers['content-type'] ?? '')) {
            wrong.push(`${label(op)}: 403 is not problem+json`);
          }
        }
        expect(wrong).toEqual([]);
      },
    );
  });

  describe('operations endpoints', () => {
    it('GET /metrics serves Prometheus text to an admin and to a metrics:read key, with route templates as labels', async () => {
      const id = randomUUID();
      const missing = `no-such-${randomUUID()}`;
      expect((await t.http.get(`/api/v1/enterprises/${id}`).set('authorization', t.adminAuth)).status).toBe(
        404,
      );
      expect((await t.http.get(`/${missing}`)).status).toBe(404);

      const res = await t.http.get('/metrics').set('authorization', t.adminAuth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toContain('# TYPE peiyu_http_request_duration_seconds histogram');
      expect(res.text).toMatch(
        /^peiyu_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/enterprises\/:id",status="404"\} [1-9]\d*$/m,
      );
      // Ids and unknown paths must not become label values (one series per URL would grow forever).
      expect(res.text).not.toContain(id);
      expect(res.text).not.toContain(missing);

      const { key } = await createKey(['metrics:read']);
      const byKey = await t.http.get('/metrics').set('x-api-key', key);
      expect(byKey.status).toBe(200);
      expect(byKey.text).toContain('peiyu_http_request_duration_seconds_bucket');
      // metrics:read is for /metrics only.
      expect((await t.http.get('/api/v1/enterprises').set('x-api-key', key)).status).toBe(403);
    });

    it('GET /docs serves the HTML explorer and /openapi.json an OpenAPI 3 document of the API', async () => {
      const docs = await t.http.get('/docs');
      expect(docs.status).toBe(200);
      expect(docs.headers['content-type']).toMatch(/^text\/html/);
      expect(docs.text).toMatch(/<html/i);
      expect(docs.text).toMatch(/swagger/i);

      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      const paths = Object.keys(document.paths);
      for (const expected of [
        '/api/v1/auth/login',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/api-keys',
        '/api/v1/api-keys/{id}',
        '/api/v1/enterprises',
        '/api/v1/enterprises/{id}',
        '/api/v1/audit',
      ]) {
        expect(paths).toContain(expected);
      }
      expect(paths.filter((p) => !p.startsWith('/api/v1/'))).toEqual(
        expect.arrayContaining(['/health/live', '/health/ready', '/metrics']),
      );
      expect(paths.filter((p) => !p.startsWith('/api/v1/')).sort()).toEqual([
        '/health/live',
        '/health/ready',
        '/metrics',
      ]);
    });
  });

  describe('audit', () => {
    let adminId: string;
    const audit = (query: Record<string, string | number> = {}, authorization = t.adminAuth) =>
      t.http.get('/api/v1/audit').query(query).set('authorization', authorization);

    beforeAll(async () => {
      [{ id: adminId }] = await t.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
        ADMIN.email,
      ]);
    });

    it('records the creation of a user, by whom and in which request, without the password', async () => {
      const email = `audited-${randomUUID()}@peiyu.test`;
      const created = await t.http
        .post('/api/v1/users')
        .set('authorization', t.adminAuth)
        .set('x-request-id', 'audit-test-create-user')
        .send({ email, name: '李强', password: 'a-secret-password', role: 'viewer' });
      expect(created.status).toBe(201);
      const res = await audit({ entity: 'user', entityId: created.body.id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: [
          {
            id: expect.any(String),
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/),
            actor: { type: 'user', id: adminId },
            action: 'create',
            entity: 'user',
            entityId: created.body.id,
            changes: {
              email: [null, email],
              name: [null, '李强'],
              role: [null, 'viewer'],
              active: [null, true],
            },
            requestId: 'audit-test-create-user',
          },
        ],
        nextCursor: null,
      });
      expect(Math.abs(Date.parse(res.body.data[0].at) - Date.now())).toBeLessThan(60_000);
      expect(res.text).not.toContain('a-secret-password');
      expect(res.text).not.toContain('argon2');
    });

    it('records the creation of an API key, by whom, without the key', async () => {
      const created = await t.http
        .post('/api/v1/api-keys')
        .set('authorization', t.adminAuth)
        .send({ name: '统计局', scopes: ['reports:read', 'enterprises:read'] });
      expect(created.status).toBe(201);
      const res = await audit({ entity: 'apiKey', entityId: created.body.id });
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(1);
      expect(res.body.data[0]).toMatchObject({
        actor: { type: 'user', id: adminId },
        action: 'create',
        entity: 'apiKey',
        entityId: created.body.id,
        changes: { name: [null, '统计局'], scopes: [null, ['reports:read', 'enterprises:read']] },
      });
      const secret = /^pyk_[0-9a-f]{12}_([A-Za-z0-9_-]{43})$/.exec(created.body.key)?.[1];
      expect(secret).toEqual(expect.any(String));
      expect(res.text).not.toContain(secret);

      // What a key does is attributed to the key.
      const { id: keyId, key } = await createKey(['enterprises:write']);
      const enterprise = await t.http
        .post('/api/v1/enterprises')
        .set('x-api-key', key)
        .send({ name: '淄博博山鑫源新材料有限公司', creditCode: '91110000600037341L' });
      expect(enterprise.status).toBe(201);
      const byKey = await audit({ entity: 'enterprise', entityId: enterprise.body.id });
      expect(byKey.body.data.map((e: { actor: unknown; action: string }) => [e.action, e.actor])).toEqual([
        ['create', { type: 'apiKey', id: keyId }],
      ]);
    });

    it('lists newest first, filters by actor, and pages with a cursor through the same entries', async () => {
      const other = await t.staff('admin');
      const made = await t.http
        .post('/api/v1/users')
        .set('authorization', other.auth)
        .send({
          email: `by-other-${randomUUID()}@peiyu.test`,
          name: 'x',
          password: 'password-123',
          role: 'viewer',
        });
      expect(made.status).toBe(201);
      const renamed = await t.http
        .patch(`/api/v1/users/${made.body.id}`)
        .set('authorization', other.auth)
        .send({ name: 'y' });
      expect(renamed.status).toBe(200);

      const all = await audit({ limit: 200 });
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      const entries: { id: string; at: string; actor: { id: string }; entityId: string }[] = all.body.data;
      expect(entries.length).toBeGreaterThanOrEqual(6);
      // Newest first by the entry id (the order they were written). `at` is the start of the
      // writing transaction, so concurrent writes (this file's beforeAll) may differ by a few ms.
      for (let i = 1; i < entries.length; i++)
        expect(BigInt(entries[i - 1].id)).toBeGreaterThan(BigInt(entries[i].id));
      // This test's three writes, made one after another, come first, newest first.
      expect(entries.slice(0, 3)).toEqual([
        expect.objectContaining({
          action: 'update',
          entityId: made.body.id,
          actor: { type: 'user', id: other.id },
          changes: { name: ['x', 'y'] },
        }),
        expect.objectContaining({
          action: 'create',
          entityId: made.body.id,
          actor: { type: 'user', id: other.id },
        }),
        expect.objectContaining({
          action: 'create',
          entityId: other.id,
          actor: { type: 'user', id: adminId },
        }),
      ]);
      expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(Date.parse(entries[1].at));
      expect(Date.parse(entries[1].at)).toBeGreaterThanOrEqual(Date.parse(entries[2].at));
      const [{ n }] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entries');
      expect(entries).toHaveLength(n);

      const byOther = await audit({ actorId: other.id });
      expect(byOther.status).toBe(200);
      expect(
        byOther.body.data.map((e: { action: string; entityId: string }) => [e.action, e.entityId]),
      ).toEqual([
        ['update', made.body.id],
        ['create', made.body.id],
      ]);
      const byFirst = await audit({ actorId: adminId, limit: 200 });
      expect(byFirst.body.data.length).toBeGreaterThan(0);
      expect(byFirst.body.data.every((e: { actor: { id: string } }) => e.actor.id === adminId)).toBe(true);
      expect(byFirst.body.data.map((e: { entityId: string }) => e.entityId)).not.toContain(made.body.id);
      const users = await audit({ entity: 'user', limit: 200 });
      expect(users.body.data.length).toBeGreaterThan(0);
      expect(users.body.data.every((e: { entity: string }) => e.entity === 'user')).toBe(true);
      expect(users.body.data.length).toBe(
        entries.filter((e) => (e as unknown as { entity: string }).entity === 'user').length,
      );

      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Res = await audit({ limit: 2, ...(cursor && { cursor }) });
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        paged.push(...res.body.data.map((e: { id: string }) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor && ++pages < 100);
      expect(paged).toEqual(entries.map((e) => e.id));
    });

    it('refuses bad filters and foreign cursors with 400, and officers and viewers with 403', async () => {
      expect((await audit({ actorId: 'not-a-uuid' })).status).toBe(400);
      expect((await audit({ entity: 'no spaces allowed' })).status).toBe(400);
      expect(
        (await audit({ cursor: Buffer.from(JSON.stringify(['users', 'a', 'b'])).toString('base64url') }))
          .status,
      ).toBe(400);
      expect(
        (await audit({ cursor: Buffer.from(JSON.stringify(['audit', '1; drop'])).toString('base64url') }))
          .status,
      ).toBe(400);
      expect((await audit({ limit: 201 })).status).toBe(400);
      for (const caller of ['viewer', 'officer'] as const) {
        const res = await audit({}, auth[caller][1]);
        expect({ caller, status: res.status }).toEqual({ caller, status: 403 });
      }
    });
  });
});

/**
 * `METHOD /path` for every route Fastify serves, from its route tree (`printRoutes`), with
 * `:param` spelt `{param}` as in OpenAPI.
 */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${path}`);
  }
  return routes;
}
