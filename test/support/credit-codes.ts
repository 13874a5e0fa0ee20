import { CREDIT_CODE_CHARSET, creditCodeCheckCharacter } from '../../src/enterprises/credit-code.js';

/**
 * Valid credit codes no other row of a test file uses: `prefix` (registration type, region and
 * the start of the organisation code), then a base-31 serial from `start`, then the check
 * character. Each file its own prefix, so codes from two files never meet in shared data.
 */
export function creditCodes(prefix: string, start = 0): (() => string) & { readonly made: number } {
  let made = 0;
  const next = () => {
    let n = start + ++made;
    let org = '';
    for (let i = prefix.length; i < 17; i++) {
      org = CREDIT_CODE_CHARSET[n % 31] + org;
      n = Math.floor(n / 31);
    }
    const first17 = prefix + org;
    return first17 + creditCodeCheckCharacter(first17);
  };
  // How many it has made, for names that go with the codes.
  return Object.defineProperty(next, 'made', { get: () => made }) as (() => string) & { readonly made: number };
}
