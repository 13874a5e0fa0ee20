// Point tables of the innovation score (HNTE) and the SME evaluation, with exact comparisons.

import { GRADE_POINTS, RD_MANAGEMENT_ITEMS, type Grade, type RdManagementItem } from './constants.js';
import { toFen } from './numbers.js';
import type { RdManagement, ScoreRange } from './types.js';

const BP = 10_000n;
const range = (min: number, max: number): ScoreRange => ({ min, max });
export const ZERO: Readonly<ScoreRange> = Object.freeze(range(0, 0));

/** Points range of an expert grade A–E; `null` (not graded) scores as E. */
export function gradePoints(grade: Grade | null | undefined): ScoreRange {
  const [min, max] = GRADE_POINTS[grade ?? 'E'];
  return range(min, max);
}

// ---------------------------------------------------------------- transformation of results

/** Grade lines of the average transformations per operating year, best first. */
export const TRANSFORMATION_GRADES: readonly { readonly atLeast: number; readonly points: ScoreRange }[] = [
  { atLeast: 5, points: range(25, 30) },
  { atLeast: 4, points: range(19, 24) },
  { atLeast: 3, points: range(13, 18) },
  { atLeast: 2, points: range(7, 12) },
  { atLeast: 1, points: range(1, 6) },
];

/**
 * Points for `total` transformations over `operatingYears` years: the average uses at least one
 * year as divisor, and `total >= line × years` keeps the comparison exact (10 over 3 is 3.33).
 */
export function transformationPoints(total: number, operatingYears: number): ScoreRange {
  const years = Math.max(1, operatingYears);
  const grade = TRANSFORMATION_GRADES.find((g) => total >= g.atLeast * years);
  return grade ? { ...grade.points } : { ...ZERO };
}

// ---------------------------------------------------------------- R&D management

/** Sum of the officer's R&D management points; a missing item counts 0. Values are not clamped. */
export function rdManagementPoints(rd: RdManagement | null | undefined): number {
  if (!rd) return 0;
  let sum = 0;
  for (const item of Object.keys(RD_MANAGEMENT_ITEMS) as RdManagementItem[]) sum += rd[item] ?? 0;
  return sum;
}

// ---------------------------------------------------------------- growth

/** Growth grade lines in basis points, best first; `g > 0` below the last line gives 1–2. */
export const GROWTH_GRADES: readonly { readonly atLeastBp: number; readonly points: ScoreRange }[] = [
  { atLeastBp: 3500, points: range(9, 10) },
  { atLeastBp: 2500, points: range(7, 8) },
  { atLeastBp: 1500, points: range(5, 6) },
  { atLeastBp: 500, points: range(3, 4) },
];
const GROWTH_POSITIVE = range(1, 2);

/** Points for an exact growth rate `num / den` (`den > 0`). */
export function growthPointsExact(num: bigint, den: bigint): ScoreRange {
  if (den <= 0n) throw new RangeError('growth rate denominator must be positive');
  const grade = GROWTH_GRADES.find((g) => num * BP >= BigInt(g.atLeastBp) * den);
  if (grade) return { ...grade.points };
  return num > 0n ? { ...GROWTH_POSITIVE } : { ...ZERO };
}

/**
 * Points for a growth rate given as a fraction (0.225 for 22.5%). Convenience for callers with
 * a rate in hand; the evaluator grades from the amounts exactly with {@link growthRate}.
 */
export function growthPoints(g: number): ScoreRange {
  const grade = GROWTH_GRADES.find((line) => g >= line.atLeastBp / 10_000);
  if (grade) return { ...grade.points };
  return g > 0 ? { ...GROWTH_POSITIVE } : { ...ZERO };
}

export interface GrowthResult {
  points: ScoreRange;
  /** The rate as a fraction, or null when the indicator scores 0 without one. */
  rate: number | null;
  /** Which rule applied, in words. */
  explanation: string;
  /** Set when a DOMAIN.md policy line (not the official text) decided the result. */
  policy: string | null;
  /** Indexes into `series` of values that were needed but missing. */
  missing: number[];
}

/**
 * Growth of one indicator (net assets or sales) from its year-end values over the operating
 * years of the window, oldest first (so 3, 2, 1 or 0 values):
 * - three years: `g = ½ (x2/x1 + x3/x2) − 1`; with `x1 ≤ 0`, `g = x3/x2 − 1`;
 * - `x2 ≤ 0`: 0 points;
 * - two years: `g = x3/x2 − 1` (policy); one year or none: 0 points (policy).
 */
