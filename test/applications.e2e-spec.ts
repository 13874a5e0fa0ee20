import { Queue } from 'bullmq';
import { ApplicationsProcessor } from '../src/applications/applications.processor.js';
import { Clock } from '../src/common/clock.js';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { creditCodeCheckCharacter } from '../src/enterprises/credit-code.js';
import { ApplicationsJob, QueueName } from '../src/queue/queue.constants.js';
import { REDIS_URL } from './support/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const API = '/api/v1';
const PROBLEM_JSON = /^application\/problem\+json/;
/** The clock keeps running after setNow: an instant within a few seconds after `iso`. */
const near = (iso: string) => ({
  asymmetricMatch: (v: unknown) =>
    typeof v === 'string' && Date.parse(v) - Date.parse(iso) >= 0 && Date.parse(v) - Date.parse(iso) < 5000,
  toString: () => `near ${iso}`,
});
const fieldsOf = (body: { errors: { field: string }[] }) =>
  [...new Set(body.errors.map((e) => e.field))].sort();

type Staff = { id: string; auth: string };

describe('applications', () => {
  let t: TestApp;
  let officer: Staff;
  let otherOfficer: Staff;
  let viewer: Staff;
  let seq = 0;

  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));
  const get = (path: string, auth = t.adminAuth) => t.http.get(`${API}${path}`).set('authorization', auth);
  const post = (path: string, body: object, auth = t.adminAuth) =>
    t.http.post(`${API}${path}`).set('authorization', auth).send(body);
  const patch = (path: string, body: object, auth = t.adminAuth) =>
    t.http.patch(`${API}${path}`).set('authorization', auth).send(body);

  async function enterprise(owner: Staff | null, extra: Record<string, unknown> = {}) {
    const first17 = `91370304MA3${String(200000 + ++seq).padStart(6, '0')}`;
    const res = await post(
      '/enterprises',
      {
        name: `淄博博山测试${seq}科技有限公司`,
        creditCode: first17 + creditCodeCheckCharacter(first17),
        street: '城东街道',
        officerId: owner?.id ?? null,
        ...extra,
      },
      owner?.auth ?? t.adminAuth,
    );
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  }

  async function batch(body: Record<string, unknown> = {}) {
    const res = await post('/batches', {
      program: 'hnte',
      year: 2022,
      name: `山东省2022年第${++seq}批`,
      registrationDeadline: '2022-05-31',
      materialsDeadline: '2022-06-30',
      submissionDeadline: '2022-07-15',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  }

  async function open(enterpriseId: string, body: Record<string, unknown>, auth = t.adminAuth) {
    const res = await post(`/enterprises/${enterpriseId}/applications`, body, auth);
    expect(res.status).toBe(201);
    return res.body as { id: string; stage: string; version: number };
  }

  const move = (id: string, body: Record<string, unknown>, auth = t.adminAuth) =>
    post(`/applications/${id}/transitions`, body, auth);

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLE: 'all', APP_TIMEZONE: 'Asia/Shanghai' });
    [officer, otherOfficer, viewer] = await Promise.all([
      t.staff('officer'),
      t.staff('officer'),
      t.staff('viewer'),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an officer takes an HNTE application from cultivating to certified; the certificate lapses after three years', async () => {
    setNow('2022-03-01T02:00:00Z');
    const published: DomainEvent[] = [];
    t.app.get(DomainEvents).subscribe((e) => void published.push(e));
    const firm = await enterprise(officer);
    const ip = async (kind: string, grantedAt: string, expiresAt: string | null = null) => {
      const res = await post(
        `/enterprises/${firm.id}/ip-assets`,
        { kind, title: `${kind} ${grantedAt}`, grantedAt, expiresAt, acquisition: 'self_developed' },
        officer.auth,
      );
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const utility = await ip('utility_model', '2021-01-01');
    const software = await ip('software_copyright', '2022-12-12'); // valid from the issue day itself
    const lateDesign = await ip('design_patent', '2022-12-13'); // granted after the issue day
    const expiredDesign = await ip('design_patent', '2012-01-01', '2022-01-01');
    const invention = await ip('invention_patent', '2020-05-01'); // Class I: reusable
    const b = await batch();

    const created = await open(firm.id, { program: 'hnte', year: 2022, batchId: b.id }, officer.auth);
    expect(created).toMatchObject({
      enterpriseId: firm.id,
      program: 'hnte',
      year: 2022,
      batchId: b.id,
      stage: 'cultivating',
      overdue: false,
      certificateNo: null,
      validUntil: null,
      enteredStageAt: near('2022-03-01T02:00:00Z'),
      history: [
        {
          from: null,
          to: 'cultivating',
          at: near('2022-03-01T02:00:00Z'),
          by: { type: 'user', id: officer.id },
          note: null,
        },
      ],
    });

    const steps: [string, string, Record<string, unknown>][] = [
      ['2022-03-20T02:00:00Z', 'coaching', { note: '签订辅导协议' }],
      ['2022-05-10T02:00:00Z', 'preparing', {}],
      ['2022-07-01T02:00:00Z', 'submitted', {}],
      ['2022-08-15T02:00:00Z', 'expert_review', {}],
      ['2022-11-01T02:00:00Z', 'publicized', {}],
      ['2022-12-20T02:00:00Z', 'certified', { certificateNo: 'GR202237000123', issuedAt: '2022-12-12' }],
    ];
    let last = created;
    for (const [now, to, fields] of steps) {
      setNow(now);
      const res = await move(created.id, { to, ...fields }, officer.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stage: to, enteredStageAt: near(now), version: last.version + 1 });
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      last = res.body;
    }
    expect(last).toMatchObject({
      certificateNo: 'GR202237000123',
      issuedAt: '2022-12-12',
      validUntil: '2025-12-11',
    });

    const detail = await get(`/applications/${created.id}`, viewer.auth);
    expect(detail.status).toBe(200);
    const chain = ['cultivating', ...steps.map(([, to]) => to)];
    expect(detail.body.history).toEqual(
      chain.map((to, i) => ({
        from: i === 0 ? null : chain[i - 1],
        to,
        at: near(i === 0 ? '2022-03-01T02:00:00Z' : steps[i - 1][0]),
        by: { type: 'user', id: officer.id },
        note: i === 1 ? '签订辅导协议' : null,
      })),
    );

    // Every move shows on the enterprise's timeline, newest first.
    const timeline = await get(`/enterprises/${firm.id}/timeline?limit=200`);
    expect(timeline.status).toBe(200);
    const moves = (timeline.body.data as { kind: string; detail: { to: string } }[])
      .filter((e) => e.kind === 'application')
      .map((e) => e.detail.to);
    expect(moves).toEqual([...chain].reverse());

    // The certificate is announced once, for webhooks and reminders to react to.
    expect(published.filter((e) => e.type === 'application.certified')).toEqual([
      { type: 'application.certified', applicationId: created.id, enterpriseId: firm.id, certificateNo: expect.any(String), validUntil: '2025-12-11' },
    ]);

    // Filing made the enterprise applying; the certificate made it certified.
    const statusMoves = await t.db.query<{ to: string }>(
      `SELECT changes->'status'->>1 AS to FROM audit_entries
        WHERE entity = 'enterprise' AND entity_id = $1 AND changes ? 'status' ORDER BY id`,
      [firm.id],
    );
    expect(statusMoves.map((r) => r.to).slice(-2)).toEqual(['applying', 'certified']);
    // The enterprise is certified, and the Class II IP valid on the issue day is used up.
    expect((await get(`/enterprises/${firm.id}`)).body.status).toBe('certified');
    const assets = (await get(`/enterprises/${firm.id}/ip-assets`)).body.data as {
      id: string;
      usedInCertification: boolean;
    }[];
    const used = Object.fromEntries(assets.map((a) => [a.id, a.usedInCertification]));
    expect(used).toEqual({
      [utility]: true,
      [software]: true,
      [lateDesign]: false,
      [expiredDesign]: false,
      [invention]: false,
    });

    // Audit: the create, each move, the enterprise's status and the IP marks, all by the officer.
    const audit = await get(`/audit?entity=application&entityId=${created.id}&limit=50`);
    expect(audit.body.data.map((e: { action: string }) => e.action).reverse()).toEqual([
      'create',
      ...steps.map(() => 'transition'),
    ]);
    expect(audit.body.data[0]).toMatchObject({
      actor: { type: 'user', id: officer.id },
      changes: {
        stage: ['publicized', 'certified'],
        certificateNo: [null, 'GR202237000123'],
        issuedAt: [null, '2022-12-12'],
        validUntil: [null, '2025-12-11'],
      },
    });
    const enterpriseAudit = await get(`/audit?entity=enterprise&entityId=${firm.id}&limit=50`);
    expect(enterpriseAudit.body.data).toContainEqual(
      expect.objectContaining({
        actor: { type: 'user', id: officer.id },
        changes: { status: [expect.any(String), 'certified'] },
      }),
    );
    const ipAudit = await get(`/audit?entity=ipAsset&entityId=${utility}`);
    expect(ipAudit.body.data[0]).toMatchObject({
      action: 'update',
      changes: { usedInCertification: [false, true] },
    });

    // Valid through 2025-12-11 in Asia/Shanghai: 23:59 there is still valid, 00:30 next day is not.
    const processor = t.app.get(ApplicationsProcessor);
    setNow('2025-12-11T15:59:00Z');
    expect((await processor.lapseExpired()).lapsed).not.toContain(firm.id);
    expect((await get(`/enterprises/${firm.id}`)).body.status).toBe('certified');
    setNow('2025-12-11T16:30:00Z');
    expect((await processor.lapseExpired()).lapsed).toContain(firm.id);
    expect((await get(`/enterprises/${firm.id}`)).body.status).toBe('lapsed');
    const lapsedAudit = await get(`/audit?entity=enterprise&entityId=${firm.id}`);
    expect(lapsedAudit.body.data[0]).toMatchObject({
      actor: { type: 'system', id: null },
      action: 'update',
      changes: { status: ['certified', 'lapsed'] },
    });
    // Once lapsed, the job leaves it alone.
    expect((await processor.lapseExpired()).lapsed).not.toContain(firm.id);

    // The funnel of 2022 counts the officer's enterprise as certified (and so applying).
    const funnel = await get('/applications/funnel?year=2022', viewer.auth);
    expect(funnel.status).toBe(200);
    expect(funnel.body.byOfficer[officer.id]).toMatchObject({ applying: 1, certified: 1 });
    expect(funnel.body.totals.certified).toBeGreaterThanOrEqual(1);
    expect(funnel.body.byStreet['城东街道'].certified).toBeGreaterThanOrEqual(1);
    expect(
      (await get('/applications/funnel?year=2019', viewer.auth)).body.byOfficer[officer.id],
    ).toBeUndefined();
  });

  it('the daily lapse job is scheduled once under a stable id in APP_TIMEZONE', async () => {
    const queue = new Queue(QueueName.Applications, {
      connection: { url: REDIS_URL },
      prefix: t.config.QUEUE_PREFIX,
    });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([
        expect.objectContaining({
          key: 'applications:lapse-expired',
          name: ApplicationsJob.LapseExpired,
          tz: 'Asia/Shanghai',
        }),
      ]);
    } finally {
      await queue.close();
    }
  });

  it('a tech-based SME goes preparing → submitted → publicized → registered, valid for its year', async () => {
    setNow('2022-04-01T02:00:00Z');
    const firm = await enterprise(officer);
    const b = await batch({
      program: 'tech_sme',
      registrationDeadline: null,
      materialsDeadline: null,
      submissionDeadline: '2022-09-30',
    });
    const app = await open(firm.id, { program: 'tech_sme', year: 2022, batchId: b.id }, officer.auth);
    expect(app.stage).toBe('preparing');
    expect((await move(app.id, { to: 'submitted' }, officer.auth)).status).toBe(200);
    expect((await move(app.id, { to: 'publicized' }, officer.auth)).status).toBe(200);
    const missing = await move(app.id, { to: 'registered' }, officer.auth);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'registrationNo', message: 'is required to reach registered' },
    ]);
    const wrongField = await move(
      app.id,
      { to: 'registered', registrationNo: 'R1', certificateNo: 'GR1' },
      officer.auth,
    );
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors).toEqual([
      { field: 'certificateNo', message: 'is only accepted with to=certified' },
    ]);
    const done = await move(app.id, { to: 'registered', registrationNo: '2022370304A0001234' }, officer.auth);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      stage: 'registered',
      registrationNo: '2022370304A0001234',
      validUntil: '2022-12-31',
      certificateNo: null,
    });
    expect(done.body.history.map((h: { to: string }) => h.to)).toEqual([
      'preparing',
      'submitted',
      'publicized',
      'registered',
    ]);
    // A tech-SME registration does not certify the enterprise.
    expect((await get(`/enterprises/${firm.id}`)).body.status).not.toBe('certified');
  });

  it('illegal moves are 409 problem+json naming the allowed stages', async () => {
    setNow('2022-04-01T02:00:00Z');
    const firm = await enterprise(officer);
    const app = await open(firm.id, { program: 'hnte', year: 2022 });
    const skip = await move(app.id, { to: 'submitted' });
    expect(skip.status).toBe(409);
    expect(skip.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(skip.body).toMatchObject({
      type: '/problems/illegal-transition',
      status: 409,
      from: 'cultivating',
      to: 'submitted',
      allowed: ['coaching', 'withdrawn'],
    });
    // rejected only from submitted on
    expect((await move(app.id, { to: 'rejected', note: '材料不全' })).body.allowed).toEqual([
      'coaching',
      'withdrawn',
    ]);
    // nothing moved
    const unchanged = await get(`/applications/${app.id}`);
    expect(unchanged.body).toMatchObject({ stage: 'cultivating', version: app.version });
    expect(unchanged.body.history).toHaveLength(1);

    const sme = await open(firm.id, { program: 'tech_sme', year: 2022 });
    const foreign = await move(sme.id, { to: 'expert_review' });
    expect(foreign.status).toBe(409);
    expect(foreign.body.allowed).toEqual(['submitted', 'withdrawn']);

    // From an end stage nothing is allowed.
    expect((await move(sme.id, { to: 'withdrawn', note: '企业放弃' })).status).toBe(200);
    const after = await move(sme.id, { to: 'submitted' });
    expect(after.status).toBe(409);
    expect(after.body.allowed).toEqual([]);

    // A stale If-Match is 412, before anything moves.
    const stale = await t.http
      .post(`${API}/applications/${app.id}/transitions`)
      .set('authorization', t.adminAuth)
      .set('if-match', '"99"')
      .send({ to: 'coaching' });
    expect(stale.status).toBe(412);
  });

  it('one open application per enterprise and programme; after withdrawal a new one may open', async () => {
    setNow('2022-04-01T02:00:00Z');
    const firm = await enterprise(officer);
    // Two at once: the partial unique index lets exactly one through.
    const both = await Promise.all([
      post(`/enterprises/${firm.id}/applications`, { program: 'hnte', year: 2022 }, officer.auth),
      post(`/enterprises/${firm.id}/applications`, { program: 'hnte', year: 2022 }, officer.auth),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const first = both.find((r) => r.status === 201)!.body;
    const dup = both.find((r) => r.status === 409)!;
    expect(dup.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(dup.body.existingId).toBe(first.id);
    // Another programme is another pipeline.
    await open(firm.id, { program: 'hnte_recert', year: 2022 }, officer.auth);

    const noReason = await move(first.id, { to: 'withdrawn' }, officer.auth);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([
      { field: 'note', message: 'is required as the reason for withdrawn' },
    ]);
    const withdrawn = await move(
      first.id,
      { to: 'withdrawn', note: '研发费用不达标，明年再报' },
      officer.auth,
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ stage: 'withdrawn', closedReason: '研发费用不达标，明年再报' });
    expect(withdrawn.body.history.at(-1)).toMatchObject({
      from: 'cultivating',
      to: 'withdrawn',
      note: '研发费用不达标，明年再报',
    });

    // Recording one already under way: history starts from null at that stage.
    const again = await open(firm.id, { program: 'hnte', year: 2023, stage: 'preparing' }, officer.auth);
    expect(again).toMatchObject({ stage: 'preparing', history: [{ from: null, to: 'preparing' }] });

    const list = await get(`/enterprises/${firm.id}/applications`, viewer.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { program: string; stage: string }) => `${a.program}:${a.stage}`)).toEqual(
      expect.arrayContaining(['hnte:withdrawn', 'hnte_recert:cultivating', 'hnte:preparing']),
    );
    expect(list.body.data).toHaveLength(3);
  });

  it('bad input is a 400 naming every bad field, in bodies and query strings', async () => {
    const firm = await enterprise(null);
    const bad = await post(`/enterprises/${firm.id}/applications`, {
      program: 'hnte_plus',
      year: '2022',
      batchId: 'nope',
      stage: 'dreaming',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(fieldsOf(bad.body)).toEqual(['batchId', 'extra', 'program', 'stage', 'year'].sort());
    const endStage = await post(`/enterprises/${firm.id}/applications`, {
      program: 'hnte',
      year: 2022,
      stage: 'certified',
    });
    expect(endStage.status).toBe(400);
    expect(endStage.body.errors[0].field).toBe('stage');
    const foreignStage = await post(`/enterprises/${firm.id}/applications`, {
      program: 'tech_sme',
      year: 2022,
      stage: 'coaching',
    });
    expect(foreignStage.status).toBe(400);
    const hnteBatch = await batch();
    const wrongBatch = await post(`/enterprises/${firm.id}/applications`, {
      program: 'tech_sme',
      year: 2022,
      batchId: hnteBatch.id,
    });
    expect(wrongBatch.status).toBe(400);
    expect(wrongBatch.body.errors).toEqual([{ field: 'batchId', message: 'is a hnte batch' }]);

    const query = await get('/applications?stage=bogus&program=x&overdue=maybe&updatedSince=yesterday');
    expect(query.status).toBe(400);
    expect(fieldsOf(query.body)).toEqual(['overdue', 'program', 'stage', 'updatedSince'].sort());
    expect((await get('/applications/board?program=nope&year=2022')).status).toBe(400);

    const app = await open(firm.id, { program: 'hnte', year: 2022 });
    const badMove = await move(app.id, {
      to: 'approved',
      at: '2022-02-30T00:00:00Z',
      issuedAt: '2022-13-01',
    });
    expect(badMove.status).toBe(400);
    expect(fieldsOf(badMove.body)).toEqual(['at', 'issuedAt', 'to']);
    setNow('2022-04-01T02:00:00Z');
    const future = await move(app.id, { to: 'coaching', at: '2022-04-02T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(future.body.errors[0].field).toBe('at');

    const badBatch = await post('/batches', {
      program: 'tsme',
      year: 1800,
      name: '',
      submissionDeadline: '2022-02-30',
      notes: 3,
    });
    expect(badBatch.status).toBe(400);
    expect(fieldsOf(badBatch.body)).toEqual(
      ['name', 'notes', 'program', 'submissionDeadline', 'year'].sort(),
    );
    const missingDeadline = await post('/batches', { program: 'hnte', year: 2022, name: 'x' });
    expect(missingDeadline.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'submissionDeadline',
    ]);
    const disorder = await post('/batches', {
      program: 'hnte',
      year: 2022,
      name: 'x',
      materialsDeadline: '2022-08-01',
      submissionDeadline: '2022-07-15',
    });
    expect(disorder.status).toBe(400);
    expect(disorder.body.errors).toEqual([
      { field: 'submissionDeadline', message: 'must not be before materialsDeadline' },
    ]);
    const nulled = await patch(`/batches/${hnteBatch.id}`, { submissionDeadline: null });
    expect(nulled.status).toBe(400);
    expect(nulled.body.errors[0].field).toBe('submissionDeadline');
  });

  it('overdue is computed from today and the batch deadline, filterable, and moves with the deadline', async () => {
    const b = await batch({
      year: 2024,
      registrationDeadline: null,
      materialsDeadline: null,
      submissionDeadline: '2024-07-15',
    });
    setNow('2024-03-01T02:00:00Z');
    const [late, sent, loose] = [await enterprise(null), await enterprise(null), await enterprise(null)];
    const lateApp = await open(late.id, { program: 'hnte', year: 2024, batchId: b.id, stage: 'preparing' });
    const sentApp = await open(sent.id, {
      program: 'hnte_recert',
      year: 2024,
      batchId: b.id,
      stage: 'submitted',
    });
    const looseApp = await open(loose.id, { program: 'hnte', year: 2024, stage: 'coaching' });

    const overdue = async (value: boolean) =>
      (await get(`/applications?year=2024&overdue=${value}`, viewer.auth)).body.data
        .map((a: { id: string }) => a.id)
        .sort();

    // The deadline day itself (in APP_TIMEZONE) is not overdue yet.
    setNow('2024-07-15T15:00:00Z'); // 23:00 in Shanghai
    expect(await overdue(true)).toEqual([]);
    setNow('2024-07-15T16:30:00Z'); // 00:30 on the 16th in Shanghai
    expect(await overdue(true)).toEqual([lateApp.id]);
    expect(await overdue(false)).toEqual([sentApp.id, looseApp.id].sort());
    expect((await get(`/applications/${lateApp.id}`)).body.overdue).toBe(true);
    const byBatch = await get(`/applications?batchId=${b.id}&overdue=true`);
    expect(byBatch.body.data.map((a: { id: string }) => a.id)).toEqual([lateApp.id]);

    // Submitting ends it; so does a later deadline.
    const stale = await t.http
      .patch(`${API}/batches/${b.id}`)
      .set('authorization', t.adminAuth)
      .set('if-match', `"${b.version + 5}"`)
      .send({ submissionDeadline: '2024-08-15' });
    expect(stale.status).toBe(412);
    const moved = await t.http
      .patch(`${API}/batches/${b.id}`)
      .set('authorization', t.adminAuth)
      .set('if-match', `"${b.version}"`)
      .send({ submissionDeadline: '2024-08-15' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ submissionDeadline: '2024-08-15', version: b.version + 1 });
    expect(await overdue(true)).toEqual([]);
    const batchAudit = await get(`/audit?entity=batch&entityId=${b.id}`);
    expect(batchAudit.body.data[0].changes).toEqual({ submissionDeadline: ['2024-07-15', '2024-08-15'] });

    // Keyset pages walk the same rows.
    const page1 = await get('/applications?year=2024&limit=2');
    expect(page1.body.data).toHaveLength(2);
    const page2 = await get(`/applications?year=2024&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.nextCursor).toBeNull();
    expect([...page1.body.data, ...page2.body.data].map((a: { id: string }) => a.id).sort()).toEqual(
      [lateApp.id, sentApp.id, looseApp.id].sort(),
    );
    const batches = await get('/batches?year=2024', viewer.auth);
    expect(batches.body.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
  });

  it('the board lists every stage of the programme in order, with counts and cards', async () => {
    setNow('2031-03-01T02:00:00Z');
    const b = await batch({
      year: 2031,
      registrationDeadline: null,
      materialsDeadline: null,
      submissionDeadline: '2031-02-01',
    });
    const [a1, a2, a3] = [await enterprise(null), await enterprise(null), await enterprise(null)];
    const x1 = await open(a1.id, { program: 'hnte', year: 2031, batchId: b.id });
    await open(a2.id, { program: 'hnte', year: 2031 });
    const x3 = await open(a3.id, { program: 'hnte', year: 2031 });
    setNow('2031-03-02T02:00:00Z');
    expect((await move(x3.id, { to: 'coaching' })).status).toBe(200);
    await open(a3.id, { program: 'tech_sme', year: 2031 }); // another programme: not on this board

    const res = await get('/applications/board?program=hnte&year=2031', viewer.auth);
    expect(res.status).toBe(200);
    expect(res.body.program).toBe('hnte');
    expect(res.body.year).toBe(2031);
    expect(res.body.stages.map((s: { stage: string; count: number }) => [s.stage, s.count])).toEqual([
      ['cultivating', 2],
      ['coaching', 1],
      ['preparing', 0],
      ['submitted', 0],
      ['expert_review', 0],
      ['publicized', 0],
      ['certified', 0],
      ['rejected', 0],
      ['withdrawn', 0],
    ]);
    expect(res.body.stages[0].applications).toContainEqual({
      id: x1.id,
      enterpriseId: a1.id,
      enterpriseName: a1.name,
      overdue: true,
      enteredStageAt: near('2031-03-01T02:00:00Z'),
    });
    expect(res.body.stages[1].applications).toEqual([
      expect.objectContaining({ id: x3.id, overdue: false, enteredStageAt: near('2031-03-02T02:00:00Z') }),
    ]);
    const sme = await get('/applications/board?program=tech_sme&year=2031');
    expect(sme.body.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'preparing',
      'submitted',
      'publicized',
      'registered',
      'rejected',
      'withdrawn',
    ]);
    expect(sme.body.stages[0].count).toBe(1);
  });

  it("an officer may not open or move applications of another officer's enterprise; a viewer writes nothing", async () => {
    setNow('2022-04-01T02:00:00Z');
    const mine = await enterprise(officer);
    const app = await open(mine.id, { program: 'hnte', year: 2022 }, officer.auth);
    const opened = await post(
      `/enterprises/${mine.id}/applications`,
      { program: 'tech_sme', year: 2022 },
      otherOfficer.auth,
    );
    expect(opened.status).toBe(403);
    expect(opened.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((await move(app.id, { to: 'coaching' }, otherOfficer.auth)).status).toBe(403);
    expect((await move(app.id, { to: 'coaching' }, viewer.auth)).status).toBe(403);
    expect(
      (
        await post(
          '/batches',
          { program: 'hnte', year: 2022, name: 'x', submissionDeadline: '2022-07-01' },
          viewer.auth,
        )
      ).status,
    ).toBe(403);
    // Reads are open to both.
    expect((await get(`/applications/${app.id}`, otherOfficer.auth)).status).toBe(200);
    expect((await get(`/applications/${app.id}`)).body.stage).toBe('cultivating');
    // An unassigned enterprise is anyone's to work on.
    const unassigned = await enterprise(null);
    expect(
      (
        await post(
          `/enterprises/${unassigned.id}/applications`,
          { program: 'hnte', year: 2022 },
          otherOfficer.auth,
        )
      ).status,
    ).toBe(201);
    // Missing things are 404.
    expect((await get('/applications/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(
      (
        await post('/enterprises/00000000-0000-4000-8000-000000000000/applications', {
          program: 'hnte',
          year: 2022,
        })
      ).status,
    ).toBe(404);
  });
});
