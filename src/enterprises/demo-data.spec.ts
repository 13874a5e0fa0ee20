import { createHash } from 'node:crypto';

import { inspectCreditCode } from './credit-code.js';
import {
  BOSHAN_CREDIT_CODE_PREFIX,
  DEFAULT_DEMO_SEED,
  DEMO_STATUS_WEIGHTS,
  DEMO_TAGS,
  createDemoRng,
  demoEnterprises,
  generateEnterprise,
  type DemoEnterprise,
  type DemoRng,
} from './demo-data.js';
import { BOSHAN_STREETS, ENTERPRISE_STATUSES, TECH_DOMAINS } from './enterprise.constants.js';

const hashOf = (rows: Iterable<DemoEnterprise>): string =>
  createHash('sha256')
    .update(JSON.stringify([...rows]))
    .digest('hex');

// Generated once and shared: the properties below are all read-only checks.
const ROWS = [...demoEnterprises(20_000)];
const FIRST_10K = ROWS.slice(0, 10_000);
const share = (rows: DemoEnterprise[], test: (row: DemoEnterprise) => boolean): number =>
  (100 * rows.filter(test).length) / rows.length;

// GB 11714 organisation-code check, checked here against the real codes in DOMAIN.md's examples.
function gb11714Check(first8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first8].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

describe('determinism', () => {
  it('gives identical rows for the same seed', () => {
    expect(hashOf(demoEnterprises(1_000, { seed: 42 }))).toBe(hashOf(demoEnterprises(1_000, { seed: 42 })));
  });

  it('uses DEFAULT_DEMO_SEED when no seed is given', () => {
    expect(hashOf(demoEnterprises(1_000))).toBe(hashOf(demoEnterprises(1_000, { seed: DEFAULT_DEMO_SEED })));
  });

  it.each([
    [1, 2],
    [DEFAULT_DEMO_SEED, DEFAULT_DEMO_SEED + 1],
    [0, 2 ** 31],
  ])('gives different rows for seeds %d and %d', (a, b) => {
    expect(hashOf(demoEnterprises(1_000, { seed: a }))).not.toBe(hashOf(demoEnterprises(1_000, { seed: b })));
  });

  // Benchmarks compare databases seeded on different days and machines: a change here must be
  // deliberate (update the hash and say so), never a side effect.
  it('has not drifted from the published default data set', () => {
    expect(hashOf(demoEnterprises(1_000))).toBe(
      '376f2591de16266facea5d983921aac20b903d97aa977fa11e70921df3e04c4d',
    );
  });

  it('gives row i the same content whatever startIndex the run began at', () => {
    const whole = [...demoEnterprises(150, { seed: 7 })];
    const tail = [...demoEnterprises(100, { seed: 7, startIndex: 50 })];
    expect(tail).toEqual(whole.slice(50));
  });

  it('keeps every field but officerId the same with or without officers', () => {
    const without = [...demoEnterprises(500)];
    const withOfficers = [...demoEnterprises(500, { officerIds: ['o1', 'o2'] })];
    expect(withOfficers.map((r) => ({ ...r, officerId: null }))).toEqual(without);
  });
});

describe('credit codes', () => {
  it('are all valid Boshan codes that pass the check', () => {
    const failures = ROWS.filter((r) => {
      const result = inspectCreditCode(r.creditCode);
      return result.error !== undefined || result.checkFailed || result.code !== r.creditCode;
    });
    expect(failures).toEqual([]);
    expect(ROWS.every((r) => r.creditCode.startsWith(BOSHAN_CREDIT_CODE_PREFIX))).toBe(true);
  });

  it('are unique over 20,000 rows', () => {
    expect(new Set(ROWS.map((r) => r.creditCode)).size).toBe(20_000);
  });

  it('do not collide between adjacent runs', () => {
    const next = [...demoEnterprises(5_000, { startIndex: 20_000 })];
    const codes = new Set([...ROWS, ...next].map((r) => r.creditCode));
    expect(codes.size).toBe(25_000);
  });

  it.each([
    ['600037341', true],
    ['71526726X', true],
    ['600037342', false],
  ])('checks the GB 11714 helper on %s', (org, valid) => {
    expect(gb11714Check(org.slice(0, 8)) === org[8]).toBe(valid);
  });

  it('use the MA form from October 2015 and a valid old organisation code before', () => {
    const wrong = ROWS.filter((r) => {
      const org = r.creditCode.slice(8, 17);
      return r.registeredAt >= '2015-10-01'
        ? !org.startsWith('MA')
        : !/^[1-9]\d{7}[\dX]$/.test(org) || gb11714Check(org.slice(0, 8)) !== org[8];
    });
    expect(wrong).toEqual([]);
  });
});

