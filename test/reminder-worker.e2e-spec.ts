// The reminder worker across restarts and stops, and what the planners queue without a sweep:
// each test starts its own app (real PostgreSQL, Redis and an SMTP listener in this process).
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import pg from 'pg';
import { QueueName, RemindersJob } from '../src/queue/queue.constants.js';
import { RemindersProcessor, SWEEP_SCHEDULER_ID } from '../src/reminders/reminders.processor.js';
import { sendJob } from '../src/reminders/reminders.service.js';
import { SmtpSink } from './support/smtp-sink.js';
import { eventually } from './support/tcp-proxy.js';
import { deleteQueueKeys, startTestApp, type TestApp } from './support/test-app.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const ALWAYS = { REMINDER_SEND_WINDOW: '00:00-24:00', REMINDER_WORKING_DAYS_ONLY: 'false' };

const freshCode = creditCodes('91370304W', 12_000);

interface Row {
  id: string;
  status: string;
  recipient: string;
  recipientRole: string;
  kind: string;
}

describe('reminder worker (e2e)', () => {
  let sink: SmtpSink;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    sink = await new SmtpSink().start(0, { closeTimeout: 100 });
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    sink.release();
  });
  afterAll(async () => {
    await sink?.stop();
  });

  const start = async (env: Record<string, string>, options?: Parameters<typeof startTestApp>[1]) => {
    const t = await startTestApp({ SMTP_URL: sink.url, ...ALWAYS, ...env }, options);
    cleanup.push(() => t.close());
    return t;
  };
  const remindersQueue = (t: TestApp) => t.app.get<Queue>(getQueueToken(QueueName.Reminders));
  const createEnterprise = async (t: TestApp, body: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.http
      .post(`${API}/enterprises`)
      .set('authorization', t.adminAuth)
      .send({ name: `工作进程企业${freshCode.made + 1}`, creditCode: freshCode(), ...body });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const track = async (t: TestApp, enterpriseId: string, nextFollowUpAt: string) => {
    const res = await t.http
      .post(`${API}/enterprises/${enterpriseId}/tracking`)
      .set('authorization', t.adminAuth)
      .send({ reasons: ['研发费用占比不足'], nextFollowUpAt });
    expect(res.status).toBe(201);
  };
  const rowsOf = async (t: TestApp, enterpriseId: string): Promise<Row[]> => {
    const res = await t.http
      .get(`${API}/reminders?enterpriseId=${enterpriseId}&limit=100`)
      .set('authorization', t.adminAuth);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const justNow = () => new Date(Date.now() - 60_000).toISOString();

  it('a shorter REMINDER_SWEEP_INTERVAL_MS holds from the next start, also after a late sweep', async () => {
    const first = await startTestApp({
      SMTP_URL: sink.url,
      ...ALWAYS,
      REMINDER_SWEEP_INTERVAL_MS: '3600000',
    });
    const prefix = first.config.QUEUE_PREFIX;
    cleanup.push(async () => {
      await first.db.drop();
      await deleteQueueKeys(prefix);
    });
    const old = await remindersQueue(first).getJobScheduler(SWEEP_SCHEDULER_ID);
    expect(old).toMatchObject({ every: 3_600_000 });
    // The hourly schedule's offset into the hour: what a stale schedule would wait for.
    expect(old?.offset).toBeGreaterThan(10_000);
    await first.app.close(); // the database and the queue's keys stay, as across a redeploy

    const second = await start(
      { QUEUE_PREFIX: prefix, REMINDER_SWEEP_INTERVAL_MS: '1000' },
      { database: first.db },
    );
    const queue = remindersQueue(second);
    expect(await queue.getJobScheduler(SWEEP_SCHEDULER_ID)).toMatchObject({ every: 1000 });
    // A sweep picked up late (the worker busy, here paused): the next is still a second away.
    await queue.pause();
    await new Promise((r) => setTimeout(r, 2500));
    const resumed = Date.now();
    await queue.resume();
    await eventually(async () => {
      const sweeps = (await queue.getJobs(['completed'], 0, 100)).filter(
        (j: Job) => j.name === RemindersJob.Sweep && (j.finishedOn ?? 0) >= resumed,
      );
      expect(sweeps.length).toBeGreaterThanOrEqual(3);
    }, 10_000);
  });

  it('a backlog of sends does not hold the sweep back', async () => {
    const t = await start({ REMINDER_SWEEP_INTERVAL_MS: '3600000' });
    const queue = remindersQueue(t);
    await queue.pause();
    // Sends of rows that do not exist: each finds nothing to claim.
    await queue.addBulk(
      Array.from({ length: 300 }, (_, i) =>
        sendJob(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 0),
      ),
    );
    const sweep = await queue.add(RemindersJob.Sweep, {});
    await queue.resume();
    const started = await eventually(async () => {
      const job = await queue.getJob(sweep.id!);
      expect(job?.finishedOn).toBeDefined();
      return job!.processedOn!;
    }, 20_000);
    const sends = await queue.getJobs(['completed'], 0, 1000);
    const before = sends.filter(
      (j: Job) => j.name === RemindersJob.Send && (j.processedOn ?? Infinity) < started,
    );
    // At most the few that took the worker's other slots as it resumed.
    expect(before.length).toBeLessThan(t.config.REMINDER_SEND_CONCURRENCY);
  });

  it('sends in flight when the app stops are delivered and end sent', async () => {
    const t = await startTestApp({ SMTP_URL: sink.url, ...ALWAYS, REMINDER_SWEEP_INTERVAL_MS: '1000' });
    cleanup.push(() => t.db.drop());
    cleanup.push(() => deleteQueueKeys(t.config.QUEUE_PREFIX));
    // One mail held by the SMTP server (data sent, no answer yet)…
    sink.holdAfter = sink.received.length;
    const first = await createEnterprise(t);
    await track(t, first, justNow());
    await eventually(async () => expect(sink.heldCount).toBe(1), 20_000);
    // …and one send still claiming its row, held on the address's claim lock: it reaches the
    // SMTP pool only after the stop began.
    const officer = await t.staff('officer');
    const lock = new pg.Client({ connectionString: t.db.url });
    await lock.connect();
    cleanup.push(() => lock.end());
    await lock.query('BEGIN');
    await lock.query(`SELECT pg_advisory_xact_lock(hashtextextended('reminder-recipient:' || $1, 0))`, [
      officer.email,
    ]);
    const second = await createEnterprise(t);
    const res = await t.http
      .post(`${API}/enterprises/${second}/tracking`)
      .set('authorization', t.adminAuth)
      .send({ reasons: ['知识产权不足'], nextFollowUpAt: justNow(), officerId: officer.id });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const [{ waiting }] = await t.db.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`,
      );
      expect(waiting).toBe(1);
    }, 20_000);
    const rows = [...(await rowsOf(t, first)), ...(await rowsOf(t, second))];

    const worker = t.app.get(RemindersProcessor).worker;
    const stopping = t.app.close();
    // Both go on once the stop is under way: the worker is closing, waiting for its jobs.
    await eventually(async () => expect(worker.closing).toBeTruthy());
    sink.release();
    await lock.query('COMMIT');
    await stopping;
    const after = await t.db.query<{
      id: string;
      status: string;
      attempts: number;
      lastError: string | null;
    }>(
      `SELECT id, status, attempts, last_error AS "lastError" FROM reminders WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [rows.map((r) => r.id)],
    );
    expect(after).toEqual(
      rows
        .map((r) => ({ id: r.id, status: 'sent', attempts: 1, lastError: null }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    for (const r of rows)
      expect(sink.received.filter((m) => m.raw.includes(`<reminder-${r.id}@peiyu>`))).toHaveLength(1);
  });

  it('REMINDER_SEND_CONCURRENCY sets the worker’s concurrency and the SMTP pool’s size', async () => {
    const t = await start({ REMINDER_SEND_CONCURRENCY: '2' });
    expect(t.app.get(RemindersProcessor).worker.concurrency).toBe(2);
    // Two mails in flight at most: a third waits for a free slot.
    sink.holdAfter = sink.received.length;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const enterpriseId = await createEnterprise(t);
      const officer = await t.staff('officer'); // one address each: no digest
      const res = await t.http
        .post(`${API}/enterprises/${enterpriseId}/tracking`)
        .set('authorization', t.adminAuth)
        .send({ reasons: ['知识产权不足'], nextFollowUpAt: justNow(), officerId: officer.id });
      expect(res.status).toBe(201);
      ids.push(enterpriseId);
    }
    await eventually(async () => expect(sink.heldCount).toBe(2), 20_000);
    await new Promise((r) => setTimeout(r, 500)); // a third would have arrived by now
    expect(sink.heldCount).toBe(2);
    sink.release();
    await eventually(async () => {
      for (const id of ids) expect((await rowsOf(t, id)).map((r) => r.status)).toEqual(['sent']);
    }, 20_000);
  });

  describe('without a sweep, the planners queue what an event makes due', () => {
    let t: TestApp;
    beforeAll(async () => {
      // UTC: "today" below is a UTC date.
      t = await startTestApp({
        SMTP_URL: sink.url,
        ...ALWAYS,
        APP_TIMEZONE: 'UTC',
        REMINDER_SWEEP_INTERVAL_MS: '600000',
      });
      const queue = remindersQueue(t);
      await queue.removeJobScheduler(SWEEP_SCHEDULER_ID);
      await eventually(async () => {
        const sweeps = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
        expect(sweeps.filter((j: Job) => j.name === RemindersJob.Sweep)).toEqual([]);
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a contact address added to an enterprise with a follow-up due now: its copy goes out at once', async () => {
      const enterpriseId = await createEnterprise(t);
      await track(t, enterpriseId, justNow());
      await eventually(async () =>
        expect((await rowsOf(t, enterpriseId)).map((r) => r.status)).toEqual(['sent']),
      );
      const res = await t.http
        .patch(`${API}/enterprises/${enterpriseId}`)
        .set('authorization', t.adminAuth)
        .send({ contactName: '周经理', contactEmail: `zhou${freshCode.made}@qiye.test` });
      expect(res.status).toBe(200);
      await eventually(async () => {
        const rows = await rowsOf(t, enterpriseId);
        expect(rows.map((r) => [r.recipientRole, r.status]).sort()).toEqual([
          ['enterprise', 'sent'],
          ['officer', 'sent'],
        ]);
      });
    });

    it('a contract item due today: its reminder goes out at once', async () => {
      const enterpriseId = await createEnterprise(t);
      const officer = await t.staff('officer');
      const today = new Date().toISOString().slice(0, 10);
      const res = await t.http
        .post(`${API}/enterprises/${enterpriseId}/contracts`)
        .set('authorization', t.adminAuth)
        .send({
          contractNo: `W-${Date.now()}`,
          officerId: officer.id,
          signedAt: today,
          startsAt: today,
          endsAt: '2099-12-31',
          amount: 1000,
          status: 'active',
          items: [{ description: '今日到期事项', dueAt: today }],
        });
      expect(res.status).toBe(201);
      await eventually(async () => {
        const rows = await rowsOf(t, enterpriseId);
        expect(rows.map((r) => [r.kind, r.recipient, r.status])).toEqual([
          ['contract_item_due', officer.email, 'sent'],
        ]);
      });
    });
  });
});
