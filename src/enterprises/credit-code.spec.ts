import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckCharacter,
  inspectCreditCode,
  normalizeCreditCode,
} from './credit-code.js';

// The examples DOMAIN.md gives; real codes, so they also guard the weights against a self-consistent bug.
const VALID = ['91110000600037341L', '91310115MA1K3BTP2B', '9144030071526726XG'];

describe('creditCodeCheckCharacter', () => {
  it.each(VALID)('gives the published check character of %s', (code) => {
    expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it.each([
    ['16 characters', '9111000060003734'],
    ['18 characters', '91110000600037341L'],
    ['a forbidden letter', '9111000060003734I'],
    ['lower case', '91310115ma1k3btp2'],
  ])('refuses %s', (_label, input) => {
    expect(() => creditCodeCheckCharacter(input)).toThrow(RangeError);
  });

  // Codes built from the function must inspect clean; a fixed table keeps failures readable.
  const bodies = [
    '91370304MA3C4XKY1',
    '91370304163044913',
    '12370304004510295',
    'Y1370304ABCDEFGHJ',
    'N2110000KLMNPQRTU',
    'A1650100WXY012345',
    '11000000000000000',
    '93440300YYYYYYYYY',
  ];
  it.each(bodies)('round-trips %s', (body) => {
    const code = body + creditCodeCheckCharacter(body);
    expect(inspectCreditCode(code)).toEqual({ code });
  });

  it('covers every check value 0–30 over a sweep of bodies, and each round-trips', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 31 * 40; i++) {
      const body =
        '91370304MA' + [...String(i).padStart(7, '0')].map((d) => CREDIT_CODE_CHARSET[+d]).join('');
      const code = body + creditCodeCheckCharacter(body);
      seen.add(code[17]);
      expect(inspectCreditCode(code).checkFailed).toBeUndefined();
    }
    expect([...seen].sort().join('')).toBe([...CREDIT_CODE_CHARSET].sort().join(''));
  });
});

describe('normalizeCreditCode', () => {
  it.each([
    ['lower case', '91310115ma1k3btp2b', '91310115MA1K3BTP2B'],
    ['spaces', ' 9131 0115 MA1K 3BTP 2B ', '91310115MA1K3BTP2B'],
    ['tabs and newlines', '9131\t0115MA1K3BTP2B\n', '91310115MA1K3BTP2B'],
    ['hyphens', '91310115-MA1K3BTP2-B', '91310115MA1K3BTP2B'],
    ['dash look-alikes', '91310115\u2013MA1K3BTP2\u2014B\u2010', '91310115MA1K3BTP2B'],
    ['full-width letters and digits', '９１３１０１１５ＭＡ１Ｋ３ＢＴＰ２Ｂ', '91310115MA1K3BTP2B'],
    ['full-width lower case', '９１３１０１１５ｍａ１ｋ３ｂｔｐ２ｂ', '91310115MA1K3BTP2B'],
    ['ideographic spaces and a full-width hyphen', '91310115\u3000MA1K3BTP2\uFF0DB', '91310115MA1K3BTP2B'],
    ['no-break space', '91310115\u00A0MA1K3BTP2B', '91310115MA1K3BTP2B'],
    ['non-ASCII letters left alone', '9131011ßMA1K3BTP2B', '9131011ßMA1K3BTP2B'],
  ])('handles %s', (_label, raw, expected) => {
    expect(normalizeCreditCode(raw)).toBe(expected);
  });
});

describe('inspectCreditCode', () => {
  it.each(VALID)('accepts %s', (code) => {
    expect(inspectCreditCode(code)).toEqual({ code });
  });

  it('flags a wrong check character with the expected one', () => {
    expect(inspectCreditCode('91110000600037341N')).toEqual({
      code: '91110000600037341N',
      checkFailed: true,
      expected: 'L',
    });
  });

  it.each([
    ['lower case', '91110000600037341l'],
    ['spaces and hyphens', '9111 0000-6000 3734-1L'],
    ['full width with an ideographic space', '９１１１００００\u3000６０００３７３４１Ｌ'],
  ])('normalises %s before checking', (_label, raw) => {
    expect(inspectCreditCode(raw)).toEqual({ code: '91110000600037341L' });
  });

  it.each([
    ['17 characters', '91110000600037341', /must be 18 characters, got 17/],
    ['19 characters', '91110000600037341LL', /must be 18 characters, got 19/],
    ['empty', '', /empty/],
    ['only separators', ' - \u3000', /empty/],
    ['an astral character counted once', '9111000060003734\u{1F600}', /got 17/],
  ])('refuses %s', (_label, raw, message) => {
    const result = inspectCreditCode(raw);
    expect(result.error).toMatch(message);
    expect(result.checkFailed).toBeUndefined();
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('refuses the forbidden letter %s and names its position', (letter) => {
    const raw = `91310115MA1K3B${letter}P2B`;
    const result = inspectCreditCode(raw);
    expect(result.code).toBe(raw);
    expect(result.error).toContain(`'${letter}' at position 15`);
    expect(result.error).toContain('I, O, S, V');
    expect(result.checkFailed).toBeUndefined();
  });

  it('lists every bad character, with code points for non-ASCII ones', () => {
    const result = inspectCreditCode('91310115MO1K3B号P2B');
    expect(result.error).toContain("invalid characters 'O' at position 10");
    expect(result.error).toContain("'号' (U+53F7) at position 15");
  });

  it.each([
    ['0', '01110000600037341L'],
    ['B', 'B1110000600037341L'],
    ['X', 'X1110000600037341L'],
  ])('refuses registering department %s in position 1', (dept, raw) => {
    expect(inspectCreditCode(raw).error).toBe(
      `Credit code position 1 (registering department) must be 1–9, A, N or Y, got '${dept}'`,
    );
  });

  it.each(['A', 'N', 'Y', '1', '5', '9'])('accepts registering department %s', (dept) => {
    const body = `${dept}1370304MA3C4XKY1`;
    expect(inspectCreditCode(body + creditCodeCheckCharacter(body)).error).toBeUndefined();
  });

  it.each([
    ['at position 3', '91A10000600037341L', 'A10000'],
    ['at position 8', '9111000M600037341L', '11000M'],
    ['throughout', '91ABCDEF600037341L', 'ABCDEF'],
  ])('refuses a region code with a letter %s', (_label, raw, region) => {
    expect(inspectCreditCode(raw).error).toBe(
      `Credit code positions 3–8 (region code) must be digits, got '${region}'`,
    );
  });

  it('reports a bad character before the check character', () => {
    const result = inspectCreditCode('9111000060003734IL');
    expect(result.error).toBeDefined();
    expect(result.checkFailed).toBeUndefined();
  });
});
