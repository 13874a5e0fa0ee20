// Enterprises in and out as spreadsheets (issue 6): import with dry run, per-row errors and
// revert; GBK CSV from Excel on Chinese Windows; the streamed export and its round trip.
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { UPLOAD_MAX_BYTES } from '../src/common/upload.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
type Who = Record<string, string>;

/** A valid code no other row uses: Zibo region, organisation code "MA" + a base-31 serial. */
const freshCode = creditCodes('91370304MA', process.pid * 1000);

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('企业');
  for (const row of rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csv = (rows: string[][]) =>
  rows
    .map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n') + '\r\n';

// GBK as Excel on Chinese Windows writes it: a reverse table of the decoder Node already has.
let gbkTable: Map<string, number[]> | undefined;
function gbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let hi = 0x81; hi <= 0xfe; hi++)
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        const ch = decoder.decode(Uint8Array.of(hi, lo));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, [hi, lo]);
      }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else bytes.push(...gbkTable.get(ch)!);
  }
  return Buffer.from(bytes);
}

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

function expectStatus(res: Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${res.text?.slice(0, 2000)}`);
}

describe('import and export (e2e)', () => {
  let t: TestApp;
  let admin: Who;
  const events: DomainEvent[] = [];

  const upload = (path: string, file: Buffer, filename: string, who: Who = admin) =>
    t.http.post(`${API}${path}`).set(who).attach('file', file, filename);
  const enterprise = async (body: Record<string, unknown>) => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name: `测试企业${freshCode.made}`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body as Record<string, unknown> & { id: string; creditCode: string; version: number };
  };
  const count = async (table: string, where = 'true') =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0].n;

  beforeAll(async () => {
    t = await startTestApp();
    admin = { authorization: t.adminAuth };
    t.app.get(DomainEvents).subscribe((e) => void events.push(e));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('import', () => {
    it('previews an Excel file (dry run), imports the valid rows, skips the bad ones, and reverts to before', async () => {
      const existing = await enterprise({ name: '淄博旧名称有限公司', street: '山头街道', tags: ['老客户'] });
      const [a, b, c] = [freshCode(), freshCode(), freshCode()];
      const file = await xlsx([
        ['企业名称', '统一社会信用代码', '成立日期', '街道', '技术领域', '联系邮箱', '状态', '梯队', '标签'],
        [
          '淄博鑫源新材料有限公司',
          a,
          new Date(Date.UTC(2017, 2, 15)),
          '城东街道',
          '新材料',
          'li@example.com',
          '后备',
          '重点',
          '专精特新、瞪羚',
        ],
        ['坏邮箱公司', b, '2018/5/1', '城西街道', '', 'not-an-email', '', '', ''],
        ['淄博新名称有限公司', existing.creditCode, '', '', '', '', '', '', ''],
        [],
        ['校验位错误公司', c.slice(0, 17) + (c[17] === '0' ? '1' : '0'), '', '', '', '', '', '', ''],
        ['未知领域公司', freshCode(), '2030-02-30', '', '量子计算', '', 'unknown', '', ''],
        ['', '', '', '', '', '', '', '', ''],
        ['淄博博山泵业有限公司', c, '2019年7月1日', '域城镇', 'advanced_manufacturing', '', '', '中长期', ''],
      ]);
      const before = await count('enterprises');
      const auditBefore = await count('audit_entries');

      const dry = await upload('/enterprises/import?dryRun=true', file, '企业名单.xlsx');
      expectStatus(dry, 200);
      expect(dry.body).toEqual({
        importId: null,
        dryRun: true,
        total: 6,
        created: 2,
        updated: 1,
        errors: [
          { row: 3, field: 'contactEmail', message: 'must be an email address' },
          { row: 6, field: 'creditCode', message: expect.stringMatching(/check character/) },
          { row: 7, field: 'registeredAt', message: 'must be a calendar date YYYY-MM-DD' },
          { row: 7, field: 'techDomain', message: expect.stringMatching(/must be one of/) },
          { row: 7, field: 'status', message: expect.stringMatching(/must be one of/) },
        ],
      });
      expect(await count('enterprises')).toBe(before);
      expect(await count('imports')).toBe(0);
      expect(await count('audit_entries')).toBe(auditBefore);

      events.length = 0;
      const real = await upload('/enterprises/import', file, '企业名单.xlsx');
      expectStatus(real, 201);
      expect(real.body).toEqual({ ...dry.body, importId: expect.any(String), dryRun: false });
      const [created] = await t.db.query(
        `SELECT id, name, registered_at::text AS "registeredAt", street, tech_domain AS "techDomain", contact_email AS "contactEmail",
                status, status_manual AS "statusManual", tier, tags FROM enterprises WHERE credit_code = $1 AND deleted_at IS NULL`,
        [a],
      );
      expect(created).toEqual({
        id: expect.any(String),
        name: '淄博鑫源新材料有限公司',
        registeredAt: '2017-03-15',
        street: '城东街道',
        techDomain: 'new_materials',
        contactEmail: 'li@example.com',
        status: 'reserve',
        statusManual: true,
        tier: 'priority',
        tags: ['专精特新', '瞪羚'],
      });
      const pump = (await t.http.get(`${API}/enterprises?q=${encodeURIComponent('泵业')}`).set(admin)).body
        .data[0];
      expect(pump).toMatchObject({
        creditCode: c,
        registeredAt: '2019-07-01',
        street: '域城镇',
        tier: 'medium_term',
        status: 'prospect',
      });
      const updated = (await t.http.get(`${API}/enterprises/${existing.id}`).set(admin)).body;
      // Empty cells leave fields as they were.
      expect(updated).toMatchObject({
        name: '淄博新名称有限公司',
        street: '山头街道',
        tags: ['老客户'],
        version: existing.version + 1,
      });
      expect(await count('enterprises', `credit_code = '${b}'`)).toBe(0);

      expect(
        events
          .filter((e) => e.type === 'enterprise.created')
          .map((e) => e.enterpriseId)
          .sort(),
      ).toEqual([created.id, pump.id].sort());
      expect(events).toContainEqual({
        type: 'enterprise.updated',
        enterpriseId: existing.id,
        fields: ['name'],
      });

      const audit = await t.http.get(`${API}/audit?entity=enterprise&entityId=${existing.id}`).set(admin);
      expect(audit.body.data[0]).toMatchObject({
        action: 'import',
        changes: { name: ['淄博旧名称有限公司', '淄博新名称有限公司'] },
      });
      const importAudit = await t.http
        .get(`${API}/audit?entity=import&entityId=${real.body.importId}`)
        .set(admin);
      expect(importAudit.body.data[0]).toMatchObject({
        action: 'import',
        changes: { created: [null, 2], updated: [null, 1] },
      });

      const shown = await t.http.get(`${API}/imports/${real.body.importId}`).set(admin);
      expectStatus(shown, 200);
      expect(shown.headers.etag).toBe('"1"');
      expect(shown.body).toMatchObject({
        id: real.body.importId,
        filename: '企业名单.xlsx',
        actor: { type: 'user' },
        total: 6,
        created: 2,
        updated: 1,
        errors: dry.body.errors,
        revertedAt: null,
        revertedBy: null,
      });
      const list = await t.http.get(`${API}/imports`).set(admin);
      expect(list.body.data.map((i: { id: string }) => i.id)).toContain(real.body.importId);

      events.length = 0;
      const stale = await t.http
        .post(`${API}/imports/${real.body.importId}/revert`)
        .set(admin)
        .set('if-match', '"7"');
      expectStatus(stale, 412);
      const reverted = await t.http.post(`${API}/imports/${real.body.importId}/revert`).set(admin);
      expectStatus(reverted, 200);
      expect(reverted.body).toMatchObject({
        revertedAt: expect.any(String),
        revertedBy: { type: 'user' },
        version: 2,
      });
      expect((await t.http.get(`${API}/enterprises/${created.id}`).set(admin)).status).toBe(404);
      expect((await t.http.get(`${API}/enterprises/${pump.id}`).set(admin)).status).toBe(404);
      expect((await t.http.get(`${API}/enterprises/${existing.id}`).set(admin)).body).toMatchObject({
        name: '淄博旧名称有限公司',
        street: '山头街道',
      });
      expect(await count('enterprises', 'deleted_at IS NULL')).toBe(before);
      expect(events).toContainEqual({ type: 'enterprise.deleted', enterpriseId: created.id });
      expect(events).toContainEqual({
        type: 'enterprise.updated',
        enterpriseId: existing.id,
        fields: ['name'],
      });
      const revertAudit = await t.http
        .get(`${API}/audit?entity=import&entityId=${real.body.importId}`)
        .set(admin);
      expect(revertAudit.body.data[0]).toMatchObject({
        action: 'revert',
        changes: { deleted: [null, 2], restored: [null, 1] },
      });

      const again = await t.http.post(`${API}/imports/${real.body.importId}/revert`).set(admin);
      expectStatus(again, 409);
      // The credit codes are free again: the same file imports anew.
      expectStatus(await upload('/enterprises/import', file, '企业名单.xlsx'), 201);
    });

    it('refuses to revert when an enterprise it wrote has changed since, and names it', async () => {
      const code = freshCode();
      const res = await upload(
        '/enterprises/import',
        Buffer.from(
          csv([
            ['name', 'creditCode'],
            ['淄博改动公司', code],
          ]),
        ),
        'x.csv',
      );
      expectStatus(res, 201);
      const [{ id }] = await t.db.query<{ id: string }>('SELECT id FROM enterprises WHERE credit_code = $1', [
        code,
      ]);
      expectStatus(await t.http.patch(`${API}/enterprises/${id}`).set(admin).send({ street: '八陡镇' }), 200);
      const refused = await t.http.post(`${API}/imports/${res.body.importId}/revert`).set(admin);
      expectStatus(refused, 409);
      expect(refused.body.changed).toEqual([
        { row: 2, enterpriseId: id, creditCode: code, name: '淄博改动公司', deleted: false },
      ]);
      expect((await t.http.get(`${API}/enterprises/${id}`).set(admin)).status).toBe(200);
      expect((await t.http.get(`${API}/imports/${res.body.importId}`).set(admin)).body.revertedAt).toBeNull();
    });

    it('reads a GBK CSV with Chinese headers (Excel on Chinese Windows), and a UTF-8 one with a BOM', async () => {
      const [g, u] = [freshCode(), freshCode()];
      const text = csv([
        ['企业名称', '信用代码', '注册日期', '所属街道', '联系人', '联系电话', '标签'],
        ['淄博琉璃工艺品有限公司', g, '2016-08-08', '博山镇', '王芳', '0533-4181234', '陶瓷,琉璃'],
      ]);
      const res = await upload('/enterprises/import', gbk(text), '名单.csv');
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ created: 1, errors: [] });
      const [row] = await t.db.query(
        'SELECT name, street, contact_name, tags FROM enterprises WHERE credit_code = $1',
        [g],
      );
      expect(row).toEqual({
        name: '淄博琉璃工艺品有限公司',
        street: '博山镇',
        contact_name: '王芳',
        tags: ['陶瓷', '琉璃'],
      });

      const bom = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          csv([
            ['名称', '统一社会信用代码', '行业'],
            ['淄博"双引号", 逗号公司', u, '耐火材料制造'],
          ]),
          'utf8',
        ),
      ]);
      const utf = await upload('/enterprises/import', bom, 'utf8.csv');
      expectStatus(utf, 201);
      expect((await t.db.query('SELECT name FROM enterprises WHERE credit_code = $1', [u]))[0].name).toBe(
        '淄博"双引号", 逗号公司',
      );
    });

    it('refuses files it cannot read as a whole, with a problem naming the file', async () => {
      const cases: [Buffer, string, number][] = [
        [Buffer.from(''), 'empty.csv', 400],
        [Buffer.from('name,creditCode\r\n'), 'header-only.csv', 400],
        [
          Buffer.from(
            csv([
              ['名称', '信用代码', '注册资本'],
              ['x', freshCode(), '100'],
            ]),
          ),
          'unknown.csv',
          400,
        ],
        [
          Buffer.from(
            csv([
              ['名称', '街道'],
              ['x', 'y'],
            ]),
          ),
          'no-code.csv',
          400,
        ],
        [Buffer.from('PK\u0003\u0004 not really a zip'), 'broken.xlsx', 400],
        [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3]), 'old.xls', 400],
        [Buffer.from('hello'), 'notes.docx', 400],
        [Buffer.from('name,creditCode\r\n"unclosed,x\r\n'), 'quote.csv', 400],
      ];
      for (const [data, name, status] of cases) {
        const res = await upload('/enterprises/import', data, name);
        expectStatus(res, status);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors[0]).toEqual({ field: 'file', message: expect.any(String) });
      }
      const big = await upload('/enterprises/import', Buffer.alloc(UPLOAD_MAX_BYTES + 1, 0x41), 'big.csv');
      expectStatus(big, 413);
      const many = await upload(
        '/enterprises/import?dryRun=true',
        Buffer.from('name,creditCode\n' + 'x,y\n'.repeat(100_001)),
        'many.csv',
      );
      expectStatus(many, 413);
      expect(many.body.maxRows).toBe(100_000);
      const json = await t.http.post(`${API}/enterprises/import`).set(admin).send({ file: 'x' });
      expectStatus(json, 415);
      const noFile = await t.http.post(`${API}/enterprises/import`).set(admin).field('other', 'x');
      expectStatus(noFile, 400);
      expect(noFile.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['file', 'other']);
      expect(
        await count(
          'imports',
          `filename <> '企业名单.xlsx' AND filename NOT IN ('x.csv', '名单.csv', 'utf8.csv')`,
        ),
      ).toBe(0);
    });

    it('an Idempotency-Key replays the first import and refuses another file under it', async () => {
      const file = Buffer.from(
        csv([
          ['name', 'creditCode'],
          ['淄博幂等公司', freshCode()],
        ]),
      );
      const first = await upload('/enterprises/import', file, 'once.csv').set(
        'idempotency-key',
        'import-once',
      );
      expectStatus(first, 201);
      const again = await upload('/enterprises/import', file, 'once.csv').set(
        'idempotency-key',
        'import-once',
      );
      expectStatus(again, 201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const other = Buffer.from(
        csv([
          ['name', 'creditCode'],
          ['淄博另一家公司', freshCode()],
        ]),
      );
      expectStatus(
        await upload('/enterprises/import', other, 'once.csv').set('idempotency-key', 'import-once'),
        422,
      );
    });

    it('applies the officer rule row by row', async () => {
      const [mine, theirs] = [await t.staff('officer'), await t.staff('officer')];
      const theirsEnterprise = await enterprise({ officerId: theirs.id });
      const code = freshCode();
      const file = Buffer.from(
        csv([
          ['名称', '信用代码', 'officerId'],
          ['淄博自己的公司', code, mine.id],
          ['别人的公司改名', theirsEnterprise.creditCode, ''],
          ['淄博指给别人的公司', freshCode(), theirs.id],
        ]),
      );
      const res = await upload('/enterprises/import', file, 'officer.csv', { authorization: mine.auth });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ created: 1, updated: 0 });
      expect(res.body.errors).toEqual([
        { row: 3, field: 'creditCode', message: 'this enterprise is assigned to another officer' },
        { row: 4, field: 'officerId', message: 'officers create enterprises for themselves or unassigned' },
      ]);
      const viewer = await t.staff('viewer');
      expectStatus(
        await upload('/enterprises/import', file, 'officer.csv', { authorization: viewer.auth }),
        403,
      );
    });
  });

  describe('export', () => {
    let ids: string[];
    beforeAll(async () => {
      const made = [
        await enterprise({
          name: '淄博导出甲有限公司',
          street: '石马镇',
          status: 'reserve',
          tags: ['甲', '乙'],
          contactPhone: '+86 533 4181234',
          techDomain: 'biomedicine',
        }),
        await enterprise({
          name: '=HYPERLINK("http://evil")',
          street: '石马镇',
          contactName: '@王',
          registeredAt: '2015-01-02',
        }),
        await enterprise({ name: '淄博导出丙, "有限"公司', street: '池上镇', tier: 'priority' }),
      ];
      ids = made.map((e) => e.id);
    });

    const download = (query: string) =>
      t.http.get(`${API}/enterprises/export?${query}`).set(admin).buffer(true).parse(binary);

    it('CSV: UTF-8 with BOM, Chinese headers, RFC 4180 quoting, formulas defused, filters honoured', async () => {
      const res = await download(`format=csv&street=${encodeURIComponent('石马镇')}`);
      expectStatus(res, 200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="enterprises-\d{4}-\d\d-\d\d\.csv"; filename\*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-\d{4}-\d\d-\d\d\.csv$/,
      );
      const body = res.body as Buffer;
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = body.toString('utf8').slice(1).split('\r\n');
      expect(lines[0].startsWith('企业名称,统一社会信用代码,信用代码已确认,注册日期,所属街道')).toBe(true);
      expect(lines.filter((l) => l !== '')).toHaveLength(3);
      expect(body.toString()).toContain(`"'=HYPERLINK(""http://evil"")"`);
      expect(body.toString()).toContain(`'@王`);
      expect(body.toString()).toContain(`'+86 533 4181234`);
      expect(body.toString()).toContain('甲、乙');
      expect(body.toString()).toContain('生物与新医药');
      expect(body.toString()).not.toContain('池上镇');
    });

    it('xlsx reads back with exceljs, and the export re-imports as it is (the round trip)', async () => {
      const res = await download('format=xlsx');
      expectStatus(res, 200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as never);
      const ws = wb.worksheets[0];
      const header = (ws.getRow(1).values as unknown[]).slice(1);
      expect(header.slice(0, 3)).toEqual(['企业名称', '统一社会信用代码', '信用代码已确认']);
      const total = (await t.http.get(`${API}/enterprises?limit=200`).set(admin)).body.data.length;
      expect(ws.actualRowCount).toBe(total + 1);
      const names = [];
      for (let r = 2; r <= ws.rowCount; r++) names.push(ws.getRow(r).getCell(1).value);
      expect(names).toContain('=HYPERLINK("http://evil")'); // a string cell, not a formula
      expect(ws.getRow(2).getCell(1).type).toBe(ExcelJS.ValueType.String);

      // Unchanged data re-imports as nothing to do.
      const same = await upload('/enterprises/import?dryRun=true', res.body as Buffer, 'export.xlsx');
      expectStatus(same, 200);
      expect(same.body).toMatchObject({ total, created: 0, updated: 0, errors: [] });

      // Deleted ones come back as they were.
      const originals = [];
      for (const id of ids) {
        originals.push((await t.http.get(`${API}/enterprises/${id}`).set(admin)).body);
        expectStatus(await t.http.delete(`${API}/enterprises/${id}`).set(admin), 204);
      }
      const csvExport = (await download('format=csv')).body as Buffer;
      const back = await upload('/enterprises/import', res.body as Buffer, 'export.xlsx');
      expectStatus(back, 201);
      expect(back.body).toMatchObject({ created: 3, updated: 0, errors: [] });
      for (const o of originals) {
        const again = (await t.http.get(`${API}/enterprises?q=${o.creditCode}`).set(admin)).body.data[0];
        const strip = ({
          id: _i,
          version: _v,
          createdAt: _c,
          updatedAt: _u,
          ...rest
        }: Record<string, unknown>) => rest;
        expect(strip(again)).toEqual(strip(o));
      }
      // The CSV (without the three) also re-imports cleanly.
      const csvBack = await upload('/enterprises/import?dryRun=true', csvExport, 'export.csv');
      expect(csvBack.body).toMatchObject({ created: 0, updated: 0, errors: [] });
    });

    it('honours the list filters and refuses unknown ones', async () => {
      const res = await download(`format=csv&tier=priority&q=${encodeURIComponent('导出丙')}`);
      expectStatus(res, 200);
      const lines = (res.body as Buffer)
        .toString('utf8')
        .split('\r\n')
        .filter((l) => l !== '');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('"淄博导出丙, ""有限""公司"');
      expectStatus(await t.http.get(`${API}/enterprises/export?format=pdf`).set(admin), 400);
      expectStatus(await t.http.get(`${API}/enterprises/export?limit=5`).set(admin), 400);
      const viewer = await t.staff('viewer');
      expectStatus(await t.http.get(`${API}/enterprises/export`).set({ authorization: viewer.auth }), 200);
    });
  });
});
