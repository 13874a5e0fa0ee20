import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { REDIS_URL, runInfo } from './environment.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ADMIN = { email: 'admin@peiyu.test', password: 'admin-password-1' };

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  db: TestDatabase;
  config: AppConfig;
  /** A Bearer header value for the first admin. */
  adminAuth: string;
  login(email: string, password: string): Promise<string>;
  /** Creates a staff member and returns their id and an Authorization header value. */
  staff(role: 'admin' | 'officer' | 'viewer', name?: string): Promise<{ id: string; auth: string; email: string }>;
  close(): Promise<void>;
}

let counter = 0;

/** The real app on its own database and queue prefix, served in-process for supertest. */
export async function startTestApp(
  env: Record<string, string> = {},
  // `database`: run on another app's database (a second process), which that app drops.
  options: { postgresPort?: number; database?: TestDatabase } = {},
): Promise<TestApp> {
  const { runId } = runInfo();
  const db = options.database ?? (await createTestDatabase());
  const prefix = `peiyu-test-${runId}-${process.pid}-${++counter}`;
  const appDatabaseUrl = new URL(db.url);
  // Lets a test put a cuttable proxy between the app and PostgreSQL.
  if (options.postgresPort) appDatabaseUrl.port = String(options.postgresPort);
  const config = loadConfig({
    DATABASE_URL: appDatabaseUrl.toString(),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    OUTBOX_DIR: `var/test-outbox/${prefix}`,
    // Suites send thousands of requests a minute as one caller; test/rate-limit.e2e-spec.ts sets a low one.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
  const { app } = await createApp(config);
  const close = async () => {
    await app.close();
    if (!options.database) await db.drop();
    await deleteQueueKeys(prefix);
  };
  let adminAuth: string;
  let http: ReturnType<typeof request>;
  try {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    http = request(app.getHttpServer());
    adminAuth = await login(ADMIN.email, ADMIN.password);
  } catch (err) {
    // Leave nothing running: a half-started app would keep Jest from exiting.
    await close().catch(() => undefined);
    throw err;
  }

  async function login(email: string, password: string) {
    const res = await http.post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return `Bearer ${res.body.accessToken}`;
  }
  let people = 0;

  return {
    app,
    http,
    db,
    config,
    adminAuth,
    login,
    async staff(role, name = `${role} ${++people}`) {
      const email = `${role}${people}-${randomBytes(3).toString('hex')}@peiyu.test`;
      const password = 'staff-password-1';
      const res = await http.post('/api/v1/users').set('authorization', adminAuth).send({ email, name, password, role });
      if (res.status !== 201) throw new Error(`create ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id, email, auth: await login(email, password) };
    },
    close,
  };
}

export async function deleteQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
