// Reminders planned from dated facts (batch deadlines, certificates, annual reports, the
// tech-based SME year, contract items), the digest, and the Chinese working-day calendar —
// with the real send window (09:00-18:00 Asia/Shanghai, working days only), a set clock, the
// real PostgreSQL and Redis and an SMTP listener in this process.
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock.js';
import { EnterpriseReminderPlanner } from '../src/reminders/enterprise-reminder-planner.service.js';
import { readMail, SmtpSink } from './support/smtp-sink.js';
import { eventually } from './support/tcp-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';

type Body = Record<string, unknown>;
interface Row {
  id: string;
  kind: string;
  status: string;
  recipient: string;
  recipientRole: string;
  subject: string;
  dueAt: string;
  messageId: string | null;
  attemptLog?: { attempt: number; outcome: string; error: string | null; messageId: string | null }[];
}

const freshCode = creditCodes('91370304P', 9100);

function ok(res: Response, status = 200): Response {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

/** 09:00 in Asia/Shanghai on `date`, as the API writes instants. */
const nineAm = (date: string) => new Date(`${date}T01:00:00.000Z`).toISOString();

describe('reminder planning (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: { authorization: string };
  const setNow = (iso: string) => t.app.get(Clock).setNow(new Date(iso));

  const post = (path: string, body: Body) => t.http.post(`${API}${path}`).set(admin).send(body);
  const patch = (path: string, body: Body) => t.http.patch(`${API}${path}`).set(admin).send(body);
  const createEnterprise = async (body: Body = {}): Promise<string> =>
    ok(
      await post('/enterprises', {
        name: `规划企业${freshCode.made + 1}`,
        creditCode: freshCode(),
        contactName: '王经理',
        contactEmail: `contact${freshCode.made + 1}@qiye.test`,
        ...body,
      }),
      201,
    ).body.id;
  const rowsOf = async (enterpriseId: string, kind?: string): Promise<Row[]> => {
    const res = ok(
      await t.http
        .get(`${API}/reminders?enterpriseId=${enterpriseId}&limit=200${kind ? `&kind=${kind}` : ''}`)
        .set(admin),
    );
    return res.body.data;
  };
  const live = (rows: Row[]) => rows.filter((r) => r.status === 'scheduled');
  const brief = (rows: Row[]) => rows.map((r) => [r.subject, r.dueAt]);

  beforeAll(async () => {
    sink = await new SmtpSink().start(0, { closeTimeout: 100 });
    t = await startTestApp({
      SMTP_URL: sink.url,
      MAIL_FROM: '博山区科技局 <kjj@boshan.test>',
      APP_TIMEZONE: 'Asia/Shanghai',
      REMINDER_SEND_WINDOW: '09:00-18:00',
      REMINDER_WORKING_DAYS_ONLY: 'true',
      REMINDER_SWEEP_INTERVAL_MS: '1000',
    });
    admin = { authorization: t.adminAuth };
  });

  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  it('a batch deadline: 7, 3 and 1 days before, at 09:00 on working days; a moved deadline moves them; submission ends them', async () => {
    setNow('2027-04-01T02:00:00Z');
    const contactEmail = 'deadline@qiye.test';
    const enterpriseId = await createEnterprise({ contactEmail });
    const batch = ok(
      await post('/batches', {
        program: 'hnte',
        year: 2027,
        name: '2027年第一批',
        materialsDeadline: '2027-05-20',
        submissionDeadline: '2027-06-10',
      }),
      201,
    ).body;
    const application = ok(
      await post(`/enterprises/${enterpriseId}/applications`, { program: 'hnte', year: 2027, batchId: batch.id }),
      201,
    ).body;
    const planned = live(await rowsOf(enterpriseId, 'deadline_approaching'));
    expect(brief(planned)).toEqual([
      ['【截止提醒】2027年第一批 材料报送截止 2027-05-20', nineAm('2027-05-13')],
      ['【截止提醒】2027年第一批 材料报送截止 2027-05-20', nineAm('2027-05-17')],
      ['【截止提醒】2027年第一批 材料报送截止 2027-05-20', nineAm('2027-05-19')],
      // 7 days before 06-10 is Thursday 06-03; 3 days before is Monday 06-07; 1 day before Wednesday 06-09.
      ['【截止提醒】2027年第一批 申报截止 2027-06-10', nineAm('2027-06-03')],
      ['【截止提醒】2027年第一批 申报截止 2027-06-10', nineAm('2027-06-07')],
      ['【截止提醒】2027年第一批 申报截止 2027-06-10', nineAm('2027-06-09')],
    ]);
    expect(planned.every((r) => r.recipient === contactEmail && r.recipientRole === 'enterprise')).toBe(true);

    // Planning again (the nightly run) adds nothing, and says so; lost rows are planned again and counted.
    const planner = t.app.get(EnterpriseReminderPlanner);
    expect(await planner.planEnterprises([enterpriseId])).toEqual({ enterprises: 1, planned: 0, cancelled: 0 });
    await planner.planAll();
    expect((await rowsOf(enterpriseId)).map((r) => r.id).sort()).toEqual(planned.map((r) => r.id).sort());
    await t.db.query(`DELETE FROM reminders WHERE id = $1`, [planned[0].id]);
    expect(await planner.planEnterprises([enterpriseId])).toEqual({ enterprises: 1, planned: 1, cancelled: 0 });
    expect(live(await rowsOf(enterpriseId, 'deadline_approaching'))).toHaveLength(6);

    // The submission deadline moves a week: its three reminders move, the materials ones stay.
    ok(await patch(`/batches/${batch.id}`, { submissionDeadline: '2027-06-17' }));
    const moved = live(await rowsOf(enterpriseId, 'deadline_approaching'));
    expect(moved.map((r) => r.dueAt)).toEqual([
      nineAm('2027-05-13'),
      nineAm('2027-05-17'),
      nineAm('2027-05-19'),
      nineAm('2027-06-10'),
      nineAm('2027-06-14'),
      nineAm('2027-06-16'),
    ]);
    const cancelled = (await rowsOf(enterpriseId, 'deadline_approaching')).filter((r) => r.status === 'cancelled');
    expect(cancelled.map((r) => r.dueAt)).toEqual([nineAm('2027-06-03'), nineAm('2027-06-07'), nineAm('2027-06-09')]);

    // Once submitted, nothing is pending.
    for (const to of ['coaching', 'preparing', 'submitted'])
      ok(await post(`/applications/${application.id}/transitions`, { to }));
    expect(live(await rowsOf(enterpriseId))).toEqual([]);
  });

  it('a reminder ahead of a deadline that falls on a holiday goes out the working day before', async () => {
    setNow('2027-08-01T02:00:00Z');
    const enterpriseId = await createEnterprise();
    // 1 day before 2026-10-09 is 10-08 (a working day); 3 days before is 10-06, inside the
    // National Day holiday: pulled back to 09-30. 7 days before is 10-02 (holiday) → 09-30 too.
    const batch = ok(
      await post('/batches', { program: 'hnte', year: 2026, name: '国庆批次', submissionDeadline: '2026-10-09' }),
      201,
    ).body;
    setNow('2026-09-01T02:00:00Z');
    ok(await post(`/enterprises/${enterpriseId}/applications`, { program: 'hnte', year: 2026, batchId: batch.id }), 201);
    expect(live(await rowsOf(enterpriseId)).map((r) => r.dueAt)).toEqual([
      nineAm('2026-09-30'),
      nineAm('2026-09-30'),
      nineAm('2026-10-08'),
    ]);
    // Withdrawing the application cancels what it was owed.
    const [app] = ok(await t.http.get(`${API}/enterprises/${enterpriseId}/applications`).set(admin)).body.data;
    ok(await post(`/applications/${app.id}/transitions`, { to: 'withdrawn', note: '企业决定明年再报' }));
    expect(live(await rowsOf(enterpriseId))).toEqual([]);
  });

  it('a certificate: expiry at 180/90/30 days and the annual report in May; marking it filed stops the escalation', async () => {
    setNow('2025-12-01T02:00:00Z');
    const officer = await t.staff('officer', '孙专员');
    const enterpriseId = await createEnterprise({ officerId: officer.id });
    const app = ok(
      await post(`/enterprises/${enterpriseId}/applications`, { program: 'hnte', year: 2025, stage: 'publicized' }),
      201,
    ).body;
    ok(
      await post(`/applications/${app.id}/transitions`, {
        to: 'certified',
        certificateNo: 'GR202537000777',
        issuedAt: '2025-11-20',
      }),
    );
    setNow('2026-03-02T02:00:00Z');
    await t.app.get(EnterpriseReminderPlanner).planEnterprises([enterpriseId]);
    const expiring = live(await rowsOf(enterpriseId, 'certificate_expiring'));
    // Valid until 2028-11-19: 180 days before is Tuesday 2028-05-23, 90 days Monday 08-21, 30 days Friday 10-20.
    expect(expiring.map((r) => r.dueAt)).toEqual([nineAm('2028-05-23'), nineAm('2028-08-21'), nineAm('2028-10-20')]);
    expect(expiring[0].subject).toBe('【到期提醒】高新技术企业证书 GR202537000777 将于 2028-11-19 到期');

    const report = live(await rowsOf(enterpriseId, 'annual_report_due')).filter((r) => r.dueAt < '2027-01-01');
    // 1 May 2026 is a holiday (Labour Day, to 5 May): the reminder waits for 6 May. 20 May is a Wednesday.
    expect(report.map((r) => [r.recipientRole, r.dueAt])).toEqual([
      ['enterprise', nineAm('2026-05-06')],
      ['enterprise', nineAm('2026-05-20')],
      ['officer', nineAm('2026-06-01')],
    ]);
    expect(report[2].recipient).toBe(officer.email);
    const filed = await t.http
      .put(`${API}/enterprises/${enterpriseId}/annual-reports/2026`)
      .set(admin)
      .send({ filedOn: '2026-04-28' });
    ok(filed, 201);
    expect(filed.body).toMatchObject({ enterpriseId, year: 2026, filedOn: '2026-04-28', version: 1 });
    const after = live(await rowsOf(enterpriseId, 'annual_report_due'));
    expect(after.every((r) => r.dueAt > '2027-01-01')).toBe(true);
    expect(after).toHaveLength(3);

    // Removing a mark set by mistake brings the year's reminders back.
    ok(await t.http.delete(`${API}/enterprises/${enterpriseId}/annual-reports/2026`).set(admin), 204);
    expect(live(await rowsOf(enterpriseId, 'annual_report_due'))).toHaveLength(6);
    const list = ok(await t.http.get(`${API}/enterprises/${enterpriseId}/annual-reports`).set(admin));
    expect(list.body).toEqual({ data: [], nextCursor: null });
    const badDate = await t.http
      .put(`${API}/enterprises/${enterpriseId}/annual-reports/2026`)
      .set(admin)
      .send({ filedOn: '2026-02-30', extra: 1 });
    ok(badDate, 400);
    expect(badDate.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'filedOn']);
    const badYear = await t.http
      .put(`${API}/enterprises/${enterpriseId}/annual-reports/1800`)
      .set(admin)
      .send({ filedOn: '2026-02-28' });
    ok(badYear, 400);
    expect(badYear.body.errors.map((e: { field: string }) => e.field)).toEqual(['year']);
    expect(live(await rowsOf(enterpriseId, 'annual_report_due'))).toHaveLength(6);
  });

  it('a tech-based SME registration: renew next year; opening next year’s application ends it', async () => {
    setNow('2026-04-01T02:00:00Z');
    const enterpriseId = await createEnterprise();
    const app = ok(
      await post(`/enterprises/${enterpriseId}/applications`, { program: 'tech_sme', year: 2026, stage: 'publicized' }),
      201,
    ).body;
    ok(await post(`/applications/${app.id}/transitions`, { to: 'registered', registrationNo: '2026370304A0099' }));
    const [renewal] = live(await rowsOf(enterpriseId, 'tsme_renewal'));
    expect(renewal).toMatchObject({ subject: '【评价提醒】请办理 2027 年度科技型中小企业评价', dueAt: nineAm('2027-03-01') });
    ok(await post(`/enterprises/${enterpriseId}/applications`, { program: 'tech_sme', year: 2027 }), 201);
    expect(live(await rowsOf(enterpriseId, 'tsme_renewal'))).toEqual([]);
  });

  it('a contract item: to the contract officer a week ahead and on the day; done ends it', async () => {
    setNow('2026-11-02T02:00:00Z');
    const officer = await t.staff('officer', '李专员');
    const enterpriseId = await createEnterprise();
    const contract = ok(
      await post(`/enterprises/${enterpriseId}/contracts`, {
        contractNo: `BS-2026-${freshCode.made}`,
        officerId: officer.id,
        signedAt: '2026-11-01',
        startsAt: '2026-11-01',
        endsAt: '2027-06-30',
        amount: 30000,
        status: 'active',
        items: [{ description: '完成两项专利申请', dueAt: '2026-12-10' }],
      }),
      201,
    ).body;
    const rows = live(await rowsOf(enterpriseId, 'contract_item_due'));
    expect(rows.map((r) => [r.recipient, r.dueAt])).toEqual([
      [officer.email, nineAm('2026-12-03')],
      [officer.email, nineAm('2026-12-10')],
    ]);
    const item = contract.items[0];
    ok(await patch(`/contracts/${contract.id}`, { items: [{ ...pick(item), status: 'done' }] }));
    expect(live(await rowsOf(enterpriseId, 'contract_item_due'))).toEqual([]);
  });

  it('a follow-up due on a holiday waits for the next working day; a 调休 Saturday is a working day', async () => {
    // National Day 2026: 1–7 October off; Saturday 10 October is worked (调休).
    const officer = await t.staff('officer', '钱专员');
    const follow = async (at: string, reason: string): Promise<Row> => {
      const enterpriseId = await createEnterprise({ contactEmail: null, officerId: officer.id });
      ok(await post(`/enterprises/${enterpriseId}/tracking`, { reasons: [reason], officerId: officer.id, nextFollowUpAt: at }), 201);
      const rows = await rowsOf(enterpriseId);
      expect(rows).toHaveLength(1);
      return rows[0];
    };
    const reminder = async (id: string): Promise<Row> =>
      ok(await t.http.get(`${API}/reminders/${id}`).set(admin)).body;

    setNow('2026-10-01T02:00:00Z');
    const held = await follow('2026-10-01T02:00:00Z', '节日回访');
    expect(held.dueAt).toBe(nineAm('2026-10-08'));
    // Several sweeps run on the holiday and send nothing.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await reminder(held.id)).toMatchObject({ status: 'scheduled', attemptLog: [] });

    // Sunday 11 October is an ordinary day off: a follow-up due then waits for Monday.
    setNow('2026-10-11T02:00:00Z');
    expect((await follow('2026-10-11T02:00:00Z', '周日回访')).dueAt).toBe(nineAm('2026-10-12'));

    setNow('2026-10-10T02:00:00Z');
    const saturday = await follow('2026-10-10T02:00:00Z', '调休回访');
    expect(saturday.dueAt).toBe('2026-10-10T02:00:00.000Z');
    // The Saturday sweep sends it, with the held holiday one in the same digest (both due by now).
    const [sent, alsoSent] = await eventually(async () => {
      const rows = [await reminder(saturday.id), await reminder(held.id)];
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
      return rows;
    }, 20_000);
    expect(alsoSent.messageId).toBe(sent.messageId);
    expect(sent.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent', messageId: sent.messageId })]);
    const mails = sink.received.filter((m) => m.to.includes(officer.email));
    expect(mails).toHaveLength(1);
    const mail = await readMail(mails[0]);
    expect(mail.text).toContain('调休回访');
    expect(mail.text).toContain('节日回访');
  });

  it('several reminders due the same day for one address go out as one digest mail', async () => {
    setNow('2026-12-01T00:30:00Z'); // Tuesday 08:30 in Shanghai: before the window opens
    const officer = await t.staff('officer', '赵专员');
    const ids: string[] = [];
    for (const reason of ['研发费用不足', '知识产权不足', '科技人员不足']) {
      const enterpriseId = await createEnterprise({ contactEmail: null, officerId: officer.id });
      ok(
        await post(`/enterprises/${enterpriseId}/tracking`, {
          reasons: [reason],
          officerId: officer.id,
          nextFollowUpAt: '2026-12-01T01:30:00Z',
        }),
        201,
      );
      ids.push(...(await rowsOf(enterpriseId)).map((r) => r.id));
    }
    expect(ids).toHaveLength(3);
    setNow('2026-12-01T02:00:00Z'); // 10:00: all three are due when the sweeper looks
    const rows = await eventually(async () => {
      const all = await Promise.all(
        ids.map(async (id) => ok(await t.http.get(`${API}/reminders/${id}`).set(admin)).body as Row),
      );
      expect(all.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
      return all;
    }, 20_000);
    const messageIds = new Set(rows.map((r) => r.messageId));
    expect(messageIds.size).toBe(1);
    const mails = sink.received.filter((m) => m.to.includes(officer.email));
    expect(mails).toHaveLength(1);
    const mail = await readMail(mails[0]);
    expect(mail.subject).toBe('【博山区科技局】今日 3 项提醒');
    expect(mail.messageId).toBe(rows[0].messageId);
    for (const reason of ['研发费用不足', '知识产权不足', '科技人员不足']) expect(mail.text).toContain(reason);
    expect(mail.text.match(/您收到此邮件，是因为/g)).toHaveLength(3);
  });
});

/** An item as PATCH /contracts/:id takes it back (its id keeps it the same item). */
function pick(item: { id: string; description: string; dueAt: string; criterion: string | null }) {
  return { id: item.id, description: item.description, dueAt: item.dueAt, criterion: item.criterion };
}
