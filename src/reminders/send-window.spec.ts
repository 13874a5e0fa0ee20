import { nextSendTime, parseSendWindow, type SendTimeOptions } from './send-window.js';

const SH = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const office = parseSendWindow('09:00-18:00');
const always = parseSendWindow('00:00-24:00');

const base: SendTimeOptions = { timeZone: SH, window: office, workingDaysOnly: true, urgent: false };
/** Instants are written with their offset, so the test reads like the clock on the wall. */
const iso = (d: Date): string => d.toISOString();

describe('parseSendWindow', () => {
  it.each`
    text               | start   | end
    ${'09:00-18:00'}   | ${540}  | ${1080}
    ${'00:00-24:00'}   | ${0}    | ${1440}
    ${' 08:30-17:45 '} | ${510}  | ${1065}
    ${'00:00-00:01'}   | ${0}    | ${1}
    ${'23:59-24:00'}   | ${1439} | ${1440}
  `('$text → [$start, $end)', ({ text, start, end }: { text: string; start: number; end: number }) => {
    expect(parseSendWindow(text)).toEqual({ startMinute: start, endMinute: end });
  });

  it.each([
    '9:00-18:00',
    '09:00 - 18:00',
    '09:00-18:00:00',
    '18:00-09:00', // across midnight
    '09:00-09:00', // empty
    '09:60-18:00',
    '09:00-24:01',
    '24:00-24:00',
    '25:00-26:00',
    '',
  ])('refuses %j', (text) => {
    expect(() => parseSendWindow(text)).toThrow(RangeError);
  });
});

describe('nextSendTime in Asia/Shanghai, 09:00-18:00, working days only', () => {
  it.each`
    due                                | expected                      | why
    ${'2026-03-04T08:59:59.999+08:00'} | ${'2026-03-04T01:00:00.000Z'} | ${'Wed 08:59:59.999 → 09:00 the same day'}
    ${'2026-03-04T09:00:00.000+08:00'} | ${'2026-03-04T01:00:00.000Z'} | ${'Wed 09:00 exactly → itself'}
    ${'2026-03-04T12:34:56.789+08:00'} | ${'2026-03-04T04:34:56.789Z'} | ${'inside → itself, to the millisecond'}
    ${'2026-03-04T17:59:59.999+08:00'} | ${'2026-03-04T09:59:59.999Z'} | ${'last millisecond of the window → itself'}
    ${'2026-03-04T18:00:00.000+08:00'} | ${'2026-03-05T01:00:00.000Z'} | ${'18:00 exactly → Thu 09:00'}
    ${'2026-03-04T23:59:00.000+08:00'} | ${'2026-03-05T01:00:00.000Z'} | ${'late evening → next morning'}
    ${'2026-03-06T18:00:00.000+08:00'} | ${'2026-03-09T01:00:00.000Z'} | ${'Fri 18:00 → Mon 09:00'}
    ${'2026-03-07T10:00:00.000+08:00'} | ${'2026-03-09T01:00:00.000Z'} | ${'Saturday → Monday 09:00'}
    ${'2026-03-08T08:00:00.000+08:00'} | ${'2026-03-09T01:00:00.000Z'} | ${'Sunday → Monday 09:00'}
    ${'2026-10-01T10:00:00.000+08:00'} | ${'2026-10-08T01:00:00.000Z'} | ${'National Day → 8 Oct, first working day'}
    ${'2026-09-30T18:30:00.000+08:00'} | ${'2026-10-08T01:00:00.000Z'} | ${'evening before the holiday → after it'}
    ${'2026-02-13T18:00:00.000+08:00'} | ${'2026-02-14T01:00:00.000Z'} | ${'Fri 18:00 → the 调休 Saturday 14 Feb'}
    ${'2026-10-10T10:00:00.000+08:00'} | ${'2026-10-10T02:00:00.000Z'} | ${'调休 Saturday inside the window → itself'}
    ${'2026-10-10T07:00:00.000+08:00'} | ${'2026-10-10T01:00:00.000Z'} | ${'调休 Saturday early → 09:00 that Saturday'}
    ${'2026-10-10T18:00:00.000+08:00'} | ${'2026-10-12T01:00:00.000Z'} | ${'调休 Saturday 18:00 → Monday (Sunday is off)'}
  `('$why', ({ due, expected }: { due: string; expected: string }) => {
    expect(iso(nextSendTime(new Date(due), base))).toBe(expected);
  });
});

