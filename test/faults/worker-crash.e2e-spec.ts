// The built service as a new user runs it (`node dist/src/main.js`), against the real
// PostgreSQL, Redis and an SMTP listener in this process: a follow-up due now reaches the
// mailbox at once (not at the next sweep), and a worker killed with SIGKILL in the middle of
// fifty sends loses none and sends none twice once it is started again.
import { randomBytes, randomUUID } from 'node:crypto';
import { REDIS_URL, runInfo } from '../support/environment.js';
import type { RunningService } from '../support/process.js';
import { SERVICE_ADMIN as ADMIN, startService } from '../support/service.js';
import { readMail, SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/tcp-proxy.js';
import { deleteQueueKeys } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('reminder delivery by the built service', () => {
  const running: RunningService[] = [];
  const databases: TestDatabase[] = [];
  const prefixes: string[] = [];
  let sink: SmtpSink;

  const start = async (db: TestDatabase, prefix: string, env: Record<string, string> = {}) => {
    const handle = await startService({
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: sink.url,
      ...env,
    });
    running.push(handle.service);
    return handle;
  };
  const fresh = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const prefix = `peiyu-test-${runInfo().runId}-crash-${randomBytes(3).toString('hex')}`;
    prefixes.push(prefix);
    return { db, prefix };
  };

  beforeAll(async () => {
    sink = await new SmtpSink().start(0, { closeTimeout: 100 });
  });

  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    for (const prefix of prefixes) await deleteQueueKeys(prefix);
    for (const db of databases) await db.drop();
    await sink?.stop();
  });

  it('a follow-up due now reaches the mailbox within seconds with the default one-minute sweep, and shows sent', async () => {
    const { db, prefix } = await fresh();
    const { call: raw, login } = await start(db, prefix, { REMINDER_SEND_WINDOW: '00:00-24:00', REMINDER_WORKING_DAYS_ONLY: 'false' });
    const token = await login();
    const call = (method: string, path: string, body?: unknown) =>
      raw(method, `/api/v1${path}`, body, { authorization: token });
    const enterprise = await call('POST', '/enterprises', { name: '淄博即时提醒有限公司', creditCode: '91370304MA3C8N8U7N', creditCodeConfirmed: true });
    expect(enterprise.status).toBe(201);
    const started = Date.now();
    const tracking = await call('POST', `/enterprises/${enterprise.body.id}/tracking`, {
      reasons: ['研发费用占比不足'],
      nextFollowUpAt: new Date().toISOString(),
      notifyEnterprise: false,
    });
    expect(tracking.status).toBe(201);
    const mail = await eventually(async () => {
      const found = sink.received.find((m) => m.raw.includes('淄博即时提醒有限公司') || m.to.includes(ADMIN.email));
      expect(found).toBeDefined();
      return found!;
    }, 30_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    const list = await call('GET', `/reminders?enterpriseId=${enterprise.body.id}`);
    const [row] = list.body.data;
    expect(row).toMatchObject({ status: 'sent', messageId: `<reminder-${row.id}@peiyu>`, recipient: ADMIN.email });
    const read = await readMail(mail);
    expect(read.messageId).toBe(row.messageId);
    expect(read.subject).toBe('【跟踪提醒】淄博即时提醒有限公司 的跟踪回访到期');
  }, 60_000);

  it('SIGKILL in the middle of fifty sends: started again, it delivers all fifty, none twice', async () => {
    const { db, prefix } = await fresh();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      ids.push(id);
      await db.query(
        `INSERT INTO reminders (id, kind, recipient, recipient_role, subject, due_at, mandatory, payload, occurrence)
         VALUES ($1, 'follow_up_due', $2, 'officer', $3, now() - interval '1 minute', true, $4, $5)`,
        [
          id,
          `officer${i}@crash.test`,
          `跟踪提醒 ${i}`,
          JSON.stringify({
            trackingId: randomUUID(),
            enterpriseName: `崩溃测试企业${i}`,
            contactName: null,
            officerName: `专员${i}`,
            officerEmail: `officer${i}@crash.test`,
            nextFollowUpAt: new Date().toISOString(),
            reasons: ['测试'],
          }),
          `crash:${i}`,
        ],
      );
    }
    const env = {
      APP_ROLE: 'worker',
      REMINDER_SEND_WINDOW: '00:00-24:00',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      REMINDER_SWEEP_INTERVAL_MS: '1000',
      WORKER_HEARTBEAT_MS: '1000',
    };
    const counts = async () =>
      Object.fromEntries(
        (
          await db.query<{ status: string; n: number }>(
            `SELECT status, count(*)::int AS n FROM reminders GROUP BY status`,
          )
        ).map((r) => [r.status, r.n]),
      ) as Record<string, number>;

    // The SMTP server accepts twenty, then stops answering: the next sends hang mid-DATA.
    const before = sink.received.length;
    sink.holdAfter = before + 20;
    const first = await start(db, prefix, env);
    await eventually(async () => {
      expect(sink.received.length - before).toBe(20);
      expect(sink.heldCount).toBeGreaterThan(0);
      // Every accepted mail is recorded as sent before the kill, so none may honestly go twice.
      expect((await counts()).sent).toBe(20);
    }, 30_000);
    first.service.child.kill('SIGKILL');
    expect(await first.service.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const midway = await counts();
    expect(midway.sending).toBeGreaterThan(0);
    expect((midway.sending ?? 0) + (midway.scheduled ?? 0)).toBe(30);
    // The killed worker's connections close on the SMTP server's side a moment after it exits:
    // until the sink has seen that, release() would still accept what they were sending (a
    // race on a loaded machine that showed up as 53 mails, not 50).
    await eventually(async () => expect(sink.heldCount).toBe(0), 10_000);

    sink.release();
    await start(db, prefix, env);
    await eventually(async () => expect((await counts()).sent).toBe(50), 60_000);

    const mails = sink.received.slice(before);
    const delivered = mails.map((m) => /^X-Peiyu-Reminder: (.+)$/m.exec(m.raw)?.[1].trim());
    expect(delivered).toHaveLength(50);
    expect(new Set(delivered)).toEqual(new Set(ids));
    const interrupted = await db.query<{ n: number }>(
      `SELECT count(DISTINCT reminder_id)::int AS n FROM reminder_attempts WHERE outcome = 'interrupted'`,
    );
    expect(interrupted[0].n).toBe(midway.sending);
    const attempts = await db.query<{ reminder_id: string; outcomes: string[] }>(
      `SELECT reminder_id, array_agg(outcome ORDER BY attempt) AS outcomes FROM reminder_attempts GROUP BY reminder_id`,
    );
    for (const a of attempts) expect(a.outcomes.at(-1)).toBe('sent');
  }, 120_000);
});
