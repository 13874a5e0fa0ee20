// The half-year demand report (每半年梳理汇总): demands collected over two half-years at a set
// clock give exact counts (every value, zeros included) against the half-year before; the .xlsx
// opens with its sheets, Chinese headers, values and widths; freezing keeps the report as it was.
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { calendarDate, Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
type Who = Record<string, string>;
type Body = Record<string, unknown>;

const freshCode = creditCodes('91370304R', 9000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

const ZERO_DOMAINS = {
  electronic_information: 0,
  biomedicine: 0,
  aerospace: 0,
  new_materials: 0,
  high_tech_services: 0,
  new_energy: 0,
  resources_environment: 0,
  advanced_manufacturing: 0,
  unknown: 0,
};

/** Collects a binary body (supertest buffers only text by default). */
const binary = (
  res: NodeJS.ReadableStream & { setEncoding(e: string): void },
  done: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('half-year demand report (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let viewer: Who;
  const ids: Record<string, string> = {};

  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));
  const enterprise = async (name: string, street?: string) => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name, creditCode: freshCode(), ...(street && { street }) });
    expectStatus(res, 201);
    return res.body.id as string;
  };
  const demand = async (enterpriseId: string, body: Body) => {
    const res = await t.http.post(`${API}/enterprises/${enterpriseId}/demands`).set(admin).send(body);
    expectStatus(res, 201);
    return res.body.id as string;
  };
  const patch = async (id: string, body: Body) =>
    expectStatus(await t.http.patch(`${API}/demands/${id}`).set(admin).send(body), 200);
  const report = (period: string, who: Who = viewer) =>
    t.http.get(`${API}/reports/demands`).query({ period }).set(who);

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    viewer = { authorization: (await t.staff('viewer')).auth };
    const a = await enterprise('淄博山头耐材有限公司', '山头街道');
    const b = await enterprise('淄博城东陶瓷有限公司', '城东街道');
    const c = await enterprise('淄博无街道机械有限公司');

    // 2021H2, raised in September 2021 (the period defaults from the clock).
    setNow('2021-09-01T02:00:00Z');
    ids.a21 = await demand(a, {
      kind: 'tech_problem',
      title: '耐火砖热震稳定性差',
      techDomain: 'new_materials',
    });
    ids.b21 = await demand(b, { kind: 'talent_need', title: '招聘釉料工程师', headcount: 2 });

    // 2022H1.
    setNow('2022-03-01T02:00:00Z');
    ids.a1 = await demand(a, {
      kind: 'tech_problem',
      title: '高铝耐火材料抗折强度不足',
      techDomain: 'new_materials',
    });
    ids.a2 = await demand(a, {
      kind: 'tech_problem',
      title: '窑炉自动控制改造',
      techDomain: 'advanced_manufacturing',
      urgency: 'high',
    });
    ids.b1 = await demand(b, {
      kind: 'talent_need',
      title: '招聘窑炉工程师',
      headcount: 3,
      talentProfile: '热能专业本科',
    });
    ids.c1 = await demand(c, { kind: 'tech_problem', title: '齿轮箱异响' });
    await patch(ids.a2, { status: 'matched', partner: '清华大学' });
    await patch(ids.c1, { status: 'closed', note: '企业自行解决' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts the half-year by kind, status, domain and street, every value present, against the half-year before', async () => {
    const res = await report('2022H1');
    expectStatus(res, 200);
    expect(res.body.period).toBe('2022H1');
    expect(res.body.frozenAt).toBeNull();
    expect(res.body.totals).toEqual({
      byKind: { tech_problem: 3, talent_need: 1 },
      byStatus: { open: 2, matched: 1, resolved: 0, closed: 1 },
      byDomain: { ...ZERO_DOMAINS, new_materials: 1, advanced_manufacturing: 1, unknown: 2 },
      byStreet: { 城东街道: 1, 山头街道: 2, unknown: 1 },
    });
    // Streets in pinyin order, unknown last; kinds and statuses in their own order.
    expect(Object.keys(res.body.totals.byStreet)).toEqual(['城东街道', '山头街道', 'unknown']);
    expect(Object.keys(res.body.totals.byStatus)).toEqual(['open', 'matched', 'resolved', 'closed']);
    expect(Object.keys(res.body.totals.byDomain).at(-1)).toBe('unknown');
    expect(res.body.previous).toEqual({
      period: '2021H2',
      totals: {
        byKind: { tech_problem: 1, talent_need: 1 },
        byStatus: { open: 2, matched: 0, resolved: 0, closed: 0 },
        byDomain: { ...ZERO_DOMAINS, new_materials: 1, unknown: 1 },
        byStreet: { 城东街道: 1, 山头街道: 1, unknown: 0 },
      },
    });
    expect(res.body.change.byKind).toEqual({ tech_problem: 2, talent_need: 0 });
    expect(res.body.change.byStreet).toEqual({ 城东街道: 0, 山头街道: 1, unknown: 1 });
    expect(res.body.items.map((d: Body) => d.id)).toEqual([ids.a1, ids.a2, ids.b1, ids.c1]);
    expect(res.body.items[1]).toMatchObject({
      enterpriseName: '淄博山头耐材有限公司',
      street: '山头街道',
      status: 'matched',
      partner: '清华大学',
      period: '2022H1',
    });
    expect(res.body.items[3]).toMatchObject({ enterpriseName: '淄博无街道机械有限公司', street: null });

    // A half-year with nothing in it still lists every value at zero.
    const empty = await report('2030H1');
    expectStatus(empty, 200);
    expect(empty.body.totals).toEqual({
      byKind: { tech_problem: 0, talent_need: 0 },
      byStatus: { open: 0, matched: 0, resolved: 0, closed: 0 },
      byDomain: ZERO_DOMAINS,
      byStreet: { unknown: 0 },
    });
    expect(empty.body.items).toEqual([]);
  });

  it('serves the report as an .xlsx workbook: 汇总 and 明细 with Chinese headers, values, formats, widths and a frozen header', async () => {
    const res = await t.http
      .get(`${API}/reports/demands`)
      .query({ period: '2022H1', format: 'xlsx' })
      .set(viewer)
      .buffer(true)
      .parse(binary as never);
    expectStatus(res, 200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="demands-2022H1.xlsx"; filename*=UTF-8''${encodeURIComponent('企业需求汇总-2022H1.xlsx')}`,
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['汇总', '明细']);

    const summary = book.getWorksheet('汇总')!;
    expect(summary.getRow(1).values).toEqual([
      undefined,
      '统计维度',
      '项目',
      '本期（2022H1）',
      '上期（2021H2）',
      '增减',
    ]);
    const rows = (summary.getSheetValues() as unknown[][]).slice(2).map((r) => r.slice(1, 6));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['需求类型', '技术难题', 3, 1, 2],
        ['需求类型', '人才需求', 1, 1, 0],
        ['对接状态', '已对接', 1, 0, 1],
        ['对接状态', '已解决', 0, 0, 0],
        ['技术领域', '新材料', 1, 1, 0],
        ['技术领域', '航空航天', 0, 0, 0],
        ['技术领域', '未填写', 2, 1, 1],
        ['所属街道', '山头街道', 2, 1, 1],
        ['所属街道', '未填写', 1, 0, 1],
        ['合计', '', 4, 2, 2],
      ]),
    );
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(summary.getColumn(2).width).toBeGreaterThanOrEqual(20);

    const detail = book.getWorksheet('明细')!;
    expect((detail.getRow(1).values as unknown[]).slice(1)).toEqual([
      '企业名称',
      '所属街道',
      '需求类型',
      '需求标题',
      '需求描述',
      '技术领域',
      '需求人数',
      '人才要求',
      '紧急程度',
      '所属期间',
      '对接状态',
      '对接单位',
      '登记日期',
      '更新日期',
    ]);
    expect(detail.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(detail.rowCount).toBe(5);
    expect(detail.getColumn(1).width).toBe(32);
    expect(detail.getColumn(4).width).toBe(36);
    const second = detail.getRow(3);
    expect([
      second.getCell(1).value,
      second.getCell(2).value,
      second.getCell(3).value,
      second.getCell(4).value,
    ]).toEqual(['淄博山头耐材有限公司', '山头街道', '技术难题', '窑炉自动控制改造']);
    expect([
      second.getCell(6).value,
      second.getCell(9).value,
      second.getCell(11).value,
      second.getCell(12).value,
    ]).toEqual(['先进制造与自动化', '紧急', '已对接', '清华大学']);
    const talent = detail.getRow(4);
    expect(talent.getCell(7).value).toBe(3);
    expect(talent.getCell(7).numFmt).toBe('0');
    // The registration day (createdAt, the database's time, not the test clock's) as an Excel date.
    const day = calendarDate(new Date(), 'Asia/Shanghai');
    expect([day, calendarDate(new Date(Date.now() - 60_000), 'Asia/Shanghai')]).toContainEqual(
      (talent.getCell(13).value as Date).toISOString().slice(0, 10),
    );
    expect(talent.getCell(13).numFmt).toBe('yyyy-mm-dd');
  });

  it('freezes a half-year: later edits leave it as it was; freezing again is a 409 unless replace=true', async () => {
    setNow('2022-07-05T02:00:00Z');
    const before = (await report('2022H1')).body;
    const frozen = await t.http.post(`${API}/reports/demands/2022H1/freeze`).set(admin);
    expectStatus(frozen, 201);
    expect(frozen.body.frozenAt).toMatch(/^2022-07-05T02:00/);
    expect(frozen.body.frozenBy).toEqual({ type: 'user', id: expect.any(String) });
    expect(frozen.body.totals).toEqual(before.totals);

    // Later changes to the period: one more demand, one closed, one moved to another period.
    setNow('2022-07-10T02:00:00Z');
    const late = await demand(await firstEnterprise(), {
      kind: 'tech_problem',
      title: '补报的难题',
      period: '2022H1',
    });
    await patch(ids.a1, { status: 'closed' });
    await patch(ids.b1, { period: '2022H2' });

    const after = await report('2022H1');
    expectStatus(after, 200);
    expect(after.body).toEqual({ ...before, frozenAt: frozen.body.frozenAt, frozenBy: frozen.body.frozenBy });
    expect(after.body.items.map((d: Body) => d.id)).not.toContain(late);

    // The half-year after compares against the frozen counts, not today's.
    const next = await report('2022H2');
    expect(next.body.previous).toEqual({ period: '2022H1', totals: before.totals });
    expect(next.body.totals.byKind).toEqual({ tech_problem: 0, talent_need: 1 });

    const again = await t.http.post(`${API}/reports/demands/2022H1/freeze`).set(admin);
    expectStatus(again, 409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.frozenAt).toBe(frozen.body.frozenAt);

    const replaced = await t.http
      .post(`${API}/reports/demands/2022H1/freeze`)
      .query({ replace: 'true' })
      .set(admin);
    expectStatus(replaced, 200);
    expect(replaced.body.frozenAt).toMatch(/^2022-07-10T02:00/);
    expect(replaced.body.totals.byKind).toEqual({ tech_problem: 4, talent_need: 0 });
    expect(replaced.body.totals.byStatus).toEqual({ open: 1, matched: 1, resolved: 0, closed: 2 });
    expect((await report('2022H1')).body.totals).toEqual(replaced.body.totals);

    const audit = await t.http
      .get(`${API}/audit`)
      .query({ entity: 'demandReport', entityId: '2022H1' })
      .set(admin);
    expect(audit.body.data.map((e: Body) => e.action)).toEqual(['refreeze', 'freeze']);

    // Not before it begins; not by a reader; the period is checked.
    const future = await t.http.post(`${API}/reports/demands/2022H2/freeze`).set(admin);
    expectStatus(future, 201);
    expect((await t.http.post(`${API}/reports/demands/2023H1/freeze`).set(admin)).status).toBe(400);
    expect((await t.http.post(`${API}/reports/demands/2022H1/freeze`).set(viewer)).status).toBe(403);
    const bad = await t.http.post(`${API}/reports/demands/2022H3/freeze`).set(admin);
    expectStatus(bad, 400);
    expect(bad.body.errors).toEqual([{ field: 'period', message: expect.any(String) }]);
  });

  it('refuses a missing or malformed period and an unknown format, naming them', async () => {
    const missing = await t.http.get(`${API}/reports/demands`).set(viewer);
    expectStatus(missing, 400);
    expect(missing.body.errors.map((e: Body) => e.field)).toEqual(['period']);
    const bad = await t.http
      .get(`${API}/reports/demands`)
      .query({ period: '2022-H1', format: 'pdf' })
      .set(viewer);
    expectStatus(bad, 400);
    expect(bad.body.errors.map((e: Body) => e.field).sort()).toEqual(['format', 'period']);
  });

  async function firstEnterprise(): Promise<string> {
    const [{ id }] = await t.db.query<{ id: string }>(
      `SELECT id FROM enterprises WHERE name = '淄博山头耐材有限公司'`,
    );
    return id;
  }
});
