import {
  gradePoints,
  growthPoints,
  growthPointsExact,
  growthRate,
  rdManagementPoints,
  transformationPoints,
  tsmeRdPoints,
  tsmeStaffPoints,
} from './scores.js';

describe('expert grades', () => {
  it.each([
    ['A', 7, 8],
    ['B', 5, 6],
    ['C', 3, 4],
    ['D', 1, 2],
    ['E', 0, 0],
    [null, 0, 0],
  ] as const)('grade %p scores %d–%d', (grade, min, max) => {
    expect(gradePoints(grade)).toEqual({ min, max });
  });
});

describe('transformation of results (average per operating year, exact)', () => {
  it.each([
    // worked checks
    [10, 3, 13, 18],
    [15, 3, 25, 30],
    // both sides of every line over three years
    [14, 3, 19, 24],
    [12, 3, 19, 24],
    [11, 3, 13, 18],
    [9, 3, 13, 18],
    [8, 3, 7, 12],
    [6, 3, 7, 12],
    [5, 3, 1, 6],
    [3, 3, 1, 6],
    [2, 3, 0, 0],
    [0, 3, 0, 0],
    // two operating years
    [10, 2, 25, 30],
    [9, 2, 19, 24],
    [2, 2, 1, 6],
    [1, 2, 0, 0],
    // one operating year, and none (divisor at least 1)
    [5, 1, 25, 30],
    [4, 1, 19, 24],
    [1, 1, 1, 6],
    [0, 1, 0, 0],
    [5, 0, 25, 30],
    [1, 0, 1, 6],
  ])('%d over %d years → %d–%d', (total, years, min, max) => {
    expect(transformationPoints(total, years)).toEqual({ min, max });
  });
});

describe('R&D management', () => {
  it.each([
    [{ projectAccounting: 5, rdInstitution: 4, transformationIncentives: 3, talentDevelopment: 3 }, 15],
    [{ projectAccounting: 6, rdInstitution: 6, transformationIncentives: 4, talentDevelopment: 4 }, 20],
    [{ projectAccounting: 6 }, 6],
    [{}, 0],
    [null, 0],
  ])('%j sums to %d', (rd, sum) => {
    expect(rdManagementPoints(rd)).toBe(sum);
  });

  it('does not clamp a value out of range (validation refuses it instead)', () => {
    expect(rdManagementPoints({ projectAccounting: 9 })).toBe(9);
  });
});

