import { afterFailure, isDelivered, MAX_ATTEMPTS, retryDelayMs, retrySchedule, shouldPause } from './webhook.rules.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('webhook retry and pause rules', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [9, 256],
    [10, 480],
    [11, 480],
    [40, 480],
  ])('after failed try %i the wait is %i minutes', (attempt, minutes) => {
    expect(retryDelayMs(attempt, MIN)).toBe(minutes * MIN);
  });

  it('gives up after the twelfth try, about a day after the first', () => {
    expect(MAX_ATTEMPTS).toBe(12);
    expect(afterFailure(11, MIN)).toEqual({ retryInMs: 480 * MIN });
    expect(afterFailure(12, MIN)).toEqual({ giveUp: true });
    const schedule = retrySchedule(MIN);
    expect(schedule).toHaveLength(12);
    expect(schedule.slice(0, 4)).toEqual([0, MIN, 3 * MIN, 7 * MIN]);
    // 511 minutes, then two waits of 8 hours: the last try 24 h 31 min after the first.
    expect(schedule[11]).toBe((511 + 960) * MIN);
  });

  it('scales with the base delay', () => {
    expect(retryDelayMs(1, 100)).toBe(100);
    expect(retryDelayMs(20, 100)).toBe(48_000);
  });

  it.each([
    ['never failed', null, 0, false],
    ['failing for an hour', new Date(0), HOUR, false],
    ['a millisecond short of a day', new Date(0), 24 * HOUR - 1, false],
    ['exactly a day', new Date(0), 24 * HOUR, true],
    ['two days', new Date(0), 48 * HOUR, true],
  ])('%s: pause %s', (_, since, nowMs, pause) => {
    expect(shouldPause(since as Date | null, new Date(nowMs as number))).toBe(pause);
  });

  it.each([
    [200, true],
    [204, true],
    [299, true],
    [199, false],
    [301, false],
    [302, false],
    [404, false],
    [500, false],
  ])('HTTP %i delivered: %s', (code, ok) => expect(isDelivered(code)).toBe(ok));
});
