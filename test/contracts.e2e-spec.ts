// Service contracts (科技服务合同) with their items and progress, service records (走访 / 服务记录),
// and the enterprise timeline merging them with readiness changes: validation naming every bad
// field, status moves, unique contract numbers, list filters with keyset pages, the officer
// rule, and the audit trail.
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

type Who = Record<string, string>;
type Body = Record<string, unknown>;

const freshCode = creditCodes('91370304C');

function expectStatus(res: Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
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

let contractSerial = 0;
const contractBody = (overrides: Body = {}): Body => ({
  contractNo: `KJFW-${process.pid}-${++contractSerial}`,
  signedAt: '2025-03-01',
  startsAt: '2025-03-10',
  endsAt: '2025-12-31',
  amount: 50000,
  ...overrides,
});

describe('service contracts, service records and the timeline (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  let adminId: string;
  let officerA: { id: string; who: Who };
  let officerB: { id: string; who: Who };
  let viewer: Who;

  const createEnterprise = async (body: Body = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name: `合同企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body.id;
  };
  const postContract = (enterpriseId: string, body: Body, who: Who = admin) =>
    t.http.post(`${API}/enterprises/${enterpriseId}/contracts`).set(who).send(body);
  const patchContract = (id: string, body: Body, who: Who = admin) =>
    t.http.patch(`${API}/contracts/${id}`).set(who).send(body);
  const postRecord = (enterpriseId: string, body: Body, who: Who = admin) =>
    t.http.post(`${API}/enterprises/${enterpriseId}/service-records`).set(who).send(body);
  const auditOf = (entity: string, entityId: string) =>
    t.db.query<{ action: string; actor_type: string; actor_id: string; changes: Record<string, [unknown, unknown]> }>(
      `SELECT action, actor_type, actor_id, changes FROM audit_entries WHERE entity = $1 AND entity_id = $2 ORDER BY id`,
      [entity, entityId],
    );
  /** Every page of a list, following nextCursor. */
  const allPages = async (url: string, limit: number): Promise<{ pages: number; items: Body[] }> => {
    const items: Body[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep: string = url.includes('?') ? '&' : '?';
      const res: Response = await t.http
        .get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin);
      expectStatus(res, 200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.data);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    return { pages, items };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    adminId = (await t.db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`))[0].id;
    const [a, b, v] = await Promise.all([t.staff('officer'), t.staff('officer'), t.staff('viewer')]);
    officerA = { id: a.id, who: { authorization: a.auth } };
    officerB = { id: b.id, who: { authorization: b.auth } };
    viewer = { authorization: v.auth };
  });

  afterAll(async () => {
    await t?.close();
  });

  // ------------------------------------------------------------------------------------------
  describe('contracts', () => {
    it('records a contract with its service items, amount exact, and audits it', async () => {
      const enterpriseId = await createEnterprise();
      const res = await postContract(
        enterpriseId,
        contractBody({
          amount: 123456789012.34,
          officerId: officerA.id,
          acceptanceNotes: '按季度验收',
          items: [
            { description: '研发费用辅助账梳理', dueAt: '2025-06-30', criterion: 'rd_expense_ratio' },
            { description: '知识产权布局', dueAt: '2025-09-30', status: 'done', criterion: 'core_ip' },
            { description: '培训一次', dueAt: '2025-10-31', criterion: null },
          ],
        }),
      );
      expectStatus(res, 201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(UUID_RE),
          enterpriseId,
          officerId: officerA.id,
          signedAt: '2025-03-01',
          startsAt: '2025-03-10',
          endsAt: '2025-12-31',
          amount: 123456789012.34,
          status: 'draft',
          acceptanceNotes: '按季度验收',
          progress: { done: 1, total: 3, percent: 33 },
          version: 1,
        }),
      );
      expect(res.body.items.map((i: Body) => [i.description, i.dueAt, i.status, i.criterion])).toEqual([
        ['研发费用辅助账梳理', '2025-06-30', 'pending', 'rd_expense_ratio'],
        ['知识产权布局', '2025-09-30', 'done', 'core_ip'],
        ['培训一次', '2025-10-31', 'pending', null],
      ]);
      expect(res.body.items.every((i: Body) => UUID_RE.test(i.id as string))).toBe(true);
      expect(res.body.items[1].doneAt).toEqual(expect.any(String));
      expect(res.body.items[0].doneAt).toBeNull();

      const [stored] = await t.db.query<{ amount: string }>(`SELECT amount::text FROM service_contracts WHERE id = $1`, [
        res.body.id,
      ]);
      expect(stored.amount).toBe('123456789012.34');
      const got = await t.http.get(`${API}/contracts/${res.body.id}`).set(viewer);
      expectStatus(got, 200);
      expect(got.body).toEqual(res.body);

      const audit = await auditOf('contract', res.body.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toEqual(expect.objectContaining({ action: 'create', actor_type: 'user', actor_id: adminId }));
      expect(audit[0].changes.contractNo).toEqual([null, res.body.contractNo]);
      expect(audit[0].changes.amount).toEqual([null, 123456789012.34]);
      expect((audit[0].changes.items[1] as unknown[]).length).toBe(3);
    });

    it('rolls progress up as items are done and cancelled, keeping item ids; checks If-Match', async () => {
      const enterpriseId = await createEnterprise();
      const created = await postContract(
        enterpriseId,
        contractBody({
          items: [
            { description: 'A', dueAt: '2025-04-30' },
            { description: 'B', dueAt: '2025-05-31' },
          ],
        }),
      );
      expectStatus(created, 201);
      const [a, b] = created.body.items as Body[];
      const item = (i: Body, status: string) => ({ id: i.id, description: i.description, dueAt: i.dueAt, status });
      expect(created.body.progress).toEqual({ done: 0, total: 2, percent: 0 });

      const one = await patchContract(created.body.id, { items: [item(a, 'done'), item(b, 'pending')] }).set(
        'if-match',
        '"1"',
      );
      expectStatus(one, 200);
      expect(one.body.progress).toEqual({ done: 1, total: 2, percent: 50 });
      expect(one.body.version).toBe(2);
      expect(one.headers.etag).toBe('"2"');
      expect(one.body.items.map((i: Body) => i.id)).toEqual([a.id, b.id]);
      const doneAt = one.body.items[0].doneAt;
      expect(Date.parse(doneAt)).not.toBeNaN();

      // Stale If-Match: 412, nothing changes.
      const stale = await patchContract(created.body.id, { items: [item(a, 'done'), item(b, 'done')] }).set(
        'if-match',
        '"1"',
      );
      expectProblem(stale, 412);
      expect((await t.http.get(`${API}/contracts/${created.body.id}`).set(admin)).body.progress.done).toBe(1);

      // Cancelled items leave the count; a done item keeps the moment it was done; a new one joins.
      const two = await patchContract(created.body.id, {
        items: [item(a, 'done'), item(b, 'cancelled'), { description: 'C', dueAt: '2025-07-31' }],
      });
      expectStatus(two, 200);
      expect(two.body.progress).toEqual({ done: 1, total: 2, percent: 50 });
      expect(two.body.items[0].doneAt).toBe(doneAt);
      expect(two.body.items.map((i: Body) => i.description)).toEqual(['A', 'B', 'C']);
      const c = two.body.items[2] as Body;

      const three = await patchContract(created.body.id, { items: [item(a, 'done'), item(b, 'cancelled'), item(c, 'done')] });
      expect(three.body.progress).toEqual({ done: 2, total: 2, percent: 100 });
      // Dropping items from the list removes them.
      const four = await patchContract(created.body.id, { items: [item(c, 'pending')] });
      expect(four.body.items.map((i: Body) => i.id)).toEqual([c.id]);
      expect(four.body.progress).toEqual({ done: 0, total: 1, percent: 0 });
      expect(four.body.version).toBe(5);

      // The same body again changes nothing: no new version, no audit entry.
      const before = (await auditOf('contract', created.body.id)).length;
      const same = await patchContract(created.body.id, { items: [item(c, 'pending')] });
      expect(same.body.version).toBe(5);
      expect((await auditOf('contract', created.body.id)).length).toBe(before);

      // An id that is not this contract's is named.
      const foreign = await patchContract(created.body.id, { items: [item(a, 'done')] });
      expectInvalid(foreign, ['items.0.id']);
    });

    it('moves status only along draft → active → completed | terminated (409 with allowed)', async () => {
      const enterpriseId = await createEnterprise();
      const created = await postContract(enterpriseId, contractBody());
      const id = created.body.id;

      const skip = await patchContract(id, { status: 'completed' });
      expectProblem(skip, 409, 'conflict');
      expect(skip.body.allowed).toEqual(['active', 'terminated']);

      const active = await patchContract(id, { status: 'active' });
      expectStatus(active, 200);
      expect(active.body.status).toBe('active');

      const back = await patchContract(id, { status: 'draft' });
      expectProblem(back, 409);
      expect(back.body.allowed).toEqual(['completed', 'terminated']);

      const done = await patchContract(id, { status: 'completed', acceptanceNotes: '验收通过' });
      expectStatus(done, 200);
      expect(done.body).toEqual(expect.objectContaining({ status: 'completed', acceptanceNotes: '验收通过' }));

      const reopen = await patchContract(id, { status: 'active' });
      expectProblem(reopen, 409);
      expect(reopen.body.allowed).toEqual([]);

      const terminated = await postContract(enterpriseId, contractBody());
      expectStatus(await patchContract(terminated.body.id, { status: 'terminated' }), 200);
      expect((await patchContract(terminated.body.id, { status: 'active' })).status).toBe(409);

      const audit = await auditOf('contract', id);
      expect(audit.map((a) => a.action)).toEqual(['create', 'transition', 'transition']);
      expect(audit[2].changes.status).toEqual(['active', 'completed']);
      expect(audit[2].changes.acceptanceNotes).toEqual([null, '验收通过']);
    });

    it('refuses a duplicate contract number with 409, on create, on change, and when two race', async () => {
      const enterpriseId = await createEnterprise();
      const first = await postContract(enterpriseId, contractBody());
      const dup = await postContract(enterpriseId, contractBody({ contractNo: first.body.contractNo }));
      expectProblem(dup, 409, 'conflict');
      expect(dup.body.existingId).toBe(first.body.id);

      const other = await postContract(enterpriseId, contractBody());
      const renamed = await patchContract(other.body.id, { contractNo: first.body.contractNo });
      expectProblem(renamed, 409);
      expect((await t.http.get(`${API}/contracts/${other.body.id}`).set(admin)).body.contractNo).toBe(
        other.body.contractNo,
      );

      const body = contractBody();
      const raced = await Promise.all([postContract(enterpriseId, body), postContract(enterpriseId, body)]);
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    });

    it('names every bad field in one 400: dates, enums, a third decimal, items', async () => {
      const enterpriseId = await createEnterprise();
      const res = await postContract(enterpriseId, {
        contractNo: '',
        signedAt: '2025-02-30',
        startsAt: '2025-06-01',
        endsAt: '2025-05-31',
        amount: 1000.123,
        status: 'signed',
        officerId: 'nobody',
        items: [{ description: 'x', dueAt: '31/12/2025', status: 'finished', criterion: 'rd_ratio', extra: 1 }],
        surprise: true,
      });
      expectInvalid(res, [
        'contractNo',
        'signedAt',
        'endsAt',
        'amount',
        'status',
        'officerId',
        'items.0.dueAt',
        'items.0.status',
        'items.0.criterion',
        'items.0.extra',
        'surprise',
      ]);
      const missing = await postContract(enterpriseId, {});
      expectInvalid(missing, ['contractNo', 'signedAt', 'startsAt', 'endsAt', 'amount']);
      const negative = await postContract(enterpriseId, contractBody({ amount: -1 }));
      expectInvalid(negative, ['amount']);
      const tooBig = await postContract(enterpriseId, contractBody({ amount: 1e12 }));
      expectInvalid(tooBig, ['amount']);

      // The stored start counts on PATCH; nulls are refused.
      const created = await postContract(enterpriseId, contractBody());
      expectInvalid(await patchContract(created.body.id, { endsAt: '2025-03-09' }), ['endsAt']);
      expectInvalid(await patchContract(created.body.id, { amount: null, status: null, items: null }), [
        'amount',
        'status',
        'items',
      ]);
      expectStatus(await patchContract(created.body.id, { endsAt: '2025-03-10' }), 200);

      // An officer must be an active officer or admin, not a viewer.
      const viewerId = (await t.db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'viewer' LIMIT 1`))[0].id;
      expectInvalid(await postContract(enterpriseId, contractBody({ officerId: viewerId })), ['officerId']);
      expectInvalid(await postContract(enterpriseId, contractBody({ officerId: UNKNOWN_ID })), ['officerId']);
      expectProblem(await postContract(UNKNOWN_ID, contractBody()), 404);
      expectProblem(await t.http.get(`${API}/contracts/${UNKNOWN_ID}`).set(admin), 404);
      expect(await t.db.query(`SELECT 1 FROM service_contracts WHERE enterprise_id = $1`, [enterpriseId])).toHaveLength(1);
    });

    it('lists by year signed, status, officer and enterprise, newest signed first, in keyset pages', async () => {
      const e1 = await createEnterprise();
      const e2 = await createEnterprise();
      const made: Body[] = [];
      const specs: [string, string, string, string][] = [
        [e1, '2023-05-01', 'draft', officerA.id],
        [e1, '2024-01-01', 'active', officerA.id],
        [e1, '2024-06-15', 'draft', officerB.id],
        [e2, '2024-06-15', 'active', officerA.id],
        [e2, '2024-12-31', 'active', officerB.id],
        [e2, '2025-01-01', 'draft', officerA.id],
        [e2, '2024-03-03', 'active', officerA.id],
      ];
      for (const [enterpriseId, signedAt, status, officerId] of specs) {
        const res = await postContract(
          enterpriseId,
          contractBody({ signedAt, startsAt: signedAt, endsAt: '2026-12-31', status, officerId }),
        );
        expectStatus(res, 201);
        made.push(res.body);
      }
      const mine = new Set(made.map((c) => c.id));
      const ids = (items: Body[]) => items.filter((c) => mine.has(c.id as string)).map((c) => c.id);
      const expected = (pred: (c: Body) => boolean) =>
        made
          .filter(pred)
          .sort((x, y) =>
            x.signedAt === y.signedAt
              ? (y.id as string).localeCompare(x.id as string)
              : (y.signedAt as string).localeCompare(x.signedAt as string),
          )
          .map((c) => c.id);

      // Filters combine; limit 1 walks three pages without loss or repeat.
      const y2024 = await allPages(`${API}/contracts?year=2024&enterpriseId=${e2}`, 1);
      expect(y2024.items.map((c) => c.id)).toEqual(
        expected((c) => (c.signedAt as string).startsWith('2024') && c.enterpriseId === e2),
      );
      expect(y2024.pages).toBe(3);

      // The other lists may hold other tests' contracts; these hold exactly ours in order.
      const year = await allPages(`${API}/contracts?year=2024`, 2);
      expect(ids(year.items)).toEqual(expected((c) => (c.signedAt as string).startsWith('2024')));
      expect(new Set(year.items.map((c) => c.id)).size).toBe(year.items.length);
      expect(year.items.every((c) => (c.signedAt as string).startsWith('2024'))).toBe(true);

      const active = await allPages(`${API}/contracts?status=active`, 2);
      expect(ids(active.items)).toEqual(expected((c) => c.status === 'active'));
      expect(active.items.every((c) => c.status === 'active')).toBe(true);

      const byB = await allPages(`${API}/contracts?officerId=${officerB.id}`, 50);
      expect(byB.items.map((c) => c.id)).toEqual(expected((c) => c.officerId === officerB.id));

      const ofE1 = await allPages(`${API}/enterprises/${e1}/contracts`, 2);
      expect(ofE1.items.map((c) => c.id)).toEqual(expected((c) => c.enterpriseId === e1));
      expect(ofE1.items[0]).toEqual(expect.objectContaining({ progress: { done: 0, total: 0, percent: 0 }, items: [] }));

      const both = await allPages(`${API}/contracts?year=2024&status=active&officerId=${officerA.id}`, 50);
      expect(ids(both.items)).toEqual(
        expected((c) => (c.signedAt as string).startsWith('2024') && c.status === 'active' && c.officerId === officerA.id),
      );

      const bad = await t.http.get(`${API}/contracts?status=signed&year=24&officerId=x&cursor=a.b`).set(admin);
      expectInvalid(bad, ['status', 'year', 'officerId', 'cursor']);
      expectProblem(await t.http.get(`${API}/enterprises/${UNKNOWN_ID}/contracts`).set(admin), 404);
      const forged = Buffer.from(JSON.stringify(['contracts', 'x', 'y'])).toString('base64url');
      expectInvalid(await t.http.get(`${API}/contracts?cursor=${forged}`).set(admin), ['cursor']);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('service records', () => {
    it('records visits, calls, trainings and meetings, lists them newest first, and audits them', async () => {
      const enterpriseId = await createEnterprise({ officerId: officerA.id });
      const visit = await postRecord(
        enterpriseId,
        {
          kind: 'visit',
          at: '2025-03-02T09:30:00+08:00',
          participants: ['王总', '李会计'],
          summary: '走访企业，了解研发费用归集情况',
          problemsRaised: ['研发费用归集不规范'],
          problemsSolved: ['联系税务师事务所'],
        },
        officerA.who,
      );
      expectStatus(visit, 201);
      expect(visit.body).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(UUID_RE),
          enterpriseId,
          kind: 'visit',
          at: '2025-03-02T01:30:00.000Z',
          officerId: officerA.id,
          participants: ['王总', '李会计'],
          problemsRaised: ['研发费用归集不规范'],
          problemsSolved: ['联系税务师事务所'],
          version: 1,
        }),
      );
      const kinds = ['call', 'training', 'meeting'];
      for (const [i, kind] of kinds.entries()) {
        expectStatus(
          await postRecord(enterpriseId, { kind, at: `2025-03-0${3 + i}T10:00:00Z`, summary: kind, officerId: officerB.id }),
          201,
        );
      }
      const all = await allPages(`${API}/enterprises/${enterpriseId}/service-records`, 3);
      expect(all.items.map((r) => r.kind)).toEqual(['meeting', 'training', 'call', 'visit']);
      expect(all.pages).toBe(2);
      expect(all.items[0]).toEqual(expect.objectContaining({ participants: [], problemsRaised: [], officerId: officerB.id }));

      const audit = await auditOf('serviceRecord', visit.body.id);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'create', actor_type: 'user', actor_id: officerA.id }),
      ]);
      expect(audit[0].changes.summary).toEqual([null, '走访企业，了解研发费用归集情况']);

      const bad = await postRecord(enterpriseId, {
        kind: 'lunch',
        at: '2025-03-02T09:30:00',
        summary: '',
        participants: 'everyone',
        problemsSolved: [''],
      });
      expectInvalid(bad, ['kind', 'at', 'summary', 'participants', 'problemsSolved']);
      expectProblem(await postRecord(UNKNOWN_ID, { kind: 'call', at: '2025-03-02T09:30:00Z', summary: 'x' }), 404);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('timeline', () => {
    it('merges service records, contract events and readiness changes newest first, and pages without loss', async () => {
      const enterpriseId = await createEnterprise();
      const other = await createEnterprise();
      for (const [kind, at] of [
        ['visit', '2024-01-10T02:00:00Z'],
        ['call', '2024-03-05T02:00:00Z'],
        ['meeting', '2024-03-05T02:00:00Z'],
      ]) {
        expectStatus(await postRecord(enterpriseId, { kind, at, summary: `${kind} summary` }), 201);
      }
      expectStatus(await postRecord(other, { kind: 'visit', at: '2024-02-01T00:00:00Z', summary: 'elsewhere' }), 201);
      for (const [verdict, previous, at] of [
        ['not_ready', null, '2024-02-01T00:00:00Z'],
        ['borderline', 'not_ready', '2024-03-05T02:00:00Z'],
      ]) {
        await t.db.query(
          `INSERT INTO readiness_assessments (enterprise_id, program, rule_set, assessment_date, verdict, eligible,
             score_min, score_max, result, inputs, result_hash, previous_verdict, trigger, assessed_at)
           VALUES ($1, 'hnte', 'hnte-2016', '2024-01-01', $2, false, 60, 75, '{}', '{}', $3, $4, 'change', $5)`,
          [enterpriseId, verdict, `hash-${verdict}`, previous, at],
        );
      }
      const contract = await postContract(
        enterpriseId,
        contractBody({ items: [{ description: '辅导材料', dueAt: '2025-06-30' }] }),
      );
      expectStatus(contract, 201);
      const activated = await patchContract(contract.body.id, { status: 'active' });
      expectStatus(activated, 200);
      const item = contract.body.items[0];
      expectStatus(
        await patchContract(contract.body.id, {
          items: [{ id: item.id, description: item.description, dueAt: item.dueAt, status: 'done' }],
        }),
        200,
      );

      const res = await t.http.get(`${API}/enterprises/${enterpriseId}/timeline?limit=200`).set(viewer);
      expectStatus(res, 200);
      expect(res.body.nextCursor).toBeNull();
      const entries = res.body.data as { at: string; kind: string; title: string; detail: Body; ref: { type: string; id: string } }[];
      expect(entries).toHaveLength(8);
      // Newest first, and exactly what happened to this enterprise.
      const ats = entries.map((e) => Date.parse(e.at));
      expect([...ats].sort((x, y) => y - x)).toEqual(ats);
      expect(entries.every((e) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(e.at))).toBe(true);

      // The three contract events are the newest; their order among ties is (kind, id).
      const contractEvents = entries.slice(0, 3);
      expect(contractEvents.every((e) => e.kind === 'contract' && e.ref.type === 'contract' && e.ref.id === contract.body.id)).toBe(true);
      expect(contractEvents.map((e) => e.detail.event).sort()).toEqual(['created', 'item_done', 'status_changed']);
      const moved = contractEvents.find((e) => e.detail.event === 'status_changed')!;
      expect(moved.detail).toEqual(expect.objectContaining({ from: 'draft', to: 'active', contractNo: contract.body.contractNo }));
      expect(moved.title).toContain('draft → active');
      const itemDone = contractEvents.find((e) => e.detail.event === 'item_done')!;
      expect(itemDone.detail).toEqual(expect.objectContaining({ itemId: item.id, description: '辅导材料' }));

      // Then 2024-03-05 02:00: three at the same instant, by kind then id.
      expect(entries.slice(3, 6).map((e) => e.kind)).toEqual(['readiness', 'service_record', 'service_record']);
      expect(entries.slice(3, 6).every((e) => e.at === '2024-03-05T02:00:00.000Z')).toBe(true);
      expect(entries[3].detail).toEqual(
        expect.objectContaining({ verdict: 'borderline', previousVerdict: 'not_ready', score: { min: 60, max: 75 } }),
      );
      expect(entries[3].ref.type).toBe('readinessAssessment');
      expect(entries.slice(4, 6).map((e) => e.detail.kind).sort()).toEqual(['call', 'meeting']);
      expect(entries.slice(4, 6).map((e) => e.ref.id)).toEqual(entries.slice(4, 6).map((e) => e.ref.id).sort());
      expect(entries.slice(6).map((e) => [e.at, e.kind])).toEqual([
        ['2024-02-01T00:00:00.000Z', 'readiness'],
        ['2024-01-10T02:00:00.000Z', 'service_record'],
      ]);
      expect(entries[6].detail.previousVerdict).toBeNull();
      expect(entries[7]).toEqual(
        expect.objectContaining({ title: expect.stringContaining('visit summary'), ref: { type: 'serviceRecord', id: expect.stringMatching(UUID_RE) } }),
      );

      // Every page size walks the same list, ties included.
      for (const limit of [1, 2, 3, 5]) {
        const paged = await allPages(`${API}/enterprises/${enterpriseId}/timeline`, limit);
        expect(paged.items).toEqual(entries);
        expect(paged.pages).toBe(Math.ceil(entries.length / limit));
      }
      const forged = Buffer.from(JSON.stringify(['timeline', 'not-a-date', 'x', 'y'])).toString('base64url');
      expectInvalid(await t.http.get(`${API}/enterprises/${enterpriseId}/timeline?cursor=${forged}`).set(admin), ['cursor']);
      expectProblem(await t.http.get(`${API}/enterprises/${UNKNOWN_ID}/timeline`).set(admin), 404);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('access', () => {
    it("refuses an officer on another officer's enterprise and lets them write their own", async () => {
      const ofB = await createEnterprise({ officerId: officerB.id });
      const ofA = await createEnterprise({ officerId: officerA.id });
      expectProblem(await postContract(ofB, contractBody(), officerA.who), 403, 'forbidden');
      expectProblem(
        await postRecord(ofB, { kind: 'call', at: '2025-01-01T00:00:00Z', summary: 'x' }, officerA.who),
        403,
      );
      const byB = await postContract(ofB, contractBody(), officerB.who);
      expectStatus(byB, 201);
      expect(byB.body.officerId).toBe(officerB.id);
      expectProblem(await patchContract(byB.body.id, { status: 'active' }, officerA.who), 403);
      expect((await t.http.get(`${API}/contracts/${byB.body.id}`).set(officerA.who)).body.status).toBe('draft');

      expectStatus(await postContract(ofA, contractBody(), officerA.who), 201);
      expectStatus(await postRecord(ofA, { kind: 'call', at: '2025-01-01T00:00:00Z', summary: 'x' }, officerA.who), 201);
      // Reads are open to every officer.
      expectStatus(await t.http.get(`${API}/enterprises/${ofB}/timeline`).set(officerA.who), 200);
    });

    it('refuses a viewer every write but lets them read', async () => {
      const enterpriseId = await createEnterprise();
      const created = await postContract(enterpriseId, contractBody());
      expectProblem(await postContract(enterpriseId, contractBody(), viewer), 403);
      expectProblem(await patchContract(created.body.id, { status: 'active' }, viewer), 403);
      expectProblem(
        await postRecord(enterpriseId, { kind: 'call', at: '2025-01-01T00:00:00Z', summary: 'x' }, viewer),
        403,
      );
      expectStatus(await t.http.get(`${API}/contracts?enterpriseId=${enterpriseId}`).set(viewer), 200);
      expectStatus(await t.http.get(`${API}/enterprises/${enterpriseId}/service-records`).set(viewer), 200);
      expect(await t.db.query(`SELECT 1 FROM service_contracts WHERE enterprise_id = $1`, [enterpriseId])).toHaveLength(1);
    });

    it('an API key names the officer, or is told to', async () => {
      const key = await t.http
        .post(`${API}/api-keys`)
        .set(admin)
        .send({ name: 'district crm', scopes: ['enterprises:read', 'enterprises:write'] });
      expectStatus(key, 201);
      const enterpriseId = await createEnterprise();
      const who = { 'x-api-key': key.body.key };
      expectInvalid(await postContract(enterpriseId, contractBody(), who), ['officerId']);
      const ok = await postContract(enterpriseId, contractBody({ officerId: officerA.id }), who);
      expectStatus(ok, 201);
      const [entry] = await auditOf('contract', ok.body.id);
      expect(entry).toEqual(expect.objectContaining({ actor_type: 'apiKey', actor_id: key.body.id }));
    });
  });
});
