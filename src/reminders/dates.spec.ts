import { addDays, dayOfWeek } from './dates.js';

describe('addDays', () => {
  it.each`
    date            | days    | expected
    ${'2024-02-28'} | ${1}    | ${'2024-02-29'}
    ${'2025-02-28'} | ${1}    | ${'2025-03-01'}
    ${'2024-03-01'} | ${-1}   | ${'2024-02-29'}
    ${'2025-03-01'} | ${-1}   | ${'2025-02-28'}
    ${'2026-01-01'} | ${-1}   | ${'2025-12-31'}
    ${'2025-12-31'} | ${1}    | ${'2026-01-01'}
    ${'2024-05-30'} | ${-90}  | ${'2024-03-01'}
    ${'2024-12-31'} | ${-366} | ${'2023-12-31'}
    ${'2026-03-29'} | ${1}    | ${'2026-03-30'}
    ${'2026-10-25'} | ${0}    | ${'2026-10-25'}
  `(
    '$date + $days = $expected',
    ({ date, days, expected }: { date: string; days: number; expected: string }) => {
      expect(addDays(date, days)).toBe(expected);
    },
  );

  it('refuses a date that does not exist', () => {
    expect(() => addDays('2025-02-29', 1)).toThrow(RangeError);
  });
});

describe('dayOfWeek', () => {
  it.each`
    date            | dow
    ${'2026-10-10'} | ${6}
    ${'2026-10-11'} | ${0}
    ${'2026-10-12'} | ${1}
    ${'2024-02-29'} | ${4}
  `('$date is day $dow', ({ date, dow }: { date: string; dow: number }) => {
    expect(dayOfWeek(date)).toBe(dow);
  });
});