export function growthRate(series: readonly (number | null | undefined)[]): GrowthResult {
  if (series.length <= 1) {
    return {
      points: { ...ZERO },
      rate: null,
      explanation: `${series.length === 1 ? 'one operating year' : 'no operating year'} in the window: scores 0`,
      policy: 'policy: with fewer than two operating years the growth indicator scores 0',
      missing: [],
    };
  }
  const values = series.slice(-3);
  const missing = values.flatMap((v, i) =>
    v === null || v === undefined ? [i + (series.length - values.length)] : [],
  );
  if (missing.length > 0) {
    return {
      points: { ...ZERO },
      rate: null,
      explanation: 'figures missing: scores 0',
      policy: null,
      missing,
    };
  }
  const fen = values.map((v) => toFen(v as number));
  const x3 = fen[fen.length - 1] as bigint;
  const x2 = fen[fen.length - 2] as bigint;
  if (x2 <= 0n) {
    return {
      points: { ...ZERO },
      rate: null,
      explanation: `${fen.length === 3 ? 'second' : 'first'} year value ${x2 === 0n ? 'is 0' : 'is negative'}: scores 0`,
      policy: null,
      missing: [],
    };
  }
  const lastTwo = (explanation: string, policy: string | null): GrowthResult => ({
    points: growthPointsExact(x3 - x2, x2),
    rate: Number(x3) / Number(x2) - 1,
    explanation,
    policy,
    missing: [],
  });
  if (fen.length === 2) {
    return lastTwo(
      'two operating years: g = x3/x2 − 1',
      'policy: with two operating years g = x3/x2 − 1 (last year over the year before)',
    );
  }
  const x1 = fen[0] as bigint;
  if (x1 === 0n)
    return lastTwo('first year value is 0: g = x3/x2 − 1 (the Guide: use the last two years)', null);
  if (x1 < 0n) {
    return lastTwo(
      'first year value is negative: g = x3/x2 − 1',
      'policy: a negative first-year value is treated like 0, g = x3/x2 − 1',
    );
  }
  // ½ (x2/x1 + x3/x2) − 1 = (x2² + x1·x3 − 2·x1·x2) / (2·x1·x2), exact in integers.
  const num = x2 * x2 + x1 * x3 - 2n * x1 * x2;
  const den = 2n * x1 * x2;
  return {
    points: growthPointsExact(num, den),
    rate: (Number(x2) / Number(x1) + Number(x3) / Number(x2)) / 2 - 1,
    explanation: 'three operating years: g = ½ (x2/x1 + x3/x2) − 1',
    policy: null,
    missing: [],
  };
}

// ---------------------------------------------------------------- tech-based SME tables

/** S&T staff ÷ employees lines (bp) → points, best first. */
export const TSME_STAFF_GRADES: readonly { readonly atLeastBp: number; readonly points: number }[] = [
  { atLeastBp: 3000, points: 20 },
  { atLeastBp: 2500, points: 16 },
  { atLeastBp: 2000, points: 12 },
  { atLeastBp: 1500, points: 8 },
  { atLeastBp: 1000, points: 4 },
];

/** R&D ÷ sales lines (bp) → points. */
export const TSME_RD_SALES_GRADES: readonly { readonly atLeastBp: number; readonly points: number }[] = [
  { atLeastBp: 600, points: 50 },
  { atLeastBp: 500, points: 40 },
  { atLeastBp: 400, points: 30 },
  { atLeastBp: 300, points: 20 },
  { atLeastBp: 200, points: 10 },
];

/** R&D ÷ total costs and expenses lines (bp) → points. */
export const TSME_RD_COST_GRADES: readonly { readonly atLeastBp: number; readonly points: number }[] = [
  { atLeastBp: 3000, points: 50 },
  { atLeastBp: 2500, points: 40 },
  { atLeastBp: 2000, points: 30 },
  { atLeastBp: 1500, points: 20 },
  { atLeastBp: 1000, points: 10 },
];

/** Points of the first line `num / den` reaches (`den > 0`), else 0. */
export function tablePoints(
  table: readonly { readonly atLeastBp: number; readonly points: number }[],
  num: bigint,
  den: bigint,
): number {
  if (den <= 0n) return 0;
  return table.find((g) => num * BP >= BigInt(g.atLeastBp) * den)?.points ?? 0;
}

/** SME staff points for whole counts; no employees scores 0. */
export function tsmeStaffPoints(techStaff: number, employees: number): number {
  return tablePoints(TSME_STAFF_GRADES, BigInt(techStaff), BigInt(employees));
}

/** SME R&D points: the better of R&D ÷ sales and R&D ÷ total costs and expenses (yuan; null if unknown). */
export function tsmeRdPoints(
  rdExpense: number,
  revenue: number | null,
  totalCostExpense: number | null,
): number {
  const rd = toFen(rdExpense);
  const bySales = revenue === null ? 0 : tablePoints(TSME_RD_SALES_GRADES, rd, toFen(revenue));
  const byCost =
    totalCostExpense === null ? 0 : tablePoints(TSME_RD_COST_GRADES, rd, toFen(totalCostExpense));
  return Math.max(bySales, byCost);
}
