// What readiness is computed from, end to end: yearly figures, IP assets and the innovation
// profile of an enterprise — exact storage of money, provenance, PUT's 201/200, If-Match,
// validation naming every bad field, the officer rule, audit, the domain event after commit,
// and ReadinessInputsService returning the rules' own shapes.
import type { Response } from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { createDataSource } from '../src/database/data-source.js';
import { ReadinessInputsService } from '../src/enterprises/readiness-inputs.service.js';
import {
  evaluateHnte,
  evaluateTechSme,
  IP_ACQUISITIONS,
  IP_KINDS,
  validateReadinessInput,
  type ReadinessInput,
} from '../src/readiness/rules.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

type Who = Record<string, string>;

/** A valid credit code no other row uses. */
const freshCode = creditCodes('91370304F');

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

function expectProblem(res: Response, status: number, slug?: string): void {
  expectStatus(res, status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
      status,
      detail: expect.stringMatching(/\S/),
    }),
  );
  if (slug) expect(res.body.type).toBe(`/problems/${slug}`);
}

/** A 400 whose `errors` name exactly these fields. */
function expectInvalid(res: Response, fields: string[]): void {
  expectProblem(res, 400, 'validation');
  const named = [...new Set<string>(res.body.errors.map((e: { field: string }) => e.field))].sort();
  expect(named).toEqual([...new Set(fields)].sort());
  for (const e of res.body.errors) expect(e.message).toMatch(/\S/);
}

const messageFor = (res: Response, field: string): string =>
  res.body.errors
    .filter((e: { field: string }) => e.field === field)
    .map((e: { message: string }) => e.message)
    .join('; ');

/** A year with every figure set, in API field names. */
const FULL_YEAR = {
  revenue: 42000000.5,
  totalIncome: 42500000.25,
  highTechRevenue: 30000000,
  rdExpense: 1234567.89,
  rdExpenseDomestic: 1200000.01,
  netAssets: -1234.5,
  totalAssets: 9999999999999.99,
  totalCostExpense: 0.01,
  employees: 120,
  techStaff: 20,
  achievementsTransformed: 4,
};

