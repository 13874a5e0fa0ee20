import { calendarCoversYear, isWorkingDay, nextWorkingDay, previousWorkingDay } from './calendar.js';
import { dayOfWeek } from './dates.js';

// Every holiday and make-up day below was read from chinese-days 1.5.7's
// dist/years/2025.json and dist/years/2026.json (State Council notices for 2025 and 2026).
const SAT = 6;
const SUN = 0;

describe('isWorkingDay', () => {
  it.each`
    date            | dow    | working  | why
    ${'2026-09-30'} | ${3}   | ${true}  | ${'ordinary Wednesday before National Day'}
    ${'2026-10-01'} | ${4}   | ${false} | ${'National Day, first day'}
    ${'2026-10-05'} | ${1}   | ${false} | ${'National Day, a Monday off'}
    ${'2026-10-07'} | ${3}   | ${false} | ${'National Day, last day'}
    ${'2026-10-08'} | ${4}   | ${true}  | ${'first working day after National Day'}
    ${'2026-09-20'} | ${SUN} | ${true}  | ${'调休 Sunday worked for National Day'}
    ${'2026-10-10'} | ${SAT} | ${true}  | ${'调休 Saturday worked for National Day'}
    ${'2026-10-11'} | ${SUN} | ${false} | ${'the ordinary Sunday after it'}
    ${'2026-02-14'} | ${SAT} | ${true}  | ${'调休 Saturday before Spring Festival'}
    ${'2026-02-15'} | ${SUN} | ${false} | ${'Spring Festival, first day'}
    ${'2026-02-23'} | ${1}   | ${false} | ${'Spring Festival, last day (a Monday)'}
    ${'2026-02-24'} | ${2}   | ${true}  | ${'first working day after Spring Festival'}
    ${'2026-02-28'} | ${SAT} | ${true}  | ${'调休 Saturday after Spring Festival'}
    ${'2026-03-07'} | ${SAT} | ${false} | ${'ordinary Saturday'}
    ${'2026-01-04'} | ${SUN} | ${true}  | ${'调休 Sunday after New Year 2026'}
    ${'2025-01-26'} | ${SUN} | ${true}  | ${'调休 Sunday before Spring Festival 2025'}
    ${'2025-01-28'} | ${2}   | ${false} | ${'Spring Festival 2025, first day'}
    ${'2025-02-04'} | ${2}   | ${false} | ${'Spring Festival 2025, last day'}
    ${'2025-02-05'} | ${3}   | ${true}  | ${'after Spring Festival 2025'}
    ${'2025-02-08'} | ${SAT} | ${true}  | ${'调休 Saturday after Spring Festival 2025'}
    ${'2025-09-28'} | ${SUN} | ${true}  | ${'调休 Sunday before National Day 2025'}
    ${'2025-10-06'} | ${1}   | ${false} | ${'Mid-autumn inside National Day 2025'}
    ${'2025-10-08'} | ${3}   | ${false} | ${'National Day 2025, last day'}
    ${'2025-10-09'} | ${4}   | ${true}  | ${'after National Day 2025'}
    ${'2025-10-11'} | ${SAT} | ${true}  | ${'调休 Saturday after National Day 2025'}
    ${'2025-10-12'} | ${SUN} | ${false} | ${'ordinary Sunday'}
    ${'2025-05-31'} | ${SAT} | ${false} | ${'Dragon Boat 2025 (also the annual-report deadline)'}
    ${'2025-06-03'} | ${2}   | ${true}  | ${'after Dragon Boat 2025'}
  `('$date ($why) → $working', ({ date, dow, working }: { date: string; dow: number; working: boolean }) => {
    expect(dayOfWeek(date)).toBe(dow); // guards the table itself
    expect(isWorkingDay(date)).toBe(working);
  });

  it('falls back to Monday–Friday for a year the data does not cover', () => {
    expect(calendarCoversYear(2026)).toBe(true);
    expect(calendarCoversYear(2099)).toBe(false);
    expect(dayOfWeek('2099-01-01')).toBe(4);
    expect(isWorkingDay('2099-01-01')).toBe(true); // New Year's Day, but 2099 is not published
    expect(isWorkingDay('2099-01-03')).toBe(false); // a Saturday
  });

  it.each(['2026-02-30', '2026-13-01', '20261001', '2026-10-1', ''])('refuses %j', (bad) => {
    expect(() => isWorkingDay(bad)).toThrow(RangeError);
  });
});

describe('nextWorkingDay', () => {
  it.each`
    date            | next            | why
    ${'2026-10-08'} | ${'2026-10-08'} | ${'a working day is its own answer'}
    ${'2026-10-10'} | ${'2026-10-10'} | ${'a 调休 Saturday is its own answer'}
    ${'2026-10-01'} | ${'2026-10-08'} | ${'National Day → the day after the holiday'}
    ${'2026-10-07'} | ${'2026-10-08'} | ${'last holiday day → next day'}
    ${'2026-09-26'} | ${'2026-09-28'} | ${'Mid-autumn Saturday → Monday'}
    ${'2026-02-15'} | ${'2026-02-24'} | ${'Spring Festival → the Tuesday after'}
    ${'2026-03-07'} | ${'2026-03-09'} | ${'Saturday → Monday'}
    ${'2026-03-08'} | ${'2026-03-09'} | ${'Sunday → Monday'}
    ${'2025-12-31'} | ${'2025-12-31'} | ${'year end, a Wednesday'}
    ${'2025-12-27'} | ${'2025-12-29'} | ${'Saturday across no holiday'}
    ${'2026-01-01'} | ${'2026-01-04'} | ${'New Year → the 调休 Sunday'}
  `('$date → $next ($why)', ({ date, next }: { date: string; next: string }) => {
    expect(nextWorkingDay(date)).toBe(next);
  });
});

describe('previousWorkingDay (a reminder ahead of a deadline pulled back off a day off)', () => {
  it.each`
    date            | notBefore       | expected        | why
    ${'2026-09-30'} | ${'2026-09-01'} | ${'2026-09-30'} | ${'a working day stays'}
    ${'2026-10-05'} | ${'2026-09-01'} | ${'2026-09-30'} | ${'inside National Day → the last day before it'}
    ${'2026-10-11'} | ${'2026-09-01'} | ${'2026-10-10'} | ${'Sunday → the 调休 Saturday before it'}
    ${'2026-10-05'} | ${'2026-10-03'} | ${'2026-10-03'} | ${'never before notBefore (today), even on a day off'}
  `('$date → $expected ($why)', ({ date, notBefore, expected }: Record<string, string>) => {
    expect(previousWorkingDay(date, notBefore)).toBe(expected);
  });
});