describe('growth', () => {
  describe('worked checks (DOMAIN.md)', () => {
    it('net assets 100, 120, 150: g = 22.5% → 5–6', () => {
      const g = growthRate([100, 120, 150]);
      expect(g.rate).toBeCloseTo(0.225, 10);
      expect(g.points).toEqual({ min: 5, max: 6 });
      expect(g.policy).toBeNull();
    });

    it('sales 0, 200, 300: first year 0 → g = 50% → 9–10 (the Guide, not a policy)', () => {
      const g = growthRate([0, 200, 300]);
      expect(g.rate).toBeCloseTo(0.5, 10);
      expect(g.points).toEqual({ min: 9, max: 10 });
      expect(g.policy).toBeNull();
    });

    it('sales 100, 0, 50: second year 0 → 0', () => {
      const g = growthRate([100, 0, 50]);
      expect(g.points).toEqual({ min: 0, max: 0 });
      expect(g.rate).toBeNull();
      expect(g.explanation).toMatch(/second year/);
    });

    it('net assets 100, 90, 95: g ≈ −2.2% → 0', () => {
      const g = growthRate([100, 90, 95]);
      expect(g.rate).toBeCloseTo(-0.0222, 4);
      expect(g.points).toEqual({ min: 0, max: 0 });
    });
  });

  // Three-year formula with x1 = x2 = 100: g = (x3/100 − 1) / 2, so x3 = 100 + 200·g.
  it.each([
    [170, 9, 10],
    [169.99, 7, 8],
    [150, 7, 8],
    [149.99, 5, 6],
    [130, 5, 6],
    [129.99, 3, 4],
    [110, 3, 4],
    [109.99, 1, 2],
    [100.01, 1, 2],
    [100, 0, 0],
    [99.99, 0, 0],
  ])('three years 100, 100, %p → %d–%d (exact at the line)', (x3, min, max) => {
    expect(growthRate([100, 100, x3]).points).toEqual({ min, max });
  });

  it.each([
    [135, 9, 10],
    [134.99, 7, 8],
    [125, 7, 8],
    [124.99, 5, 6],
    [115, 5, 6],
    [114.99, 3, 4],
    [105, 3, 4],
    [104.99, 1, 2],
    [100.01, 1, 2],
    [100, 0, 0],
    [80, 0, 0],
  ])('two operating years 100, %p → %d–%d, and says the policy', (x3, min, max) => {
    const g = growthRate([100, x3]);
    expect(g.points).toEqual({ min, max });
    expect(g.policy).toMatch(/^policy: .*two operating years/);
  });

  it('large amounts stay exact: 50,000,000 → 67,500,000 is exactly 35%', () => {
    expect(growthRate([50_000_000, 67_500_000]).points).toEqual({ min: 9, max: 10 });
    expect(growthRate([50_000_000, 67_499_999.99]).points).toEqual({ min: 7, max: 8 });
  });

  it('a negative first year uses the last two years and says it is a policy', () => {
    const g = growthRate([-50, 100, 150]);
    expect(g.rate).toBeCloseTo(0.5, 10);
    expect(g.points).toEqual({ min: 9, max: 10 });
    expect(g.policy).toMatch(/^policy: .*negative/);
  });

  it.each([[[100, -10, 50]], [[-100, -10, 50]], [[-10, 50]], [[0, 50]]])(
    'a second-to-last value ≤ 0 scores 0: %j',
    (series) => {
      const g = growthRate(series);
      expect(g.points).toEqual({ min: 0, max: 0 });
      expect(g.rate).toBeNull();
    },
  );

  it('a negative last year is a rate like any other', () => {
    const g = growthRate([100, 100, -100]);
    expect(g.rate).toBeCloseTo(-1, 10);
    expect(g.points).toEqual({ min: 0, max: 0 });
  });

  it.each([[[100]], [[]]])('fewer than two operating years scores 0 as a policy: %j', (series) => {
    const g = growthRate(series);
    expect(g.points).toEqual({ min: 0, max: 0 });
    expect(g.policy).toMatch(/^policy: /);
  });

  it.each([
    [[100, null, 150], [1]],
    [[null, 120, 150], [0]],
    [[100, 120, undefined], [2]],
    [
      [null, null],
      [0, 1],
    ],
  ])('missing values %j score 0 and are named by index %j', (series, missing) => {
    const g = growthRate(series);
    expect(g.points).toEqual({ min: 0, max: 0 });
    expect(g.missing).toEqual(missing);
  });

  it.each([
    [0.35, 9, 10],
    [0.3499, 7, 8],
    [0.25, 7, 8],
    [0.2499, 5, 6],
    [0.15, 5, 6],
    [0.1499, 3, 4],
    [0.05, 3, 4],
    [0.0499, 1, 2],
    [0.0001, 1, 2],
    [0, 0, 0],
    [-0.1, 0, 0],
  ])('growthPoints(%p) = %d–%d', (g, min, max) => {
    expect(growthPoints(g)).toEqual({ min, max });
  });

  it.each([
    [35n, 100n, 9],
    [3499n, 10000n, 7],
    [1n, 1000000n, 1],
    [0n, 1n, 0],
    [-1n, 2n, 0],
  ])('growthPointsExact(%p, %p) min = %d', (num, den, min) => {
    expect(growthPointsExact(num, den).min).toBe(min);
  });
});

describe('tech-based SME tables', () => {
  it.each([
    [30, 100, 20],
    [29, 100, 16],
    [25, 100, 16],
    [24, 100, 12],
    [20, 100, 12],
    [19, 100, 8],
    [15, 100, 8],
    [14, 100, 4],
    [10, 100, 4],
    [9, 100, 0],
    [0, 0, 0],
    [3, 3, 20],
  ])('staff %d of %d → %d points', (s, e, points) => {
    expect(tsmeStaffPoints(s, e)).toBe(points);
  });

  it.each([
    // R&D ÷ sales (sales 100,000,000)
    [6_000_000, 100_000_000, null, 50],
    [5_999_999.99, 100_000_000, null, 40],
    [5_000_000, 100_000_000, null, 40],
    [4_999_999.99, 100_000_000, null, 30],
    [4_000_000, 100_000_000, null, 30],
    [3_999_999.99, 100_000_000, null, 20],
    [3_000_000, 100_000_000, null, 20],
    [2_999_999.99, 100_000_000, null, 10],
    [2_000_000, 100_000_000, null, 10],
    [1_999_999.99, 100_000_000, null, 0],
    // R&D ÷ total costs and expenses (10,000,000)
    [3_000_000, null, 10_000_000, 50],
    [2_999_999.99, null, 10_000_000, 40],
    [2_500_000, null, 10_000_000, 40],
    [2_499_999.99, null, 10_000_000, 30],
    [2_000_000, null, 10_000_000, 30],
    [1_999_999.99, null, 10_000_000, 20],
    [1_500_000, null, 10_000_000, 20],
    [1_499_999.99, null, 10_000_000, 10],
    [1_000_000, null, 10_000_000, 10],
    [999_999.99, null, 10_000_000, 0],
    // the better of the two
    [2_000_000, 100_000_000, 8_000_000, 40],
    [6_000_000, 100_000_000, 600_000_000, 50],
    // zero denominators score 0, never divide
    [1_000_000, 0, 0, 0],
    [0, 100_000_000, 10_000_000, 0],
  ])('R&D %p, sales %p, costs %p → %d', (rd, sales, cost, points) => {
    expect(tsmeRdPoints(rd, sales, cost)).toBe(points);
  });
});
