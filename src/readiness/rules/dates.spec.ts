import {
  addDays,
  daysBetween,
  formatIsoDate,
  isIsoDate,
  operatingYears,
  parseIsoDate,
  windowYears,
  yearOf,
} from './dates.js';

describe('parseIsoDate', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2000-02-29', 11_016],
  ])('%s is day %d', (date, day) => {
    expect(parseIsoDate(date)).toBe(day);
  });

  it.each([
    ['2023-02-29'],
    ['2022-02-30'],
    ['2022-13-01'],
    ['2022-00-10'],
    ['2022-6-1'],
    ['20220601'],
    [''],
    ['2022-06-01T00:00:00Z'],
  ])('refuses %p', (date) => {
    expect(parseIsoDate(date)).toBeNull();
    expect(isIsoDate(date)).toBe(false);
  });

  it.each([[null], [undefined]])('returns null for %p', (v) => {
    expect(parseIsoDate(v)).toBeNull();
  });

  it('keeps years below 100 as written', () => {
    const n = parseIsoDate('0050-01-01');
    expect(n).not.toBeNull();
    expect(formatIsoDate(n as number)).toBe('0050-01-01');
  });
});

describe('date arithmetic', () => {
  it.each([
    ['2022-04-02', 365, '2023-04-02'],
    ['2023-03-01', 365, '2024-02-29'],
    ['2020-02-29', 365, '2021-02-28'],
    ['2021-12-31', 1, '2022-01-01'],
    ['2022-01-01', -1, '2021-12-31'],
  ])('addDays(%s, %d) = %s', (from, days, to) => {
    expect(addDays(from, days)).toBe(to);
  });

  it.each([
    ['2017-03-15', '2022-06-01', 1904],
    ['2021-06-01', '2022-06-01', 365],
    ['2020-06-01', '2021-06-01', 365],
    ['2019-06-01', '2020-06-01', 366],
    ['2022-06-02', '2022-06-01', -1],
  ])('daysBetween(%s, %s) = %d', (a, b, days) => {
    expect(daysBetween(a, b)).toBe(days);
  });

  it('throws on an invalid date instead of returning NaN', () => {
    expect(() => addDays('2022-02-30', 1)).toThrow(RangeError);
    expect(() => daysBetween('2022-01-01', 'soon')).toThrow(RangeError);
    expect(() => yearOf('2022/01/01')).toThrow(RangeError);
  });

  it.each(['UTC', 'Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Kiritimati'])(
    'does not shift a day in time zone %s',
    (tz) => {
      const before = process.env.TZ;
      process.env.TZ = tz;
      try {
        expect(addDays('2022-03-27', 1)).toBe('2022-03-28');
        expect(daysBetween('2022-03-12', '2022-03-14')).toBe(2);
        expect(formatIsoDate(parseIsoDate('2022-11-06') as number)).toBe('2022-11-06');
      } finally {
        if (before === undefined) delete process.env.TZ;
        else process.env.TZ = before;
      }
    },
  );
});

describe('assessment window', () => {
  it.each([
    ['2022-06-01', [2019, 2020, 2021]],
    ['2022-01-01', [2019, 2020, 2021]],
    ['2022-12-31', [2019, 2020, 2021]],
    ['2023-01-01', [2020, 2021, 2022]],
  ])('window of %s is %j', (date, years) => {
    expect(windowYears(date)).toEqual(years);
  });

  it.each([
    ['2017-03-15', [2019, 2020, 2021]],
    ['2019-12-31', [2019, 2020, 2021]],
    ['2020-01-01', [2020, 2021]],
    ['2020-07-01', [2020, 2021]],
    ['2020-12-31', [2020, 2021]],
    ['2021-01-01', [2021]],
    ['2021-12-31', [2021]],
    ['2022-01-01', []],
    [null, [2019, 2020, 2021]],
  ])('registered %s, assessed 2022-06-01: operating years %j', (registeredAt, years) => {
    expect(operatingYears('2022-06-01', registeredAt)).toEqual(years);
  });
});
