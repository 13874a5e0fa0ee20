import {
  canMove,
  CONTRACT_STATUSES,
  progressOf,
  type ContractItemStatus,
  type ContractStatus,
} from './contract.rules.js';

describe('contract status moves', () => {
  const legal: [ContractStatus, ContractStatus][] = [
    ['draft', 'active'],
    ['draft', 'terminated'],
    ['active', 'completed'],
    ['active', 'terminated'],
  ];
  const cases = CONTRACT_STATUSES.flatMap((from) =>
    CONTRACT_STATUSES.map(
      (to) => [from, to, from === to || legal.some(([f, t]) => f === from && t === to)] as const,
    ),
  );

  it.each(cases)('%s → %s allowed: %s', (from, to, expected) => {
    expect(canMove(from, to)).toBe(expected);
  });
});

describe('contract progress', () => {
  const items = (...s: ContractItemStatus[]) => s.map((status) => ({ status }));

  it.each([
    [items(), { done: 0, total: 0, percent: 0 }],
    [items('cancelled'), { done: 0, total: 0, percent: 0 }],
    [items('pending'), { done: 0, total: 1, percent: 0 }],
    [items('done'), { done: 1, total: 1, percent: 100 }],
    [items('done', 'pending', 'pending'), { done: 1, total: 3, percent: 33 }],
    [items('done', 'done', 'pending'), { done: 2, total: 3, percent: 66 }],
    [items('done', 'cancelled', 'pending'), { done: 1, total: 2, percent: 50 }],
    [items('done', 'done', 'cancelled'), { done: 2, total: 2, percent: 100 }],
  ])('%j → %j', (input, expected) => {
    expect(progressOf(input)).toEqual(expected);
  });
});