describe('nextSendTime: the zone decides the day, not UTC', () => {
  it.each`
    due                           | expected                      | why
    ${'2026-03-03T22:30:00.000Z'} | ${'2026-03-04T01:00:00.000Z'} | ${'Tue 22:30 UTC is Wed 06:30 in Shanghai → Wed 09:00'}
    ${'2026-03-04T00:59:00.000Z'} | ${'2026-03-04T01:00:00.000Z'} | ${'00:59 UTC is 08:59 in Shanghai'}
    ${'2026-03-04T10:00:00.000Z'} | ${'2026-03-05T01:00:00.000Z'} | ${'10:00 UTC is 18:00 in Shanghai'}
    ${'2026-03-06T20:00:00.000Z'} | ${'2026-03-09T01:00:00.000Z'} | ${'Fri 20:00 UTC is Sat 04:00 in Shanghai → Mon'}
    ${'2026-10-09T16:30:00.000Z'} | ${'2026-10-10T01:00:00.000Z'} | ${'Fri 16:30 UTC is the 调休 Saturday 00:30'}
    ${'2026-09-30T16:00:00.000Z'} | ${'2026-10-08T01:00:00.000Z'} | ${'Wed 16:00 UTC is already National Day'}
  `('$why', ({ due, expected }: { due: string; expected: string }) => {
    expect(iso(nextSendTime(new Date(due), base))).toBe(expected);
  });
});

describe('nextSendTime: urgent and workingDaysOnly=false skip the calendar, not the window', () => {
  it.each`
    due                                | workingDaysOnly | urgent   | expected                      | why
    ${'2026-10-01T10:00:00.000+08:00'} | ${true}         | ${true}  | ${'2026-10-01T02:00:00.000Z'} | ${'urgent on a public holiday → now'}
    ${'2026-10-01T03:00:00.000+08:00'} | ${true}         | ${true}  | ${'2026-10-01T01:00:00.000Z'} | ${'urgent at 03:00 on a holiday → 09:00 that day'}
    ${'2026-10-01T18:00:00.000+08:00'} | ${true}         | ${true}  | ${'2026-10-02T01:00:00.000Z'} | ${'urgent at 18:00 → 09:00 the next (holiday) day'}
    ${'2026-03-07T10:00:00.000+08:00'} | ${true}         | ${true}  | ${'2026-03-07T02:00:00.000Z'} | ${'urgent on a Saturday → now'}
    ${'2026-10-01T10:00:00.000+08:00'} | ${false}        | ${false} | ${'2026-10-01T02:00:00.000Z'} | ${'any day: holiday → now'}
    ${'2026-09-30T23:00:00.000+08:00'} | ${false}        | ${false} | ${'2026-10-01T01:00:00.000Z'} | ${'any day: evening → holiday morning'}
    ${'2026-03-07T08:00:00.000+08:00'} | ${false}        | ${false} | ${'2026-03-07T01:00:00.000Z'} | ${'any day: Saturday 08:00 → Saturday 09:00'}
    ${'2026-03-07T10:00:00.000+08:00'} | ${false}        | ${true}  | ${'2026-03-07T02:00:00.000Z'} | ${'any day and urgent: Saturday → now'}
  `(
    '$why',
    ({
      due,
      workingDaysOnly,
      urgent,
      expected,
    }: {
      due: string;
      workingDaysOnly: boolean;
      urgent: boolean;
      expected: string;
    }) => {
      expect(iso(nextSendTime(new Date(due), { ...base, workingDaysOnly, urgent }))).toBe(expected);
    },
  );
});

