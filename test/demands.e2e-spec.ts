// Enterprise demands (技术难题 / 人才需求): create with the kind's rules and the default half-year in
// APP_TIMEZONE, the near-duplicate flag, demand.created after commit, lists with filters and
// cursors, status moves with history, If-Match, the officer rule, validation and the audit trail.
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock.js';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const UNKNOWN_ID = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

type Who = Record<string, string>;
type Body = Record<string, unknown>;

const freshCode = creditCodes('91370304D', 7000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

function expectInvalid(res: Response, fields: string[]): void {
  expectStatus(res, 400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const named = [...new Set<string>(res.body.errors.map((e: { field: string }) => e.field))].sort();
  expect(named).toEqual([...new Set(fields)].sort());
}

describe('demands (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let officerA: { id: string; who: Who };
  let officerB: { id: string; who: Who };
  let viewer: Who;
  const events: DomainEvent[] = [];

  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));
  const createEnterprise = async (body: Body = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name: `需求企业${freshCode.made + 1}有限公司`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body.id;
  };
  const post = (enterpriseId: string, body: Body, who: Who = admin) =>
    t.http.post(`${API}/enterprises/${enterpriseId}/demands`).set(who).send(body);
  const created = async (enterpriseId: string, body: Body = {}, who: Who = admin) => {
    const res = await post(enterpriseId, { kind: 'tech_problem', title: '窑炉能耗偏高', ...body }, who);
    expectStatus(res, 201);
    return res.body as Body & { id: string; version: number };
  };
  const patch = (id: string, body: Body, who: Who = admin, ifMatch?: string) => {
    const req = t.http.patch(`${API}/demands/${id}`).set(who);
    if (ifMatch) req.set('if-match', ifMatch);
    return req.send(body);
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    const [a, b, v] = await Promise.all([t.staff('officer'), t.staff('officer'), t.staff('viewer')]);
    officerA = { id: a.id, who: { authorization: a.auth } };
    officerB = { id: b.id, who: { authorization: b.auth } };
    viewer = { authorization: v.auth };
    t.app.get(DomainEvents).subscribe((e) => {
      events.push(e);
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a technical problem and a talent need, the period defaulting to the half-year of today in APP_TIMEZONE', async () => {
    // 30 June 16:30 UTC is already 1 July in Shanghai: the second half-year.
    setNow('2022-06-30T16:30:00Z');
    const enterpriseId = await createEnterprise({ street: '山头街道' });
    const problem = await created(enterpriseId, {
      title: '高铝耐火材料高温抗折强度不足',
      description: '1400℃下抗折强度低于国标',
      techDomain: 'new_materials',
      urgency: 'high',
    });
    expect(problem).toEqual({
      id: expect.any(String),
      enterpriseId,
      enterpriseName: expect.stringMatching(/^需求企业/),
      street: '山头街道',
      kind: 'tech_problem',
      title: '高铝耐火材料高温抗折强度不足',
      description: '1400℃下抗折强度低于国标',
      techDomain: 'new_materials',
      headcount: null,
      talentProfile: null,
      urgency: 'high',
      period: '2022H2',
      status: 'open',
      partner: null,
      possibleDuplicateOf: [],
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      history: [
        {
          from: null,
          to: 'open',
          at: expect.stringMatching(/^2022-06-30T16:30:00\.\d{3}Z$/),
          by: { type: 'user', id: expect.any(String) },
          note: null,
        },
      ],
    });

    const talent = await created(enterpriseId, {
      kind: 'talent_need',
      title: '招聘材料工程师',
      headcount: 3,
      talentProfile: '材料学硕士，三年以上耐材经验',
      period: '2022H1',
    });
    expect(talent).toMatchObject({ kind: 'talent_need', headcount: 3, urgency: 'normal', period: '2022H1' });
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'demand.created', demandId: problem.id, enterpriseId },
        { type: 'demand.created', demandId: talent.id, enterpriseId },
      ]),
    );

    const audit = await t.http
      .get(`${API}/audit`)
      .query({ entity: 'demand', entityId: talent.id })
      .set(admin);
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        action: 'create',
        changes: expect.objectContaining({
          kind: [null, 'talent_need'],
          headcount: [null, 3],
          enterpriseId: [null, enterpriseId],
        }),
      }),
    ]);
  });

  it('refuses bad input naming every field: the kind’s rules, enums, the period, unknown fields', async () => {
    const enterpriseId = await createEnterprise();
    expectInvalid(await post(enterpriseId, { kind: 'talent_need', title: '招聘' }), ['headcount']);
    expectInvalid(
      await post(enterpriseId, { kind: 'tech_problem', title: '难题', headcount: 2, talentProfile: '博士' }),
      ['headcount', 'talentProfile'],
    );
    expectInvalid(
      await post(enterpriseId, {
        kind: 'idea',
        title: '  ',
        urgency: 'urgent',
        period: '2022H3',
        techDomain: 'steel',
        partner: '清华大学',
      }),
      ['kind', 'title', 'urgency', 'period', 'techDomain', 'partner'],
    );
    expectInvalid(await post(enterpriseId, { kind: 'talent_need', title: '招聘', headcount: 0 }), [
      'headcount',
    ]);
    expectInvalid(await post(enterpriseId, { kind: 'talent_need', title: '招聘', headcount: 2.5 }), [
      'headcount',
    ]);
    expectInvalid(await post(enterpriseId, { kind: 'tech_problem', title: '难题', period: '1989H2' }), [
      'period',
    ]);
    expect((await post(UNKNOWN_ID, { kind: 'tech_problem', title: '难题' })).status).toBe(404);
    const [{ n }] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM demands WHERE enterprise_id = $1',
      [enterpriseId],
    );
    expect(n).toBe(0);
  });

  it('flags near-duplicate titles of the same enterprise and period, and only those', async () => {
    setNow('2023-03-01T02:00:00Z');
    const enterpriseId = await createEnterprise();
    const other = await createEnterprise();
    const first = await created(enterpriseId, { title: '陶瓷釉料配方优化（耐磨）' });
    const second = await created(enterpriseId, { title: ' 陶瓷釉料配方优化 耐磨！' });
    expect(second.possibleDuplicateOf).toEqual([first.id]);
    // Another enterprise, another period, another title: not flagged.
    expect((await created(other, { title: '陶瓷釉料配方优化（耐磨）' })).possibleDuplicateOf).toEqual([]);
    expect(
      (await created(enterpriseId, { title: '陶瓷釉料配方优化（耐磨）', period: '2022H2' }))
        .possibleDuplicateOf,
    ).toEqual([]);
    const third = await created(enterpriseId, { title: '招聘窑炉操作工', kind: 'talent_need', headcount: 2 });
    expect(third.possibleDuplicateOf).toEqual([]);
    // Retitled to a near-duplicate: flagged against both.
    const retitled = await patch(third.id, { title: '陶瓷釉料配方优化-耐磨' });
    expectStatus(retitled, 200);
    expect([...retitled.body.possibleDuplicateOf].sort()).toEqual([first.id, second.id].sort());
  });

  it('moves open → matched (with a partner) → resolved, keeps the history, and refuses illegal moves with allowed', async () => {
    setNow('2023-04-01T02:00:00Z');
    const enterpriseId = await createEnterprise();
    const d = await created(enterpriseId);

    const skip = await patch(d.id, { status: 'resolved' });
    expectStatus(skip, 409);
    expect(skip.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(skip.body).toMatchObject({
      type: '/problems/illegal-transition',
      from: 'open',
      to: 'resolved',
      allowed: ['matched', 'closed'],
    });
    expectInvalid(await patch(d.id, { status: 'matched' }), ['partner']);
    expectInvalid(await patch(d.id, { note: '无状态变化' }), ['note']);

    setNow('2023-04-02T02:00:00Z');
    const matched = await patch(
      d.id,
      { status: 'matched', partner: '山东理工大学', note: '对接会' },
      admin,
      '"1"',
    );
    expectStatus(matched, 200);
    expect(matched.headers.etag).toBe('"2"');
    expect(matched.body).toMatchObject({ status: 'matched', partner: '山东理工大学', version: 2 });
    expectInvalid(await patch(d.id, { partner: null }), ['partner']);
    expect((await patch(d.id, { title: '改' }, admin, '"1"')).status).toBe(412);

    setNow('2023-05-02T02:00:00Z');
    expectStatus(await patch(d.id, { status: 'resolved', note: '工艺改进完成' }), 200);
    const back = await patch(d.id, { status: 'open' });
    expectStatus(back, 409);
    expect(back.body.allowed).toEqual([]);

    const got = await t.http.get(`${API}/demands/${d.id}`).set(viewer);
    expectStatus(got, 200);
    expect(got.headers.etag).toBe('"3"');
    expect(got.body.history.map((h: Body) => [h.from, h.to, String(h.at).slice(0, 16), h.note])).toEqual([
      [null, 'open', '2023-04-01T02:00', null],
      ['open', 'matched', '2023-04-02T02:00', '对接会'],
      ['matched', 'resolved', '2023-05-02T02:00', '工艺改进完成'],
    ]);
    const audit = await t.http.get(`${API}/audit`).query({ entity: 'demand', entityId: d.id }).set(admin);
    expect(audit.body.data.map((e: Body) => e.action)).toEqual(['transition', 'transition', 'create']);

    // open → closed directly.
    const dropped = await created(enterpriseId, { title: '另一个难题' });
    expectStatus(await patch(dropped.id, { status: 'closed', note: '企业自行解决' }), 200);
    expect((await patch(dropped.id, { headcount: 2 })).status).toBe(400);
  });

  it('lists with filters and keyset pages, per enterprise too', async () => {
    setNow('2024-02-01T02:00:00Z');
    const east = await createEnterprise({ street: '城东街道' });
    const west = await createEnterprise({ street: '城西街道' });
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await created(east, { title: `电机效率提升${i}号方案`, techDomain: 'new_energy' })).id);
    const talent = await created(west, { kind: 'talent_need', title: '招聘电气工程师', headcount: 1 });

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await t.http
        .get(`${API}/demands`)
        .query({ period: '2024H1', limit: 2, ...(cursor && { cursor }) })
        .set(viewer);
      expectStatus(res, 200);
      pages.push(...res.body.data.map((d: Body) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([...made, talent.id]);

    const ids = async (query: Body, url = `${API}/demands`) => {
      const res = await t.http.get(url).query(query).set(viewer);
      expectStatus(res, 200);
      return res.body.data.map((d: Body) => d.id);
    };
    expect(await ids({ period: '2024H1', kind: 'talent_need' })).toEqual([talent.id]);
    expect(await ids({ period: '2024H1', street: '城西街道' })).toEqual([talent.id]);
    expect(await ids({ period: '2024H1', techDomain: 'new_energy' })).toEqual(made);
    expect(await ids({ period: '2024H1', q: '3号' })).toEqual([made[3]]);
    expect(await ids({ q: '电气工程' })).toEqual([talent.id]);
    expect(await ids({ q: '%' })).toEqual([]);
    expect(await ids({ enterpriseId: west })).toEqual([talent.id]);
    expect(await ids({ status: 'open' }, `${API}/enterprises/${west}/demands`)).toEqual([talent.id]);
    expect(await ids({ status: 'closed' }, `${API}/enterprises/${west}/demands`)).toEqual([]);
    expect((await t.http.get(`${API}/enterprises/${UNKNOWN_ID}/demands`).set(viewer)).status).toBe(404);
    expectInvalid(
      await t.http.get(`${API}/demands`).query({ kind: 'idea', period: '2024', status: 'done' }).set(viewer),
      ['kind', 'period', 'status'],
    );

    // updatedSince orders by update time: the one changed last comes last.
    const since = new Date(Date.now() - 1000).toISOString();
    expectStatus(await patch(made[0], { urgency: 'high' }), 200);
    const synced = await ids({ updatedSince: since, limit: 200 });
    expect(synced.at(-1)).toBe(made[0]);

    // A deleted enterprise's demands disappear with it.
    expectStatus(await t.http.delete(`${API}/enterprises/${west}`).set(admin), 204);
    expect(await ids({ period: '2024H1' })).toEqual(made);
    expect((await t.http.get(`${API}/demands/${talent.id}`).set(viewer)).status).toBe(404);
  });

  it('applies the officer rule: an officer writes only their own and unassigned enterprises’ demands; viewers none', async () => {
    const mine = await createEnterprise({ officerId: officerA.id });
    const d = await created(mine, {}, officerA.who);
    expect((await post(mine, { kind: 'tech_problem', title: '别人的' }, officerB.who)).status).toBe(403);
    expect((await patch(d.id, { urgency: 'low' }, officerB.who)).status).toBe(403);
    expect((await post(mine, { kind: 'tech_problem', title: '只读' }, viewer)).status).toBe(403);
    expectStatus(await patch(d.id, { urgency: 'low' }, officerA.who), 200);
    const unassigned = await createEnterprise();
    await created(unassigned, {}, officerB.who);
  });
});
