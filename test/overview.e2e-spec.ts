// The district overview (全区统计概览): each figure for a year against the year before, computed
// from contracts, applications, trackings, demands and service records at a set clock; targets
// set with PUT /targets/:year (admins, audited, If-Match) give progress; the .xlsx says the same.
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
type Who = Record<string, string>;
type Body = Record<string, unknown>;

const freshCode = creditCodes('91370304P', 11000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('district overview and targets (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let viewer: Who;
  let officer: Who;

  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));
  const send = async (method: 'post' | 'patch', url: string, body: Body, status = 201) => {
    const res = await t.http[method](`${API}${url}`).set(admin).send(body);
    expectStatus(res, status);
    return res.body as Body & { id: string };
  };
  const enterprise = async (body: Body = {}) =>
    (
      await send('post', '/enterprises', {
        name: `概览企业${freshCode.made + 1}有限公司`,
        creditCode: freshCode(),
        ...body,
      })
    ).id;
  const application = async (enterpriseId: string, body: Body, moves: Body[] = []) => {
    const app = await send('post', `/enterprises/${enterpriseId}/applications`, body);
    for (const move of moves) await send('post', `/applications/${app.id}/transitions`, move, 200);
    return app.id;
  };
  const overview = (year: number, who: Who = viewer) =>
    t.http.get(`${API}/stats/overview`).query({ year }).set(who);
  const putTargets = (year: number | string, body: unknown, who: Who = admin, ifMatch?: string) => {
    const req = t.http.put(`${API}/targets/${year}`).set(who);
    if (ifMatch) req.set('if-match', ifMatch);
    return req.send(body as object);
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    viewer = { authorization: (await t.staff('viewer')).auth };
    officer = { authorization: (await t.staff('officer')).auth };

    setNow('2022-10-01T02:00:00Z');
    const [e1, e2, e3, e4, e5, e6] = await Promise.all([
      enterprise({ tier: 'priority' }),
      enterprise({ tier: 'priority' }),
      enterprise({ tier: 'medium_term' }),
      enterprise(),
      enterprise(),
      enterprise(),
    ]);
    // A deleted enterprise counts nowhere.
    const gone = await enterprise({ tier: 'priority' });

    // Contracts: two signed in 2022, one in 2023.
    for (const [n, signedAt] of [
      [1, '2022-03-01'],
      [2, '2022-12-31'],
      [3, '2023-01-01'],
    ] as const)
      await send('post', `/enterprises/${e1}/contracts`, {
        contractNo: `KJFW-OV-${n}`,
        signedAt,
        startsAt: signedAt,
        endsAt: '2023-12-31',
        amount: 30000,
      });
    await send('post', `/enterprises/${gone}/contracts`, {
      contractNo: 'KJFW-OV-GONE',
      signedAt: '2023-02-01',
      startsAt: '2023-02-01',
      endsAt: '2023-12-31',
      amount: 1,
    });

    // HNTE 2022: e1 certified 2022-11-01; e3 withdrew (not an applicant).
    await application(e1, { program: 'hnte', year: 2022, stage: 'publicized' }, [
      { to: 'certified', certificateNo: 'GR202237000001', issuedAt: '2022-11-01' },
    ]);
    await application(e3, { program: 'hnte', year: 2022 }, [{ to: 'withdrawn', note: '条件不足' }]);
    // Tech SME 2022: e6 registered.
    await application(e6, { program: 'tech_sme', year: 2022, stage: 'publicized' }, [
      { to: 'registered', registrationNo: '2022370304A0000001' },
    ]);
    // Demands: two raised in 2022 (one closed in 2023), one in 2023.
    const open22 = await send('post', `/enterprises/${e4}/demands`, {
      kind: 'tech_problem',
      title: '铸件气孔',
    });
    const closed23 = await send('post', `/enterprises/${e4}/demands`, {
      kind: 'tech_problem',
      title: '热处理变形',
    });
    // Service records: 2022-06 and 23:30 on 31 December 2022 in Shanghai; 00:30 on 1 January 2023 there.
    for (const at of ['2022-06-10T09:00:00+08:00', '2022-12-31T23:30:00+08:00', '2023-01-01T00:30:00+08:00'])
      await send('post', `/enterprises/${e5}/service-records`, {
        kind: 'visit',
        at,
        participants: ['王总'],
        summary: '走访',
      });
    // Trackings: created_at is the database's time, so it is set by hand.
    const tr22 = await send('post', `/enterprises/${e5}/tracking`, {
      reasons: ['研发投入不足'],
      nextFollowUpAt: '2023-12-01',
    });
    const tr23 = await send('post', `/enterprises/${e6}/tracking`, {
      reasons: ['知识产权不足'],
      nextFollowUpAt: '2023-12-01',
    });
    await t.db.query(`UPDATE trackings SET created_at = '2022-05-01T00:00:00+08:00' WHERE id = $1`, [
      tr22.id,
    ]);
    await t.db.query(`UPDATE trackings SET created_at = '2023-03-01T00:00:00+08:00' WHERE id = $1`, [
      tr23.id,
    ]);

    setNow('2023-02-01T02:00:00Z');
    await send('patch', `/demands/${closed23.id}`, { status: 'closed' }, 200);
    setNow('2023-03-01T02:00:00Z');
    await send('post', `/enterprises/${e4}/demands`, {
      kind: 'talent_need',
      title: '招聘铸造工程师',
      headcount: 1,
    });
    void open22;

    // HNTE 2023: e2 applying; e4 re-certified 2023-05-01. Tech SME 2023: e5 registered.
    setNow('2023-06-15T02:00:00Z');
    await application(e2, { program: 'hnte', year: 2023, stage: 'preparing' });
    await application(e4, { program: 'hnte_recert', year: 2023, stage: 'publicized' }, [
      { to: 'certified', certificateNo: 'GR202337000002', issuedAt: '2023-05-01' },
    ]);
    await application(e5, { program: 'tech_sme', year: 2023, stage: 'publicized' }, [
      { to: 'registered', registrationNo: '2023370304A0000002' },
    ]);
    expectStatus(await t.http.delete(`${API}/enterprises/${gone}`).set(admin), 204);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives each figure of the current year against the year before, with the change in percent', async () => {
    const res = await overview(2023);
    expectStatus(res, 200);
    const f = (value: number | null, previous: number | null, changePct: number | null) => ({
      value,
      previous,
      changePct,
      target: null,
      progressPct: null,
    });
    expect(res.body).toEqual({
      year: 2023,
      asOf: '2023-06-15',
      metrics: {
        contractsSigned: f(1, 2, -50),
        hnteApplicants: f(2, 1, 100),
        hnteNewlyCertified: f(1, 1, 0),
        hnteInForce: f(2, 1, 100),
        tsmeRegistered: f(1, 1, 0),
        poolPriority: f(2, null, null),
        poolMediumTerm: f(1, null, null),
        tracking: f(1, 1, 0),
        openDemands: f(2, 2, 0),
        serviceRecords: f(1, 2, -50),
      },
    });

    // A past year is taken on 31 December; today's pool is not its pool.
    const past = await overview(2022);
    expectStatus(past, 200);
    expect(past.body.asOf).toBe('2022-12-31');
    expect(past.body.metrics.contractsSigned).toMatchObject({ value: 2, previous: 0, changePct: null });
    expect(past.body.metrics.hnteInForce).toMatchObject({ value: 1, previous: 0 });
    expect(past.body.metrics.openDemands).toMatchObject({ value: 2, previous: 0 });
    expect(past.body.metrics.poolPriority).toMatchObject({ value: null, previous: null });
  });

  it('sets targets (admins only, partial, audited, If-Match) and shows progress against them', async () => {
    const none = await t.http.get(`${API}/targets/2023`).set(viewer);
    expectStatus(none, 200);
    expect(none.body).toMatchObject({ year: 2023, version: 0, updatedAt: null });
    expect(Object.values(none.body.targets)).toEqual(Array(10).fill(null));

    const set = await putTargets(2023, { contractsSigned: 4, hnteInForce: 5 });
    expectStatus(set, 200);
    expect(set.headers.etag).toBe('"1"');
    expect(set.body).toMatchObject({
      year: 2023,
      version: 1,
      targets: { contractsSigned: 4, hnteInForce: 5, tracking: null },
    });

    let res = await overview(2023);
    expect(res.body.metrics.contractsSigned).toEqual({
      value: 1,
      previous: 2,
      changePct: -50,
      target: 4,
      progressPct: 25,
    });
    expect(res.body.metrics.hnteInForce).toMatchObject({ target: 5, progressPct: 40 });

    // Partial: what is not named stays; null removes one.
    expect((await putTargets(2023, { tracking: 3 }, admin, '"0"')).status).toBe(412);
    const second = await putTargets(2023, { contractsSigned: null, tracking: 3 }, admin, '"1"');
    expectStatus(second, 200);
    expect(second.body).toMatchObject({
      version: 2,
      targets: { contractsSigned: null, hnteInForce: 5, tracking: 3 },
    });
    res = await overview(2023);
    expect(res.body.metrics.contractsSigned).toMatchObject({ target: null, progressPct: null });
    expect(res.body.metrics.tracking).toMatchObject({ value: 1, target: 3, progressPct: 33.3 });
    // The same again changes nothing.
    expect((await putTargets(2023, { tracking: 3 })).body.version).toBe(2);

    const audit = await t.http.get(`${API}/audit`).query({ entity: 'targets', entityId: '2023' }).set(admin);
    expect(audit.body.data.map((e: Body) => [e.action, e.changes])).toEqual([
      ['update', { contractsSigned: [4, null], tracking: [null, 3] }],
      ['create', { contractsSigned: [null, 4], hnteInForce: [null, 5] }],
    ]);

    expect((await putTargets(2023, { tracking: 1 }, officer)).status).toBe(403);
    expect((await putTargets(2023, { tracking: 1 }, viewer)).status).toBe(403);
  });

  it('refuses unknown metric names, negative and fractional targets, an empty body and a bad year, naming them', async () => {
    const bad = await putTargets(2023, {
      bogus: 1,
      hnteApplicants: -1,
      tracking: 1.5,
      openDemands: '3',
      serviceRecords: 10,
    });
    expectStatus(bad, 400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors.map((e: Body) => e.field).sort()).toEqual([
      'bogus',
      'hnteApplicants',
      'openDemands',
      'tracking',
    ]);
    const empty = await putTargets(2023, {});
    expectStatus(empty, 400);
    expect(empty.body.errors.map((e: Body) => e.field)).toEqual(['body']);
    expect((await putTargets(1989, { tracking: 1 })).status).toBe(400);
    expect((await putTargets('20x3', { tracking: 1 })).status).toBe(400);
    expect((await t.http.get(`${API}/targets/2023`).set(viewer)).body.targets.serviceRecords).toBeNull();

    for (const year of ['', 'abc', '1989', '2101', '2022.5']) {
      const res = await t.http
        .get(`${API}/stats/overview`)
        .query(year ? { year } : {})
        .set(viewer);
      expectStatus(res, 400);
      expect([...new Set(res.body.errors.map((e: Body) => e.field))]).toEqual(['year']);
    }
  });

  it('serves the overview as an .xlsx workbook (概览) with the same figures', async () => {
    const res = await t.http
      .get(`${API}/stats/overview`)
      .query({ year: 2023, format: 'xlsx' })
      .set(viewer)
      .buffer(true)
      .parse(binary as never);
    expectStatus(res, 200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="overview-2023\.xlsx"; filename\*=UTF-8''/,
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    const sheet = book.getWorksheet('概览')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      '指标',
      '代码',
      '2023年',
      '2022年',
      '同比（%）',
      '目标',
      '完成率（%）',
      '统计口径',
    ]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect((sheet.getRow(2).values as unknown[]).slice(1, 8)).toEqual(
      ['签订科技服务合同', 'contractsSigned', 1, 2, -50, null, null].map((v) => v ?? undefined),
    );
    const tracking = (sheet.getSheetValues() as unknown[][]).find((r) => r?.[2] === 'tracking')!;
    expect(tracking.slice(3, 8)).toEqual([1, 1, 0, 3, 33.3]);
    expect(sheet.getColumn(8).width).toBe(70);
  });
});
