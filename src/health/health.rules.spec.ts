import { healthWarnings, remindersBehindAfterMs, remindersReport, workersReport } from './health.rules.js';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const config = { REMINDER_SWEEP_INTERVAL_MS: 60_000 };

describe('workersReport', () => {
  it.each([
    ['a live worker', 2, ago(1500), { alive: 2, ageSeconds: 1, status: 'ok' }],
    ['only stale heartbeats', 0, ago(20_000), { alive: 0, ageSeconds: 20, status: 'stale' }],
    ['no heartbeat at all', 0, null, { alive: 0, ageSeconds: null, newestBeatAt: null, status: 'none' }],
    [
      'a beat stamped ahead of this host’s clock',
      1,
      new Date(NOW.getTime() + 800),
      { ageSeconds: 0, status: 'ok' },
    ],
  ])('%s', (_, alive, newest, expected) => {
    expect(workersReport(alive, newest, NOW)).toMatchObject(expected);
  });

  it('gives the newest beat as an ISO instant', () => {
    expect(workersReport(1, ago(1000), NOW).newestBeatAt).toBe('2026-03-02T07:59:59.000Z');
  });
});

describe('remindersReport', () => {
  it('is behind after two sweeps and a minute', () => {
    expect(remindersBehindAfterMs(config)).toBe(180_000);
    expect(remindersBehindAfterMs({ REMINDER_SWEEP_INTERVAL_MS: 5_000 })).toBe(70_000);
  });

  it.each([
    ['nothing due', null, { oldestDueUnsentAt: null, oldestDueUnsentAgeSeconds: null, status: 'ok' }],
    ['due just now', ago(0), { oldestDueUnsentAgeSeconds: 0, status: 'ok' }],
    ['due exactly at the limit', ago(180_000), { oldestDueUnsentAgeSeconds: 180, status: 'ok' }],
    ['a millisecond past the limit', ago(180_001), { oldestDueUnsentAgeSeconds: 180, status: 'behind' }],
    ['due an hour ago', ago(3600_000), { oldestDueUnsentAgeSeconds: 3600, status: 'behind' }],
  ])('%s', (_, oldest, expected) => {
    expect(remindersReport(oldest, NOW, config)).toMatchObject(expected);
  });
});

describe('healthWarnings', () => {
  const fine = { workers: workersReport(1, ago(1000), NOW), reminders: remindersReport(null, NOW, config) };

  it('has none when workers beat and reminders keep up', () => {
    expect(healthWarnings(fine.workers, fine.reminders, config)).toEqual([]);
  });

  it('names stale workers, missing workers and reminders behind', () => {
    expect(healthWarnings(workersReport(0, ago(90_000), NOW), fine.reminders, config)).toEqual([
      'workers: no worker has written a heartbeat for 90 s (newest 2026-03-02T07:58:30.000Z); jobs and reminders are not being processed',
    ]);
    expect(
      healthWarnings(workersReport(0, null, NOW), remindersReport(ago(600_000), NOW, config), config),
    ).toEqual([
      'workers: no worker process is running; jobs and reminders wait until one starts',
      'reminders: the oldest due reminder has waited 600 s (more than 180 s) since 2026-03-02T07:50:00.000Z',
    ]);
  });
});
