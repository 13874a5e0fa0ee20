// Enterprise demands (企业需求): technical problems (技术难题) and talent needs (人才需求), collected
// and reported twice a year. Enums, the status machine, half-year periods and the near-duplicate
// test as plain functions: no Nest, no ORM, no clock.

export const DEMAND_KINDS = [
  'tech_problem', // 技术难题
  'talent_need', // 人才需求
] as const;
export type DemandKind = (typeof DEMAND_KINDS)[number];

export const DEMAND_STATUSES = [
  'open', // 待对接
  'matched', // 已对接 (a partner such as a university took it on)
  'resolved', // 已解决
  'closed', // 已关闭 (dropped, or solved without the bureau)
] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number];

export const DEMAND_URGENCIES = ['low', 'normal', 'high'] as const;
export type DemandUrgency = (typeof DEMAND_URGENCIES)[number];

/** Where a demand may go from each status; resolved and closed are final. */
export const DEMAND_MOVES: Readonly<Record<DemandStatus, readonly DemandStatus[]>> = {
  open: ['matched', 'closed'],
  matched: ['resolved', 'closed'],
  resolved: [],
  closed: [],
};

/** Statuses that need a partner (对接单位) on the demand. */
export const PARTNERED_STATUSES: readonly DemandStatus[] = ['matched', 'resolved'];

export const allowedDemandMoves = (from: DemandStatus): readonly DemandStatus[] => DEMAND_MOVES[from];

export const HEADCOUNT_MAX = 10_000;

// --- half-year periods (半年度) -----------------------------------------------------------------

/** `2022H1` is January–June 2022, `2022H2` July–December. */
export const PERIOD_PATTERN = /^(\d{4})H([12])$/;
export const PERIOD_YEAR_MIN = 1990;
export const PERIOD_YEAR_MAX = 2100;

export function isPeriod(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = PERIOD_PATTERN.exec(value);
  return !!m && Number(m[1]) >= PERIOD_YEAR_MIN && Number(m[1]) <= PERIOD_YEAR_MAX;
}

/** The half-year a calendar date (YYYY-MM-DD) falls in. */
export function periodOf(date: string): string {
  return `${date.slice(0, 4)}H${Number(date.slice(5, 7)) <= 6 ? 1 : 2}`;
}

/** The half-year before: 2022H1 → 2021H2, 2022H2 → 2022H1. */
export function previousPeriod(period: string): string {
  const [, y, h] = PERIOD_PATTERN.exec(period)!;
  return h === '2' ? `${y}H1` : `${Number(y) - 1}H2`;
}

/** First and last calendar day of a period. */
export function periodDays(period: string): { first: string; last: string } {
  const [, y, h] = PERIOD_PATTERN.exec(period)!;
  return h === '1'
    ? { first: `${y}-01-01`, last: `${y}-06-30` }
    : { first: `${y}-07-01`, last: `${y}-12-31` };
}

// --- near-duplicate titles (疑似重复) ----------------------------------------------------------

/**
 * A title reduced to what makes it the same problem: NFKC folds full-width letters, digits and
 * the ideographic space to their half-width forms; case, punctuation, symbols and spaces go.
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, '');
}

/** Character bigrams of a normalised title; a one-character title is its own single "bigram". */
function bigrams(text: string): string[] {
  const chars = [...text];
  if (chars.length < 2) return chars.length ? [chars[0]] : [];
  return chars.slice(1).map((c, i) => chars[i] + c);
}

/** Sørensen–Dice coefficient over character bigrams (as multisets), 0 to 1, of normalised titles. */
export function titleSimilarity(a: string, b: string): number {
  const x = normaliseTitle(a);
  const y = normaliseTitle(b);
  if (x === y) return x.length > 0 ? 1 : 0;
  const bx = bigrams(x);
  const by = bigrams(y);
  if (bx.length === 0 || by.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const g of bx) counts.set(g, (counts.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of by) {
    const n = counts.get(g) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(g, n - 1);
    }
  }
  return (2 * shared) / (bx.length + by.length);
}

/** At or above this the titles are taken to name the same need. */
export const DUPLICATE_SIMILARITY = 0.8;

/** Ids of the `others` (same enterprise and period) whose titles are near-duplicates of `title`. */
export function possibleDuplicates(
  title: string,
  others: readonly { id: string; title: string }[],
): string[] {
  return others.filter((o) => titleSimilarity(title, o.title) >= DUPLICATE_SIMILARITY).map((o) => o.id);
}

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