describe('distributions', () => {
  it.each(ENTERPRISE_STATUSES.map((s) => [s, DEMO_STATUS_WEIGHTS[s]] as const))(
    'gives status %s about %d% of 10,000 rows (±2 points)',
    (status, weight) => {
      const total = Object.values(DEMO_STATUS_WEIGHTS).reduce((a, b) => a + b, 0);
      expect(
        Math.abs(share(FIRST_10K, (r) => r.status === status) - (100 * weight) / total),
      ).toBeLessThanOrEqual(2);
    },
  );

  it('sets a tier exactly for reserve and tracking', () => {
    const wrong = ROWS.filter(
      (r) => (r.status === 'reserve' || r.status === 'tracking') !== (r.tier !== null),
    );
    expect(wrong).toEqual([]);
    expect(new Set(ROWS.map((r) => r.tier))).toEqual(new Set([null, 'priority', 'medium_term']));
  });

  it('leaves the tech domain unset on about 8% and uses all eight domains', () => {
    expect(Math.abs(share(FIRST_10K, (r) => r.techDomain === null) - 8)).toBeLessThanOrEqual(2);
    expect(new Set(ROWS.map((r) => r.techDomain).filter((d) => d !== null))).toEqual(new Set(TECH_DOMAINS));
  });

  it('uses only, and all, the streets of BOSHAN_STREETS', () => {
    expect(new Set(ROWS.map((r) => r.street))).toEqual(new Set(BOSHAN_STREETS));
  });

  it('assigns about 60% of rows to one of the given officers', () => {
    const officerIds = ['o1', 'o2', 'o3'];
    const rows = [...demoEnterprises(10_000, { officerIds })];
    expect(Math.abs(share(rows, (r) => r.officerId !== null) - 60)).toBeLessThanOrEqual(2);
    expect(new Set(rows.map((r) => r.officerId))).toEqual(new Set([null, ...officerIds]));
  });

  it('assigns no officer when none are given', () => {
    expect(ROWS.every((r) => r.officerId === null)).toBe(true);
  });

  it('gives 0–3 distinct tags from DEMO_TAGS, and some rows each count', () => {
    const known = new Set<string>(DEMO_TAGS);
    expect(ROWS.filter((r) => r.tags.length > 3 || new Set(r.tags).size !== r.tags.length)).toEqual([]);
    expect(ROWS.flatMap((r) => r.tags).every((t) => known.has(t))).toBe(true);
    expect(new Set(ROWS.map((r) => r.tags.length))).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('field shapes', () => {
  const SHAPES: Array<[keyof DemoEnterprise, RegExp]> = [
    ['name', /^淄博(博山)?\p{Script=Han}{2,}(有限公司|股份有限公司|有限责任公司)$/u],
    ['registeredAt', /^(199[5-9]|20[01]\d|202[0-4])-\d{2}-\d{2}$/],
    ['industry', /^[\p{Script=Han}、]+$/u],
    ['contactName', /^\p{Script=Han}{2,3}$/u],
    ['contactEmail', /^[a-z]+\d*@example\.(com|net|org)$/],
    ['contactPhone', /^(1[3-9]\d{9}|0533-4\d{6})$/],
  ];
  it.each(SHAPES)('%s matches %s on every row', (field, shape) => {
    expect(ROWS.map((r) => r[field]).filter((v) => typeof v !== 'string' || !shape.test(v))).toEqual([]);
  });

  it('has real calendar dates, none after 2024', () => {
    const wrong = ROWS.filter((r) => {
      const d = new Date(`${r.registeredAt}T00:00:00Z`);
      return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== r.registeredAt;
    });
    expect(wrong).toEqual([]);
    expect(ROWS.reduce((max, r) => (r.registeredAt > max ? r.registeredAt : max), '')).toMatch(/^2024-/);
  });

  it('enables reminders on every row', () => {
    expect(ROWS.every((r) => r.remindersEnabled)).toBe(true);
  });

  it('yields plain objects with exactly the documented fields', () => {
    expect(Object.keys(ROWS[0]).sort()).toEqual(
      [
        'name',
        'creditCode',
        'registeredAt',
        'street',
        'industry',
        'techDomain',
        'contactName',
        'contactEmail',
        'contactPhone',
        'officerId',
        'status',
        'tier',
        'remindersEnabled',
        'tags',
      ].sort(),
    );
    expect(Object.getPrototypeOf(ROWS[0])).toBe(Object.prototype);
  });
});

describe('generateEnterprise', () => {
  // A stuck generator must still terminate: guards against draw-until-different loops.
  const constant = (u: number): DemoRng => ({
    next: () => u,
    int: (n) => Math.floor(u * n),
    pick: (items) => items[Math.floor(u * items.length)],
  });
  it.each([0, 0.5, 0.999_999])('finishes with an rng stuck at %d', (u) => {
    const row = generateEnterprise(constant(u), 3, ['o1']);
    expect(inspectCreditCode(row.creditCode)).toEqual({ code: row.creditCode });
  });

  it('derives the code from the index alone', () => {
    const a = generateEnterprise(createDemoRng(1), 123, []);
    const b = generateEnterprise(createDemoRng(1), 123, []);
    const c = generateEnterprise(createDemoRng(1), 124, []);
    expect(a).toEqual(b);
    expect(c.creditCode).not.toBe(a.creditCode);
  });
});

describe('demoEnterprises', () => {
  it.each([
    ['a negative count', -1, {}],
    ['a fractional count', 1.5, {}],
    ['a negative startIndex', 1, { startIndex: -1 }],
  ])('refuses %s', (_label, count, options) => {
    expect(() => [...demoEnterprises(count, options)]).toThrow(RangeError);
  });

  it('yields nothing for a count of 0', () => {
    expect([...demoEnterprises(0)]).toEqual([]);
  });
});
