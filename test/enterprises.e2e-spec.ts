// The enterprise registry end to end, as an integrator meets it: create and validation, the
// problem+json shape of every error, ETag / If-Match, the officer rule, API-key scopes,
// keyset lists with filters, search (Chinese included) and updatedSince, Idempotency-Key,
// the audit trail, and the query plans that keep search fast.
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import type pg from 'pg';
import { pgPool } from '../src/database/sql.js';
import { CREDIT_CODE_CHARSET, creditCodeCheckCharacter } from '../src/enterprises/credit-code.js';
import { demoEnterprises } from '../src/enterprises/demo-data.js';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const BASE = '/api/v1/enterprises';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Who = Record<string, string>;
type Row = Record<string, unknown>;
interface Enterprise {
  id: string;
  name: string;
  creditCode: string;
  creditCodeWarning: boolean;
  registeredAt: string | null;
  street: string | null;
  industry: string | null;
  techDomain: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  officerId: string | null;
  status: string;
  tier: string | null;
  remindersEnabled: boolean;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

// --- credit codes ---------------------------------------------------------------------------

/** A valid code no other row uses: Beijing region, organisation code "T" + a base-31 serial. */
const freshCode = creditCodes('91110000T');

/** The same code with a check character that fails. */
function withBadCheck(code: string): string {
  const wrong = CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.indexOf(code[17]) + 1) % 31];
  return code.slice(0, 17) + wrong;
}

// --- assertions -------------------------------------------------------------------------------

/** RFC 9457 problem+json with the given status, and the security headers every reply has. */
function expectProblem(res: Response, status: number, slug?: string): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
      title: expect.stringMatching(/\S/),
      status,
      detail: expect.stringMatching(/\S/),
    }),
  );
  if (slug) expect(res.body.type).toBe(`/problems/${slug}`);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-request-id']).toMatch(/\S/);
}

const fieldsOf = (res: Response): string[] =>
  [...new Set<string>((res.body.errors ?? []).map((e: { field: string }) => e.field))].sort();

/** A 400 whose `errors` name exactly these fields, each with a message. */
function expectInvalid(res: Response, fields: string[]): void {
  expectProblem(res, 400, 'validation');
  expect(fieldsOf(res)).toEqual([...new Set(fields)].sort());
  for (const e of res.body.errors) expect(e.message).toMatch(/\S/);
}

function expectOk(res: Response, status = 200): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

// --- the suite ----------------------------------------------------------------------------------

