// Unified social credit code (统一社会信用代码), GB 32100-2015.

/** The 31 characters a code may use, in value order (0–30): no I, O, S, V or Z. */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const CREDIT_CODE_LENGTH = 18;

/** Outcome of {@link inspectCreditCode}; `code` is always the normalised input. */
export interface CreditCodeInspection {
  code: string;
  /** Wrong length, character, department or region: always refused. */
  error?: string;
  /** The check character does not match: refused unless the caller confirms the code. */
  checkFailed?: boolean;
  /** The check character the first 17 characters call for, when `checkFailed`. */
  expected?: string;
}

// Indexed by char code so the hot path (seeding 100k rows) avoids Map lookups; -1 = not allowed.
const VALUE_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < CREDIT_CODE_CHARSET.length; i++) VALUE_OF[CREDIT_CODE_CHARSET.charCodeAt(i)] = i;

// 3^(i−1) mod 31 for positions 1–17.
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

const REGISTERING_DEPARTMENTS = '123456789ANY';
const EXCLUDED_LETTERS = 'IOSVZ';

// Chinese IMEs in full-width mode produce U+FF01–U+FF5E for ASCII; the ideographic space
// U+3000 is caught by \s. Dash look-alikes come from copying out of Word and PDF files.
const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/g;
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;
const LOWER_ASCII = /[a-z]/g;

/**
 * Upper-cases, converts full-width ASCII to half-width and strips whitespace and hyphens.
 * Only ASCII letters are upper-cased, so a stray non-ASCII character survives as itself
 * (e.g. `ß` does not become `SS`) and is reported as a bad character.
 */
export function normalizeCreditCode(raw: string): string {
  return raw
    .replace(FULL_WIDTH_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(SEPARATORS, '')
    .replace(LOWER_ASCII, (c) => c.toUpperCase());
}

function valueAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? VALUE_OF[c] : -1;
}

/**
 * The 18th character for the given first 17 (already normalised).
 * @throws RangeError when `first17` is not 17 characters from {@link CREDIT_CODE_CHARSET}.
 */
export function creditCodeCheckCharacter(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError(`creditCodeCheckCharacter needs 17 characters, got ${first17.length}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = valueAt(first17, i);
    if (v < 0) {
      throw new RangeError(`creditCodeCheckCharacter: invalid character at position ${i + 1}`);
    }
    sum += v * WEIGHTS[i];
  }
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31];
}

function describeBadCharacter(ch: string, position: number): string {
  // Beyond printable ASCII, add the code point: zero-width, control and look-alike characters
  // would otherwise be invisible or misleading in a message.
  const cp = ch.codePointAt(0) ?? 0;
  const shown =
    cp > 0x20 && cp < 0x7f ? `'${ch}'` : `'${ch}' (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  const why = EXCLUDED_LETTERS.includes(ch) ? ' (I, O, S, V and Z are never used)' : '';
  return `${shown} at position ${position}${why}`;
}

/**
 * Normalises and validates a code. Checks run from the coarsest to the finest, and only the
 * first failing kind is reported, so a mistyped character is not drowned out by a check
 * failure it causes.
 */
export function inspectCreditCode(raw: string): CreditCodeInspection {
  const code = normalizeCreditCode(raw);
  // Code points, not UTF-16 units: an emoji is one wrong character, not two.
  const chars = [...code];

  if (chars.length !== CREDIT_CODE_LENGTH) {
    const error =
      chars.length === 0
        ? 'Credit code is empty; it must be 18 characters'
        : `Credit code must be 18 characters, got ${chars.length}`;
    return { code, error };
  }

  const bad: string[] = [];
  chars.forEach((ch, i) => {
    if (ch.length !== 1 || valueAt(ch, 0) < 0) bad.push(describeBadCharacter(ch, i + 1));
  });
  if (bad.length > 0) {
    const noun = bad.length === 1 ? 'character' : 'characters';
    return {
      code,
      error: `Credit code has invalid ${noun} ${bad.join(', ')}; only digits and the letters A–Z except I, O, S, V, Z are allowed`,
    };
  }

  if (!REGISTERING_DEPARTMENTS.includes(code[0])) {
    return {
      code,
      error: `Credit code position 1 (registering department) must be 1–9, A, N or Y, got '${code[0]}'`,
    };
  }

  const region = code.slice(2, 8);
  if (!/^\d{6}$/.test(region)) {
    return { code, error: `Credit code positions 3–8 (region code) must be digits, got '${region}'` };
  }

  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) return { code, checkFailed: true, expected };
  return { code };
}

/**
 * Why a code is refused, or undefined when it is accepted: a wrong length or character always,
 * a failing check character unless the caller confirmed the code was really issued.
 */
export function creditCodeRefusal(inspected: CreditCodeInspection, confirmed: boolean): string | undefined {
  if (inspected.error) return inspected.error;
  if (inspected.checkFailed && !confirmed) {
    return `check character should be ${inspected.expected}; if this code was really issued, send creditCodeConfirmed: true`;
  }
  return undefined;
}
