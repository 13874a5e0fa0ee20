// Follow-up tracking (挂号跟踪): registration with explicit, calendar-date and derived dates,
// one open tracking per enterprise, contact logs moving the next date, due filters computed in
// APP_TIMEZONE at a controlled clock, close and promote, closing on certification, the
// suggestions list, the officer rule, validation and the audit trail.
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock.js';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

type Who = Record<string, string>;
type Body = Record<string, unknown>;

const freshCode = creditCodes('91370304T', 5000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

function expectProblem(res: Response, status: number, slug?: string): void {
  expectStatus(res, status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  if (slug) expect(res.body.type).toBe(`/problems/${slug}`);
}

/** A 400 whose `errors` name exactly these fields. */
function expectInvalid(res: Response, fields: string[]): void {
  expectProblem(res, 400, 'validation');
  const named = [...new Set<string>(res.body.errors.map((e: { field: string }) => e.field))].sort();
  expect(named).toEqual([...new Set(fields)].sort());
}

describe('follow-up tracking (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let officerA: { id: string; who: Who };
  let officerB: { id: string; who: Who };
  let viewer: Who;
  let viewerId: string;
  const events: DomainEvent[] = [];

  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));
  const createEnterprise = async (body: Body = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name: `跟踪企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body.id;
  };
  const register = (enterpriseId: string, body: Body, who: Who = admin) =>
    t.http.post(`${API}/enterprises/${enterpriseId}/tracking`).set(who).send(body);
  const registered = async (enterpriseId: string, body: Body = {}, who: Who = admin) => {
    const res = await register(
      enterpriseId,
      { reasons: ['研发投入不足'], nextFollowUpAt: '2026-12-01', ...body },
      who,
    );
    expectStatus(res, 201);
    return res.body as Body & { id: string; version: number };
  };
  const patch = (id: string, body: Body, who: Who = admin) =>
    t.http.patch(`${API}/tracking/${id}`).set(who).send(body);
  const log = (id: string, body: Body, who: Who = admin) =>
    t.http.post(`${API}/tracking/${id}/logs`).set(who).send(body);
  const list = async (query: string): Promise<Body[]> => {
    const res = await t.http.get(`${API}/tracking?${query}`).set(admin);
    expectStatus(res, 200);
    return res.body.data;
  };
  const auditOf = (entity: string, entityId: string) =>
    t.db.query<{
      action: string;
      actor_type: string;
      actor_id: string | null;
      changes: Record<string, [unknown, unknown]>;
    }>(
      `SELECT action, actor_type, actor_id, changes FROM audit_entries WHERE entity = $1 AND entity_id = $2 ORDER BY id`,
      [entity, entityId],
    );

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    const [a, b, v] = await Promise.all([t.staff('officer'), t.staff('officer'), t.staff('viewer')]);
    officerA = { id: a.id, who: { authorization: a.auth } };
    officerB = { id: b.id, who: { authorization: b.auth } };
    viewer = { authorization: v.auth };
    viewerId = v.id;
    t.app.get(DomainEvents).subscribe((e) => {
      events.push(e);
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => setNow('2026-11-27T02:00:00Z'));

  describe('registration', () => {
    it('registers with reasons, criteria and a cadence; the officer defaults to the enterprise’s; audited', async () => {
      const enterpriseId = await createEnterprise({ officerId: officerA.id, street: '城东街道' });
      const res = await register(
        enterpriseId,
        {
          reasons: ['研发费用占比不足', '缺少一类知识产权'],
          criteria: ['rd_expense_ratio', 'core_ip'],
          cadenceDays: 30,
          nextFollowUpAt: '2026-12-05T10:00:00+08:00',
        },
        officerA.who,
      );
      expectStatus(res, 201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_RE),
        enterpriseId,
        enterpriseName: expect.any(String),
        street: '城东街道',
        officerId: officerA.id,
        reasons: ['研发费用占比不足', '缺少一类知识产权'],
        criteria: ['rd_expense_ratio', 'core_ip'],
        cadenceDays: 30,
        nextFollowUpAt: '2026-12-05T02:00:00.000Z',
        notifyEnterprise: true,
        status: 'open',
        closedReason: null,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const audit = await auditOf('tracking', res.body.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'create', actor_type: 'user', actor_id: officerA.id });
      expect(audit[0].changes.reasons).toEqual([null, ['研发费用占比不足', '缺少一类知识产权']]);
      expect(audit[0].changes.enterpriseId).toEqual([null, enterpriseId]);
      expect(events).toContainEqual({ type: 'tracking.changed', trackingId: res.body.id, enterpriseId });

      const got = await t.http.get(`${API}/tracking/${res.body.id}`).set(viewer);
      expectStatus(got, 200);
      expect(got.body).toMatchObject({ id: res.body.id, logs: [] });
    });

    it('takes a calendar date as the start of that day in Asia/Shanghai, not UTC and not 09:00', async () => {
      const enterpriseId = await createEnterprise();
      const body = await registered(enterpriseId, { nextFollowUpAt: '2026-12-15' });
      expect(body.nextFollowUpAt).toBe('2026-12-14T16:00:00.000Z');
    });

    it('defaults the officer to the caller when the enterprise has none, and takes an explicit one', async () => {
      const unassigned = await createEnterprise();
      expect((await registered(unassigned, {}, officerB.who)).officerId).toBe(officerB.id);
      const other = await createEnterprise({ officerId: officerA.id });
      expect((await registered(other, { officerId: officerB.id })).officerId).toBe(officerB.id);
    });

    it('derives the date from the first registration anniversary and records why', async () => {
      const enterpriseId = await createEnterprise({ registeredAt: '2025-12-20' });
      const body = await registered(enterpriseId, {
        nextFollowUpAt: undefined,
        watch: 'registration_anniversary',
      });
      expect(body.nextFollowUpAt).toBe('2026-12-19T16:00:00.000Z');
      const [entry] = await auditOf('tracking', body.id);
      expect(entry.changes.watch).toEqual([null, 'registration_anniversary']);

      const noDate = await createEnterprise();
      expectInvalid(await register(noDate, { reasons: ['x'], watch: 'registration_anniversary' }), ['watch']);
    });

    it('derives the financial year end from today in Shanghai, across the new-year boundary', async () => {
      setNow('2026-12-31T15:59:00Z'); // 23:59 on 31 Dec in Shanghai
      const first = await registered(await createEnterprise(), {
        nextFollowUpAt: undefined,
        watch: 'financial_year_end',
      });
      expect(first.nextFollowUpAt).toBe('2026-12-30T16:00:00.000Z');
      setNow('2026-12-31T16:00:00Z'); // already 1 Jan 2027 in Shanghai, still 2026 in UTC
      const second = await registered(await createEnterprise(), {
        nextFollowUpAt: undefined,
        watch: 'financial_year_end',
      });
      expect(second.nextFollowUpAt).toBe('2027-12-30T16:00:00.000Z');
    });

    it('allows one open tracking per enterprise (409 naming it), and a new one once it is closed', async () => {
      const enterpriseId = await createEnterprise();
      const first = await registered(enterpriseId);
      const again = await register(enterpriseId, { reasons: ['再次'], nextFollowUpAt: '2026-12-02' });
      expectProblem(again, 409);
      expect(again.body.existingId).toBe(first.id);
      expectStatus(await patch(first.id, { status: 'closed', reason: '企业暂无意向' }), 200);
      const next = await registered(enterpriseId);
      expect(next.id).not.toBe(first.id);
    });

    it('names every bad field', async () => {
      const enterpriseId = await createEnterprise();
      expectInvalid(
        await register(enterpriseId, {
          reasons: [],
          criteria: ['rd_expense_ratio', 'charisma'],
          officerId: 'someone',
          cadenceDays: 0,
          nextFollowUpAt: '2026-13-01',
          notifyEnterprise: 'yes',
        }),
        ['reasons', 'criteria', 'officerId', 'cadenceDays', 'nextFollowUpAt', 'notifyEnterprise'],
      );
      expectInvalid(await register(enterpriseId, { reasons: ['x'] }), ['nextFollowUpAt']);
      expectInvalid(
        await register(enterpriseId, {
          reasons: ['x'],
          nextFollowUpAt: '2026-12-01',
          watch: 'financial_year_end',
        }),
        ['watch'],
      );
      expectInvalid(await register(enterpriseId, { reasons: ['x'], watch: 'birthday', cadenceDays: 367 }), [
        'watch',
        'cadenceDays',
      ]);
      expectInvalid(
        await register(enterpriseId, { reasons: ['x'], nextFollowUpAt: '2026-12-01', colour: 'red' }),
        ['colour'],
      );
      expectInvalid(
        await register(enterpriseId, { reasons: ['x'], nextFollowUpAt: '2026-12-01', officerId: viewerId }),
        ['officerId'],
      );
      expectProblem(await register(UNKNOWN_ID, { reasons: ['x'], nextFollowUpAt: '2026-12-01' }), 404);
      expect(await t.db.query('SELECT 1 FROM trackings WHERE enterprise_id = $1', [enterpriseId])).toEqual(
        [],
      );
    });
  });

  describe('logs', () => {
    it('moves the next date to the given one, else at + cadence; lists logs newest first; audited', async () => {
      const tracking = await registered(await createEnterprise(), { cadenceDays: 14 });
      const given = await log(tracking.id, {
        at: '2026-11-20T09:30:00+08:00',
        channel: 'visit',
        summary: '走访了解研发投入',
        outcome: '同意建立研发辅助账',
        nextFollowUpAt: '2027-01-05',
      });
      expectStatus(given, 201);
      expect(given.body).toMatchObject({
        trackingId: tracking.id,
        at: '2026-11-20T01:30:00.000Z',
        channel: 'visit',
        outcome: '同意建立研发辅助账',
        nextFollowUpAt: '2027-01-04T16:00:00.000Z',
        actor: { type: 'user', id: expect.any(String) },
      });
      let got = await t.http.get(`${API}/tracking/${tracking.id}`).set(admin);
      expect(got.body).toMatchObject({ nextFollowUpAt: '2027-01-04T16:00:00.000Z', version: 2 });

      const byCadence = await log(tracking.id, {
        at: '2026-11-25T22:00:00+08:00',
        channel: 'call',
        summary: '电话回访',
      });
      expectStatus(byCadence, 201);
      expect(byCadence.body.nextFollowUpAt).toBe('2026-12-09T14:00:00.000Z');
      expect(byCadence.body.outcome).toBeNull();

      // Without `at`, the contact is now (the controlled clock).
      const now = await log(tracking.id, { channel: 'wechat', summary: '微信沟通' });
      expectStatus(now, 201);
      expect(Date.parse(now.body.at) - Date.parse('2026-11-27T02:00:00Z')).toBeLessThan(10_000);
      expect(now.body.at >= '2026-11-27T02:00:00.000Z').toBe(true);

      got = await t.http.get(`${API}/tracking/${tracking.id}`).set(admin);
      expect(got.body.logs.map((l: Body) => l.channel)).toEqual(['wechat', 'call', 'visit']);
      expect(got.body.version).toBe(4);
      const audit = await auditOf('tracking', tracking.id);
      expect(audit.map((a) => a.action)).toEqual(['create', 'log', 'log', 'log']);
      expect(audit[1].changes.nextFollowUpAt).toEqual([
        '2026-11-30T16:00:00.000Z',
        '2027-01-04T16:00:00.000Z',
      ]);
    });

    it('needs nextFollowUpAt without a cadence, names every bad field, and refuses a closed tracking', async () => {
      const tracking = await registered(await createEnterprise());
      expectInvalid(await log(tracking.id, { channel: 'call', summary: '电话' }), ['nextFollowUpAt']);
      expectInvalid(
        await log(tracking.id, { at: 'yesterday', channel: 'fax', summary: '', nextFollowUpAt: 'soon' }),
        ['at', 'channel', 'summary', 'nextFollowUpAt'],
      );
      expect(await t.db.query('SELECT 1 FROM tracking_logs WHERE tracking_id = $1', [tracking.id])).toEqual(
        [],
      );
      expectStatus(await patch(tracking.id, { status: 'closed', reason: '停止跟踪' }), 200);
      expectProblem(
        await log(tracking.id, { channel: 'call', summary: '电话', nextFollowUpAt: '2027-01-01' }),
        409,
      );
      expectProblem(
        await log(UNKNOWN_ID, { channel: 'call', summary: '电话', nextFollowUpAt: '2027-01-01' }),
        404,
      );
    });
  });

  describe('lists and due filters', () => {
    it('filters overdue / today / week by days in Shanghai, across the day boundary', async () => {
      const street = `到期街道${process.pid}`;
      const at = async (name: string, next: string) => {
        const id = await createEnterprise({ street, name: `${name}${process.pid}` });
        return { enterpriseId: id, id: (await registered(id, { nextFollowUpAt: next })).id };
      };
      await at('A', '2026-06-09T15:59:59Z'); // 9 Jun 23:59:59 Shanghai
      await at('B', '2026-06-09T16:00:00Z'); // 10 Jun 00:00 Shanghai (still 9 Jun in UTC)
      await at('C', '2026-06-10T15:59:00Z'); // 10 Jun 23:59
      await at('D', '2026-06-10T16:00:00Z'); // 11 Jun 00:00
      const e = await at('E', '2026-06-16T15:59:00Z'); // 16 Jun 23:59
      await at('F', '2026-06-16T16:00:00Z'); // 17 Jun 00:00
      const closed = await at('G', '2026-06-01T00:00:00Z');
      expectStatus(await patch(closed.id, { status: 'closed', reason: '关闭' }), 200);
      const names = (rows: Body[]) =>
        rows.map((r) => String(r.enterpriseName).replace(String(process.pid), ''));

      setNow('2026-06-10T15:30:00Z'); // 23:30 on 10 Jun in Shanghai
      expect(names(await list(`street=${encodeURIComponent(street)}&due=overdue`))).toEqual(['A']);
      expect(names(await list(`street=${encodeURIComponent(street)}&due=today`))).toEqual(['B', 'C']);
      expect(names(await list(`street=${encodeURIComponent(street)}&due=week`))).toEqual([
        'B',
        'C',
        'D',
        'E',
      ]);

      setNow('2026-06-10T16:00:00Z'); // midnight: 11 Jun in Shanghai
      expect(names(await list(`street=${encodeURIComponent(street)}&due=overdue`))).toEqual(['A', 'B', 'C']);
      expect(names(await list(`street=${encodeURIComponent(street)}&due=today`))).toEqual(['D']);
      expect(names(await list(`street=${encodeURIComponent(street)}&due=week`))).toEqual(['D', 'E', 'F']);

      // Everything on the street, by next follow-up then id, in keyset pages with name and street.
      const seen: Body[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Response = await t.http
          .get(
            `${API}/tracking?street=${encodeURIComponent(street)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          )
          .set(viewer);
        expectStatus(res, 200);
        seen.push(...res.body.data);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(names(seen)).toEqual(['G', 'A', 'B', 'C', 'D', 'E', 'F']);
      expect(seen.every((r) => r.street === street)).toBe(true);
      expect(names(await list(`street=${encodeURIComponent(street)}&status=closed`))).toEqual(['G']);
      expect((await list(`enterpriseId=${e.enterpriseId}`)).map((r) => r.id)).toEqual([e.id]);
    });

    it('filters by officer and by updatedSince (ordered by update time), and refuses bad filters', async () => {
      const mine = await registered(await createEnterprise({ officerId: officerA.id }));
      const rows = await list(`officerId=${officerA.id}&limit=200`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.officerId === officerA.id)).toBe(true);
      expect(rows.map((r) => r.id)).toContain(mine.id);

      const since = new Date(Date.now() - 1000).toISOString();
      const later = await registered(await createEnterprise(), { nextFollowUpAt: '2020-01-01' });
      const changed = await list(`updatedSince=${since}&limit=200`);
      expect(changed.map((r) => r.id)).toContain(later.id);
      const updated = changed.map((r) => String(r.updatedAt));
      expect([...updated].sort()).toEqual(updated);
      expect(changed.every((r) => String(r.updatedAt) >= since)).toBe(true);

      const bad = await t.http
        .get(`${API}/tracking?due=tomorrow&status=paused&officerId=x&updatedSince=yesterday`)
        .set(admin);
      expectInvalid(bad, ['due', 'status', 'officerId', 'updatedSince']);
      expectInvalid(await t.http.get(`${API}/tracking?cursor=abc`).set(admin), ['cursor']);
      expectProblem(await t.http.get(`${API}/tracking/${UNKNOWN_ID}`).set(admin), 404);
    });
  });

  describe('changes, closing and promoting', () => {
    it('changes fields under If-Match, closes with a reason, and never reopens', async () => {
      const tracking = await registered(await createEnterprise());
      expectProblem(await patch(tracking.id, { cadenceDays: 7 }, { ...admin, 'if-match': '"9"' }), 412);
      const res = await t.http
        .patch(`${API}/tracking/${tracking.id}`)
        .set({ ...admin, 'if-match': '"1"' })
        .send({
          cadenceDays: 7,
          criteria: ['tech_staff_ratio'],
          notifyEnterprise: false,
          nextFollowUpAt: '2027-02-01',
        });
      expectStatus(res, 200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({
        cadenceDays: 7,
        criteria: ['tech_staff_ratio'],
        notifyEnterprise: false,
        nextFollowUpAt: '2027-01-31T16:00:00.000Z',
        version: 2,
      });
      expectInvalid(await patch(tracking.id, { status: 'closed' }), ['reason']);
      expectInvalid(await patch(tracking.id, { reason: '无状态' }), ['reason']);
      expectInvalid(await patch(tracking.id, { status: 'paused', reasons: [], cadenceDays: 400 }), [
        'status',
        'reasons',
        'cadenceDays',
      ]);
      const closed = await patch(tracking.id, { status: 'closed', reason: '企业迁出' });
      expectStatus(closed, 200);
      expect(closed.body).toMatchObject({ status: 'closed', closedReason: '企业迁出', version: 3 });
      const reopen = await patch(tracking.id, { status: 'open' });
      expectProblem(reopen, 409);
      expect(reopen.body.current).toBe('closed');
      expectProblem(await patch(tracking.id, { cadenceDays: 10 }), 409);
      const audit = await auditOf('tracking', tracking.id);
      expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'transition']);
      expect(audit[1].changes).toEqual({
        criteria: [[], ['tech_staff_ratio']],
        cadenceDays: [null, 7],
        nextFollowUpAt: ['2026-11-30T16:00:00.000Z', '2027-01-31T16:00:00.000Z'],
        notifyEnterprise: [true, false],
      });
      expect(audit[2].changes).toEqual({ status: ['open', 'closed'], closedReason: [null, '企业迁出'] });
    });

    it('promotes into the cultivation pool: the enterprise becomes reserve, audited', async () => {
      const enterpriseId = await createEnterprise({ officerId: officerA.id });
      const tracking = await registered(enterpriseId);
      const res = await patch(tracking.id, { status: 'promoted', reason: '研发投入达标' }, officerA.who);
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ status: 'promoted', closedReason: '研发投入达标' });
      const ent = await t.http.get(`${API}/enterprises/${enterpriseId}`).set(admin);
      expect(ent.body.status).toBe('reserve');
      const audit = await auditOf('enterprise', enterpriseId);
      expect(audit.at(-1)).toMatchObject({
        action: 'update',
        actor_id: officerA.id,
        changes: { status: ['prospect', 'reserve'] },
      });
      expect(events).toContainEqual({ type: 'enterprise.updated', enterpriseId, fields: ['status'] });
      expectProblem(await patch(tracking.id, { status: 'closed', reason: 'x' }), 409);
    });

    it('leaves a status an officer set by hand', async () => {
      const enterpriseId = await createEnterprise({ status: 'tracking' });
      const tracking = await registered(enterpriseId);
      expectStatus(await patch(tracking.id, { status: 'promoted', reason: '转入培育库' }), 200);
      const ent = await t.http.get(`${API}/enterprises/${enterpriseId}`).set(admin);
      expect(ent.body.status).toBe('tracking');
      const audit = await auditOf('enterprise', enterpriseId);
      expect(audit.filter((a) => a.action !== 'create')).toEqual([]);
    });

    it('closes the open tracking when the enterprise is certified, as the system', async () => {
      const enterpriseId = await createEnterprise();
      const tracking = await registered(enterpriseId);
      const untouched = await registered(await createEnterprise());
      await t.app.get(DomainEvents).publish({
        type: 'application.certified',
        applicationId: UNKNOWN_ID,
        enterpriseId,
        certificateNo: 'GR202637000001',
        validUntil: '2029-11-26',
      });
      const got = await t.http.get(`${API}/tracking/${tracking.id}`).set(admin);
      expect(got.body).toMatchObject({ status: 'closed', closedReason: 'certified', version: 2 });
      expect((await t.http.get(`${API}/tracking/${untouched.id}`).set(admin)).body.status).toBe('open');
      const audit = await auditOf('tracking', tracking.id);
      expect(audit.at(-1)).toMatchObject({
        action: 'transition',
        actor_type: 'system',
        actor_id: null,
        changes: { status: ['open', 'closed'], closedReason: [null, 'certified'] },
      });
      expect(events).toContainEqual({ type: 'tracking.changed', trackingId: tracking.id, enterpriseId });
    });
  });

  describe('suggestions', () => {
    it('lists not-ready enterprises without an open tracking, with their failing criteria, paginated', async () => {
      const assess = async (enterpriseId: string, failing: string[], assessedAt: string) => {
        const criteria = ['registration_age', 'core_ip', 'rd_expense_ratio'].map((code) => ({
          code,
          passed: !failing.includes(code),
        }));
        await t.db.query(
          `INSERT INTO readiness_assessments (enterprise_id, program, rule_set, assessment_date, verdict, eligible,
             score_min, score_max, result, inputs, result_hash, trigger, assessed_at)
           VALUES ($1, 'hnte', 'hnte-2016', '2026-11-01', 'not_ready', false, 40, 50, $2, '{}', $4, 'test', $3)`,
          [enterpriseId, JSON.stringify({ criteria }), assessedAt, `hash-${assessedAt}-${failing.join()}`],
        );
        await t.db.query(`UPDATE enterprises SET readiness_verdict = 'not_ready' WHERE id = $1`, [
          enterpriseId,
        ]);
      };
      const first = await createEnterprise({ street: '建议街道' });
      const second = await createEnterprise();
      const followed = await createEnterprise();
      const deleted = await createEnterprise();
      await assess(first, ['core_ip'], '2026-10-01T00:00:00Z');
      await assess(first, ['core_ip', 'rd_expense_ratio'], '2026-11-01T00:00:00Z');
      await assess(second, ['registration_age'], '2026-11-01T00:00:00Z');
      await assess(followed, ['core_ip'], '2026-11-01T00:00:00Z');
      await assess(deleted, ['core_ip'], '2026-11-01T00:00:00Z');
      await registered(followed);
      expectStatus(await t.http.delete(`${API}/enterprises/${deleted}`).set(admin), 204);

      const seen: Body[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Response = await t.http
          .get(`${API}/tracking/suggestions?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
          .set(viewer);
        expectStatus(res, 200);
        expect(res.body.data.length).toBeLessThanOrEqual(1);
        seen.push(...res.body.data);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      const byId = new Map(seen.map((s) => [s.enterpriseId, s]));
      expect([...byId.keys()].sort()).toEqual([first, second].sort());
      expect(byId.get(first)).toMatchObject({
        street: '建议街道',
        failingCriteria: ['core_ip', 'rd_expense_ratio'],
        assessedAt: '2026-11-01T00:00:00.000Z',
      });
      expect(byId.get(second)).toMatchObject({ failingCriteria: ['registration_age'] });
    });
  });

  describe('access', () => {
    it('refuses an officer on another officer’s enterprise and a viewer on every write', async () => {
      const enterpriseId = await createEnterprise({ officerId: officerA.id });
      expectProblem(
        await register(enterpriseId, { reasons: ['x'], nextFollowUpAt: '2026-12-01' }, officerB.who),
        403,
      );
      expectProblem(
        await register(enterpriseId, { reasons: ['x'], nextFollowUpAt: '2026-12-01' }, viewer),
        403,
      );
      const tracking = await registered(enterpriseId, {}, officerA.who);
      expectProblem(
        await log(tracking.id, { channel: 'call', summary: 'x', nextFollowUpAt: '2027-01-01' }, officerB.who),
        403,
      );
      expectProblem(await patch(tracking.id, { status: 'closed', reason: 'x' }, officerB.who), 403);
      expectProblem(
        await log(tracking.id, { channel: 'call', summary: 'x', nextFollowUpAt: '2027-01-01' }, viewer),
        403,
      );
      expectProblem(await patch(tracking.id, { cadenceDays: 3 }, viewer), 403);
      expectStatus(await t.http.get(`${API}/tracking/${tracking.id}`).set(viewer), 200);
      const after = await t.http.get(`${API}/tracking/${tracking.id}`).set(admin);
      expect(after.body).toMatchObject({ status: 'open', version: 1, logs: [] });
      expectStatus(
        await log(
          tracking.id,
          { channel: 'meeting', summary: '座谈', nextFollowUpAt: '2027-01-01' },
          officerA.who,
        ),
        201,
      );
    });
  });
});
