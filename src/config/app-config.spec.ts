import { ConfigError, loadConfig } from './app-config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      APP_ROLE: 'all',
      PORT: 3000,
      DATABASE_URL: 'postgres://localhost:5432/peiyu',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'peiyu',
      WORKER_HEARTBEAT_MS: 5000,
      MAIL_FROM: 'Peiyu <no-reply@localhost>',
      APP_TIMEZONE: 'Asia/Shanghai',
      REMINDER_SEND_WINDOW: '09:00-18:00',
      REMINDER_WORKING_DAYS_ONLY: true,
      REMINDER_SWEEP_INTERVAL_MS: 60000,
      REMINDER_SEND_CONCURRENCY: 4,
      WEBHOOK_ALLOW_PRIVATE: false,
    });
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.jwtSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(config.runsApi && config.runsWorker).toBe(true);
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      REMINDER_WORKING_DAYS_ONLY: 'false',
      WEBHOOK_ALLOW_PRIVATE: '1',
      APP_ROLE: 'worker',
    });
    expect(config.PORT).toBe(8080);
    expect(config.REMINDER_WORKING_DAYS_ONLY).toBe(false);
    expect(config.WEBHOOK_ALLOW_PRIVATE).toBe(true);
    expect(config.runsApi).toBe(false);
    expect(config.runsWorker).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', SMTP_URL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('names every bad variable, one line each', () => {
    const problems = problemsOf({
      APP_ROLE: 'both',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x/y',
      REDIS_URL: 'localhost:6379',
      APP_TIMEZONE: 'Mars/Olympus',
      REMINDER_SEND_WINDOW: '9-18',
      REMINDER_WORKING_DAYS_ONLY: 'maybe',
      JWT_SECRET: 'short',
      SMTP_URL: 'http://mail',
    });
    const named = problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual(
      [
        'APP_ROLE',
        'APP_TIMEZONE',
        'DATABASE_URL',
        'JWT_SECRET',
        'PORT',
        'REDIS_URL',
        'REMINDER_SEND_WINDOW',
        'REMINDER_WORKING_DAYS_ONLY',
        'SMTP_URL',
      ].sort(),
    );
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  it.each([
    ['00:00-24:00', true],
    ['09:00-18:00', true],
    ['24:00-09:00', false],
    ['09:60-18:00', false],
  ])('REMINDER_SEND_WINDOW %s valid: %s', (window, valid) => {
    expect(problemsOf({ REMINDER_SEND_WINDOW: window }).length === 0).toBe(valid);
  });

  it.each([
    ['999', false],
    ['1000', true],
    ['300000', true],
    ['300001', false],
    ['5s', false],
  ])('WORKER_HEARTBEAT_MS %s valid: %s', (ms, valid) => {
    const problems = problemsOf({ WORKER_HEARTBEAT_MS: ms });
    expect(problems.length === 0).toBe(valid);
    if (!valid) expect(problems[0]).toMatch(/^WORKER_HEARTBEAT_MS: /);
  });

  it.each([
    ['0', false],
    ['1', true],
    ['100', true],
    ['101', false],
    ['2.5', false],
    ['four', false],
  ])('REMINDER_SEND_CONCURRENCY %s valid: %s', (n, valid) => {
    const problems = problemsOf({ REMINDER_SEND_CONCURRENCY: n });
    expect(problems.length === 0).toBe(valid);
    if (!valid) expect(problems).toEqual([expect.stringMatching(/^REMINDER_SEND_CONCURRENCY: .*\(got .+\)$/)]);
    else expect(loadConfig({ REMINDER_SEND_CONCURRENCY: n }).REMINDER_SEND_CONCURRENCY).toBe(Number(n));
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'a@b.cn' })).toEqual([
      'ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither',
    ]);
    expect(problemsOf({ ADMIN_EMAIL: 'a@b.cn', ADMIN_PASSWORD: 'long-enough' })).toEqual([]);
  });
});
