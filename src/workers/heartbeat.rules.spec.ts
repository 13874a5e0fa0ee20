import {
  aliveSince,
  heartbeatStaleAfterMs,
  isAlive,
  orphanedClaimSql,
  workerAliveSql,
} from './heartbeat.rules.js';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('heartbeat rules', () => {
  it.each([
    [1000, 3000],
    [5000, 15000],
    [60000, 180000],
  ])('WORKER_HEARTBEAT_MS %i: stale after %i ms', (beat, stale) => {
    expect(heartbeatStaleAfterMs({ WORKER_HEARTBEAT_MS: beat })).toBe(stale);
    expect(aliveSince(NOW, { WORKER_HEARTBEAT_MS: beat })).toEqual(ago(stale));
  });

  it.each([
    ['beat just now', 0, true],
    ['one beat late', 5000, true],
    ['exactly three beats ago', 15000, true],
    ['a millisecond past three beats', 15001, false],
    ['an hour ago', 3600_000, false],
    ['from the future (another host’s clock ahead)', -2000, true],
  ])('%s: alive %s', (_, msAgo, alive) => {
    expect(isAlive(ago(msAgo), NOW, { WORKER_HEARTBEAT_MS: 5000 })).toBe(alive);
  });

  it('writes SQL conditions over the columns and placeholder it is given', () => {
    expect(workerAliveSql('r.claimed_by', '$2')).toBe(
      'EXISTS (SELECT 1 FROM worker_heartbeats wh WHERE wh.instance_id = r.claimed_by AND wh.beat_at >= $2)',
    );
    expect(orphanedClaimSql('claimed_by', 'claimed_at', '$1')).toBe(
      '(claimed_at < $1 AND NOT EXISTS (SELECT 1 FROM worker_heartbeats wh WHERE wh.instance_id = claimed_by AND wh.beat_at >= $1))',
    );
  });
});
