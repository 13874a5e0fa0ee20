// Exact arithmetic for the thresholds. Money arrives as yuan with at most two decimals; it is
// turned into integer fen (分) and every threshold is a whole number of basis points, so
// "exactly 5%" and "exactly 50,000,000" compare exactly. BigInt keeps products of two large
// amounts (growth rates) exact as well.

const BP = 10_000n;

/** Integer fen for an amount in yuan (rounds away float noise such as 0.29 * 100). */
export function toFen(yuan: number): bigint {
  const sign = yuan < 0 ? -1n : 1n;
  return sign * BigInt(Math.round(Math.abs(yuan) * 100));
}

/** `a / b` rounded up, for `b > 0`. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('ceilDiv needs a positive divisor');
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

/** `a / b` rounded down, for `b > 0`. */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('floorDiv needs a positive divisor');
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** `num / den >= bp / 10000`, exactly, for `den > 0`. */
export function ratioAtLeast(num: bigint, den: bigint, bp: number): boolean {
  return num * BP >= BigInt(bp) * den;
}

/**
 * `num / den` rounded down to four decimals, for `den > 0`. Rounding down keeps the reported
 * value on the same side of any threshold of whole basis points as the exact ratio.
 */
export function floorRatio4(num: bigint, den: bigint): number {
  return Number(floorDiv(num * BP, den)) / 10_000;
}

/** 0.0595 → "5.95%", 0.1 → "10%". */
export function formatRatio(value: number): string {
  return `${stripZeros((value * 100).toFixed(2))}%`;
}

/** 500 → "5%", 6000 → "60%". */
export function formatBp(bp: number): string {
  return `${stripZeros((bp / 100).toFixed(2))}%`;
}

/** Integer fen → "¥1,240,000" or "¥1,240,000.50"; negatives as "-¥…". */
export function formatFen(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = abs % 100n;
  const tail = cents === 0n ? '' : `.${cents.toString().padStart(2, '0')}`;
  return `${negative ? '-' : ''}¥${yuan}${tail}`;
}

/** An amount in yuan, formatted like {@link formatFen}. */
export function formatYuan(yuan: number): string {
  return formatFen(toFen(yuan));
}

/** Fen rounded up to whole yuan: a shortfall quoted this way is always enough. */
export function ceilToYuan(fen: bigint): bigint {
  return ceilDiv(fen, 100n) * 100n;
}

/** Thousands separators for a count. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Fewest people to add as S&T staff (who are employees too) so that staff ÷ employees reaches
 * `bp`: the least k with (s + k) · 10000 ≥ bp · (e + k). At least 1 when there are no staff at all.
 */
export function staffToAdd(techStaff: number, employees: number, bp: number): number {
  const need = BigInt(bp) * BigInt(employees) - BP * BigInt(techStaff);
  const k = need <= 0n ? 0n : ceilDiv(need, BP - BigInt(bp));
  return Math.max(Number(k), techStaff + Number(k) === 0 ? 1 : 0);
}

/**
 * Fen to add to both a part and its whole (domestic R&D within R&D, high-tech income within
 * total income) so the part reaches `bp` of the whole: least k with (p + k) · 10000 ≥ bp · (w + k).
 */
export function partToAdd(partFen: bigint, wholeFen: bigint, bp: number): bigint {
  const need = BigInt(bp) * wholeFen - BP * partFen;
  return need <= 0n ? 0n : ceilDiv(need, BP - BigInt(bp));
}

function stripZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
