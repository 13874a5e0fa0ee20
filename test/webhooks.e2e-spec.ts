// Webhooks against the real PostgreSQL and Redis, with real HTTP receivers and an SMTP listener
// in this process: signed deliveries, retries through an outage, Redis emptied, the private
// address rule, pausing (and the admins' mail), replay. Rows are polled, never slept on.
import { Clock } from '../src/common/clock.js';
import { verifySignature } from '../src/webhooks/signature.js';
import { WebhookOutbox } from '../src/webhooks/webhook-outbox.service.js';
import { readMail, SmtpSink } from './support/smtp-sink.js';
import { eventually } from './support/tcp-proxy.js';
import { deleteQueueKeys, startTestApp, type TestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { creditCodes } from './support/credit-codes.js';

const API = '/api/v1';
const SECRET = 'whsec_a-secret-the-receiver-keeps';

const freshCode = creditCodes('91370304W', 9100);

interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  attemptLog?: { attempt: number; outcome: string; statusCode: number | null; error: string | null; durationMs: number | null }[];
}

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let receiver: WebhookReceiver;
  let admin: Record<string, string>;

  const createHook = async (body: Record<string, unknown> = {}) => {
    const res = await t.http
      .post(`${API}/webhooks`)
      .set(admin)
      .send({ url: receiver.url, events: ['enterprise.created'], secret: SECRET, ...body });
    if (res.status !== 201) throw new Error(`create hook: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; secret: string; version: number };
  };
  const createEnterprise = async (name = `推送企业${freshCode.made + 1}`) => {
    const res = await t.http.post(`${API}/enterprises`).set(admin).send({ name, creditCode: freshCode() });
    if (res.status !== 201) throw new Error(`create enterprise: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; name: string };
  };
  const deliveries = async (hookId: string): Promise<Delivery[]> => {
    const res = await t.http.get(`${API}/webhooks/${hookId}/deliveries`).set(admin);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const delivery = async (hookId: string, id: string): Promise<Delivery> => {
    const res = await t.http.get(`${API}/webhooks/${hookId}/deliveries/${id}`).set(admin);
    expect(res.status).toBe(200);
    return res.body;
  };
  const onlyDelivery = async (hookId: string) =>
    eventually(async () => {
      const list = await deliveries(hookId);
      expect(list).toHaveLength(1);
      return list[0];
    });

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      SMTP_URL: sink.url,
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_SWEEP_INTERVAL_MS: '500',
      WORKER_HEARTBEAT_MS: '1000',
    });
    admin = { authorization: t.adminAuth };
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await sink?.stop();
  });
  afterEach(async () => {
    receiver.status = 200;
    await receiver.start();
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM webhooks');
    t.app.get(WebhookOutbox).forgetHooks();
    receiver.received.length = 0;
  });

  it('posts signed events the receiver verifies with the exported verifier', async () => {
    const hook = await createHook();
    expect(hook.secret).toBe(SECRET);
    const enterprise = await createEnterprise('淄博签名科技有限公司');
    const got = await eventually(async () => {
      expect(receiver.received).toHaveLength(1);
      return receiver.received[0];
    });
    const signature = got.headers['peiyu-signature'] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(signature, SECRET, got.raw, 300)).toBe(true);
    expect(verifySignature(signature, 'whsec_not-the-secret-at-all', got.raw, 300)).toBe(false);
    expect(verifySignature(signature, SECRET, got.raw.replace('淄博', '博山'), 300)).toBe(false);
    const t0 = Number(/t=(\d+)/.exec(signature)![1]);
    expect(Math.abs(t0 - Date.now() / 1000)).toBeLessThan(60);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.headers['peiyu-event']).toBe('enterprise.created');
    expect(got.headers['peiyu-delivery']).toBe(got.body.id);
    expect(got.body).toEqual({
      id: expect.any(String),
      event: 'enterprise.created',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: expect.objectContaining({
        enterpriseId: enterprise.id,
        enterprise: expect.objectContaining({ id: enterprise.id, name: '淄博签名科技有限公司' }),
      }),
    });

    const row = await eventually(async () => {
      const d = await onlyDelivery(hook.id);
      expect(d.status).toBe('delivered');
      return d;
    });
    expect(row).toMatchObject({ id: got.body.id, event: 'enterprise.created', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    const detail = await delivery(hook.id, row.id);
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', statusCode: 200, durationMs: expect.any(Number) }),
    ]);
    // An event the hook did not subscribe to sends nothing.
    await t.http.patch(`${API}/enterprises/${enterprise.id}`).set(admin).send({ street: '城东街道' }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('returns a generated secret once and never again', async () => {
    const res = await t.http.post(`${API}/webhooks`).set(admin).send({ url: receiver.url, events: ['readiness.changed'] });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.headers.etag).toBe('"1"');
    const one = await t.http.get(`${API}/webhooks/${res.body.id}`).set(admin);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await t.http.get(`${API}/webhooks`).set(admin)).body)).not.toContain(res.body.secret);
    const [audit] = await t.db.query<{ changes: Record<string, unknown> }>(
      `SELECT changes FROM audit_entries WHERE entity = 'webhook' AND entity_id = $1`,
      [res.body.id],
    );
    expect(JSON.stringify(audit.changes)).not.toContain(res.body.secret);
    expect(audit.changes.secret).toEqual([null, 'generated']);
  });

  it('retries through an outage (500s, then the receiver down) and delivers once it is back, every attempt logged', async () => {
    const hook = await createHook();
    receiver.status = 500;
    await createEnterprise();
    const failing = await eventually(async () => {
      const d = await onlyDelivery(hook.id);
      expect(d.attempts).toBeGreaterThanOrEqual(2);
      expect(d.status).toBe('pending');
      return d;
    });
    expect(failing).toMatchObject({ lastStatusCode: 500, lastError: expect.stringContaining('HTTP 500') });
    expect(failing.nextAttemptAt).not.toBeNull();
    // Now the receiver is gone altogether: connections are refused.
    await receiver.stop();
    await eventually(async () => {
      const d = await delivery(hook.id, failing.id);
      expect(d.attemptLog!.some((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
    });
    receiver.status = 200;
    await receiver.start();
    const done = await eventually(async () => {
      const d = await delivery(hook.id, failing.id);
      expect(d.status).toBe('delivered');
      return d;
    }, 20_000);
    expect(done.attempts).toBeGreaterThanOrEqual(4);
    expect(done.attemptLog!.map((a) => a.outcome)).toEqual([...Array(done.attempts - 1).fill('failed'), 'delivered']);
    // The same id and body on every attempt, each signed afresh.
    const seen = receiver.of(failing.id);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((s) => s.raw)).size).toBe(1);
    for (const s of seen) expect(verifySignature(s.headers['peiyu-signature'] as string, SECRET, s.raw)).toBe(true);
    const [hookRow] = await t.db.query<{ consecutive_failures: number; failing_since: Date | null }>(
      'SELECT consecutive_failures, failing_since FROM webhooks WHERE id = $1',
      [hook.id],
    );
    expect(hookRow).toEqual({ consecutive_failures: 0, failing_since: null });
  });

  it('loses nothing when Redis is emptied: the sweeper queues the rows again', async () => {
    const hook = await createHook();
    await receiver.stop();
    await createEnterprise();
    const first = await eventually(async () => {
      const d = await onlyDelivery(hook.id);
      expect(d.attempts).toBeGreaterThanOrEqual(1);
      return d;
    });
    // Retries waiting in Redis, the sweeper's schedule: all gone.
    await deleteQueueKeys(t.config.QUEUE_PREFIX);
    receiver.status = 200;
    await receiver.start();
    await eventually(async () => {
      expect((await delivery(hook.id, first.id)).status).toBe('delivered');
    }, 20_000);
    expect(receiver.of(first.id).length).toBeGreaterThanOrEqual(1);
  });

  it('pauses a hook after a day of failures, mails every active admin, and resumes when turned on', async () => {
    const other = await t.staff('admin', '第二管理员');
    const gone = await t.staff('admin', '离职管理员');
    await t.db.query('UPDATE users SET active = false WHERE id = $1', [gone.id]);
    const hook = await createHook();
    receiver.status = 503;
    const clock = t.app.get(Clock);
    await createEnterprise();
    const d = await eventually(async () => {
      const row = await onlyDelivery(hook.id);
      expect(row.attempts).toBeGreaterThanOrEqual(1);
      // The failure is recorded (not just claimed): a day from *then* must pass before the pause.
      const [{ failing_since }] = await t.db.query<{ failing_since: Date | null }>(
        'SELECT failing_since FROM webhooks WHERE id = $1',
        [hook.id],
      );
      expect(failing_since).not.toBeNull();
      return row;
    });
    // A day later, still failing.
    clock.setNow(new Date(Date.now() + 24 * 3600_000 + 60_000));
    // The next try comes on BullMQ's real-time backoff (seconds by then), slower on a loaded machine.
    const paused = await eventually(async () => {
      const res = await t.http.get(`${API}/webhooks/${hook.id}`).set(admin);
      expect(res.body.active).toBe(false);
      return res.body;
    }, 60_000);
    expect(paused.pausedReason).toMatch(/failed since/);
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.version).toBe(2);
    const mails = await eventually(async () => {
      expect(sink.received.filter((m) => /Webhook/.test(m.raw)).length).toBe(2);
      return sink.received;
    });
    expect(mails.flatMap((m) => m.to).sort()).toEqual(['admin@peiyu.test', other.email].sort());
    const mail = await readMail(mails[0]);
    expect(mail.subject).toContain(receiver.url);
    expect(mail.text).toContain(`PATCH /api/v1/webhooks/${hook.id}`);
    const [audit] = await t.db.query<{ actor_type: string }>(
      `SELECT actor_type FROM audit_entries WHERE entity = 'webhook' AND entity_id = $1 AND action = 'pause'`,
      [hook.id],
    );
    expect(audit.actor_type).toBe('system');
    // Paused: the delivery waits, and a replay is refused until the hook is on again.
    const attemptsWhenPaused = (await delivery(hook.id, d.id)).attempts;
    expect((await t.http.post(`${API}/webhooks/${hook.id}/deliveries/${d.id}/replay`).set(admin)).status).toBe(409);
    receiver.status = 200;
    const resumed = await t.http.patch(`${API}/webhooks/${hook.id}`).set(admin).set('if-match', '"2"').send({ active: true });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ active: true, pausedReason: null, pausedAt: null, failingSince: null, consecutiveFailures: 0 });
    await eventually(async () => {
      const row = await delivery(hook.id, d.id);
      expect(row.status).toBe('delivered');
      expect(row.attempts).toBe(attemptsWhenPaused + 1);
    });
    clock.setNow(new Date());
  }, 120_000);

  it('replays a delivered delivery with the same id and body, as a new attempt', async () => {
    const hook = await createHook();
    await createEnterprise();
    const d = await eventually(async () => {
      const row = await onlyDelivery(hook.id);
      expect(row.status).toBe('delivered');
      return row;
    });
    const res = await t.http.post(`${API}/webhooks/${hook.id}/deliveries/${d.id}/replay`).set(admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: d.id, status: expect.stringMatching(/^(pending|sending|delivered)$/) });
    await eventually(async () => {
      const row = await delivery(hook.id, d.id);
      expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    });
    const seen = receiver.of(d.id);
    expect(seen).toHaveLength(2);
    expect(seen[0].raw).toBe(seen[1].raw);
    const other = await createHook({ events: ['readiness.changed'] });
    expect((await t.http.post(`${API}/webhooks/${other.id}/deliveries/${d.id}/replay`).set(admin)).status).toBe(404);
    const [audit] = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_entries WHERE entity = 'webhookDelivery' AND entity_id = $1`,
      [d.id],
    );
    expect(audit.action).toBe('replay');
  });

  it('lists deliveries newest first, a page at a time', async () => {
    const hook = await createHook();
    for (let i = 0; i < 3; i++) await createEnterprise();
    await eventually(async () => expect(await deliveries(hook.id)).toHaveLength(3));
    const first = await t.http.get(`${API}/webhooks/${hook.id}/deliveries?limit=2`).set(admin);
    expect(first.body.data).toHaveLength(2);
    const second = await t.http.get(`${API}/webhooks/${hook.id}/deliveries?limit=2&cursor=${first.body.nextCursor}`).set(admin);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const names = [...first.body.data, ...second.body.data].map((d: { id: string }) =>
      (receiver.of(d.id)[0]?.body.data.enterprise as { name: string } | undefined)?.name,
    );
    expect(names).toEqual([`推送企业${freshCode.made}`, `推送企业${freshCode.made - 1}`, `推送企业${freshCode.made - 2}`]);
  });

  it('changes a hook under If-Match, refuses bad input naming the fields, and deletes it', async () => {
    const hook = await createHook();
    const stale = await t.http.patch(`${API}/webhooks/${hook.id}`).set(admin).set('if-match', '"9"').send({ events: ['demand.created'] });
    expect(stale.status).toBe(412);
    const changed = await t.http.patch(`${API}/webhooks/${hook.id}`).set(admin).set('if-match', '"1"').send({ events: ['demand.created', 'application.certified'] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ events: ['demand.created', 'application.certified'], version: 2 });
    const bad = await t.http
      .post(`${API}/webhooks`)
      .set(admin)
      .send({ url: 'ftp://x.example/', events: ['enterprise.deleted'], secret: 'short', color: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['color', 'events', 'secret', 'url'],
    );
    expect((await t.http.patch(`${API}/webhooks/${hook.id}`).set(admin).send({ active: null })).status).toBe(400);
    expect((await t.http.delete(`${API}/webhooks/${hook.id}`).set(admin)).status).toBe(204);
    expect((await t.http.get(`${API}/webhooks/${hook.id}`).set(admin)).status).toBe(404);
    expect((await t.http.get(`${API}/webhooks/${hook.id}/deliveries`).set(admin)).status).toBe(404);
  });
});

describe('webhooks on private addresses (WEBHOOK_ALLOW_PRIVATE=false)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const post = (url: string) =>
    t.http.post(`${API}/webhooks`).set('authorization', t.adminAuth).send({ url, events: ['enterprise.created'] });

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false', WEBHOOK_SWEEP_INTERVAL_MS: '500' });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost:8080/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://[::1]:8080/hook',
    'http://[fd00::1]/hook',
    'http://[fe80::1]/hook',
    'http://0.0.0.0/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
  ])('refuses %s with a 400 naming url', async (url) => {
    const res = await post(url);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(/private|loopback|localhost/) }]);
  });

  it('refuses a name that does not resolve', async () => {
    const res = await post('http://no-such-host.invalid/hook');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('url');
  });

  it('checks again at delivery time: a hook that points at a private address sends nothing', async () => {
    // As if its name had resolved to a public address when it was registered (DNS rebinding).
    const [{ id }] = await t.db.query<{ id: string }>(
      `INSERT INTO webhooks (url, events, secret) VALUES ($1, '{enterprise.created}', $2) RETURNING id`,
      [receiver.url, SECRET],
    );
    // Written behind the API's back, so this process's list of active hooks does not know it yet.
    t.app.get(WebhookOutbox).forgetHooks();
    const res = await t.http.post(`${API}/enterprises`).set('authorization', t.adminAuth).send({ name: '私网企业', creditCode: freshCode() });
    expect(res.status).toBe(201);
    const detail = await eventually(async () => {
      const [d] = (await t.http.get(`${API}/webhooks/${id}/deliveries`).set('authorization', t.adminAuth)).body.data;
      const one = await t.http.get(`${API}/webhooks/${id}/deliveries/${d.id}`).set('authorization', t.adminAuth);
      expect(one.body.attemptLog.length).toBeGreaterThanOrEqual(1);
      expect(one.body.attemptLog[0].outcome).not.toBe('sending');
      return one.body;
    });
    expect(detail.attemptLog[0]).toMatchObject({ outcome: 'refused', statusCode: null, error: expect.stringMatching(/private or loopback/) });
    expect(receiver.received).toHaveLength(0);
  });
});