describe('enterprises (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let adminId: string;
  let officerA: { id: string; who: Who };
  let officerB: { id: string; who: Who };
  let viewer: { id: string; who: Who };

  const count = async (sql: string, params: unknown[] = []): Promise<number> => {
    const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
    return row.n;
  };
  const storedRow = async (id: string): Promise<Row> => {
    const [row] = await t.db.query(
      `SELECT name, credit_code, credit_code_warning, registered_at::text, street, industry, tech_domain, contact_name,
              contact_email, contact_phone, officer_id, status, status_manual, tier, reminders_enabled, tags, version,
              updated_at, deleted_at
         FROM enterprises WHERE id = $1`,
      [id],
    );
    return row;
  };
  const auditCount = () => count('audit_entries');

  const post = (who: Who, body: unknown) => t.http.post(BASE).set(who).send(body as object);
  /** GET, PATCH (with the body) or DELETE. */
  const call = (method: 'get' | 'patch' | 'delete', path: string, who: Who, body: object) =>
    method === 'patch' ? t.http.patch(path).set(who).send(body) : t.http[method](path).set(who);
  const create = async (who: Who, body: Row = {}): Promise<Enterprise> => {
    const res = await post(who, { name: `测试企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expectOk(res, 201);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    [{ id: adminId }] = await t.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [ADMIN.email]);
    const [a, b, v] = await Promise.all([t.staff('officer'), t.staff('officer'), t.staff('viewer')]);
    officerA = { id: a.id, who: { authorization: a.auth } };
    officerB = { id: b.id, who: { authorization: b.auth } };
    viewer = { id: v.id, who: { authorization: v.auth } };
  });

  afterAll(async () => {
    await t?.close();
  });

  // ------------------------------------------------------------------------------------------
  describe('create', () => {
    it('answers 201 with every field echoed, the ETag, and stores exactly that', async () => {
      const code = freshCode();
      const body = {
        name: '淄博博山鑫源新材料有限公司',
        creditCode: code,
        registeredAt: '2017-03-15',
        street: '山头街道',
        industry: '耐火材料制造',
        techDomain: 'new_materials',
        contactName: '李强',
        contactEmail: 'liqiang@example.com',
        contactPhone: '0533-4181234',
        officerId: officerA.id,
        status: 'reserve',
        tier: 'priority',
        remindersEnabled: false,
        tags: ['专精特新', '规上企业'],
      };
      const res = await post(admin, body);
      expectOk(res, 201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        ...body,
        id: expect.stringMatching(UUID_RE),
        creditCodeWarning: false,
        readinessVerdict: null,
        readinessScoreMin: null,
        readinessScoreMax: null,
        version: 1,
        createdAt: expect.stringMatching(INSTANT_RE),
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      expect(res.headers.etag).toBe('"1"');

      expect(await storedRow(res.body.id)).toEqual({
        name: body.name,
        credit_code: code,
        credit_code_warning: false,
        registered_at: '2017-03-15',
        street: '山头街道',
        industry: '耐火材料制造',
        tech_domain: 'new_materials',
        contact_name: '李强',
        contact_email: 'liqiang@example.com',
        contact_phone: '0533-4181234',
        officer_id: officerA.id,
        status: 'reserve',
        status_manual: true,
        tier: 'priority',
        reminders_enabled: false,
        tags: ['专精特新', '规上企业'],
        version: 1,
        updated_at: new Date(res.body.updatedAt),
        deleted_at: null,
      });

      const got = await t.http.get(`${BASE}/${res.body.id}`).set(admin);
      expectOk(got);
      expect(got.body).toEqual(res.body);
      expect(got.headers.etag).toBe('"1"');
    });

    it('defaults status to prospect, remindersEnabled to true, tags to [] and the rest to null', async () => {
      const code = freshCode();
      const res = await post(admin, { name: '  博山泵业有限公司  ', creditCode: code });
      expectOk(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_RE),
        name: '博山泵业有限公司',
        creditCode: code,
        creditCodeWarning: false,
        registeredAt: null,
        street: null,
        industry: null,
        techDomain: null,
        contactName: null,
        contactEmail: null,
        contactPhone: null,
        officerId: null,
        status: 'prospect',
        tier: null,
        remindersEnabled: true,
        tags: [],
        readinessVerdict: null,
        readinessScoreMin: null,
        readinessScoreMax: null,
        version: 1,
        createdAt: expect.stringMatching(INSTANT_RE),
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      const row = await storedRow(res.body.id);
      expect(row).toMatchObject({ status: 'prospect', status_manual: false, reminders_enabled: true, tags: [], officer_id: null });
    });

    it.each([
      ['lower case', (c: string) => c.toLowerCase()],
      ['spaces', (c: string) => ` ${c.slice(0, 6)} ${c.slice(6, 12)} ${c.slice(12)} `],
      ['hyphens', (c: string) => `${c.slice(0, 8)}-${c.slice(8, 17)}-${c.slice(17)}`],
      ['all three', (c: string) => `${c.slice(0, 4)} - ${c.slice(4).toLowerCase()}`],
      ['full-width characters', (c: string) => [...c].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('')],
    ])('normalises a credit code written with %s', async (_, mangle) => {
      const code = freshCode();
      const res = await post(admin, { name: '规范化测试', creditCode: mangle(code) });
      expectOk(res, 201);
      expect(res.body.creditCode).toBe(code);
      expect(res.body.creditCodeWarning).toBe(false);
      expect((await storedRow(res.body.id)).credit_code).toBe(code);
    });

    it.each([
      ['too short', '9111000060003734', /18 characters, got 16/],
      ['too long', '91110000600037341LL', /18 characters, got 19/],
      ['empty', '', /empty/],
      ['only separators', ' - - ', /empty/],
      ['the letter O', '91110000600O37341L', /'O' at position 12/],
      ['the letter I', '9111000060003734IL', /'I' at position 17/],
      ['a Chinese character', '91110000600037341码', /U\+7801/],
      ['a bad registering department', '01110000600037341L', /position 1/],
      ['a non-digit region', '911A0000600037341L', /positions 3–8/],
    ])('refuses a credit code with %s: 400 naming creditCode', async (_, creditCode, message) => {
      const before = await count('enterprises');
      const res = await post(admin, { name: '坏代码', creditCode });
      expectInvalid(res, ['creditCode']);
      expect(res.body.errors[0].message).toMatch(message);
      expect(await count('enterprises')).toBe(before);
    });

    it('refuses a failing check character with the expected one in the message', async () => {
      const res = await post(admin, { name: '校验位错误', creditCode: '91110000600037341N' });
      expectInvalid(res, ['creditCode']);
      expect(res.body.errors[0].message).toMatch(/should be L/);
      expect(res.body.errors[0].message).toMatch(/creditCodeConfirmed/);
      expect(await count('enterprises WHERE credit_code = $1', ['91110000600037341N'])).toBe(0);
    });

    it('stores a confirmed failing check character with creditCodeWarning: true', async () => {
      const res = await post(admin, { name: '福建早期代码', creditCode: '91110000600037341n', creditCodeConfirmed: true });
      expectOk(res, 201);
      expect(res.body).toMatchObject({ creditCode: '91110000600037341N', creditCodeWarning: true });
      expect(res.body).not.toHaveProperty('creditCodeConfirmed');
      expect(await storedRow(res.body.id)).toMatchObject({ credit_code: '91110000600037341N', credit_code_warning: true });
    });

    it('a valid code sent with creditCodeConfirmed carries no warning', async () => {
      const res = await post(admin, { name: '多余确认', creditCode: freshCode(), creditCodeConfirmed: true });
      expectOk(res, 201);
      expect(res.body.creditCodeWarning).toBe(false);
    });

    it('a duplicate credit code, however written, is a 409 problem with existingId', async () => {
      const code = freshCode();
      const first = await create(admin, { creditCode: code });
      for (const variant of [code, code.toLowerCase(), `${code.slice(0, 9)}-${code.slice(9)}`]) {
        const before = await count('enterprises');
        const res = await post(officerA.who, { name: '重复', creditCode: variant });
        expectProblem(res, 409, 'conflict');
        expect(res.body.existingId).toBe(first.id);
        expect(res.body.detail).toContain(code);
        expect(await count('enterprises')).toBe(before);
      }
    });

    it('eight concurrent creates of one credit code: one 201, seven 409s naming it, one row, one audit entry', async () => {
      const code = freshCode();
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(admin, { name: `并发创建${i}`, creditCode: code })),
      );
      const created = answers.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      for (const res of answers.filter((r) => r.status !== 201)) {
        expectProblem(res, 409, 'conflict');
        expect(res.body.existingId).toBe(created[0].body.id);
      }
      const rows = await t.db.query('SELECT id FROM enterprises WHERE credit_code = $1', [code]);
      expect(rows).toEqual([{ id: created[0].body.id }]);
      const audits = await t.db.query(`SELECT 1 FROM audit_entries WHERE entity = 'enterprise' AND entity_id = $1`, [
        created[0].body.id,
      ]);
      expect(audits).toHaveLength(1);
    });

    it('names every bad field at once', async () => {
      const before = await count('enterprises');
      const res = await post(admin, {
        name: '',
        creditCode: '12345',
        creditCodeConfirmed: 'yes',
        registeredAt: '2023-02-30',
        street: 42,
        industry: ['x'],
        techDomain: 'quantum',
        contactName: 7,
        contactEmail: 'not-an-email',
        contactPhone: 'call me',
        officerId: 'someone',
        status: 'archived',
        tier: 'gold',
        remindersEnabled: 'yes',
        tags: ['a', 'a'],
      });
      expectInvalid(res, [
        'name',
        'creditCode',
        'creditCodeConfirmed',
        'registeredAt',
        'street',
        'industry',
        'techDomain',
        'contactName',
        'contactEmail',
        'contactPhone',
        'officerId',
        'status',
        'tier',
        'remindersEnabled',
        'tags',
      ]);
      expect(await count('enterprises')).toBe(before);
    });

    it('a missing name and credit code are both named', async () => {
      expectInvalid(await post(admin, {}), ['name', 'creditCode']);
    });

    it('rejects unknown fields, naming each of them', async () => {
      const res = await post(admin, {
        name: '多余字段',
        creditCode: freshCode(),
        id: '00000000-0000-4000-8000-000000000000',
        version: 7,
        creditCodeWarning: true,
        statusManual: true,
        website: 'https://example.com',
      });
      expectInvalid(res, ['id', 'version', 'creditCodeWarning', 'statusManual', 'website']);
      for (const e of res.body.errors) expect(e.message).toBe('is not a known field');
    });

    it.each<[string, Row]>([
      ['registeredAt', { registeredAt: '2023-02-30' }],
      ['registeredAt', { registeredAt: '2021-02-29' }],
      ['registeredAt', { registeredAt: '2023-13-01' }],
      ['registeredAt', { registeredAt: '2023-2-3' }],
      ['registeredAt', { registeredAt: '2023-02-03T00:00:00Z' }],
      ['contactEmail', { contactEmail: 'not-an-email' }],
      ['contactEmail', { contactEmail: 'a@b' }],
      ['contactPhone', { contactPhone: 'call me' }],
      ['techDomain', { techDomain: 'quantum' }],
      ['techDomain', { techDomain: 'New_Materials' }],
      ['status', { status: 'archived' }],
      ['status', { status: '' }],
      ['tier', { tier: 'gold' }],
      ['name', { name: '   ' }],
      ['name', { name: 'x'.repeat(201) }],
      ['name', { name: 12 }],
      ['remindersEnabled', { remindersEnabled: 'true' }],
      ['tags', { tags: 'a' }],
      ['tags', { tags: ['a', 'a'] }],
      ['tags', { tags: [''] }],
      ['tags', { tags: [1] }],
      ['officerId', { officerId: 'not-a-uuid' }],
    ])('400 naming %s for %j', async (field, bad) => {
      const before = await count('enterprises');
      expectInvalid(await post(admin, { name: '字段校验', creditCode: freshCode(), ...bad }), [field]);
      expect(await count('enterprises')).toBe(before);
    });

    it('accepts 29 February in a leap year', async () => {
      const e = await create(admin, { registeredAt: '2024-02-29' });
      expect(e.registeredAt).toBe('2024-02-29');
    });

    it('refuses a NUL character in a string as a 400, not a 500', async () => {
      expectInvalid(await post(admin, { name: '空\u0000字符', creditCode: freshCode() }), ['name']);
    });

    it.each<[string, () => Promise<string>]>([
      ['a viewer', async () => viewer.id],
      ['a user that does not exist', async () => '00000000-0000-4000-8000-000000000000'],
      [
        'a deactivated officer',
        async () => {
          const s = await t.staff('officer');
          await t.db.query('UPDATE users SET active = false WHERE id = $1', [s.id]);
          return s.id;
        },
      ],
    ])('officerId of %s is a 400 naming officerId', async (_, officerId) => {
      const id = await officerId();
      const before = await count('enterprises');
      const res = await post(admin, { name: '专员无效', creditCode: freshCode(), officerId: id });
      expectInvalid(res, ['officerId']);
      expect(await count('enterprises')).toBe(before);
    });

    it('officerId may name an officer or an admin; an upper-case UUID is stored and echoed in lower case', async () => {
      expect((await create(admin, { officerId: adminId })).officerId).toBe(adminId);
      const e = await create(admin, { officerId: officerB.id.toUpperCase() });
      expect(e.officerId).toBe(officerB.id);
      expect((await storedRow(e.id)).officer_id).toBe(officerB.id);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('problem+json for malformed requests', () => {
    it('malformed JSON is a 400', async () => {
      const res = await t.http.post(BASE).set(admin).set('content-type', 'application/json').send('{"name": "x",');
      expectProblem(res, 400, 'malformed-json');
    });

    it('an empty body declared as JSON is a 400', async () => {
      const res = await t.http.post(BASE).set(admin).set('content-type', 'application/json').send('');
      expectProblem(res, 400);
    });

    it.each([
      ['an array', '[{"name":"x","creditCode":"91110000600037341L"}]'],
      ['a string', '"91110000600037341L"'],
      ['a number', '42'],
      ['null', 'null'],
    ])('a body that is %s is a 400 naming body', async (_, raw) => {
      const before = await count('enterprises');
      const res = await t.http.post(BASE).set(admin).set('content-type', 'application/json').send(raw);
      expectInvalid(res, ['body']);
      expect(await count('enterprises')).toBe(before);
    });

    it('a body over 1 MiB is a 413', async () => {
      const res = await post(admin, { name: '大'.repeat(400_000), creditCode: freshCode() });
      expectProblem(res, 413, 'body-too-large');
    });

    it('a body that is not JSON is a 415', async () => {
      const res = await t.http.post(BASE).set(admin).set('content-type', 'application/xml').send('<name>x</name>');
      expectProblem(res, 415);
    });

    it.each(['get', 'patch', 'delete'] as const)('%s with a bad UUID in the path is a 400 naming id', async (method) => {
      for (const bad of ['123', 'not-a-uuid', '00000000-0000-4000-8000-00000000000g', "1' OR '1'='1"]) {
        expectInvalid(await call(method, `${BASE}/${encodeURIComponent(bad)}`, admin, { name: 'x' }), ['id']);
      }
    });

    it.each(['get', 'patch', 'delete'] as const)('%s of an unknown id is a 404', async (method) => {
      const id = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
      const res = await call(method, `${BASE}/${id}`, admin, { name: 'x' });
      expectProblem(res, 404, 'not-found');
      expect(res.body.detail).toContain(id);
    });

    it('without credentials is a 401 with WWW-Authenticate', async () => {
      const res = await t.http.get(BASE);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expectProblem(await t.http.get(BASE).set('authorization', 'Bearer nonsense'), 401);
      expectProblem(await t.http.get(BASE).set('x-api-key', 'pyk_000000000000_' + 'a'.repeat(43)), 401);
    });

    it('every reply carries nosniff and a request id, echoing a valid X-Request-Id', async () => {
      const ok = await t.http.get(BASE).set(admin);
      const created = await post(admin, { name: '头部', creditCode: freshCode() });
      const bad = await post(admin, {});
      const missing = await t.http.get(`${BASE}/7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f`).set(admin);
      const anonymous = await t.http.get(BASE);
      for (const res of [ok, created, bad, missing, anonymous]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-request-id']).toMatch(UUID_RE);
        expect(res.headers['x-frame-options']).toBe('DENY');
      }
      const echoed = await t.http.get(BASE).set(admin).set('x-request-id', 'bureau-trace-42');
      expect(echoed.headers['x-request-id']).toBe('bureau-trace-42');
      const problem = await post({ ...admin, 'x-request-id': 'bureau-trace-43' }, {});
      expect(problem.body.requestId).toBe('bureau-trace-43');
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('get, ETag, If-Match and delete', () => {
    it('PATCH with a stale If-Match is a 412 and changes nothing', async () => {
      const e = await create(admin, { name: '版本测试' });
      const before = await storedRow(e.id);
      const audits = await auditCount();
      const res = await t.http.patch(`${BASE}/${e.id}`).set(admin).set('if-match', '"7"').send({ name: '新名字' });
      expectProblem(res, 412, 'stale-version');
      expect(res.body.currentVersion).toBe(1);
      expect(await storedRow(e.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });

    it.each([['"1"'], ['W/"1"'], ['1'], ['*']])('PATCH with If-Match %s → 200, version+1 and a new ETag', async (ifMatch) => {
      const e = await create(admin, { name: '版本测试' });
      const res = await t.http.patch(`${BASE}/${e.id}`).set(admin).set('if-match', ifMatch).send({ name: '新名字', street: '城东街道' });
      expectOk(res);
      expect(res.body).toEqual({ ...e, name: '新名字', street: '城东街道', version: 2, updatedAt: expect.stringMatching(INSTANT_RE) });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(e.updatedAt));
      expect(res.headers.etag).toBe('"2"');
      expect(await storedRow(e.id)).toMatchObject({ name: '新名字', street: '城东街道', version: 2 });
      const got = await t.http.get(`${BASE}/${e.id}`).set(admin);
      expect(got.headers.etag).toBe('"2"');
      expect(got.body).toEqual(res.body);
    });

    it('PATCH without If-Match is allowed (If-Match is optional)', async () => {
      const e = await create(admin);
      const res = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ tags: ['小巨人'] });
      expectOk(res);
      expect(res.body).toMatchObject({ tags: ['小巨人'], version: 2 });
    });

    it('a PATCH that changes nothing keeps the version', async () => {
      const e = await create(admin, { name: '不变' });
      const res = await t.http.patch(`${BASE}/${e.id}`).set(admin).set('if-match', '"1"').send({ name: '不变', creditCode: e.creditCode.toLowerCase() });
      expectOk(res);
      expect(res.body).toEqual(e);
      expect(res.headers.etag).toBe('"1"');
    });

    it.each(['patch', 'delete'] as const)('%s with a garbage If-Match is a 400 naming If-Match', async (method) => {
      const e = await create(admin);
      for (const bad of ['garbage', '"abc"', '"1", "2"', '-1']) {
        expectInvalid(await call(method, `${BASE}/${e.id}`, { ...admin, 'if-match': bad }, { name: 'x' }), ['If-Match']);
      }
      expect(await storedRow(e.id)).toMatchObject({ version: 1, deleted_at: null });
    });

    it.each(['name', 'creditCode', 'creditCodeConfirmed', 'status', 'remindersEnabled', 'tags'])(
      'PATCH %s: null is a 400 naming it',
      async (field) => {
        const e = await create(admin, { status: 'reserve' });
        const before = await storedRow(e.id);
        expectInvalid(await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ [field]: null }), [field]);
        expect(await storedRow(e.id)).toEqual(before);
      },
    );

    it('PATCH lists a null non-nullable field together with the other bad fields', async () => {
      const e = await create(admin);
      const res = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ name: null, tags: null, status: 'archived', contactEmail: 'x', extra: 1 });
      expectInvalid(res, ['name', 'tags', 'status', 'contactEmail', 'extra']);
    });

    it('PATCH null clears a nullable field', async () => {
      const e = await create(admin, { street: '白塔镇', tier: 'medium_term', techDomain: 'aerospace', registeredAt: '2010-01-01', officerId: officerA.id });
      const res = await t.http
        .patch(`${BASE}/${e.id}`)
        .set(admin)
        .send({ street: null, tier: null, techDomain: null, registeredAt: null, officerId: null });
      expectOk(res);
      expect(res.body).toMatchObject({ street: null, tier: null, techDomain: null, registeredAt: null, officerId: null, version: 2 });
      expect(await storedRow(e.id)).toMatchObject({ street: null, tier: null, tech_domain: null, registered_at: null, officer_id: null });
    });

    it('PATCH to a credit code another enterprise holds is a 409 with existingId', async () => {
      const a = await create(admin);
      const b = await create(admin);
      const before = await storedRow(b.id);
      const res = await t.http.patch(`${BASE}/${b.id}`).set(admin).send({ creditCode: a.creditCode.toLowerCase() });
      expectProblem(res, 409, 'conflict');
      expect(res.body.existingId).toBe(a.id);
      expect(await storedRow(b.id)).toEqual(before);
    });

    it('PATCH to a failing check character needs creditCodeConfirmed', async () => {
      const e = await create(admin);
      const bad = withBadCheck(freshCode());
      const refused = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ creditCode: bad });
      expectInvalid(refused, ['creditCode']);
      expect(refused.body.errors[0].message).toContain(`should be ${creditCodeCheckCharacter(bad.slice(0, 17))}`);
      const ok = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ creditCode: bad, creditCodeConfirmed: true });
      expectOk(ok);
      expect(ok.body).toMatchObject({ creditCode: bad, creditCodeWarning: true, version: 2 });
      // Another field later keeps the warning; a valid code clears it.
      const renamed = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ name: '改名' });
      expect(renamed.body.creditCodeWarning).toBe(true);
      const fixed = await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ creditCode: freshCode() });
      expect(fixed.body.creditCodeWarning).toBe(false);
    });

    it('DELETE with a stale If-Match is a 412 and deletes nothing', async () => {
      const e = await create(admin);
      const audits = await auditCount();
      const res = await t.http.delete(`${BASE}/${e.id}`).set(admin).set('if-match', '"2"');
      expectProblem(res, 412, 'stale-version');
      expect(await storedRow(e.id)).toMatchObject({ deleted_at: null, version: 1 });
      expect(await auditCount()).toBe(audits);
      expectOk(await t.http.get(`${BASE}/${e.id}`).set(admin));
    });

    it('DELETE is a 204; the enterprise is gone from the API but kept in the table, and its code is free again', async () => {
      const e = await create(admin, { name: '将被删除' });
      const res = await t.http.delete(`${BASE}/${e.id}`).set(admin).set('if-match', '"1"');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['x-content-type-options']).toBe('nosniff');

      expectProblem(await t.http.get(`${BASE}/${e.id}`).set(admin), 404, 'not-found');
      expectProblem(await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ name: 'x' }), 404, 'not-found');
      expectProblem(await t.http.delete(`${BASE}/${e.id}`).set(admin), 404, 'not-found');

      const row = await storedRow(e.id);
      expect(row.name).toBe('将被删除');
      expect(row.deleted_at).toBeInstanceOf(Date);
      expect(row.version).toBe(2);

      const again = await post(admin, { name: '重新登记', creditCode: e.creditCode });
      expectOk(again, 201);
      expect(again.body.id).not.toBe(e.id);
      expect(await count('enterprises WHERE credit_code = $1', [e.creditCode])).toBe(2);
      expect(await count('enterprises WHERE credit_code = $1 AND deleted_at IS NULL', [e.creditCode])).toBe(1);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('who may write', () => {
    it('an officer may create unassigned or self-assigned enterprises (own id in any case)', async () => {
      for (const officerId of [undefined, null, officerA.id, officerA.id.toUpperCase()]) {
        const res = await post(officerA.who, { name: '专员创建', creditCode: freshCode(), ...(officerId !== undefined && { officerId }) });
        expectOk(res, 201);
        expect(res.body.officerId).toBe(officerId ? officerA.id : null);
      }
    });

    it('an officer may not create one assigned to another officer (403, nothing stored)', async () => {
      const code = freshCode();
      const res = await post(officerA.who, { name: '替人创建', creditCode: code, officerId: officerB.id });
      expectProblem(res, 403, 'forbidden');
      expect(await count('enterprises WHERE credit_code = $1', [code])).toBe(0);
    });

    it('an officer may PATCH and DELETE their own and unassigned enterprises', async () => {
      const own = await create(admin, { officerId: officerA.id });
      const free = await create(admin);
      for (const e of [own, free]) {
        const res = await t.http.patch(`${BASE}/${e.id}`).set(officerA.who).send({ status: 'tracking' });
        expectOk(res);
        expect(res.body.status).toBe('tracking');
        expect((await t.http.delete(`${BASE}/${e.id}`).set(officerA.who)).status).toBe(204);
      }
      // Taking an unassigned one on is a write to an unassigned one.
      const another = await create(admin);
      const taken = await t.http.patch(`${BASE}/${another.id}`).set(officerA.who).send({ officerId: officerA.id });
      expectOk(taken);
      expect(taken.body.officerId).toBe(officerA.id);
    });

    it('an officer may not hand their enterprise to another officer (403, unchanged); an admin may', async () => {
      const own = await create(admin, { officerId: officerA.id });
      const before = await storedRow(own.id);
      expectProblem(await t.http.patch(`${BASE}/${own.id}`).set(officerA.who).send({ officerId: officerB.id }), 403, 'forbidden');
      expect(await storedRow(own.id)).toEqual(before);
      const released = await t.http.patch(`${BASE}/${own.id}`).set(officerA.who).send({ officerId: null });
      expectOk(released);
      expect(released.body.officerId).toBeNull();
      const reassigned = await t.http.patch(`${BASE}/${own.id}`).set(admin).send({ officerId: officerB.id });
      expectOk(reassigned);
      expect(reassigned.body.officerId).toBe(officerB.id);
    });

    it("an officer gets 403 on PATCH and DELETE of another officer's enterprise, which stays unchanged", async () => {
      const theirs = await create(admin, { officerId: officerB.id, name: '别人的企业' });
      const before = await storedRow(theirs.id);
      const audits = await auditCount();
      expectProblem(await t.http.patch(`${BASE}/${theirs.id}`).set(officerA.who).send({ name: '抢' }), 403, 'forbidden');
      expectProblem(await t.http.patch(`${BASE}/${theirs.id}`).set(officerA.who).send({ officerId: officerA.id }), 403);
      expectProblem(await t.http.delete(`${BASE}/${theirs.id}`).set(officerA.who), 403, 'forbidden');
      expect(await storedRow(theirs.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
      // …but may read it.
      expectOk(await t.http.get(`${BASE}/${theirs.id}`).set(officerA.who));
    });

    it('a viewer reads but gets 403 on every write', async () => {
      const e = await create(admin);
      expectOk(await t.http.get(`${BASE}/${e.id}`).set(viewer.who));
      expectOk(await t.http.get(BASE).set(viewer.who));
      const before = await count('enterprises');
      expectProblem(await post(viewer.who, { name: '访客', creditCode: freshCode() }), 403, 'forbidden');
      expectProblem(await t.http.patch(`${BASE}/${e.id}`).set(viewer.who).send({ name: '访客' }), 403, 'forbidden');
      expectProblem(await t.http.delete(`${BASE}/${e.id}`).set(viewer.who), 403, 'forbidden');
      expect(await count('enterprises')).toBe(before);
      expect(await storedRow(e.id)).toMatchObject({ version: 1, deleted_at: null });
    });

    it('API keys: enterprises:read reads only; enterprises:write writes any enterprise', async () => {
      const issue = async (scopes: string[]) => {
        const res = await t.http.post('/api/v1/api-keys').set(admin).send({ name: `系统 ${scopes.join(' ')}`, scopes });
        expectOk(res, 201);
        return { id: res.body.id as string, who: { 'x-api-key': res.body.key as string } };
      };
      const reader = await issue(['enterprises:read']);
      const writer = await issue(['enterprises:read', 'enterprises:write']);
      const e = await create(admin, { officerId: officerB.id });

      expectOk(await t.http.get(`${BASE}/${e.id}`).set(reader.who));
      expectOk(await t.http.get(BASE).set(reader.who));
      const refused = await post(reader.who, { name: '只读', creditCode: freshCode() });
      expectProblem(refused, 403, 'forbidden');
      expect(refused.body.detail).toContain('enterprises:write');
      expectProblem(await t.http.patch(`${BASE}/${e.id}`).set(reader.who).send({ name: '只读' }), 403);
      expectProblem(await t.http.delete(`${BASE}/${e.id}`).set(reader.who), 403);

      const created = await post(writer.who, { name: '系统创建', creditCode: freshCode(), officerId: officerA.id });
      expectOk(created, 201);
      const patched = await t.http.patch(`${BASE}/${e.id}`).set(writer.who).send({ name: '系统修改' });
      expectOk(patched);
      expect(patched.body.name).toBe('系统修改');
      expect((await t.http.delete(`${BASE}/${created.body.id}`).set(writer.who)).status).toBe(204);

      const [entry] = await t.db.query(`SELECT actor_type, actor_id FROM audit_entries WHERE entity_id = $1 AND action = 'update'`, [e.id]);
      expect(entry).toEqual({ actor_type: 'apiKey', actor_id: writer.id });
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('Idempotency-Key on POST', () => {
    it('a repeat with the same key and body returns the first response and creates nothing', async () => {
      const body = { name: '幂等企业', creditCode: freshCode(), tags: ['a'] };
      const first = await post({ ...admin, 'idempotency-key': 'create-001' }, body);
      expectOk(first, 201);
      const audits = await auditCount();
      // The same body with its keys in another order is the same request.
      const again = await post({ ...admin, 'idempotency-key': 'create-001' }, { tags: ['a'], creditCode: body.creditCode, name: '幂等企业' });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await count('enterprises WHERE credit_code = $1', [body.creditCode])).toBe(1);
      expect(await auditCount()).toBe(audits);
    });

    it('the same key with a different body is a 422 and creates nothing', async () => {
      const first = await post({ ...admin, 'idempotency-key': 'create-002' }, { name: '幂等一', creditCode: freshCode() });
      expectOk(first, 201);
      const other = freshCode();
      const res = await post({ ...admin, 'idempotency-key': 'create-002' }, { name: '幂等二', creditCode: other });
      expectProblem(res, 422);
      expect(await count('enterprises WHERE credit_code = $1', [other])).toBe(0);
    });

    it('keys belong to their caller: another caller with the same key is independent', async () => {
      const a = await post({ ...admin, 'idempotency-key': 'shared-key' }, { name: '调用者甲', creditCode: freshCode() });
      const b = await post({ ...officerA.who, 'idempotency-key': 'shared-key' }, { name: '调用者乙', creditCode: freshCode() });
      expectOk(a, 201);
      expectOk(b, 201);
      expect(b.body.id).not.toBe(a.body.id);
      expect(b.headers['idempotent-replayed']).toBeUndefined();
    });

    it('a failed first request does not poison the key', async () => {
      const code = freshCode();
      const key = { ...admin, 'idempotency-key': 'create-003' };
      expectInvalid(await post(key, { name: '先失败', creditCode: withBadCheck(code) }), ['creditCode']);
      const ok = await post(key, { name: '后成功', creditCode: code });
      expectOk(ok, 201);
      const replay = await post(key, { name: '后成功', creditCode: code });
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(ok.body.id);
      expect(await count('enterprises WHERE credit_code = $1', [code])).toBe(1);
    });

    it('a conflicting first request (409) is not replayed once the conflict is gone', async () => {
      const existing = await create(admin);
      const key = { ...admin, 'idempotency-key': 'create-004' };
      expectProblem(await post(key, { name: '冲突', creditCode: existing.creditCode }), 409);
      expect((await t.http.delete(`${BASE}/${existing.id}`).set(admin)).status).toBe(204);
      expectOk(await post(key, { name: '冲突', creditCode: existing.creditCode }), 201);
    });

    it.each([['x'.repeat(201)], ['has space']])('an invalid key (%#) is a 400 naming Idempotency-Key', async (key) => {
      const code = freshCode();
      const res = await post({ ...admin, 'idempotency-key': key }, { name: '坏键', creditCode: code });
      expectInvalid(res, ['Idempotency-Key']);
      expect(await count('enterprises WHERE credit_code = $1', [code])).toBe(0);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('audit trail', () => {
    it('create, update and delete each write one entry with actor, action and changes', async () => {
      const code = freshCode();
      const created = await post({ ...officerA.who, 'x-request-id': 'audit-create-1' }, { name: '审计企业', creditCode: code, officerId: officerA.id });
      expectOk(created, 201);
      const id = created.body.id;
      const patched = await t.http.patch(`${BASE}/${id}`).set(officerA.who).send({ name: '审计企业（更名）', tags: ['规上企业'], street: '石马镇' });
      expectOk(patched);
      expect((await t.http.delete(`${BASE}/${id}`).set(officerA.who)).status).toBe(204);

      expect(await count('audit_entries WHERE entity = $1 AND entity_id = $2', ['enterprise', id])).toBe(3);
      const res = await t.http.get('/api/v1/audit').query({ entity: 'enterprise', entityId: id }).set(admin);
      expectOk(res);
      expect(res.body.nextCursor).toBeNull();
      const actor = { type: 'user', id: officerA.id };
      expect(res.body.data).toEqual([
        expect.objectContaining({
          action: 'delete',
          entity: 'enterprise',
          entityId: id,
          actor,
          changes: { name: ['审计企业（更名）', null], creditCode: [code, null] },
        }),
        expect.objectContaining({
          action: 'update',
          actor,
          changes: { name: ['审计企业', '审计企业（更名）'], tags: [[], ['规上企业']], street: [null, '石马镇'] },
        }),
        expect.objectContaining({
          action: 'create',
          actor,
          requestId: 'audit-create-1',
          changes: expect.objectContaining({
            name: [null, '审计企业'],
            creditCode: [null, code],
            officerId: [null, officerA.id],
            status: [null, 'prospect'],
            remindersEnabled: [null, true],
          }),
        }),
      ]);
      for (const entry of res.body.data) expect(entry.at).toMatch(INSTANT_RE);
      // Nothing that did not change is listed as a change.
      expect(Object.keys(res.body.data[2].changes)).not.toContain('street');
    });

    it('the audit list is for admins only', async () => {
      expectProblem(await t.http.get('/api/v1/audit').query({ entity: 'enterprise' }).set(officerA.who), 403, 'forbidden');
      expectProblem(await t.http.get('/api/v1/audit').query({ entity: 'enterprise' }).set(viewer.who), 403, 'forbidden');
    });

    it('rejected requests (400, 403, 404, 409, 412, 422) write no audit entry and change nothing', async () => {
      const e = await create(admin, { officerId: officerB.id });
      const other = await create(admin);
      await post({ ...admin, 'idempotency-key': 'audit-422' }, { name: '幂等', creditCode: freshCode() });
      const audits = await auditCount();
      const enterprises = await count('enterprises');
      const snapshot = await t.db.query('SELECT * FROM enterprises ORDER BY id');

      const responses = [
        await post(admin, { name: '坏', creditCode: '91110000600037341N' }),
        await post(admin, { name: '', creditCode: freshCode() }),
        await post(admin, { name: '重复', creditCode: e.creditCode }),
        await post(officerA.who, { name: '替人', creditCode: freshCode(), officerId: officerB.id }),
        await post({ ...admin, 'idempotency-key': 'audit-422' }, { name: '不同', creditCode: freshCode() }),
        await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ creditCode: other.creditCode }),
        await t.http.patch(`${BASE}/${e.id}`).set(admin).set('if-match', '"9"').send({ name: '过期' }),
        await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ status: 'archived' }),
        await t.http.patch(`${BASE}/${e.id}`).set(officerA.who).send({ name: '越权' }),
        await t.http.patch(`${BASE}/${e.id}`).set(admin).send({ officerId: viewer.id }),
        await t.http.delete(`${BASE}/${e.id}`).set(admin).set('if-match', '"9"'),
        await t.http.delete(`${BASE}/${e.id}`).set(officerA.who),
        await t.http.delete(`${BASE}/7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f`).set(admin),
      ];
      expect(responses.map((r) => r.status)).toEqual([400, 400, 409, 403, 422, 409, 412, 400, 403, 400, 412, 403, 404]);
      expect(await auditCount()).toBe(audits);
      expect(await count('enterprises')).toBe(enterprises);
      expect(await t.db.query('SELECT * FROM enterprises ORDER BY id')).toEqual(snapshot);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('lists, filters, search and updatedSince', () => {
    // What was seeded, plus names chosen for the search cases.
    const SPECIAL_NAMES = [
      '淄博鑫源新材料有限公司',
      '博山鑫源耐火材料有限公司',
      '淄博源鑫陶瓷有限公司',
      '山东新材料科技有限公司',
      '新型材料研究院',
      'ABC智能装备有限公司',
      'abc传感科技有限公司',
      'xAbCx精密机械',
      'A_B精密铸造有限公司',
      'AxB精密铸造有限公司',
      '纯度100%材料有限公司',
      '纯度100x材料有限公司',
      'a\\b反斜杠有限公司',
      'ab反斜杠有限公司',
    ];
    let seeded: string[];
    let deleted: string[];

    /** Every row of a list, page by page, checking each page's shape and size on the way. */
    const walk = async (query: Record<string, string | number>, limit = 7, who: Who = admin): Promise<Enterprise[]> => {
      const rows: Enterprise[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 1000; page++) {
        const res: Response = await t.http
          .get(BASE)
          .query({ ...query, limit, ...(cursor && { cursor }) })
          .set(who);
        expectOk(res);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
        expect(res.body.data.length).toBeLessThanOrEqual(limit);
        // A cursor promises more rows: only the first page of an empty list may be empty.
        if (page > 0) expect(res.body.data.length).toBeGreaterThan(0);
        rows.push(...res.body.data);
        cursor = res.body.nextCursor;
        if (cursor === null) return rows;
        expect(res.body.data.length).toBe(limit);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      throw new Error('the walk did not end');
    };
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const liveIdsInDb = async () => (await t.db.query<{ id: string }>('SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY id')).map((r) => r.id);

    beforeAll(async () => {
      const demo = [...demoEnterprises(46, { seed: 20260101, officerIds: [officerA.id, officerB.id] })];
      const specials = SPECIAL_NAMES.map((name, i) => ({
        ...demo[i],
        name,
        creditCode: freshCode(),
      }));
      const rows = [...demo, ...specials].map((d) => ({
        name: d.name,
        credit_code: d.creditCode,
        registered_at: d.registeredAt,
        street: d.street,
        industry: d.industry,
        tech_domain: d.techDomain,
        contact_name: d.contactName,
        contact_email: d.contactEmail,
        contact_phone: d.contactPhone,
        officer_id: d.officerId,
        status: d.status,
        tier: d.tier,
        reminders_enabled: d.remindersEnabled,
        tags: d.tags,
      }));
      const inserted = await t.db.query<{ id: string }>(
        `INSERT INTO enterprises (name, credit_code, registered_at, street, industry, tech_domain, contact_name,
                                  contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags)
         SELECT name, credit_code, registered_at, street, industry, tech_domain, contact_name,
                contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags
           FROM json_to_recordset($1::json) AS r(name text, credit_code text, registered_at date, street text, industry text,
                tech_domain text, contact_name text, contact_email text, contact_phone text, officer_id uuid, status text,
                tier text, reminders_enabled boolean, tags text[])
         RETURNING id`,
        [JSON.stringify(rows)],
      );
      seeded = ids(inserted);
      // Two are deleted through the API; they must never show again.
      deleted = [seeded[3], seeded[5]];
      for (const id of deleted) expect((await t.http.delete(`${BASE}/${id}`).set(admin)).status).toBe(204);
    });

    it('a page is { data, nextCursor } with 50 rows by default', async () => {
      const res = await t.http.get(BASE).set(admin);
      expectOk(res);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
      expect(res.body.data).toHaveLength(50);
      expect(typeof res.body.nextCursor).toBe('string');
      const first = res.body.data[0];
      expect(Object.keys(first).sort()).toEqual(
        [
          'id', 'name', 'creditCode', 'creditCodeWarning', 'registeredAt', 'street', 'industry', 'techDomain', 'contactName',
          'contactEmail', 'contactPhone', 'officerId', 'status', 'tier', 'remindersEnabled', 'tags', 'readinessVerdict',
          'readinessScoreMin', 'readinessScoreMax', 'version', 'createdAt', 'updatedAt',
        ].sort(),
      );
      // A list row is the same resource GET returns.
      const one = await t.http.get(`${BASE}/${first.id}`).set(admin);
      expect(one.body).toEqual(first);
      expect(res.headers.etag).toBeUndefined();
    });

    it.each([['0'], ['201'], ['abc'], ['-1'], ['1.5'], ['']])('limit=%p is a 400 naming limit', async (limit) => {
      expectInvalid(await t.http.get(BASE).query({ limit }).set(admin), ['limit']);
    });

    it.each([[1], [200]])('limit=%p is accepted', async (limit) => {
      const res = await t.http.get(BASE).query({ limit }).set(admin);
      expectOk(res);
      expect(res.body.data).toHaveLength(Math.min(limit, (await liveIdsInDb()).length));
    });

    it('walking every page with limit 7 returns each live row exactly once, in id order', async () => {
      const rows = await walk({});
      const live = await liveIdsInDb();
      expect(live.length).toBeGreaterThan(60);
      expect(ids(rows)).toEqual(live);
      expect(ids(rows)).toEqual(ids([...rows].sort(byId)));
      expect(new Set(ids(rows)).size).toBe(rows.length);
      for (const id of seeded.filter((s) => !deleted.includes(s))) expect(ids(rows)).toContain(id);
      for (const id of deleted) expect(ids(rows)).not.toContain(id);
    });

    it.each(['status', 'tier', 'officerId', 'techDomain', 'street'] as const)(
      'walking with each %s returns exactly the matching rows',
      async (filter) => {
        const all = await walk({}, 200);
        const values = [...new Set(all.map((r) => r[filter]).filter((v): v is string => v !== null))];
        expect(values.length).toBeGreaterThanOrEqual(2);
        for (const value of values) {
          const expected = ids(all.filter((r) => r[filter] === value));
          const got = await walk({ [filter]: value });
          expect(ids(got)).toEqual(expected);
        }
      },
    );

    it('filters combine with each other and with q', async () => {
      const all = await walk({}, 200);
      const [{ status, street }] = all.filter((r) => r.name.includes('淄博'));
      const expected = all.filter((r) => r.status === status && r.street === street && r.name.includes('淄博'));
      expect(ids(await walk({ status, street: street!, q: '淄博' }))).toEqual(ids(expected));
    });

    it.each([
      ['status', 'archived'],
      ['tier', 'gold'],
      ['techDomain', 'quantum'],
      ['officerId', 'not-a-uuid'],
      ['sort', 'name'],
      ['updatedSince', 'yesterday'],
      ['frobnicate', '1'],
    ])('the filter %s=%s is a 400 naming it', async (name, value) => {
      expectInvalid(await t.http.get(BASE).query({ [name]: value }).set(admin), [name]);
    });

    it('a filter sent twice is a 400, not a 500', async () => {
      const res = await t.http.get(`${BASE}?status=prospect&status=reserve`).set(admin);
      expectInvalid(res, ['status']);
    });

    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    it.each<[string, Record<string, string>]>([
      ['not base64url', { cursor: 'abc$%^' }],
      ['base64url of garbage', { cursor: Buffer.from('garbage').toString('base64url') }],
      ['an object', { cursor: cursorOf({ id: '00000000-0000-4000-8000-000000000000' }) }],
      ['the wrong sort', { cursor: cursorOf(['updatedAt', '2024-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']) }],
      ['the wrong arity', { cursor: cursorOf(['id']) }],
      ['a non-UUID id', { cursor: cursorOf(['id', 'not-a-uuid']) }],
      ['a number for the id', { cursor: cursorOf(['id', 42]) }],
      ['an impossible date', { sort: 'updatedAt', cursor: cursorOf(['updatedAt', '2023-02-30T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']) }],
      ['a bad id after a date', { sort: '-updatedAt', cursor: cursorOf(['-updatedAt', '2023-01-01T00:00:00.000Z', 'x']) }],
      ['a number for the date', { sort: 'updatedAt', cursor: cursorOf(['updatedAt', 1, '00000000-0000-4000-8000-000000000000']) }],
    ])('a tampered cursor (%s) is a 400 naming cursor', async (_, query) => {
      expectInvalid(await t.http.get(BASE).query(query).set(admin), ['cursor']);
    });

    describe('search q', () => {
      /** What q should find: a substring of the name (ASCII case ignored), or of the credit code. */
      const matches = (r: Enterprise, term: string) =>
        r.name.toLowerCase().includes(term.toLowerCase()) ||
        ([...term].length >= 3 && /^[0-9A-Za-z]+$/.test(term) && r.creditCode.includes(term.toUpperCase()));

      it.each([
        ['鑫', 1],
        ['源', 1],
        ['鑫源', 2],
        ['源鑫', 2],
        ['淄博', 2],
        ['新材料', 3],
        ['耐火材料', 4],
        ['精密铸造有限公司', 8],
        ['abc', 3],
        ['ABC', 3],
        ['aBc', 3],
        ['Ab', 2],
        ['x', 1],
      ])('q=%s (%i characters) finds exactly the matching names', async (term) => {
        const all = await walk({}, 200);
        const expected = ids(all.filter((r) => matches(r, term)));
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(all.length);
        expect(ids(await walk({ q: term }))).toEqual(expected);
      });

      it('鑫源 does not find 源鑫, and 新材料 does not find 新型材料', async () => {
        const names = (await walk({ q: '鑫源' })).map((r) => r.name);
        expect(names).toEqual(expect.arrayContaining(['淄博鑫源新材料有限公司', '博山鑫源耐火材料有限公司']));
        expect(names).not.toContain('淄博源鑫陶瓷有限公司');
        const materials = (await walk({ q: '新材料' })).map((r) => r.name);
        expect(materials).toEqual(expect.arrayContaining(['淄博鑫源新材料有限公司', '山东新材料科技有限公司']));
        expect(materials).not.toContain('新型材料研究院');
      });

      it('q is trimmed; an empty q is a 400', async () => {
        expect(ids(await walk({ q: '  鑫源  ' }))).toEqual(ids(await walk({ q: '鑫源' })));
        expectInvalid(await t.http.get(BASE).query({ q: '   ' }).set(admin), ['q']);
        expectInvalid(await t.http.get(BASE).query({ q: 'x'.repeat(101) }).set(admin), ['q']);
      });

      it('a credit-code fragment, in any case, finds by code', async () => {
        const all = await walk({}, 200);
        const target = all.find((r) => r.creditCode.startsWith('91370304'))!;
        for (const fragment of [target.creditCode.slice(8, 15), target.creditCode.slice(10, 18).toLowerCase(), target.creditCode.toLowerCase()]) {
          const expected = ids(all.filter((r) => matches(r, fragment)));
          expect(expected).toContain(target.id);
          expect(ids(await walk({ q: fragment }))).toEqual(expected);
        }
      });

      it.each([['%'], ['_'], ['0%'], ['%材'], ['A_B'], ['a_b'], ['\\'], ['a\\b'], ['100%材料']])(
        'q=%s is literal, not a wildcard',
        async (term) => {
          const all = await walk({}, 200);
          const expected = ids(all.filter((r) => matches(r, term)));
          expect(expected.length).toBeGreaterThan(0);
          expect(expected.length).toBeLessThan(5);
          expect(ids(await walk({ q: term }))).toEqual(expected);
        },
      );

      it('finds nothing for a name no one has', async () => {
        expect(await walk({ q: '不存在的企业名' })).toEqual([]);
        expect(await walk({ q: '貔' })).toEqual([]);
      });

      it('a NUL character in q is a 400, not a 500', async () => {
        expectInvalid(await t.http.get(BASE).query({ q: 'a\u0000b' }).set(admin), ['q']);
      });

      it('deleted enterprises are never found', async () => {
        const all = await t.db.query<{ id: string; name: string }>('SELECT id, name FROM enterprises WHERE id = ANY($1)', [deleted]);
        for (const { name } of all) {
          const found = ids(await walk({ q: name }));
          for (const id of deleted) expect(found).not.toContain(id);
        }
      });
    });

    describe('updatedSince', () => {
      const T0 = '2031-05-01T00:00:00.000Z';
      const T1 = '2031-05-01T00:00:00.001Z';
      let atT0: string[];
      let atT1: string[];
      let untouched: string;

      beforeAll(async () => {
        const live = seeded.filter((id) => !deleted.includes(id));
        // Many rows sharing one instant is what breaks a cursor on updatedAt alone.
        atT0 = live.slice(0, 23);
        atT1 = live.slice(23, 28);
        await t.db.query('UPDATE enterprises SET updated_at = $2 WHERE id = ANY($1)', [atT0, T0]);
        await t.db.query('UPDATE enterprises SET updated_at = $2 WHERE id = ANY($1)', [atT1, T1]);
        await t.db.query(`UPDATE enterprises SET updated_at = '2031-04-30T23:59:59.999Z' WHERE id = ANY($1)`, [live.slice(28, 33)]);
        untouched = live[live.length - 1];
        // A deleted row updated later still stays out.
        await t.db.query(`UPDATE enterprises SET updated_at = '2031-06-01T00:00:00Z' WHERE id = ANY($1)`, [deleted]);
      });

      it('returns only rows updated at or after the instant, by updatedAt then id, across pages', async () => {
        const rows = await walk({ updatedSince: T0 });
        const expected = [...[...atT0].sort(), ...[...atT1].sort()];
        expect(ids(rows)).toEqual(expected);
        expect(rows.map((r) => r.updatedAt)).toEqual([...atT0.map(() => T0), ...atT1.map(() => T1)]);
        for (const limit of [1, 5, 23, 24]) expect(ids(await walk({ updatedSince: T0 }, limit))).toEqual(expected);
      });

      it('an instant with another offset means the same moment', async () => {
        expect(ids(await walk({ updatedSince: '2031-05-01T08:00:00.001+08:00' }))).toEqual([...atT1].sort());
        expect(ids(await walk({ updatedSince: '2031-05-01T08:00:00+0800' }))).toHaveLength(atT0.length + atT1.length);
      });

      it('a write moves a row into the sync window', async () => {
        const target = untouched;
        await t.db.query(`UPDATE enterprises SET updated_at = '2001-01-01T00:00:00Z' WHERE id = $1`, [target]);
        const since = '2001-01-02T00:00:00Z';
        const before = ids(await walk({ updatedSince: since }, 200));
        expect(before.length).toBeGreaterThan(50);
        expect(before).not.toContain(target);
        expectOk(await t.http.patch(`${BASE}/${target}`).set(admin).send({ tags: ['出口企业'] }));
        const after = await walk({ updatedSince: since }, 200);
        // Now the most recently updated row but the 2031 ones.
        expect(ids(after.filter((r) => r.updatedAt < '2031')).pop()).toBe(target);
      });

      it('combines with a filter', async () => {
        const rows = await walk({ updatedSince: T0 }, 200);
        const status = rows[0].status;
        expect(ids(await walk({ updatedSince: T0, status }, 3))).toEqual(ids(rows.filter((r) => r.status === status)));
      });

      it.each([
        ['yesterday'],
        ['2031-05-01'],
        ['2031-05-01T00:00:00'],
        ['2031-05-01 00:00:00Z'],
        ['2023-02-30T00:00:00Z'],
        ['2023-13-01T00:00:00Z'],
        ['0000-01-01T00:00:00Z'],
        ['2031-05-01T00:00:00+25:00'],
      ])('updatedSince=%s is a 400 naming updatedSince', async (updatedSince) => {
        expectInvalid(await t.http.get(BASE).query({ updatedSince }).set(admin), ['updatedSince']);
      });

      it.each(['updatedAt', '-updatedAt'])('sort=%s walks every live row exactly once, ties included', async (sort) => {
        const rows = await walk({ sort }, 7);
        const order = sort === 'updatedAt' ? 'updated_at, id' : 'updated_at DESC, id DESC';
        const expected = await t.db.query<{ id: string }>(`SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY ${order}`);
        expect(ids(rows)).toEqual(ids(expected));
      });
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('enterprise search plans (20,000 rows)', () => {
  let t: TestApp;
  const RARE3 = '麒麟鼎';
  const RARE2 = '貔貅';
  let rare3Ids: string[];
  let rare2Ids: string[];
  let sampleCode: string;

  beforeAll(async () => {
    t = await startTestApp();
    const first = [...'鑫恒华泰金博宏瑞新东齐盛永中天海宝国德汇隆丰源昌信和嘉润康光明兴远伟凯达诚祥乾富安锦荣通佳万顺'];
    const second = [...'源达鲁和晶汇丰岳盛安成川山瓷泰华宇辉创鑫腾越亿通利科隆盈程恒美翔诺旺祥业峰阳'];
    const lines = ['科技', '新材料', '机械', '陶瓷', '化工', '电子', '泵业', '耐火材料', '智能装备', '精密铸造'];
    const names: string[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      names.push(`淄博${first[i % first.length]}${second[Math.floor(i / first.length) % second.length]}${lines[i % lines.length]}有限公司`);
      // Scrambled, so codes do not share long runs of zeros.
      let n = (i * 7_777_777 + 123_456) % 31 ** 8;
      let org = '';
      for (let k = 0; k < 8; k++) {
        org = CREDIT_CODE_CHARSET[n % 31] + org;
        n = Math.floor(n / 31);
      }
      const first17 = `91370304P${org}`;
      codes.push(first17 + creditCodeCheckCharacter(first17));
    }
    // A handful of rows carry the rare terms, at both ends of the id range.
    for (let i = 0; i < 3; i++) names[i * 7919] = `淄博${RARE3}机械有限公司`;
    for (let i = 0; i < 3; i++) names[i * 6007 + 11] = `博山${RARE2}陶瓷有限公司`;
    sampleCode = codes[12_345];
    await t.db.query(`INSERT INTO enterprises (name, credit_code) SELECT * FROM unnest($1::text[], $2::text[])`, [names, codes]);
    // VACUUM too: a bulk insert leaves GIN entries in the pending list, which the planner prices
    // as a full scan until autovacuum merges them; production indexes are merged.
    await t.db.query('VACUUM ANALYZE enterprises');
    rare3Ids = (await t.db.query<{ id: string }>(`SELECT id FROM enterprises WHERE strpos(name, $1) > 0 ORDER BY id`, [RARE3])).map((r) => r.id);
    rare2Ids = (await t.db.query<{ id: string }>(`SELECT id FROM enterprises WHERE strpos(name, $1) > 0 ORDER BY id`, [RARE2])).map((r) => r.id);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  /** The list SQL the service really runs for a request, caught on its way to PostgreSQL. */
  async function listSql(query: Record<string, string>): Promise<{ sql: string; params: unknown[]; res: Response }> {
    const pool = pgPool(t.app.get(DataSource));
    const original = pool.query;
    const seen: { sql: string; params: unknown[] }[] = [];
    pool.query = function (this: pg.Pool, config: string | pg.QueryConfig, values?: unknown[], ...rest: unknown[]) {
      const sql = typeof config === 'string' ? config : config.text;
      seen.push({ sql, params: (typeof config === 'string' ? values : config.values) ?? [] });
      return (original as (...a: unknown[]) => Promise<unknown>).call(this, config, values, ...rest);
    } as unknown as pg.Pool['query'];
    let res: Response;
    try {
      res = await t.http.get(BASE).query(query).set('authorization', t.adminAuth);
    } finally {
      pool.query = original;
    }
    expectOk(res);
    const list = seen.filter((s) => /\bFROM enterprises WHERE\b/.test(s.sql) && /\bLIMIT\b/.test(s.sql));
    expect(list).toHaveLength(1);
    return { ...list[0], res };
  }

  const plan = async (sql: string, params: unknown[]) =>
    (await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');

  it(`q of a rare 3-character term (${RARE3}) uses the trigram index`, async () => {
    const { sql, params, res } = await listSql({ q: RARE3 });
    expect(res.body.data.map((r: Enterprise) => r.id)).toEqual(rare3Ids);
    expect(rare3Ids).toHaveLength(3);
    const text = await plan(sql, params);
    expect(text).toContain('enterprises_name_trgm_idx');
    expect(text).not.toMatch(/Seq Scan on enterprises/);
  });

  it(`q of a rare 2-character term (${RARE2}) uses the n-gram index`, async () => {
    const { sql, params, res } = await listSql({ q: RARE2 });
    expect(res.body.data.map((r: Enterprise) => r.id)).toEqual(rare2Ids);
    expect(rare2Ids).toHaveLength(3);
    const text = await plan(sql, params);
    expect(text).toContain('enterprises_name_ngram_idx');
    expect(text).not.toMatch(/Seq Scan on enterprises/);
  });

  it('q of a rare 1-character term uses the n-gram index', async () => {
    const { sql, params, res } = await listSql({ q: '貅' });
    expect(res.body.data.map((r: Enterprise) => r.id)).toEqual(rare2Ids);
    expect(await plan(sql, params)).toContain('enterprises_name_ngram_idx');
  });

  it('a credit-code fragment uses the credit-code trigram index', async () => {
    const { sql, params, res } = await listSql({ q: sampleCode.slice(9).toLowerCase() });
    expect(res.body.data.map((r: Enterprise) => r.creditCode)).toEqual([sampleCode]);
    expect(await plan(sql, params)).toContain('enterprises_credit_code_trgm_idx');
  });
});
