import { calendarDateIn, startOfDayIn, wallTime, zonedInstant } from './zoned-time.js';

describe('wallTime / calendarDateIn', () => {
  it.each`
    instant                       | zone                  | date            | minute
    ${'2026-03-03T16:00:00.000Z'} | ${'Asia/Shanghai'}    | ${'2026-03-04'} | ${0}
    ${'2026-03-03T15:59:59.999Z'} | ${'Asia/Shanghai'}    | ${'2026-03-03'} | ${1439}
    ${'2026-03-03T22:30:00.000Z'} | ${'Asia/Shanghai'}    | ${'2026-03-04'} | ${390}
    ${'2024-02-29T16:00:00.000Z'} | ${'Asia/Shanghai'}    | ${'2024-03-01'} | ${0}
    ${'2025-12-31T16:00:00.000Z'} | ${'Asia/Shanghai'}    | ${'2026-01-01'} | ${0}
    ${'2026-03-29T01:00:00.000Z'} | ${'Europe/Berlin'}    | ${'2026-03-29'} | ${180}
    ${'2026-03-29T00:59:00.000Z'} | ${'Europe/Berlin'}    | ${'2026-03-29'} | ${119}
    ${'2026-03-08T07:00:00.000Z'} | ${'America/New_York'} | ${'2026-03-08'} | ${180}
    ${'2026-03-08T04:59:00.000Z'} | ${'America/New_York'} | ${'2026-03-07'} | ${1439}
  `(
    '$instant in $zone is $date minute $minute',
    ({ instant, zone, date, minute }: { instant: string; zone: string; date: string; minute: number }) => {
      expect(wallTime(new Date(instant), zone)).toEqual({ date, minuteOfDay: minute });
      expect(calendarDateIn(new Date(instant), zone)).toBe(date);
    },
  );
});

describe('zonedInstant / startOfDayIn', () => {
  it.each`
    date            | minute  | zone                  | expected                      | why
    ${'2026-03-04'} | ${540}  | ${'Asia/Shanghai'}    | ${'2026-03-04T01:00:00.000Z'} | ${'09:00 CST'}
    ${'2026-03-04'} | ${1440} | ${'Asia/Shanghai'}    | ${'2026-03-04T16:00:00.000Z'} | ${'24:00 = next midnight'}
    ${'2026-03-29'} | ${0}    | ${'Europe/Berlin'}    | ${'2026-03-28T23:00:00.000Z'} | ${'midnight before spring-forward (CET)'}
    ${'2026-03-29'} | ${1440} | ${'Europe/Berlin'}    | ${'2026-03-29T22:00:00.000Z'} | ${'end of the 23-hour day (CEST)'}
    ${'2026-03-29'} | ${150}  | ${'Europe/Berlin'}    | ${'2026-03-29T01:30:00.000Z'} | ${'02:30 in the gap → 03:30 CEST'}
    ${'2026-10-25'} | ${150}  | ${'Europe/Berlin'}    | ${'2026-10-25T00:30:00.000Z'} | ${'02:30 twice → the earlier'}
    ${'2026-10-25'} | ${210}  | ${'Europe/Berlin'}    | ${'2026-10-25T02:30:00.000Z'} | ${'03:30 after fall-back is CET'}
    ${'2026-10-25'} | ${1440} | ${'Europe/Berlin'}    | ${'2026-10-25T23:00:00.000Z'} | ${'end of the 25-hour day'}
    ${'2026-03-08'} | ${150}  | ${'America/New_York'} | ${'2026-03-08T07:30:00.000Z'} | ${'New York gap 02:30 → 03:30 EDT'}
  `(
    '$date +$minute min in $zone ($why)',
    ({ date, minute, zone, expected }: { date: string; minute: number; zone: string; expected: string }) => {
      expect(zonedInstant(date, minute, zone).toISOString()).toBe(expected);
    },
  );

  it('startOfDayIn is minute 0', () => {
    expect(startOfDayIn('2026-10-01', 'Asia/Shanghai').toISOString()).toBe('2026-09-30T16:00:00.000Z');
  });

  it.each([-1, 1441, 1.5])('refuses minute %p', (minute) => {
    expect(() => zonedInstant('2026-03-04', minute, 'Asia/Shanghai')).toThrow(RangeError);
  });
});
