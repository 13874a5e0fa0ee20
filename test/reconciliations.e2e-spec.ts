// Official lists (公示 / 公告名单) against the pipelines (issue 6): matched applications move
// through the normal stage rules; the rest is reported.
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
type Who = Record<string, string>;

const freshCode = creditCodes('91370304MC', process.pid * 1000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${res.text?.slice(0, 2000)}`);
}

describe('reconciliations (e2e)', () => {
  let t: TestApp;
  let admin: Who;

  const firm = async (name: string) => {
    const res = await t.http.post(`${API}/enterprises`).set(admin).send({ name, creditCode: freshCode() });
    expectStatus(res, 201);
    return res.body as { id: string; creditCode: string; name: string };
  };
  const application = async (enterpriseId: string, body: Record<string, unknown>) => {
    const res = await t.http.post(`${API}/enterprises/${enterpriseId}/applications`).set(admin).send(body);
    expectStatus(res, 201);
    return res.body as { id: string };
  };
  const send = (
    file: Buffer,
    filename: string,
    fields: Record<string, string>,
    query = '',
    who: Who = admin,
  ) => {
    let req = t.http.post(`${API}/reconciliations${query}`).set(who).attach('file', file, filename);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an HNTE notice certifies the publicized, reports the one still in review, the unknown row and who is missing', async () => {
    const batch = await t.http.post(`${API}/batches`).set(admin).send({
      program: 'hnte',
      year: 2022,
      name: '山东省2022年第二批',
      submissionDeadline: '2022-07-15',
    });
    expectStatus(batch, 201);
    const [a, b, c, d] = [
      await firm('淄博甲科技有限公司'),
      await firm('淄博乙科技有限公司'),
      await firm('淄博丙科技有限公司'),
      await firm('淄博丁科技有限公司'),
    ];
    const appA = await application(a.id, {
      program: 'hnte',
      year: 2022,
      batchId: batch.body.id,
      stage: 'publicized',
    });
    const appB = await application(b.id, {
      program: 'hnte',
      year: 2022,
      batchId: batch.body.id,
      stage: 'submitted',
    });
    const appC = await application(c.id, {
      program: 'hnte',
      year: 2022,
      batchId: batch.body.id,
      stage: 'publicized',
    });
    await application(d.id, { program: 'hnte', year: 2023, stage: 'publicized' });
    const unknown = freshCode();

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['山东省2022年第二批认定报备高新技术企业名单']);
    ws.addRow(['序号', '企业名称', '统一社会信用代码', '证书编号']);
    ws.addRow([1, '淄博甲科技股份有限公司', a.creditCode, 'GR202237001234']);
    ws.addRow([2, b.name, b.creditCode, 'GR202237001235']);
    ws.addRow([3, '外地某公司', unknown, 'GR202237001236']);
    ws.addRow([4, d.name, d.creditCode, 'GR202237001237']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const fields = { program: 'hnte', issuedAt: '2022-12-12', batchId: batch.body.id };

    const dry = await send(file, '名单.xlsx', fields, '?dryRun=true');
    expectStatus(dry, 200);
    const expected = {
      dryRun: true,
      program: 'hnte',
      issuedAt: '2022-12-12',
      year: null,
      batchId: batch.body.id,
      filename: '名单.xlsx',
      matched: [
        expect.objectContaining({
          row: 3,
          applicationId: appA.id,
          name: '淄博甲科技股份有限公司',
          enterpriseName: a.name,
          stage: 'publicized',
        }),
        expect.objectContaining({ row: 4, applicationId: appB.id, stage: 'submitted' }),
      ],
      moved: [
        {
          row: 3,
          applicationId: appA.id,
          enterpriseId: a.id,
          from: 'publicized',
          to: 'certified',
          certificateNo: 'GR202237001234',
          issuedAt: '2022-12-12',
        },
      ],
      notMoved: [
        {
          row: 4,
          applicationId: appB.id,
          reason: expect.stringMatching(/submitted cannot move to certified/),
        },
      ],
      unmatchedRows: [
        { row: 5, creditCode: unknown, name: '外地某公司', reason: 'no enterprise with this credit code' },
        { row: 6, creditCode: d.creditCode, name: d.name, reason: expect.stringMatching(/2023/) },
      ],
      notMentioned: [
        expect.objectContaining({ applicationId: appC.id, enterpriseId: c.id, stage: 'publicized' }),
      ],
    };
    expect(dry.body).toEqual({
      ...expected,
      id: null,
      actor: { type: 'user', id: expect.any(String) },
      at: expect.any(String),
    });
    expect((await t.http.get(`${API}/applications/${appA.id}`).set(admin)).body.stage).toBe('publicized');

    const real = await send(file, '名单.xlsx', fields);
    expectStatus(real, 201);
    expect(real.body).toEqual({
      ...expected,
      dryRun: false,
      id: expect.any(String),
      actor: expect.any(Object),
      at: expect.any(String),
    });
    const certified = (await t.http.get(`${API}/applications/${appA.id}`).set(admin)).body;
    expect(certified).toMatchObject({
      stage: 'certified',
      certificateNo: 'GR202237001234',
      issuedAt: '2022-12-12',
      validUntil: '2025-12-11',
    });
    expect(certified.history.at(-1)).toMatchObject({ from: 'publicized', to: 'certified' });
    expect((await t.http.get(`${API}/enterprises/${a.id}`).set(admin)).body.status).toBe('certified');
    expect((await t.http.get(`${API}/applications/${appB.id}`).set(admin)).body.stage).toBe('submitted');

    const stored = await t.http.get(`${API}/reconciliations/${real.body.id}`).set(admin);
    expectStatus(stored, 200);
    expect(stored.body).toEqual({ ...real.body, at: expect.any(String) });
    const audit = await t.http.get(`${API}/audit?entity=reconciliation&entityId=${real.body.id}`).set(admin);
    expect(audit.body.data[0]).toMatchObject({ action: 'reconcile', changes: { moved: [null, 1] } });

    // Sent again, the list finds nothing open to move for A.
    const again = await send(file, '名单.xlsx', fields, '?dryRun=true');
    expect(again.body.moved).toEqual([]);
  });

  it('a tech-SME list registers through the stage rules, with the year from the form; bad forms are 400s', async () => {
    const e = await firm('淄博科小企业有限公司');
    const app = await application(e.id, { program: 'tech_sme', year: 2024, stage: 'publicized' });
    const csv = `统一社会信用代码,企业名称,入库登记编号\r\n${e.creditCode},${e.name},202437030400012345\r\n`;
    const res = await send(Buffer.from(csv), 'tsme.csv', { program: 'tech_sme', year: '2024' });
    expectStatus(res, 201);
    expect(res.body.moved).toEqual([
      expect.objectContaining({
        applicationId: app.id,
        to: 'registered',
        registrationNo: '202437030400012345',
      }),
    ]);
    expect((await t.http.get(`${API}/applications/${app.id}`).set(admin)).body).toMatchObject({
      stage: 'registered',
      registrationNo: '202437030400012345',
      validUntil: '2024-12-31',
    });

    const missing = await send(Buffer.from(csv), 'tsme.csv', { program: 'hnte' });
    expectStatus(missing, 400);
    expect(missing.body.errors).toEqual([{ field: 'issuedAt', message: expect.any(String) }]);
    const bad = await send(Buffer.from(csv), 'tsme.csv', { program: 'gold', year: '1800', extra: 'x' });
    expectStatus(bad, 400);
    expect(bad.body.errors.map((x: { field: string }) => x.field).sort()).toEqual([
      'extra',
      'program',
      'year',
    ]);
    const noBatch = await send(Buffer.from(csv), 'tsme.csv', {
      program: 'tech_sme',
      batchId: '00000000-0000-4000-8000-000000000000',
    });
    expectStatus(noBatch, 400);
    const noCode = await send(Buffer.from('企业名称\r\n甲\r\n'), 'x.csv', { program: 'tech_sme' });
    expectStatus(noCode, 400);
    const viewer = await t.staff('viewer');
    expectStatus(
      await send(Buffer.from(csv), 'tsme.csv', { program: 'tech_sme' }, '', { authorization: viewer.auth }),
      403,
    );
  });
});