describe('nextSendTime with 00:00-24:00 (any time)', () => {
  it.each`
    due                                | workingDaysOnly | expected                      | why
    ${'2026-03-04T00:00:00.000+08:00'} | ${true}         | ${'2026-03-03T16:00:00.000Z'} | ${'working-day midnight → itself'}
    ${'2026-03-04T23:59:59.999+08:00'} | ${true}         | ${'2026-03-04T15:59:59.999Z'} | ${'last millisecond of a working day → itself'}
    ${'2026-03-06T23:59:59.999+08:00'} | ${true}         | ${'2026-03-06T15:59:59.999Z'} | ${'Friday night → itself'}
    ${'2026-03-07T00:00:00.000+08:00'} | ${true}         | ${'2026-03-08T16:00:00.000Z'} | ${'Saturday midnight → Monday 00:00'}
    ${'2026-10-01T03:00:00.000+08:00'} | ${true}         | ${'2026-10-07T16:00:00.000Z'} | ${'holiday → 8 Oct 00:00'}
    ${'2026-03-07T03:00:00.000+08:00'} | ${false}        | ${'2026-03-06T19:00:00.000Z'} | ${'any day, any time → itself'}
  `(
    '$why',
    ({ due, workingDaysOnly, expected }: { due: string; workingDaysOnly: boolean; expected: string }) => {
      expect(iso(nextSendTime(new Date(due), { ...base, window: always, workingDaysOnly }))).toBe(expected);
    },
  );
});

describe('nextSendTime across daylight saving (Europe/Berlin, any day)', () => {
  // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00Z. 2026-10-25: 03:00 CEST → 02:00 CET at 01:00Z.
  const berlin = (window: string): SendTimeOptions => ({
    timeZone: BERLIN,
    window: parseSendWindow(window),
    workingDaysOnly: false,
    urgent: false,
  });
  it.each`
    window           | due                           | expected                      | why
    ${'03:00-04:00'} | ${'2026-03-28T00:30:00.000Z'} | ${'2026-03-28T02:00:00.000Z'} | ${'day before spring-forward: 03:00 is CET (+1)'}
    ${'03:00-04:00'} | ${'2026-03-29T00:30:00.000Z'} | ${'2026-03-29T01:00:00.000Z'} | ${'spring-forward day: 03:00 is already CEST (+2)'}
    ${'02:30-04:00'} | ${'2026-03-29T00:30:00.000Z'} | ${'2026-03-29T01:30:00.000Z'} | ${'02:30 does not exist that day → 03:30 CEST'}
    ${'09:00-18:00'} | ${'2026-03-28T17:30:00.000Z'} | ${'2026-03-29T07:00:00.000Z'} | ${'Sat 18:30 CET → Sun 09:00 CEST'}
    ${'09:00-18:00'} | ${'2026-03-29T15:59:00.000Z'} | ${'2026-03-29T15:59:00.000Z'} | ${'17:59 CEST is inside'}
    ${'09:00-18:00'} | ${'2026-03-29T16:00:00.000Z'} | ${'2026-03-30T07:00:00.000Z'} | ${'18:00 CEST is the end (a +1 guess would say inside)'}
    ${'09:00-18:00'} | ${'2026-10-24T17:00:00.000Z'} | ${'2026-10-25T08:00:00.000Z'} | ${'Sat 19:00 CEST → Sun 09:00 CET'}
    ${'02:30-03:00'} | ${'2026-10-24T23:00:00.000Z'} | ${'2026-10-25T00:30:00.000Z'} | ${'fall-back: 02:30 happens twice → the first (CEST)'}
    ${'00:00-24:00'} | ${'2026-03-29T21:59:00.000Z'} | ${'2026-03-29T21:59:00.000Z'} | ${'23:59 on the 23-hour day is inside'}
  `('$why', ({ window, due, expected }: { window: string; due: string; expected: string }) => {
    expect(iso(nextSendTime(new Date(due), berlin(window)))).toBe(expected);
  });
});

describe('nextSendTime input errors', () => {
  it('refuses an invalid Date', () => {
    expect(() => nextSendTime(new Date('nope'), base)).toThrow(RangeError);
  });
  it('refuses an unknown time zone', () => {
    expect(() =>
      nextSendTime(new Date('2026-03-04T00:00:00Z'), { ...base, timeZone: 'Mars/Olympus' }),
    ).toThrow(RangeError);
  });
  it("does not mutate or return the caller's Date", () => {
    const due = new Date('2026-03-04T12:00:00+08:00');
    const sent = nextSendTime(due, base);
    expect(sent).not.toBe(due);
    expect(sent.getTime()).toBe(due.getTime());
  });
});
