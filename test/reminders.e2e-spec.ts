// The reminder outbox for follow-ups (挂号跟踪): planner, sweeper and sender against the real
// PostgreSQL, Redis and an SMTP listener in this process. Rows are polled, never slept on.
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock.js';
import { DomainEvents, type DomainEvent } from '../src/common/domain-events.js';
import { QueueName, RemindersJob } from '../src/queue/queue.constants.js';
import { ReminderPlanner } from '../src/reminders/reminder-planner.service.js';
import { RemindersService, sendJob } from '../src/reminders/reminders.service.js';
import { SmtpSink } from './support/smtp-sink.js';
import { eventually } from './support/tcp-proxy.js';
import { deleteQueueKeys, startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const UNKNOWN_ID = '7e0e3b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const FAR = '2030-06-03T02:00:00.000Z';

type Who = Record<string, string>;
type Body = Record<string, unknown>;
interface Row {
  id: string;
  status: string;
  recipient: string;
  recipientRole: string;
  dueAt: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  sentAt: string | null;
  version: number;
  enterpriseId: string;
  kind: string;
  mandatory: boolean;
}

const freshCode = creditCodes('91370304R', 7000);

function expectStatus(res: Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}

describe('reminders (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: Who;
  let queue: Queue;

  const justNow = () => new Date(Date.now() - 60_000).toISOString();
  const createEnterprise = async (body: Body = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set(admin)
      .send({ name: `提醒企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expectStatus(res, 201);
    return res.body.id;
  };
  const track = async (enterpriseId: string, body: Body = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises/${enterpriseId}/tracking`)
      .set(admin)
      .send({ reasons: ['研发费用占比不足'], nextFollowUpAt: FAR, ...body });
    expectStatus(res, 201);
    return res.body.id;
  };
  const patchTracking = async (id: string, body: Body) => {
    const res = await t.http.patch(`${API}/tracking/${id}`).set(admin).send(body);
    expectStatus(res, 200);
  };
  const remindersOf = async (enterpriseId: string, query = ''): Promise<Row[]> => {
    const res = await t.http.get(`${API}/reminders?enterpriseId=${enterpriseId}&limit=200${query}`).set(admin);
    expectStatus(res, 200);
    return res.body.data;
  };
  const reminder = async (id: string): Promise<Row> => {
    const res = await t.http.get(`${API}/reminders/${id}`).set(admin);
    expectStatus(res, 200);
    return res.body;
  };
  const officerRow = async (enterpriseId: string): Promise<Row> => {
    const rows = (await remindersOf(enterpriseId)).filter((r) => r.recipientRole === 'officer');
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const mailsOf = (id: string) => sink.received.filter((m) => m.raw.includes(`<reminder-${id}@peiyu>`));
  const sent = (id: string) =>
    eventually(async () => {
      const row = await reminder(id);
      expect(row.status).toBe('sent');
      return row;
    }, 30_000);

  beforeAll(async () => {
    sink = await new SmtpSink().start(0, { closeTimeout: 100 });
    t = await startTestApp({
      SMTP_URL: sink.url,
      MAIL_FROM: '博山区科技局 <kjj@boshan.test>',
      REMINDER_SEND_WINDOW: '00:00-24:00',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      REMINDER_SWEEP_INTERVAL_MS: '1000',
    });
    admin = { authorization: t.adminAuth };
    queue = t.app.get<Queue>(getQueueToken(QueueName.Reminders));
  });

  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  it('a follow-up due now reaches the officer and the enterprise contact, and shows sent with its Message-ID', async () => {
    const enterpriseId = await createEnterprise({ contactName: '王经理', contactEmail: 'wang@qiye.test' });
    const trackingId = await track(enterpriseId, { nextFollowUpAt: justNow() });
    const rows = await remindersOf(enterpriseId);
    expect(rows.map((r) => [r.recipientRole, r.recipient, r.mandatory, r.kind]).sort()).toEqual([
      ['enterprise', 'wang@qiye.test', false, 'follow_up_due'],
      ['officer', 'admin@peiyu.test', true, 'follow_up_due'],
    ]);
    for (const r of rows) {
      const row = await sent(r.id);
      expect(row.messageId).toBe(`<reminder-${r.id}@peiyu>`);
      expect(row.attempts).toBe(1);
      expect(row.sentAt).not.toBeNull();
      const mails = mailsOf(r.id);
      expect(mails).toHaveLength(1);
      expect(mails[0].to).toEqual([r.recipient]);
      expect(mails[0].raw).toMatch(new RegExp(`^Message-ID: <reminder-${r.id}@peiyu>`, 'mi'));
      expect(mails[0].from).toBe('kjj@boshan.test');
    }

    // Re-planning the date already mailed sends nothing again; the next follow-up gets new rows.
    await t.app.get(ReminderPlanner).planFollowUps([trackingId]);
    expect((await remindersOf(enterpriseId)).map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    await patchTracking(trackingId, { nextFollowUpAt: FAR });
    const next = await remindersOf(enterpriseId);
    expect(next).toHaveLength(4);
    expect(next.filter((r) => r.status === 'scheduled').map((r) => r.dueAt)).toEqual([FAR, FAR]);
    expect(next.filter((r) => r.status === 'sent').map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('planning twice creates nothing new; a moved date reschedules the same row; closing cancels it', async () => {
    const enterpriseId = await createEnterprise({ contactEmail: 'li@qiye.test' });
    const trackingId = await track(enterpriseId);
    const before = await remindersOf(enterpriseId);
    expect(before).toHaveLength(2);
    expect(before.every((r) => r.status === 'scheduled' && r.dueAt === FAR)).toBe(true);

    const planner = t.app.get(ReminderPlanner);
    await planner.planFollowUps([trackingId]);
    await planner.planFollowUps([trackingId]);
    const again = await remindersOf(enterpriseId);
    expect(again.map((r) => [r.id, r.version, r.dueAt])).toEqual(before.map((r) => [r.id, r.version, r.dueAt]));
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reminders WHERE enterprise_id = $1`,
      [enterpriseId],
    );
    expect(n).toBe(2);

    const moved = '2030-07-01T03:30:00.000Z';
    await patchTracking(trackingId, { nextFollowUpAt: moved });
    const after = await remindersOf(enterpriseId);
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(after.every((r) => r.status === 'scheduled' && r.dueAt === moved)).toBe(true);

    // The enterprise's copy is optional: turning reminders off skips it, the officer's stays.
    const off = await t.http.patch(`${API}/enterprises/${enterpriseId}`).set(admin).send({ remindersEnabled: false });
    expectStatus(off, 200);
    const skipped = await remindersOf(enterpriseId);
    expect(Object.fromEntries(skipped.map((r) => [r.recipientRole, r.status]))).toEqual({
      officer: 'scheduled',
      enterprise: 'skipped',
    });

    await patchTracking(trackingId, { status: 'closed', reason: '企业暂无申报意向' });
    const closed = await remindersOf(enterpriseId);
    expect(closed.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(closed.every((r) => r.status === 'cancelled')).toBe(true);
  });

  it('a new contact moves the follow-up copy and the deadline reminders; an unrelated change touches nothing; deleting cancels all', async () => {
    const enterpriseId = await createEnterprise({ contactName: '孙经理', contactEmail: 'sun@qiye.test' });
    await track(enterpriseId);
    const batch = await t.http
      .post(`${API}/batches`)
      .set(admin)
      .send({ program: 'hnte', year: 2030, name: '2030年第一批', submissionDeadline: '2030-06-10' });
    expectStatus(batch, 201);
    const application = await t.http
      .post(`${API}/enterprises/${enterpriseId}/applications`)
      .set(admin)
      .send({ program: 'hnte', year: 2030, batchId: batch.body.id });
    expectStatus(application, 201);
    const live = async () =>
      (await remindersOf(enterpriseId, '&status=scheduled')).map((r) => `${r.kind} ${r.recipientRole} ${r.recipient}`).sort();
    expect(await live()).toEqual([
      ...Array(3).fill('deadline_approaching enterprise sun@qiye.test'),
      'follow_up_due enterprise sun@qiye.test',
      'follow_up_due officer admin@peiyu.test',
    ]);
    const before = await remindersOf(enterpriseId);

    // Not a field any reminder is made of: no row changes.
    expectStatus(await t.http.patch(`${API}/enterprises/${enterpriseId}`).set(admin).send({ contactPhone: '13900000001' }), 200);
    expect((await remindersOf(enterpriseId)).map((r) => [r.id, r.version])).toEqual(before.map((r) => [r.id, r.version]));

    const moved = await t.http
      .patch(`${API}/enterprises/${enterpriseId}`)
      .set(admin)
      .send({ contactName: '钱经理', contactEmail: 'qian@qiye.test' });
    expectStatus(moved, 200);
    expect(await live()).toEqual([
      ...Array(3).fill('deadline_approaching enterprise qian@qiye.test'),
      'follow_up_due enterprise qian@qiye.test',
      'follow_up_due officer admin@peiyu.test',
    ]);
    const payloads = await t.db.query<{ status: string; recipient: string; contactName: string }>(
      `SELECT status, recipient, payload->>'contactName' AS "contactName" FROM reminders WHERE enterprise_id = $1`,
      [enterpriseId],
    );
    expect(payloads.filter((p) => p.status === 'scheduled').every((p) => p.contactName === '钱经理')).toBe(true);
    expect(payloads.filter((p) => p.recipient === 'sun@qiye.test').map((p) => p.status)).toEqual(Array(4).fill('cancelled'));

    expectStatus(await t.http.delete(`${API}/enterprises/${enterpriseId}`).set(admin), 204);
    expect(await live()).toEqual([]);
  });

  it('the same reminder enqueued twice by hand is sent once (the claim is the guard)', async () => {
    const enterpriseId = await createEnterprise();
    await track(enterpriseId);
    const { id } = await officerRow(enterpriseId);
    const [a, b] = await Promise.all([
      queue.add(RemindersJob.Send, { reminderId: id }, { jobId: `dup-a-${id}` }),
      queue.add(RemindersJob.Send, { reminderId: id }, { jobId: `dup-b-${id}` }),
    ]);
    await sent(id);
    await eventually(async () => {
      expect(await a.getState()).toBe('completed');
      expect(await b.getState()).toBe('completed');
    });
    expect(mailsOf(id)).toHaveLength(1);
    expect((await reminder(id)).attempts).toBe(1);
  });

  it('emptying Redis while rows are due loses nothing: the sweeper comes back and re-queues them', async () => {
    const clock = t.app.get(Clock);
    // Hold the sweeper back (nothing is due an hour ago) while the row's only job sits in Redis.
    clock.setNow(new Date(Date.now() - 3600_000));
    let id: string;
    try {
      const enterpriseId = await createEnterprise();
      await track(enterpriseId, { nextFollowUpAt: justNow() });
      id = (await officerRow(enterpriseId)).id;
      // A send waiting in Redis (as a backoff retry would), then Redis is emptied.
      const job = sendJob(id, 0);
      await queue.add(job.name, job.data, { ...job.opts, delay: 600_000 });
      expect(await queue.getJob(job.opts.jobId)).toBeDefined();
      await deleteQueueKeys(t.config.QUEUE_PREFIX);
      expect(await queue.getJob(job.opts.jobId)).toBeUndefined();
      expect(await queue.getJobScheduler('reminders:sweep')).toBeUndefined();
      expect((await reminder(id)).status).toBe('scheduled');
    } finally {
      clock.setNow(new Date());
    }
    await sent(id);
    expect(await queue.getJobScheduler('reminders:sweep')).toBeDefined();
    expect(mailsOf(id)).toHaveLength(1);
  });

  it('an SMTP outage delays the mail, which goes out once the server is back, with the attempts visible', async () => {
    const port = sink.port;
    await sink.stop();
    let id: string;
    try {
      const enterpriseId = await createEnterprise();
      await track(enterpriseId, { nextFollowUpAt: justNow() });
      id = (await officerRow(enterpriseId)).id;
      await eventually(async () => {
        const row = await reminder(id);
        expect(row.attempts).toBeGreaterThanOrEqual(2);
        expect(row.status).toBe('scheduled');
        expect(row.lastError).toMatch(/ECONNREFUSED|ECONNECTION|connect/i);
      }, 30_000);
    } finally {
      await sink.start(port, { closeTimeout: 100 });
    }
    const row = await sent(id);
    expect(row.attempts).toBeGreaterThan(1);
    expect(mailsOf(id)).toHaveLength(1);
  });

  it('a rejected address fails at once with the reason; retry delivers after it is accepted again', async () => {
    const published: DomainEvent[] = [];
    t.app.get(DomainEvents).subscribe((e) => void published.push(e));
    const officer = await t.staff('officer', '张专员');
    sink.rejectRecipients.add(officer.email);
    const enterpriseId = await createEnterprise({ officerId: officer.id });
    await track(enterpriseId, { nextFollowUpAt: justNow() });
    const { id } = await officerRow(enterpriseId);
    const failed = await eventually(async () => {
      const row = await reminder(id);
      expect(row.status).toBe('failed');
      return row;
    }, 30_000);
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/550/);
    expect(published.filter((e) => e.type === 'reminder.failed')).toEqual([
      {
        type: 'reminder.failed',
        reminderId: id,
        enterpriseId,
        kind: 'follow_up_due',
        recipient: officer.email,
        error: failed.lastError,
      },
    ]);
    expect(mailsOf(id)).toHaveLength(0);

    sink.rejectRecipients.delete(officer.email);
    const retried = await t.http.post(`${API}/reminders/${id}/retry`).set(admin);
    expectStatus(retried, 200);
    expect(retried.body.status).toBe('scheduled');
    const row = await sent(id);
    expect(row.attempts).toBe(2);
    expect(mailsOf(id)).toHaveLength(1);
  });

  it('a row stuck in sending for 10 minutes (a crashed worker) is recovered and sent', async () => {
    const enterpriseId = await createEnterprise();
    await track(enterpriseId);
    const { id } = await officerRow(enterpriseId);
    await t.db.query(
      `UPDATE reminders SET status = 'sending', attempts = 1, due_at = now(), claimed_at = now() - interval '10 minutes' WHERE id = $1`,
      [id],
    );
    const row = await sent(id);
    expect(row.attempts).toBe(2);
    expect(mailsOf(id)).toHaveLength(1);
  });

  it('the sweeper plans a due follow-up whose reminders were never planned (a lost event)', async () => {
    const enterpriseId = await createEnterprise();
    await track(enterpriseId, { nextFollowUpAt: FAR });
    await t.db.query(`DELETE FROM reminders WHERE enterprise_id = $1`, [enterpriseId]);
    // Moved behind the planner's back: no event, no reminder row.
    await t.db.query(`UPDATE trackings SET next_follow_up_at = now() - interval '1 minute' WHERE enterprise_id = $1`, [
      enterpriseId,
    ]);
    const row = await eventually(async () => {
      const rows = await remindersOf(enterpriseId);
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('sent');
      return rows[0];
    }, 30_000);
    expect(mailsOf(row.id)).toHaveLength(1);
  });

  it('one sweep pages through a backlog: one address with 1,500 due rows does not keep five others waiting', async () => {
    const clock = t.app.get(Clock);
    await queue.pause(); // nothing is sent meanwhile: the queue's contents are what one sweep did
    try {
      const at = new Date(Date.now() + 3600_000);
      const payload = JSON.stringify({ trackingId: 't', enterpriseName: '积压企业', contactName: null, officerName: '专员', officerEmail: 'o@x.test', nextFollowUpAt: at.toISOString(), reasons: [] });
      await t.db.query(
        `INSERT INTO reminders (kind, recipient, recipient_role, subject, due_at, mandatory, payload, occurrence)
         SELECT 'follow_up_due', 'backlog@peiyu.test', 'officer', 's', $1::timestamptz + n * interval '1 ms', true, $2, 'backlog:' || n
           FROM generate_series(1, 1500) n`,
        [at, payload],
      );
      const others: { id: string }[] = await t.db.query(
        `INSERT INTO reminders (kind, recipient, recipient_role, subject, due_at, mandatory, payload, occurrence)
         SELECT 'follow_up_due', 'other' || n || '@peiyu.test', 'officer', 's', $1::timestamptz + interval '1 minute', true, $2, 'other:' || n
           FROM generate_series(1, 5) n RETURNING id`,
        [at, payload],
      );
      clock.setNow(new Date(at.getTime() + 2 * 60_000));
      expect(await t.app.get(RemindersService).queueDue()).toBe(6);
      for (const { id } of others) expect(await queue.getJob(sendJob(id, 0).opts.jobId)).toBeDefined();
    } finally {
      clock.setNow(new Date());
      await t.db.query(`UPDATE reminders SET status = 'cancelled' WHERE occurrence LIKE 'backlog:%' OR occurrence LIKE 'other:%'`);
      await queue.resume();
    }
  });

  it('cancel and retry answer 409 from the wrong status and 404 for an unknown id', async () => {
    const enterpriseId = await createEnterprise();
    await track(enterpriseId);
    const { id } = await officerRow(enterpriseId);
    const retryScheduled = await t.http.post(`${API}/reminders/${id}/retry`).set(admin);
    expectStatus(retryScheduled, 409);
    expect(retryScheduled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(retryScheduled.body.currentStatus).toBe('scheduled');
    const cancelled = await t.http.post(`${API}/reminders/${id}/cancel`).set(admin);
    expectStatus(cancelled, 200);
    expect(cancelled.body.status).toBe('cancelled');
    expectStatus(await t.http.post(`${API}/reminders/${id}/cancel`).set(admin), 409);
    expectStatus(await t.http.post(`${API}/reminders/${id}/retry`).set(admin), 409);
    expectStatus(await t.http.post(`${API}/reminders/${UNKNOWN_ID}/cancel`).set(admin), 404);
    expectStatus(await t.http.get(`${API}/reminders/${UNKNOWN_ID}`).set(admin), 404);
  });

  it('lists by due time with filters and keyset pages; bad filters are 400', async () => {
    const enterpriseId = await createEnterprise({ contactEmail: 'zhao@qiye.test' });
    await track(enterpriseId, { nextFollowUpAt: '2031-01-05T01:00:00.000Z' });
    const other = await createEnterprise();
    await track(other, { nextFollowUpAt: '2031-01-06T01:00:00.000Z' });

    expect((await remindersOf(enterpriseId, '&status=scheduled&kind=follow_up_due')).length).toBe(2);
    expect(await remindersOf(enterpriseId, '&status=sent')).toEqual([]);
    const window = `&dueFrom=2031-01-05T00:00:00Z&dueTo=2031-01-07T00:00:00Z`;
    const res = await t.http.get(`${API}/reminders?limit=2${window}`).set(admin);
    expectStatus(res, 200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data.every((r: Row) => r.enterpriseId === enterpriseId)).toBe(true);
    const next = await t.http.get(`${API}/reminders?limit=2${window}&cursor=${res.body.nextCursor}`).set(admin);
    expectStatus(next, 200);
    expect(next.body.data.map((r: Row) => r.enterpriseId)).toEqual([other]);
    expect(next.body.nextCursor).toBeNull();
    const later = await t.http.get(`${API}/reminders?dueFrom=2031-01-06T00:00:00Z&dueTo=2031-01-07T00:00:00Z`).set(admin);
    expect(later.body.data.map((r: Row) => r.enterpriseId)).toEqual([other]);

    const bad = await t.http.get(`${API}/reminders?status=lost&kind=nope&dueFrom=tomorrow&enterpriseId=1`).set(admin);
    expectStatus(bad, 400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'dueFrom',
      'enterpriseId',
      'kind',
      'status',
    ]);
  });

  it('viewers read reminders but cannot cancel or retry; officers can', async () => {
    const enterpriseId = await createEnterprise();
    await track(enterpriseId);
    const { id } = await officerRow(enterpriseId);
    const viewer = await t.staff('viewer');
    expectStatus(await t.http.get(`${API}/reminders/${id}`).set('authorization', viewer.auth), 200);
    expectStatus(await t.http.post(`${API}/reminders/${id}/cancel`).set('authorization', viewer.auth), 403);
    const officer = await t.staff('officer');
    expectStatus(await t.http.post(`${API}/reminders/${id}/cancel`).set('authorization', officer.auth), 200);
  });
});
