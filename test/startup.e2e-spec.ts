import pg from 'pg';
import { MIGRATIONS } from '../migrations/index.js';
import { REDIS_URL, runInfo } from './support/environment.js';
import { freePort, runService, type RunningService } from './support/process.js';
import { deleteQueueKeys } from './support/test-app.js';
import { freshDatabaseUrl } from './support/test-database.js';

const ADMIN = { email: 'first.admin@peiyu.test', password: 'first-admin-password' };

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('start-up of the built service', () => {
  const running: RunningService[] = [];
  const prefix = `peiyu-test-${runInfo().runId}-startup`;
  const start = (env: Record<string, string>) => {
    const service = runService({ REDIS_URL, QUEUE_PREFIX: prefix, ...env });
    running.push(service);
    return service;
  };

  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await deleteQueueKeys(prefix);
  });

  it('refuses a bad configuration with one clear line per bad variable', async () => {
    const service = start({ PORT: 'eighty', APP_ROLE: 'both', DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    const { code } = await service.exited;
    expect(code).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0]).sort()).toEqual(['APP_ROLE', 'PORT']);
    expect(service.output()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('creates and migrates a missing database, once, when two processes start together; both serve', async () => {
    const url = freshDatabaseUrl();
    const ports = [await freePort(), await freePort()];
    const services = ports.map((port) =>
      start({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }),
    );
    await Promise.all(services.map((s) => s.waitForLog(/Peiyu is serving/)));

    const migrations = await rows<{ name: string }>(url, 'SELECT name FROM migrations ORDER BY id');
    expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    const admins = await rows<{ email: string }>(url, `SELECT email FROM users WHERE role = 'admin'`);
    expect(admins).toEqual([{ email: ADMIN.email }]);

    for (const port of ports) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      expect(login.status).toBe(200);
    }

    // SIGTERM: requests already in flight finish, then the process exits cleanly.
    const [first] = services;
    const inFlight = fetch(`http://127.0.0.1:${ports[0]}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    await new Promise((r) => setTimeout(r, 20)); // the login's argon2 check takes far longer
    first.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${ports[0]}/health/live`)).rejects.toThrow();

    services[1].child.kill('SIGTERM');
    expect((await services[1].exited).code).toBe(0);
  });

  it('APP_ROLE=worker runs without an HTTP listener', async () => {
    const port = await freePort();
    const service = start({ DATABASE_URL: freshDatabaseUrl(), PORT: String(port), APP_ROLE: 'worker' });
    await service.waitForLog(/Peiyu worker started/);
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
