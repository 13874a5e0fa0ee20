import { asOfDate, changePct, figure, progressPct } from './overview-metrics.js';

describe('overview metrics', () => {
  it.each([
    [12, 10, 20],
    [10, 12, -16.7],
    [1, 3, -66.7],
    [2, 3, -33.3],
    [10, 10, 0],
    [0, 4, -100],
    [1, 8, -87.5],
    [7, 0, null],
    [7, null, null],
    [null, 7, null],
  ])('value %p against previous %p changes by %p%', (value, previous, expected) => {
    expect(changePct(value, previous)).toBe(expected);
  });

  it.each([
    [30, 40, 75],
    [41, 40, 102.5],
    [1, 3, 33.3],
    [0, 5, 0],
    [5, 0, null],
    [5, null, null],
  ])('value %p of target %p is %p%', (value, target, expected) => {
    expect(progressPct(value, target)).toBe(expected);
  });

  it.each([
    [2022, '2022-11-27', '2022-11-27'],
    [2021, '2022-11-27', '2021-12-31'],
    [2023, '2022-11-27', '2023-12-31'],
  ])('the as-of date of %p seen on %s is %s', (year, today, expected) => {
    expect(asOfDate(year, today)).toBe(expected);
  });

  it('puts a figure together', () => {
    expect(figure(12, 10, 15)).toEqual({
      value: 12,
      previous: 10,
      changePct: 20,
      target: 15,
      progressPct: 80,
    });
    expect(figure(3, null, null)).toEqual({
      value: 3,
      previous: null,
      changePct: null,
      target: null,
      progressPct: null,
    });
  });
});
