import { addDays, dueRange, watchDate } from './tracking.rules.js';

describe('tracking rules', () => {
  it.each([
    ['2025-03-15', '2026-11-27', '2026-03-15'],
    ['2024-02-29', '2026-11-27', '2025-02-28'],
    ['2023-02-28', '2026-11-27', '2024-02-28'],
    ['2025-12-31', '2026-01-01', '2026-12-31'],
  ])('the registration anniversary of %s (today %s) is %s', (registeredAt, today, expected) => {
    expect(watchDate('registration_anniversary', registeredAt, today)).toBe(expected);
  });

  it('has no anniversary without a registration date', () => {
    expect(watchDate('registration_anniversary', null, '2026-11-27')).toBeNull();
  });

  it.each([
    ['2026-01-01', '2026-12-31'],
    ['2026-12-31', '2026-12-31'],
  ])('the financial year end seen on %s is %s', (today, expected) => {
    expect(watchDate('financial_year_end', '2020-05-05', today)).toBe(expected);
  });

  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-11-27', 7, '2026-12-04'],
  ])('%s + %d days is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it.each([
    ['overdue', { from: null, to: '2026-11-27' }],
    ['today', { from: '2026-11-27', to: '2026-11-28' }],
    ['week', { from: '2026-11-27', to: '2026-12-04' }],
  ] as const)('due=%s covers %j', (due, expected) => {
    expect(dueRange(due, '2026-11-27')).toEqual(expected);
  });
});