describe('enterprise figures: yearly figures, IP assets, innovation profile (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let officerA: { id: string; who: Who };
  let officerB: { id: string; who: Who };
  let viewer: Who;
  /** Every domain event published, with how many audit entries were committed when it was. */
  const published: (DomainEvent & { committedAudits: number })[] = [];

  // This feature's entries only: readiness jobs reacting to the events audit enterprises meanwhile.
  const auditCount = async () =>
    (
      await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_entries WHERE entity IN ('financials', 'ipAsset', 'innovationProfile')`,
      )
    )[0].n;
  const eventsFor = (enterpriseId: string) =>
    published.filter(
      (e) => e.type === 'enterprise.readinessInputsChanged' && e.enterpriseId === enterpriseId,
    );

  const createEnterprise = async (
    body: Record<string, unknown> = {},
    who: Who = admin,
  ): Promise<{ id: string }> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(who)
      .send({ name: `数据企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body;
  };
  const putYear = (enterpriseId: string, year: number | string, body: object, who: Who = admin) =>
    t.http.put(`${API}/enterprises/${enterpriseId}/financials/${year}`).set(who).send(body);
  const postAsset = (enterpriseId: string, body: object, who: Who = admin) =>
    t.http.post(`${API}/enterprises/${enterpriseId}/ip-assets`).set(who).send(body);
  const putProfile = (enterpriseId: string, body: object, who: Who = admin) =>
    t.http.put(`${API}/enterprises/${enterpriseId}/innovation-profile`).set(who).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    const [a, b, v] = await Promise.all([t.staff('officer'), t.staff('officer'), t.staff('viewer')]);
    officerA = { id: a.id, who: { authorization: a.auth } };
    officerB = { id: b.id, who: { authorization: b.auth } };
    viewer = { authorization: v.auth };
    // Counting committed audit entries from another connection tells whether the change was
    // committed when the event went out.
    t.app.get(DomainEvents).subscribe(async (event) => {
      published.push({ ...event, committedAudits: await auditCount() });
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  // ------------------------------------------------------------------------------------------
  describe('yearly figures', () => {
    const stored = async (enterpriseId: string, year: number) =>
      (
        await t.db.query(
          `SELECT revenue::text, total_income::text, high_tech_revenue::text, rd_expense::text, rd_expense_domestic::text,
                  net_assets::text, total_assets::text, total_cost_expense::text, employees, tech_staff,
                  achievements_transformed, source, version
             FROM enterprise_financials WHERE enterprise_id = $1 AND year = $2`,
          [enterpriseId, year],
        )
      )[0];

    it('PUT of a new year is a 201 echoing every figure as a JSON number, stored exactly', async () => {
      const e = await createEnterprise();
      const res = await putYear(e.id, 2021, FULL_YEAR);
      expectStatus(res, 201);
      expect(res.body).toEqual({
        enterpriseId: e.id,
        year: 2021,
        ...FULL_YEAR,
        source: 'self_reported',
        version: 1,
        createdAt: expect.stringMatching(INSTANT_RE),
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      expect(res.headers.etag).toBe('"1"');
      // The numeric text, not a float: 1234567.89 stays 1234567.89 to the fen.
      expect(await stored(e.id, 2021)).toEqual({
        revenue: '42000000.50',
        total_income: '42500000.25',
        high_tech_revenue: '30000000.00',
        rd_expense: '1234567.89',
        rd_expense_domestic: '1200000.01',
        net_assets: '-1234.50',
        total_assets: '9999999999999.99',
        total_cost_expense: '0.01',
        employees: 120,
        tech_staff: 20,
        achievements_transformed: 4,
        source: 'self_reported',
        version: 1,
      });
      const list = await t.http.get(`${API}/enterprises/${e.id}/financials`).set(viewer);
      expectStatus(list, 200);
      expect(list.body).toEqual({ data: [res.body], nextCursor: null });
    });

    it('PUT of a recorded year is a 200 that replaces the whole year, with its provenance', async () => {
      const e = await createEnterprise();
      expectStatus(await putYear(e.id, 2020, FULL_YEAR), 201);
      const res = await putYear(e.id, 2020, {
        revenue: 50000000,
        employees: 130,
        source: 'officer_verified',
      });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        year: 2020,
        revenue: 50000000,
        totalIncome: null,
        highTechRevenue: null,
        rdExpense: null,
        rdExpenseDomestic: null,
        netAssets: null,
        totalAssets: null,
        totalCostExpense: null,
        employees: 130,
        techStaff: null,
        achievementsTransformed: null,
        source: 'officer_verified',
        version: 2,
      });
      expect(res.headers.etag).toBe('"2"');
      expect(await stored(e.id, 2020)).toMatchObject({
        revenue: '50000000.00',
        rd_expense: null,
        source: 'officer_verified',
        version: 2,
      });
      // An audit and back to self-reported: source defaults on every PUT, it is not kept.
      const audited = await putYear(e.id, 2020, { revenue: 50000000, employees: 130, source: 'audited' });
      expect(audited.body).toMatchObject({ source: 'audited', version: 3 });
      const again = await putYear(e.id, 2020, { revenue: 50000000, employees: 130 });
      expect(again.body).toMatchObject({ source: 'self_reported', version: 4 });
    });

    it('a PUT that changes nothing keeps the version and writes no audit entry and no event', async () => {
      const e = await createEnterprise();
      const first = await putYear(e.id, 2021, FULL_YEAR);
      const audits = await auditCount();
      const events = eventsFor(e.id).length;
      const res = await putYear(e.id, 2021, FULL_YEAR);
      expectStatus(res, 200);
      expect(res.body).toEqual(first.body);
      expect(await auditCount()).toBe(audits);
      expect(eventsFor(e.id)).toHaveLength(events);
    });

    it('honours If-Match: stale is a 412 that changes nothing, current replaces', async () => {
      const e = await createEnterprise();
      expectStatus(await putYear(e.id, 2021, FULL_YEAR), 201);
      const audits = await auditCount();
      const stale = await putYear(e.id, 2021, { revenue: 1 }).set('if-match', '"7"');
      expectProblem(stale, 412, 'stale-version');
      expect(stale.body.currentVersion).toBe(1);
      expect((await stored(e.id, 2021)).revenue).toBe('42000000.50');
      expect(await auditCount()).toBe(audits);
      const current = await putYear(e.id, 2021, { revenue: 1 }).set('if-match', 'W/"1"');
      expectStatus(current, 200);
      expect(current.body.version).toBe(2);
      // A year with nothing recorded has no version an If-Match could name.
      expectProblem(await putYear(e.id, 2019, { revenue: 1 }).set('if-match', '"1"'), 412, 'stale-version');
      expect(await stored(e.id, 2019)).toBeUndefined();
    });

    it('lists years oldest first whatever order they were recorded in', async () => {
      const e = await createEnterprise();
      for (const year of [2021, 2019, 2020]) expectStatus(await putYear(e.id, year, { revenue: year }), 201);
      const res = await t.http.get(`${API}/enterprises/${e.id}/financials`).set(admin);
      expectStatus(res, 200);
      expect(res.body.data.map((y: { year: number; revenue: number }) => [y.year, y.revenue])).toEqual([
        [2019, 2019],
        [2020, 2020],
        [2021, 2021],
      ]);
      expect(res.body.nextCursor).toBeNull();
    });

    it('accepts the boundaries: equal domestic R&D and R&D, equal S&T staff and employees, zeroes, years 1990 and 2100', async () => {
      const e = await createEnterprise();
      const edge = {
        rdExpense: 100.5,
        rdExpenseDomestic: 100.5,
        employees: 7,
        techStaff: 7,
        revenue: 0,
        achievementsTransformed: 0,
        netAssets: -9999999999999.99,
      };
      const res = await putYear(e.id, 1990, edge);
      expectStatus(res, 201);
      expect(res.body).toMatchObject(edge);
      expectStatus(await putYear(e.id, 2100, {}), 201);
    });

    it('names every bad field in one 400 and stores nothing', async () => {
      const e = await createEnterprise();
      const audits = await auditCount();
      const res = await putYear(e.id, 2021, {
        revenue: -1,
        totalIncome: 1.005,
        highTechRevenue: '100',
        rdExpense: 1e13,
        netAssets: 12.345,
        totalAssets: 1234567.891,
        employees: 1.5,
        techStaff: -1,
        achievementsTransformed: 'x',
        source: 'guessed',
        profit: 5,
      });
      expectInvalid(res, [
        'revenue',
        'totalIncome',
        'highTechRevenue',
        'rdExpense',
        'netAssets',
        'totalAssets',
        'employees',
        'techStaff',
        'achievementsTransformed',
        'source',
        'profit',
      ]);
      expect(messageFor(res, 'revenue')).toMatch(/negative/);
      expect(messageFor(res, 'totalAssets')).toMatch(/two decimals/);
      expect(messageFor(res, 'profit')).toMatch(/not a known field/);
      expect(
        await t.db.query('SELECT 1 FROM enterprise_financials WHERE enterprise_id = $1', [e.id]),
      ).toEqual([]);
      expect(await auditCount()).toBe(audits);
      expect(eventsFor(e.id)).toEqual([]);
    });

    it('refuses domestic R&D above R&D and S&T staff above employees, with the other bad fields', async () => {
      const e = await createEnterprise();
      const res = await putYear(e.id, 2021, {
        rdExpense: 100,
        rdExpenseDomestic: 100.01,
        employees: 10,
        techStaff: 11,
        highTechRevenue: -5,
      });
      expectInvalid(res, ['rdExpenseDomestic', 'techStaff', 'highTechRevenue']);
      expect(messageFor(res, 'rdExpenseDomestic')).toMatch(/not exceed rdExpense/);
      expect(messageFor(res, 'techStaff')).toMatch(/not exceed employees/);
      // A field bad on its own is named once, for what is wrong with it.
      const alone = await putYear(e.id, 2021, { rdExpense: 100, rdExpenseDomestic: -1 });
      expectInvalid(alone, ['rdExpenseDomestic']);
      expect(alone.body.errors).toHaveLength(1);
      expect(eventsFor(e.id)).toEqual([]);
    });

    it.each(['1989', '2101', 'abc', '2021.5', '02021', '-2021'])(
      'a year %s in the path is a 400 naming year',
      async (year) => {
        const e = await createEnterprise();
        expectInvalid(await putYear(e.id, year, { revenue: 1 }), ['year']);
        expect(
          await t.db.query('SELECT 1 FROM enterprise_financials WHERE enterprise_id = $1', [e.id]),
        ).toEqual([]);
      },
    );

    it('an officer writes the figures of their own and unassigned enterprises only; a viewer none', async () => {
      const mine = await createEnterprise({ officerId: officerA.id });
      const unassigned = await createEnterprise();
      expectStatus(await putYear(mine.id, 2021, { revenue: 1 }, officerA.who), 201);
      expectStatus(await putYear(unassigned.id, 2021, { revenue: 1 }, officerA.who), 201);
      expectProblem(await putYear(mine.id, 2021, { revenue: 2 }, officerB.who), 403, 'forbidden');
      expectProblem(await putYear(mine.id, 2022, { revenue: 2 }, viewer), 403, 'forbidden');
      expect((await stored(mine.id, 2021)).revenue).toBe('1.00');
      expect(await stored(mine.id, 2022)).toBeUndefined();
      // Reads are for everyone with enterprises:read.
      expectStatus(await t.http.get(`${API}/enterprises/${mine.id}/financials`).set(officerB.who), 200);
    });

    it('is a 404 for an unknown or deleted enterprise', async () => {
      const e = await createEnterprise();
      expectStatus(await putYear(e.id, 2021, { revenue: 1 }), 201);
      expectStatus(await t.http.delete(`${API}/enterprises/${e.id}`).set(admin), 204);
      for (const id of [UNKNOWN_ID, e.id]) {
        expectProblem(await putYear(id, 2021, { revenue: 2 }), 404, 'not-found');
        expectProblem(await t.http.get(`${API}/enterprises/${id}/financials`).set(admin), 404, 'not-found');
      }
      expect((await stored(e.id, 2021)).revenue).toBe('1.00');
    });

    it('writes an audit entry per change, keyed <enterpriseId>:<year>, by whom', async () => {
      const e = await createEnterprise({ officerId: officerA.id });
      expectStatus(await putYear(e.id, 2021, { revenue: 100, employees: 5 }, officerA.who), 201);
      expectStatus(
        await putYear(e.id, 2021, { revenue: 100.5, employees: 5, source: 'audited' }, admin),
        200,
      );
      const res = await t.http
        .get(`${API}/audit`)
        .query({ entity: 'financials', entityId: `${e.id}:2021` })
        .set(admin);
      expectStatus(res, 200);
      expect(res.body.data).toEqual([
        expect.objectContaining({
          action: 'update',
          entity: 'financials',
          entityId: `${e.id}:2021`,
          changes: { revenue: [100, 100.5], source: ['self_reported', 'audited'] },
        }),
        expect.objectContaining({
          action: 'create',
          actor: { type: 'user', id: officerA.id },
          changes: { revenue: [null, 100], employees: [null, 5], source: [null, 'self_reported'] },
        }),
      ]);
    });

    it('publishes enterprise.readinessInputsChanged after the commit, and not for rejected requests', async () => {
      const e = await createEnterprise({ officerId: officerA.id });
      const rejected = [
        await putYear(e.id, 2021, { revenue: -1 }),
        await putYear(e.id, 1900, { revenue: 1 }),
        await putYear(e.id, 2021, { revenue: 1 }, officerB.who),
        await putYear(e.id, 2021, { revenue: 1 }).set('if-match', '"3"'),
      ];
      expect(rejected.map((r) => r.status)).toEqual([400, 400, 403, 412]);
      expect(eventsFor(e.id)).toEqual([]);
      expectStatus(await putYear(e.id, 2021, { revenue: 1 }), 201);
      const committed = await auditCount();
      expect(eventsFor(e.id)).toEqual([
        { type: 'enterprise.readinessInputsChanged', enterpriseId: e.id, committedAudits: committed },
      ]);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('IP assets', () => {
    const PATENT = {
      kind: 'invention_patent',
      number: 'ZL202010123456.7',
      title: '一种高铝耐火砖的制备方法',
      grantedAt: '2020-05-01',
      expiresAt: '2040-04-30',
      acquisition: 'self_developed',
      usedInCertification: true,
    };
    const storedAsset = async (id: string) =>
      (
        await t.db.query(
          `SELECT enterprise_id, kind, number, title, granted_at::text, expires_at::text, acquisition, used_in_certification, version
             FROM ip_assets WHERE id = $1`,
          [id],
        )
      )[0];

    it('POST is a 201 echoing every field, stored as sent', async () => {
      const e = await createEnterprise();
      const res = await postAsset(e.id, PATENT);
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_RE),
        enterpriseId: e.id,
        ...PATENT,
        version: 1,
        createdAt: expect.stringMatching(INSTANT_RE),
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      expect(res.headers.etag).toBe('"1"');
      expect(await storedAsset(res.body.id)).toEqual({
        enterprise_id: e.id,
        kind: 'invention_patent',
        number: 'ZL202010123456.7',
        title: '一种高铝耐火砖的制备方法',
        granted_at: '2020-05-01',
        expires_at: '2040-04-30',
        acquisition: 'self_developed',
        used_in_certification: true,
        version: 1,
      });
    });

    it('defaults: no number, no dates, not used in a certification', async () => {
      const e = await createEnterprise();
      const res = await postAsset(e.id, {
        kind: 'software_copyright',
        title: '窑炉温控系统 V1.0',
        acquisition: 'transferred',
      });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({
        number: null,
        grantedAt: null,
        expiresAt: null,
        usedInCertification: false,
      });
    });

    it('accepts every kind and acquisition of DOMAIN.md (the database agrees with the API)', async () => {
      const e = await createEnterprise();
      for (const [i, kind] of IP_KINDS.entries()) {
        const acquisition = IP_ACQUISITIONS[i % IP_ACQUISITIONS.length];
        const res = await postAsset(e.id, { kind, title: kind, acquisition });
        expectStatus(res, 201);
        expect(res.body).toMatchObject({ kind, acquisition });
      }
      for (const acquisition of IP_ACQUISITIONS)
        expectStatus(await postAsset(e.id, { kind: 'utility_model', title: 'x', acquisition }), 201);
    });

    it('names every bad field in one 400 (licensed is not an acquisition the API offers)', async () => {
      const e = await createEnterprise();
      const res = await postAsset(e.id, {
        kind: 'copyright',
        number: 42,
        title: '   ',
        grantedAt: '2023-02-30',
        expiresAt: '2020/01/01',
        acquisition: 'licensed',
        usedInCertification: 'yes',
        owner: 'me',
      });
      expectInvalid(res, [
        'kind',
        'number',
        'title',
        'grantedAt',
        'expiresAt',
        'acquisition',
        'usedInCertification',
        'owner',
      ]);
      expectInvalid(await postAsset(e.id, {}), ['kind', 'title', 'acquisition']);
      expect(await t.db.query('SELECT 1 FROM ip_assets WHERE enterprise_id = $1', [e.id])).toEqual([]);
      expect(eventsFor(e.id)).toEqual([]);
    });

    it('refuses an expiry before the grant date; the same day is fine', async () => {
      const e = await createEnterprise();
      const res = await postAsset(e.id, {
        ...PATENT,
        grantedAt: '2020-05-01',
        expiresAt: '2020-04-30',
        kind: 'trade',
      });
      expectInvalid(res, ['expiresAt', 'kind']);
      expect(messageFor(res, 'expiresAt')).toMatch(/not be before grantedAt/);
      expectStatus(
        await postAsset(e.id, { ...PATENT, grantedAt: '2020-05-01', expiresAt: '2020-05-01' }),
        201,
      );
    });

    it('lists in the order recorded, a page at a time, with a cursor', async () => {
      const e = await createEnterprise();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          (
            await postAsset(e.id, {
              kind: 'utility_model',
              title: `实用新型 ${i}`,
              acquisition: 'self_developed',
            })
          ).body.id,
        );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Response = await t.http
          .get(`${API}/enterprises/${e.id}/ip-assets`)
          .query({ limit: 2, ...(cursor && { cursor }) })
          .set(viewer);
        expectStatus(res, 200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((a: { id: string }) => a.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
      const all = await t.http.get(`${API}/enterprises/${e.id}/ip-assets`).set(admin);
      expect(all.body.data.map((a: { id: string }) => a.id)).toEqual(ids);
      expect(all.body.nextCursor).toBeNull();
      for (const bad of [
        'nope',
        Buffer.from(JSON.stringify(['ip-assets', '2020-02-30T00:00:00.000Z', ids[0]])).toString('base64url'),
      ]) {
        expectInvalid(
          await t.http.get(`${API}/enterprises/${e.id}/ip-assets`).query({ cursor: bad }).set(admin),
          ['cursor'],
        );
      }
      expectInvalid(
        await t.http.get(`${API}/enterprises/${e.id}/ip-assets`).query({ limit: 201 }).set(admin),
        ['limit'],
      );
    });

    it('PATCH changes the fields sent, honours If-Match, and checks the expiry against the stored grant date', async () => {
      const e = await createEnterprise();
      const created = (await postAsset(e.id, PATENT)).body;
      const url = `${API}/ip-assets/${created.id}`;
      const res = await t.http
        .patch(url)
        .set(admin)
        .set('if-match', '"1"')
        .send({ title: '新标题', number: null, usedInCertification: false });
      expectStatus(res, 200);
      expect(res.body).toEqual({
        ...created,
        title: '新标题',
        number: null,
        usedInCertification: false,
        version: 2,
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      expect(res.headers.etag).toBe('"2"');

      expectProblem(
        await t.http.patch(url).set(admin).set('if-match', '"1"').send({ title: '过期' }),
        412,
        'stale-version',
      );
      const early = await t.http.patch(url).set(admin).send({ expiresAt: '2019-01-01' });
      expectInvalid(early, ['expiresAt']);
      expectInvalid(
        await t.http
          .patch(url)
          .set(admin)
          .send({ title: null, kind: null, acquisition: null, usedInCertification: null }),
        ['title', 'kind', 'acquisition', 'usedInCertification'],
      );
      expect(await storedAsset(created.id)).toMatchObject({
        title: '新标题',
        expires_at: '2040-04-30',
        version: 2,
      });
      expectProblem(
        await t.http.patch(`${API}/ip-assets/${UNKNOWN_ID}`).set(admin).send({ title: 'x' }),
        404,
        'not-found',
      );
    });

    it('DELETE is a 204 honouring If-Match; the item is gone', async () => {
      const e = await createEnterprise();
      const created = (await postAsset(e.id, PATENT)).body;
      const url = `${API}/ip-assets/${created.id}`;
      expectProblem(await t.http.delete(url).set(admin).set('if-match', '"2"'), 412, 'stale-version');
      const res = await t.http.delete(url).set(admin).set('if-match', '"1"');
      expectStatus(res, 204);
      expect(res.text).toBe('');
      expect(await storedAsset(created.id)).toBeUndefined();
      expectProblem(await t.http.delete(url).set(admin), 404, 'not-found');
    });

    it('follows the officer rule on every write; a viewer writes nothing', async () => {
      const e = await createEnterprise({ officerId: officerA.id });
      const created = await postAsset(e.id, PATENT, officerA.who);
      expectStatus(created, 201);
      const url = `${API}/ip-assets/${created.body.id}`;
      expectProblem(await postAsset(e.id, PATENT, officerB.who), 403, 'forbidden');
      expectProblem(await t.http.patch(url).set(officerB.who).send({ title: 'x' }), 403, 'forbidden');
      expectProblem(await t.http.delete(url).set(officerB.who), 403, 'forbidden');
      expectProblem(await postAsset(e.id, PATENT, viewer), 403, 'forbidden');
      expectProblem(await t.http.patch(url).set(viewer).send({ title: 'x' }), 403, 'forbidden');
      expectProblem(await t.http.delete(url).set(viewer), 403, 'forbidden');
      expect(await t.db.query('SELECT title FROM ip_assets WHERE enterprise_id = $1', [e.id])).toEqual([
        { title: PATENT.title },
      ]);
      expectStatus(await t.http.patch(url).set(officerA.who).send({ title: '自己的' }), 200);
    });

    it("an unknown or deleted enterprise's items are 404 to read and to write", async () => {
      const e = await createEnterprise();
      const asset = (await postAsset(e.id, PATENT)).body;
      expectStatus(await t.http.delete(`${API}/enterprises/${e.id}`).set(admin), 204);
      for (const id of [UNKNOWN_ID, e.id]) {
        expectProblem(await postAsset(id, PATENT), 404, 'not-found');
        expectProblem(await t.http.get(`${API}/enterprises/${id}/ip-assets`).set(admin), 404, 'not-found');
      }
      expectProblem(
        await t.http.patch(`${API}/ip-assets/${asset.id}`).set(admin).send({ title: 'x' }),
        404,
        'not-found',
      );
      expectProblem(await t.http.delete(`${API}/ip-assets/${asset.id}`).set(admin), 404, 'not-found');
      expect(await storedAsset(asset.id)).toMatchObject({ title: PATENT.title });
    });

    it('audits create, update and delete, and publishes the event after each commit only', async () => {
      const e = await createEnterprise();
      const created = (await postAsset(e.id, PATENT)).body;
      const afterCreate = await auditCount();
      const url = `${API}/ip-assets/${created.id}`;
      expectStatus(await t.http.patch(url).set(admin).send({ title: '改名' }), 200);
      const afterUpdate = await auditCount();
      expectStatus(await t.http.patch(url).set(admin).send({ title: '改名' }), 200); // no change: no event
      expectProblem(await t.http.patch(url).set(admin).send({ expiresAt: '2000-01-01' }), 400);
      expectStatus(await t.http.delete(url).set(admin), 204);
      const afterDelete = await auditCount();
      const event = { type: 'enterprise.readinessInputsChanged', enterpriseId: e.id };
      expect(eventsFor(e.id)).toEqual([
        { ...event, committedAudits: afterCreate },
        { ...event, committedAudits: afterUpdate },
        { ...event, committedAudits: afterDelete },
      ]);
      const res = await t.http
        .get(`${API}/audit`)
        .query({ entity: 'ipAsset', entityId: created.id })
        .set(admin);
      expect(res.body.data.map((a: { action: string; changes: unknown }) => [a.action, a.changes])).toEqual([
        [
          'delete',
          {
            kind: ['invention_patent', null],
            number: [PATENT.number, null],
            title: ['改名', null],
            grantedAt: ['2020-05-01', null],
            expiresAt: ['2040-04-30', null],
            acquisition: ['self_developed', null],
            usedInCertification: [true, null],
          },
        ],
        ['update', { title: [PATENT.title, '改名'] }],
        [
          'create',
          {
            kind: [null, 'invention_patent'],
            number: [null, PATENT.number],
            title: [null, PATENT.title],
            grantedAt: [null, '2020-05-01'],
            expiresAt: [null, '2040-04-30'],
            acquisition: [null, 'self_developed'],
            usedInCertification: [null, true],
          },
        ],
      ]);
    });

    it('a repeated POST with the same Idempotency-Key creates one item', async () => {
      const e = await createEnterprise();
      const first = await postAsset(e.id, PATENT).set('idempotency-key', 'ip-once');
      const second = await postAsset(e.id, PATENT).set('idempotency-key', 'ip-once');
      expectStatus(first, 201);
      expectStatus(second, 201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await t.db.query('SELECT id FROM ip_assets WHERE enterprise_id = $1', [e.id])).toEqual([
        { id: first.body.id },
      ]);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('innovation profile', () => {
    const PROFILE = {
      techAdvancement: 'B',
      coreSupport: 'A',
      standardsParticipation: true,
      rdManagement: {
        projectAccounting: 6,
        rdInstitution: 0,
        transformationIncentives: 4,
        talentDevelopment: 3,
      },
      noMajorIncident: true,
      directPass: 'provincial_rd_institution',
    };
    const url = (id: string) => `${API}/enterprises/${id}/innovation-profile`;

    it('GET is a 404 until a profile is recorded; PUT creates it with 201 and GET returns it', async () => {
      const e = await createEnterprise();
      expectProblem(await t.http.get(url(e.id)).set(admin), 404, 'not-found');
      const res = await putProfile(e.id, PROFILE);
      expectStatus(res, 201);
      expect(res.body).toEqual({
        enterpriseId: e.id,
        ...PROFILE,
        version: 1,
        createdAt: expect.stringMatching(INSTANT_RE),
        updatedAt: expect.stringMatching(INSTANT_RE),
      });
      expect(res.headers.etag).toBe('"1"');
      const [row] = await t.db.query(
        `SELECT tech_advancement, core_support, standards_participation, project_accounting, rd_institution,
                transformation_incentives, talent_development, no_major_incident, direct_pass FROM innovation_profiles WHERE enterprise_id = $1`,
        [e.id],
      );
      expect(row).toEqual({
        tech_advancement: 'B',
        core_support: 'A',
        standards_participation: true,
        project_accounting: 6,
        rd_institution: 0,
        transformation_incentives: 4,
        talent_development: 3,
        no_major_incident: true,
        direct_pass: 'provincial_rd_institution',
      });
      const got = await t.http.get(url(e.id)).set(viewer);
      expectStatus(got, 200);
      expect(got.body).toEqual(res.body);
      expect(got.headers.etag).toBe('"1"');
    });

    it('PUT replaces the whole profile (200), honouring If-Match', async () => {
      const e = await createEnterprise();
      expectStatus(await putProfile(e.id, PROFILE), 201);
      expectProblem(
        await putProfile(e.id, { techAdvancement: 'C' }).set('if-match', '"5"'),
        412,
        'stale-version',
      );
      const res = await putProfile(e.id, { techAdvancement: 'C' }).set('if-match', '"1"');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        techAdvancement: 'C',
        coreSupport: null,
        standardsParticipation: false,
        rdManagement: {
          projectAccounting: null,
          rdInstitution: null,
          transformationIncentives: null,
          talentDevelopment: null,
        },
        noMajorIncident: null,
        directPass: null,
        version: 2,
      });
      const other = await createEnterprise();
      expectProblem(await putProfile(other.id, PROFILE).set('if-match', '"1"'), 412, 'stale-version');
      expectProblem(await t.http.get(url(other.id)).set(admin), 404);
    });

    it('names every bad field, out-of-range R&D management points included (never clamped)', async () => {
      const e = await createEnterprise();
      const res = await putProfile(e.id, {
        techAdvancement: 'F',
        coreSupport: 'a',
        standardsParticipation: null,
        rdManagement: {
          projectAccounting: 7,
          rdInstitution: -1,
          transformationIncentives: 5,
          talentDevelopment: 2.5,
          extra: 1,
        },
        noMajorIncident: 'yes',
        directPass: 'bribery',
      });
      expectInvalid(res, [
        'techAdvancement',
        'coreSupport',
        'standardsParticipation',
        'rdManagement.projectAccounting',
        'rdManagement.rdInstitution',
        'rdManagement.transformationIncentives',
        'rdManagement.talentDevelopment',
        'rdManagement.extra',
        'noMajorIncident',
        'directPass',
      ]);
      expect(messageFor(res, 'rdManagement.projectAccounting')).toMatch(/0 to 6/);
      expect(messageFor(res, 'rdManagement.transformationIncentives')).toMatch(/0 to 4/);
      expectInvalid(await putProfile(e.id, { rdManagement: 5 }), ['rdManagement']);
      expectInvalid(await putProfile(e.id, { rdManagement: [] }), ['rdManagement']);
      expect(await t.db.query('SELECT 1 FROM innovation_profiles WHERE enterprise_id = $1', [e.id])).toEqual(
        [],
      );
      expect(eventsFor(e.id)).toEqual([]);
    });

    it('follows the officer rule; 404 for an unknown or deleted enterprise; audited; event after commit', async () => {
      const e = await createEnterprise({ officerId: officerA.id });
      expectProblem(await putProfile(e.id, PROFILE, officerB.who), 403, 'forbidden');
      expectProblem(await putProfile(e.id, PROFILE, viewer), 403, 'forbidden');
      expect(eventsFor(e.id)).toEqual([]);
      expectStatus(await putProfile(e.id, PROFILE, officerA.who), 201);
      const committed = await auditCount();
      expect(eventsFor(e.id)).toEqual([
        { type: 'enterprise.readinessInputsChanged', enterpriseId: e.id, committedAudits: committed },
      ]);
      expectStatus(await putProfile(e.id, { ...PROFILE, coreSupport: 'B' }, officerA.who), 200);
      const audit = await t.http
        .get(`${API}/audit`)
        .query({ entity: 'innovationProfile', entityId: e.id })
        .set(admin);
      expect(
        audit.body.data.map((a: { action: string; changes: unknown; actor: unknown }) => [
          a.action,
          a.actor,
          a.changes,
        ]),
      ).toEqual([
        ['update', { type: 'user', id: officerA.id }, { coreSupport: ['A', 'B'] }],
        [
          'create',
          { type: 'user', id: officerA.id },
          {
            techAdvancement: [null, 'B'],
            coreSupport: [null, 'A'],
            standardsParticipation: [null, true],
            projectAccounting: [null, 6],
            rdInstitution: [null, 0],
            transformationIncentives: [null, 4],
            talentDevelopment: [null, 3],
            noMajorIncident: [null, true],
            directPass: [null, 'provincial_rd_institution'],
          },
        ],
      ]);
      expectStatus(await t.http.delete(`${API}/enterprises/${e.id}`).set(admin), 204);
      for (const id of [UNKNOWN_ID, e.id]) {
        expectProblem(await putProfile(id, PROFILE), 404, 'not-found');
        expectProblem(await t.http.get(url(id)).set(admin), 404, 'not-found');
      }
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('ReadinessInputsService', () => {
    let inputs: ReadinessInputsService;
    beforeAll(() => {
      inputs = t.app.get(ReadinessInputsService);
    });

    it('load returns exactly the rules’ shapes for data entered through the API', async () => {
      const e = await createEnterprise({ registeredAt: '2017-03-15', techDomain: 'new_materials' });
      expectStatus(await putYear(e.id, 2021, { ...FULL_YEAR, netAssets: 18000000, source: 'audited' }), 201);
      expectStatus(await putYear(e.id, 2019, { revenue: 30000000.1, employees: 100, techStaff: 12 }), 201);
      expectStatus(await putYear(e.id, 2020, { revenue: 35000000, source: 'officer_verified' }), 201);
      expectStatus(
        await postAsset(e.id, {
          kind: 'invention_patent',
          number: 'ZL1',
          title: '专利',
          grantedAt: '2020-05-01',
          expiresAt: '2040-04-30',
          acquisition: 'self_developed',
          usedInCertification: false,
        }),
        201,
      );
      expectStatus(
        await postAsset(e.id, {
          kind: 'software_copyright',
          title: '软著',
          acquisition: 'gifted',
          usedInCertification: true,
        }),
        201,
      );
      expectStatus(
        await putProfile(e.id, {
          techAdvancement: 'B',
          coreSupport: 'C',
          rdManagement: { projectAccounting: 5, rdInstitution: 4, transformationIncentives: 3 },
          noMajorIncident: true,
          directPass: 'led_standard',
        }),
        201,
      );

      const loaded = await inputs.load(e.id);
      expect(loaded).toStrictEqual({
        registeredAt: '2017-03-15',
        techDomain: 'new_materials',
        years: [
          {
            year: 2019,
            revenue: 30000000.1,
            totalIncome: null,
            highTechRevenue: null,
            rdExpense: null,
            rdExpenseDomestic: null,
            netAssets: null,
            totalAssets: null,
            totalCostExpense: null,
            employees: 100,
            techStaff: 12,
            achievementsTransformed: null,
          },
          {
            year: 2020,
            revenue: 35000000,
            totalIncome: null,
            highTechRevenue: null,
            rdExpense: null,
            rdExpenseDomestic: null,
            netAssets: null,
            totalAssets: null,
            totalCostExpense: null,
            employees: null,
            techStaff: null,
            achievementsTransformed: null,
          },
          { year: 2021, ...FULL_YEAR, netAssets: 18000000 },
        ],
        ipAssets: [
          {
            kind: 'invention_patent',
            grantedAt: '2020-05-01',
            expiresAt: '2040-04-30',
            acquisition: 'self_developed',
            usedInCertification: false,
          },
          {
            kind: 'software_copyright',
            grantedAt: null,
            expiresAt: null,
            acquisition: 'gifted',
            usedInCertification: true,
          },
        ],
        innovation: {
          techAdvancement: 'B',
          coreSupport: 'C',
          standardsParticipation: false,
          rdManagement: {
            projectAccounting: 5,
            rdInstitution: 4,
            transformationIncentives: 3,
            talentDevelopment: null,
          },
        },
        noMajorIncident: true,
        directPass: 'led_standard',
        unverifiedYears: [2019],
      });

      // The rules take it as it is: nothing to refuse, and a result for both programmes.
      const { unverifiedYears: _u, ...rest } = loaded!;
      const input: ReadinessInput = { assessmentDate: '2022-06-01', ...rest };
      expect(validateReadinessInput(input)).toEqual([]);
      const hnte = evaluateHnte(input);
      expect(hnte.ruleSet).toBe('hnte-2016');
      expect(hnte.criteria.find((c) => c.code === 'core_ip')?.passed).toBe(true);
      expect(hnte.score.blocks.rdManagement).toEqual({ min: 12, max: 12 });
      expect(
        evaluateTechSme({ ...input, program: 'tech_sme' }).criteria.find((c) => c.code === 'direct_pass')
          ?.passed,
      ).toBe(true);
    });

    it('an enterprise with nothing recorded has empty inputs; unknown and deleted ones are null', async () => {
      const bare = await createEnterprise();
      expect(await inputs.load(bare.id)).toStrictEqual({
        registeredAt: null,
        techDomain: null,
        years: [],
        ipAssets: [],
        innovation: null,
        noMajorIncident: null,
        directPass: null,
        unverifiedYears: [],
      });
      const gone = await createEnterprise();
      expectStatus(await putYear(gone.id, 2021, { revenue: 1 }), 201);
      expectStatus(await t.http.delete(`${API}/enterprises/${gone.id}`).set(admin), 204);
      expect(await inputs.load(gone.id)).toBeNull();
      expect(await inputs.load(UNKNOWN_ID)).toBeNull();
    });

    it('loadMany answers for the live enterprises asked, each with its own data, in a fixed number of queries', async () => {
      const many: string[] = [];
      for (let i = 0; i < 12; i++) {
        const e = await createEnterprise({ registeredAt: `201${i % 10}-01-0${(i % 9) + 1}` });
        expectStatus(await putYear(e.id, 2021, { revenue: i, employees: i }), 201);
        expectStatus(await putYear(e.id, 2020, { revenue: i + 0.5, source: 'audited' }), 201);
        expectStatus(
          await postAsset(e.id, { kind: 'utility_model', title: `u${i}`, acquisition: 'merged' }),
          201,
        );
        if (i % 2 === 0)
          expectStatus(await putProfile(e.id, { coreSupport: 'D', noMajorIncident: i % 4 === 0 }), 201);
        many.push(e.id);
      }
      const deleted = many[11];
      expectStatus(await t.http.delete(`${API}/enterprises/${deleted}`).set(admin), 204);

      const result = await inputs.loadMany([...many, UNKNOWN_ID, many[0]]);
      expect([...result.keys()].sort()).toEqual(many.slice(0, 11).sort());
      for (const [i, id] of many.slice(0, 11).entries()) {
        const one = result.get(id)!;
        expect(one).toStrictEqual(await inputs.load(id));
        expect(one.years.map((y) => [y.year, y.revenue])).toEqual([
          [2020, i + 0.5],
          [2021, i],
        ]);
        expect(one.unverifiedYears).toEqual([2021]);
        expect(one.ipAssets).toEqual([
          {
            kind: 'utility_model',
            grantedAt: null,
            expiresAt: null,
            acquisition: 'merged',
            usedInCertification: false,
          },
        ]);
        expect(one.innovation?.coreSupport ?? null).toBe(i % 2 === 0 ? 'D' : null);
        expect(one.noMajorIncident).toBe(i % 2 === 0 ? i % 4 === 0 : null);
      }
      expect((await inputs.loadMany([])).size).toBe(0);

      // Set-based: asking for 2 or for 11 enterprises costs the same number of queries. Counted
      // on a DataSource of its own, since queue workers query the app's pool meanwhile.
      let sent = 0;
      const base = createDataSource({ url: t.db.url, poolMax: 2 });
      const counting = new DataSource({
        ...base.options,
        logging: ['query'],
        logger: {
          logQuery: () => void sent++,
          logQueryError() {},
          logQuerySlow() {},
          logSchemaBuild() {},
          logMigration() {},
          log() {},
        },
      } as DataSourceOptions);
      await counting.initialize();
      const queriesFor = async (ids: string[]) => {
        sent = 0;
        await new ReadinessInputsService(counting).loadMany(ids);
        return sent;
      };
      let few: number;
      let more: number;
      try {
        few = await queriesFor(many.slice(0, 2));
        more = await queriesFor(many.slice(0, 11));
      } finally {
        await counting.destroy();
      }
      expect(few).toBeGreaterThanOrEqual(4);
      expect(few).toBeLessThanOrEqual(8);
      expect(more).toBe(few);
    });
  });
});
