import {
  ceilDiv,
  ceilToYuan,
  floorDiv,
  floorRatio4,
  formatBp,
  formatCount,
  formatFen,
  formatRatio,
  formatYuan,
  partToAdd,
  ratioAtLeast,
  staffToAdd,
  toFen,
} from './numbers.js';

describe('money in fen', () => {
  it.each([
    [0, 0n],
    [0.29, 29n],
    [0.07, 7n],
    [19.99, 1999n],
    [1_240_000, 124_000_000n],
    [50_000_000.01, 5_000_000_001n],
    [-1.05, -105n],
    [-18_000_000, -1_800_000_000n],
  ])('toFen(%p) = %p', (yuan, fen) => {
    expect(toFen(yuan)).toBe(fen);
  });

  it.each([
    [124_000_000n, '¥1,240,000'],
    [5n, '¥0.05'],
    [123_456_789n, '¥1,234,567.89'],
    [100n, '¥1'],
    [0n, '¥0'],
    [-150n, '-¥1.50'],
  ])('formatFen(%p) = %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('formats yuan and counts with thousands separators', () => {
    expect(formatYuan(200_000_000)).toBe('¥200,000,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
  });

  it.each([
    [1n, 100n],
    [100n, 100n],
    [101n, 200n],
    [0n, 0n],
  ])('ceilToYuan(%p) = %p', (fen, rounded) => {
    expect(ceilToYuan(fen)).toBe(rounded);
  });
});

describe('exact ratios', () => {
  it.each([
    [10n, 100n, 1000, true],
    [9n, 100n, 1000, false],
    [12n, 120n, 1000, true],
    [11n, 120n, 1000, false],
    [6n, 10n, 6000, true],
    [5_999_999n, 10_000_000n, 6000, false],
    [0n, 5n, 1, false],
    [0n, 5n, 0, true],
  ])('%p / %p >= %p bp is %p', (num, den, bp, ok) => {
    expect(ratioAtLeast(num, den, bp)).toBe(ok);
  });

  it.each([
    [2_500_000n, 42_000_000n, 0.0595],
    [20n, 120n, 0.1666],
    [1n, 10n, 0.1],
    [49_999n, 1_000_000n, 0.0499],
    [3n, 3n, 1],
  ])('floorRatio4(%p, %p) = %p', (num, den, value) => {
    expect(floorRatio4(num, den)).toBe(value);
  });

  it.each([
    [7n, 2n, 4n, 3n],
    [-7n, 2n, -3n, -4n],
    [6n, 3n, 2n, 2n],
  ])('ceilDiv/floorDiv(%p, %p) = %p / %p', (a, b, up, down) => {
    expect(ceilDiv(a, b)).toBe(up);
    expect(floorDiv(a, b)).toBe(down);
  });

  it('refuses a zero divisor', () => {
    expect(() => ceilDiv(1n, 0n)).toThrow(RangeError);
  });

  it.each([
    [0.0595, '5.95%'],
    [0.1, '10%'],
    [0.6, '60%'],
    [0.1666, '16.66%'],
    [0, '0%'],
  ])('formatRatio(%p) = %s', (v, text) => {
    expect(formatRatio(v)).toBe(text);
  });

  it.each([
    [500, '5%'],
    [6000, '60%'],
    [1050, '10.5%'],
  ])('formatBp(%p) = %s', (bp, text) => {
    expect(formatBp(bp)).toBe(text);
  });
});

describe('shortfalls', () => {
  // Adding S&T staff adds employees too: the least k with (s + k) / (e + k) >= ratio.
  it.each([
    [18, 200, 1000, 3],
    [11, 120, 1000, 2],
    [12, 120, 1000, 0],
    [0, 9, 1000, 1],
    [0, 10, 1000, 2],
    [0, 0, 1000, 1],
    [24, 100, 2500, 2],
    [29, 100, 3000, 2],
  ])('techStaff %d of %d employees needs %d more for %d bp', (s, e, bp, k) => {
    expect(staffToAdd(s, e, bp)).toBe(k);
    // k is enough and k - 1 is not.
    expect((s + k) * 10_000 >= bp * (e + k)).toBe(true);
    if (k > 0 && s + k - 1 > 0) expect((s + k - 1) * 10_000 >= bp * (e + k - 1)).toBe(false);
  });

  it.each([
    [500_000_000n, 1_000_000_000n, 6000, 250_000_000n],
    [600n, 1000n, 6000, 0n],
    [599n, 1000n, 6000, 3n],
    [0n, 0n, 6000, 0n],
  ])('part %p of %p needs %p more (added to both) for %p bp', (part, whole, bp, add) => {
    expect(partToAdd(part, whole, bp)).toBe(add);
  });
});
