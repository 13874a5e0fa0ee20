// Worker heartbeats (worker_heartbeats) against the real PostgreSQL: written by worker
// processes only, beating, purged after a day, gone after a graceful stop; and the SQL the
// sweeper uses to tell a dead worker's claims from a live one's.
import { WorkerInstance } from '../src/workers/worker-instance.js';
import { aliveSince, orphanedClaimSql } from '../src/workers/heartbeat.rules.js';
import { eventually } from './support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Beat {
  instance_id: string;
  hostname: string;
  pid: number;
  role: string;
  started_at: Date;
  beat_at: Date;
}

describe('worker heartbeat', () => {
  let api: TestApp;
  let worker: TestApp | undefined;
  const beats = () => api.db.query<Beat>('SELECT * FROM worker_heartbeats ORDER BY instance_id');

  beforeAll(async () => {
    api = await startTestApp({ APP_ROLE: 'api', WORKER_HEARTBEAT_MS: '1000' });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('an API-only process writes none', async () => {
    expect(await beats()).toEqual([]);
  });

  it('a worker writes its row at start, beats every WORKER_HEARTBEAT_MS, and purges rows a day old', async () => {
    await api.db.query(
      `INSERT INTO worker_heartbeats (instance_id, hostname, pid, role, started_at, beat_at) VALUES
         ('gone:1:aaaaaaaa', 'gone', 1, 'worker', now() - interval '3 days', now() - interval '25 hours'),
         ('late:2:bbbbbbbb', 'late', 2, 'all', now() - interval '3 days', now() - interval '23 hours')`,
    );
    worker = await startTestApp({ APP_ROLE: 'worker', WORKER_HEARTBEAT_MS: '1000' }, { database: api.db });
    const instance = worker.app.get(WorkerInstance);

    const rows = await beats();
    expect(rows.map((r) => r.instance_id).sort()).toEqual([instance.id, 'late:2:bbbbbbbb'].sort());
    const mine = rows.find((r) => r.instance_id === instance.id)!;
    expect(mine).toMatchObject({ hostname: instance.hostname, pid: process.pid, role: 'worker' });
    expect(mine.started_at).toEqual(instance.startedAt);

    const next = await eventually(async () => {
      const [row] = await api.db.query<Beat>('SELECT * FROM worker_heartbeats WHERE instance_id = $1', [
        instance.id,
      ]);
      expect(row.beat_at.getTime()).toBeGreaterThanOrEqual(mine.beat_at.getTime() + 900);
      return row;
    }, 5000);
    expect(next.started_at).toEqual(mine.started_at);
  });

  it('a graceful stop deletes the row', async () => {
    const id = worker!.app.get(WorkerInstance).id;
    await worker!.close();
    worker = undefined;
    expect((await beats()).map((r) => r.instance_id)).not.toContain(id);
  });
});

describe('orphanedClaimSql', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('finds the old claims of workers without a fresh beat, and only those', async () => {
    const now = new Date();
    const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
    await db.query(
      `INSERT INTO worker_heartbeats (instance_id, hostname, pid, role, started_at, beat_at) VALUES
         ('live', 'h', 1, 'worker', $1, $2), ('dead', 'h', 2, 'worker', $1, $3)`,
      [secondsAgo(3600), secondsAgo(2), secondsAgo(60)],
    );
    const claims: [string, string | null, number][] = [
      ['live, old claim', 'live', 600],
      ['dead, old claim', 'dead', 600],
      ['dead, claim younger than three beats', 'dead', 5],
      ['unknown holder, old claim', 'vanished', 600],
      ['unknown holder, claim made before its first beat', 'starting', 1],
      ['no holder recorded, old claim', null, 600],
    ];
    for (const [subject, holder, age] of claims) {
      await db.query(
        `INSERT INTO reminders (kind, recipient, recipient_role, subject, due_at, mandatory, status, occurrence, claimed_by, claimed_at)
         VALUES ('follow_up_due', 'o@peiyu.test', 'officer', $1, $2, false, 'sending', $1, $3, $2)`,
        [subject, secondsAgo(age), holder],
      );
    }
    const orphaned = await db.query<{ subject: string }>(
      `SELECT subject FROM reminders WHERE status = 'sending' AND ${orphanedClaimSql('claimed_by', 'claimed_at', '$1')} ORDER BY subject`,
      [aliveSince(now, { WORKER_HEARTBEAT_MS: 5000 })],
    );
    expect(orphaned.map((r) => r.subject)).toEqual(
      ['dead, old claim', 'no holder recorded, old claim', 'unknown holder, old claim'].sort(),
    );
  });
});
