import {
  evaluateHnte,
  evaluateReadiness,
  evaluateTechSme,
  HNTE_CRITERIA,
  HNTE_RULE_SET,
  hnteVerdict,
  rdBracketBp,
  ReadinessInputError,
  TSME_CRITERIA,
  TSME_RULE_SET,
  type CriterionResult,
  type HnteReadinessResult,
  type IpAsset,
  type ReadinessInput,
  type ReadinessResult,
  type YearFigures,
} from './rules.js';

// ---------------------------------------------------------------- factories

/** A profile that meets every HNTE condition: score 78–92, ready. */
const HNTE_YEARS: YearFigures[] = [
  {
    year: 2019,
    revenue: 30_000_000,
    highTechRevenue: 20_000_000,
    rdExpense: 1_800_000,
    rdExpenseDomestic: 1_700_000,
    netAssets: 12_000_000,
    employees: 100,
    techStaff: 15,
    achievementsTransformed: 5,
  },
  {
    year: 2020,
    revenue: 36_000_000,
    highTechRevenue: 25_000_000,
    rdExpense: 2_100_000,
    rdExpenseDomestic: 2_000_000,
    netAssets: 15_000_000,
    employees: 110,
    techStaff: 18,
    achievementsTransformed: 5,
  },
  {
    year: 2021,
    revenue: 42_000_000,
    totalIncome: 42_500_000,
    highTechRevenue: 30_000_000,
    rdExpense: 2_500_000,
    rdExpenseDomestic: 2_400_000,
    netAssets: 18_000_000,
    employees: 120,
    techStaff: 20,
    achievementsTransformed: 5,
  },
];

const PATENT: IpAsset = { kind: 'invention_patent', grantedAt: '2020-05-01', acquisition: 'self_developed' };

function hnte(over: Partial<ReadinessInput> = {}): ReadinessInput {
  return {
    assessmentDate: '2022-06-01',
    registeredAt: '2017-03-15',
    techDomain: 'advanced_manufacturing',
    noMajorIncident: true,
    years: HNTE_YEARS.map((y) => ({ ...y })),
    ipAssets: [{ ...PATENT }],
    innovation: {
      techAdvancement: 'A',
      coreSupport: 'A',
      standardsParticipation: true,
      rdManagement: {
        projectAccounting: 6,
        rdInstitution: 6,
        transformationIncentives: 4,
        talentDevelopment: 4,
      },
    },
    ...over,
  };
}

/** The base profile with some figures of some years replaced (`null` removes a figure). */
function withYears(
  patch: Record<number, Partial<YearFigures>>,
  over: Partial<ReadinessInput> = {},
): ReadinessInput {
  return hnte({ years: HNTE_YEARS.map((y) => ({ ...y, ...patch[y.year] })), ...over });
}

/** The base profile with one figure set in each window year, oldest first. */
function series(
  field: keyof YearFigures,
  values: [number | null, number | null, number | null],
): Record<number, Partial<YearFigures>> {
  return { 2019: { [field]: values[0] }, 2020: { [field]: values[1] }, 2021: { [field]: values[2] } };
}

function merge(...patches: Record<number, Partial<YearFigures>>[]): Record<number, Partial<YearFigures>> {
  const out: Record<number, Partial<YearFigures>> = {};
  for (const p of patches)
    for (const [y, v] of Object.entries(p)) out[Number(y)] = { ...out[Number(y)], ...v };
  return out;
}

function criterion<R extends ReadinessResult>(r: R, code: R['criteria'][number]['code']): CriterionResult {
  const c = (r.criteria as CriterionResult[]).find((x) => x.code === code);
  if (!c) throw new Error(`no criterion ${code}`);
  return c;
}

const gap = (r: ReadinessResult, code: string): string | undefined =>
  r.gaps.find((g) => g.code === code)?.message;
const gapCodes = (r: ReadinessResult): string[] => r.gaps.map((g) => g.code);

// ---------------------------------------------------------------- the reply shape

describe('HNTE reply shape', () => {
  const r = evaluateHnte(hnte());

  it('lists the criteria in the API order and records the rule set', () => {
    expect(r.criteria.map((c) => c.code)).toEqual([
      'registration_age',
      'core_ip',
      'tech_domain',
      'tech_staff_ratio',
      'rd_expense_ratio',
      'domestic_rd_share',
      'high_tech_revenue_share',
      'innovation_score',
      'no_major_incident',
    ]);
    expect(HNTE_CRITERIA).toEqual(r.criteria.map((c) => c.code));
    expect(r.ruleSet).toBe('hnte-2016');
    expect(HNTE_RULE_SET).toBe('hnte-2016');
  });

  it('scores the ready base profile', () => {
    expect(r.verdict).toBe('ready');
    expect(r.eligible).toBe(true);
    expect(r.criteria.every((c) => c.passed)).toBe(true);
    expect(r.score).toEqual({
      min: 78,
      max: 92,
      blocks: {
        ip: { min: 23, max: 30 },
        transformation: { min: 25, max: 30 },
        rdManagement: { min: 20, max: 20 },
        growth: { min: 10, max: 12 },
      },
    });
    // Only the growth block is short of its maximum.
    expect(gapCodes(r)).toEqual(['score.growth']);
    expect(gap(r, 'score.growth')).toBe(
      'growth 10–12 of 20: net assets (净资产) growth 22.5% (5–6): 25% gives 7–8, 35% gives 9–10; ' +
        'sales (销售收入) growth 18.3% (5–6): 25% gives 7–8, 35% gives 9–10',
    );
  });

  it('has exactly the API keys', () => {
    expect(Object.keys(r).sort()).toEqual(['criteria', 'eligible', 'gaps', 'ruleSet', 'score', 'verdict']);
    for (const c of r.criteria)
      expect(Object.keys(c).sort()).toEqual(['actual', 'code', 'message', 'passed', 'required']);
  });

  it('dispatches by program, hnte by default', () => {
    expect(evaluateReadiness(hnte()).ruleSet).toBe(HNTE_RULE_SET);
    expect(evaluateReadiness(hnte({ program: 'hnte' })).ruleSet).toBe(HNTE_RULE_SET);
    expect(evaluateReadiness(hnte({ program: 'tech_sme' })).ruleSet).toBe(TSME_RULE_SET);
  });

  it('does not modify its input', () => {
    const input = hnte();
    const copy = structuredClone(input);
    evaluateReadiness(input);
    expect(input).toEqual(copy);
  });
});

// ---------------------------------------------------------------- the API.md example

describe('the API.md example request', () => {
  const example: ReadinessInput = {
    assessmentDate: '2022-06-01',
    registeredAt: '2017-03-15',
    techDomain: 'advanced_manufacturing',
    noMajorIncident: true,
    years: [
      {
        year: 2021,
        revenue: 42000000,
        totalIncome: 42500000,
        highTechRevenue: 30000000,
        rdExpense: 2500000,
        rdExpenseDomestic: 2400000,
        netAssets: 18000000,
        employees: 120,
        techStaff: 20,
        achievementsTransformed: 4,
      },
    ],
    ipAssets: [{ kind: 'invention_patent', grantedAt: '2020-05-01', acquisition: 'self_developed' }],
    innovation: {
      techAdvancement: 'B',
      coreSupport: 'B',
      standardsParticipation: false,
      rdManagement: {
        projectAccounting: 5,
        rdInstitution: 4,
        transformationIncentives: 3,
        talentDevelopment: 3,
      },
    },
  };

  // Registered 2017, so 2019–2021 are all operating years, but only 2021 is sent: the window
  // criteria fail naming 2019 and 2020, transformations average 4 / 3, growth has no data.
  it('as sent (one year of three): not ready, with the missing years named', () => {
    const r = evaluateHnte(example);
    expect(
      r.criteria.map(({ code, passed, actual, required }) => ({ code, passed, actual, required })),
    ).toEqual([
      { code: 'registration_age', passed: true, actual: 1904, required: 365 },
      { code: 'core_ip', passed: true, actual: 1, required: 1 },
      { code: 'tech_domain', passed: true, actual: null, required: null },
      { code: 'tech_staff_ratio', passed: true, actual: 0.1666, required: 0.1 },
      { code: 'rd_expense_ratio', passed: false, actual: null, required: 0.05 },
      { code: 'domestic_rd_share', passed: false, actual: null, required: 0.6 },
      { code: 'high_tech_revenue_share', passed: true, actual: 0.7058, required: 0.6 },
      { code: 'innovation_score', passed: false, actual: 34, required: 71 },
      { code: 'no_major_incident', passed: true, actual: null, required: null },
    ]);
    expect(r.score).toEqual({
      min: 34,
      max: 47,
      blocks: {
        ip: { min: 18, max: 26 }, // B 5–6 + B 5–6 + Class I 7–8 + self-developed 1–6 + no standard 0
        transformation: { min: 1, max: 6 }, // 4 over three operating years = 1.33
        rdManagement: { min: 15, max: 15 },
        growth: { min: 0, max: 0 }, // 2019 and 2020 missing
      },
    });
    expect(r.eligible).toBe(false);
    expect(r.verdict).toBe('not_ready');
    expect(criterion(r, 'rd_expense_ratio').message).toBe(
      'missing 2019 revenue (销售收入), 2019 rdExpense (研发费用), 2020 revenue (销售收入), 2020 rdExpense (研发费用): ' +
        'the R&D ratio over 2019–2021 cannot be computed',
    );
    expect(criterion(r, 'domestic_rd_share').message).toMatch(
      /2019 rdExpenseDomestic .*2020 rdExpenseDomestic/,
    );
    expect(criterion(r, 'innovation_score').message).toContain(
      'policy: 2019 achievementsTransformed (科技成果转化数), 2020 achievementsTransformed (科技成果转化数) missing, counted as 0',
    );
    expect(gapCodes(r)).toEqual([
      'rd_expense_ratio',
      'domestic_rd_share',
      'innovation_score',
      'score.ip',
      'score.transformation',
      'score.rdManagement',
      'score.growth',
    ]);
    expect(gap(r, 'innovation_score')).toBe(
      'score 34–47: above 70 required, 37 more points at the low end (see the score blocks)',
    );
    expect(gap(r, 'score.rdManagement')).toBe(
      'rdManagement 15 of 20: projectAccounting 5 of 6; rdInstitution 4 of 6; transformationIncentives 3 of 4; talentDevelopment 3 of 4',
    );
    expect(gap(r, 'score.transformation')).toContain(
      '2 more reach an average of 2 (7–12), 11 more reach an average of 5 (25–30)',
    );
  });

  it('from a firm whose only operating year is 2021: the example ratio 0.0595', () => {
    const r = evaluateHnte({ ...example, registeredAt: '2021-01-10' });
    expect(criterion(r, 'registration_age')).toMatchObject({ passed: true, actual: 507 });
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: true, actual: 0.0595, required: 0.05 });
    expect(criterion(r, 'rd_expense_ratio').message).toBe(
      'R&D ¥2,500,000 ÷ sales ¥42,000,000 over 2021 = 5.95%; 5% required (last-year sales ¥42,000,000 ≤ ¥50,000,000 → 5%)',
    );
    expect(criterion(r, 'domestic_rd_share')).toMatchObject({ passed: true, actual: 0.96 });
    expect(r.score.blocks).toEqual({
      ip: { min: 18, max: 26 },
      transformation: { min: 19, max: 24 }, // 4 over one year
      rdManagement: { min: 15, max: 15 },
      growth: { min: 0, max: 0 }, // one operating year (policy)
    });
    expect(r.score).toMatchObject({ min: 52, max: 65 });
    expect(r.eligible).toBe(true);
    expect(r.verdict).toBe('not_ready');
    expect(criterion(r, 'innovation_score').message).toMatch(
      /policy: with fewer than two operating years the growth indicator scores 0/,
    );
  });

  it('with all three years sent: borderline at 62–77', () => {
    const r = evaluateHnte({
      ...example,
      years: [
        {
          year: 2019,
          revenue: 30_000_000,
          highTechRevenue: 20_000_000,
          rdExpense: 1_800_000,
          rdExpenseDomestic: 1_700_000,
          netAssets: 12_000_000,
          employees: 100,
          techStaff: 15,
          achievementsTransformed: 4,
        },
        {
          year: 2020,
          revenue: 36_000_000,
          highTechRevenue: 25_000_000,
          rdExpense: 2_100_000,
          rdExpenseDomestic: 2_000_000,
          netAssets: 15_000_000,
          employees: 110,
          techStaff: 18,
          achievementsTransformed: 4,
        },
        ...example.years,
      ],
    });
    // R&D 6.4M / sales 108M = 5.93%; domestic 6.1M / 6.4M = 95.31%
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: true, actual: 0.0592 });
    expect(criterion(r, 'domestic_rd_share')).toMatchObject({ passed: true, actual: 0.9531 });
    expect(r.score).toEqual({
      min: 62,
      max: 77,
      blocks: {
        ip: { min: 18, max: 26 },
        transformation: { min: 19, max: 24 }, // 12 over three = 4
        rdManagement: { min: 15, max: 15 },
        growth: { min: 10, max: 12 }, // net assets 22.5%, sales 18.3%: 5–6 each
      },
    });
    expect(r.eligible).toBe(true);
    expect(r.verdict).toBe('borderline');
    expect(gap(r, 'innovation_score')).toBe(
      'score 62–77 straddles 70: 9 more points at the low end make it certain (see the score blocks)',
    );
  });
});

// ---------------------------------------------------------------- criteria, both sides of each line

describe('registration_age (≥ 365 days)', () => {
  it.each([
    ['2021-06-01', '2022-06-01', true, 365],
    ['2021-06-02', '2022-06-01', false, 364],
    ['2020-02-29', '2021-02-28', true, 365],
    ['2020-03-01', '2021-02-28', false, 364],
    ['2017-03-15', '2022-06-01', true, 1904],
    ['2022-06-02', '2022-06-01', false, -1],
  ])('registered %s, assessed %s: passed %p (%d days)', (registeredAt, assessmentDate, passed, days) => {
    const c = criterion(evaluateHnte(hnte({ registeredAt, assessmentDate })), 'registration_age');
    expect(c).toMatchObject({ passed, actual: days, required: 365 });
  });

  it('says the day registration reaches one year', () => {
    const r = evaluateHnte(hnte({ registeredAt: '2022-04-02' }));
    expect(gap(r, 'registration_age')).toBe(
      'registration reaches one year on 2023-04-02 (365 days after 2022-04-02)',
    );
    const leap = evaluateHnte(hnte({ registeredAt: '2023-03-01', assessmentDate: '2023-06-01' }));
    expect(gap(leap, 'registration_age')).toMatch(/^registration reaches one year on 2024-02-29/);
  });

  it('fails with a message when the registration date is missing, and treats the window as operating (policy)', () => {
    const r = evaluateHnte(hnte({ registeredAt: null }));
    expect(criterion(r, 'registration_age')).toMatchObject({ passed: false, actual: null, required: 365 });
    expect(criterion(r, 'registration_age').message).toMatch(/registeredAt/);
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: true, actual: 0.0592 });
    expect(criterion(r, 'rd_expense_ratio').message).toMatch(/policy: registration date unknown/);
    expect(r.eligible).toBe(false);
  });
});

describe('core_ip', () => {
  it.each<[string, IpAsset[], boolean, number]>([
    ['an invention patent', [PATENT], true, 1],
    ['none', [], false, 0],
    ['a trademark only', [{ ...PATENT, kind: 'trademark' }], false, 0],
    ['a licensed patent', [{ ...PATENT, acquisition: 'licensed' }], false, 0],
    ['a patent granted on the assessment day', [{ ...PATENT, grantedAt: '2022-06-01' }], true, 1],
    ['a patent granted the day after', [{ ...PATENT, grantedAt: '2022-06-02' }], false, 0],
    ['a patent expiring on the assessment day', [{ ...PATENT, expiresAt: '2022-06-01' }], true, 1],
    ['a patent that expired the day before', [{ ...PATENT, expiresAt: '2022-05-31' }], false, 0],
    [
      'a used Class II item',
      [{ ...PATENT, kind: 'software_copyright', usedInCertification: true }],
      false,
      0,
    ],
    [
      'an unused Class II item',
      [{ ...PATENT, kind: 'software_copyright', usedInCertification: false }],
      true,
      1,
    ],
    ['a used Class I item (reusable)', [{ ...PATENT, usedInCertification: true }], true, 1],
    ['a transferred item', [{ ...PATENT, acquisition: 'transferred' }], true, 1],
  ])('%s → passed %p with %d valid', (_name, ipAssets, passed, count) => {
    const r = evaluateHnte(hnte({ ipAssets }));
    expect(criterion(r, 'core_ip')).toMatchObject({ passed, actual: count, required: 1 });
    expect(r.eligible).toBe(passed);
  });

  it('explains what was left out and, on re-certification, why used items do not count', () => {
    const ipAssets: IpAsset[] = [
      {
        kind: 'utility_model',
        grantedAt: '2019-01-01',
        acquisition: 'self_developed',
        usedInCertification: true,
      },
      { kind: 'trademark', grantedAt: '2019-01-01', acquisition: 'self_developed' },
    ];
    const first = criterion(evaluateHnte(hnte({ ipAssets })), 'core_ip').message;
    expect(first).toBe(
      '0 valid items (Class I 0, Class II 0); not counted: utility_model (实用新型专利) (Class II) was already used in an earlier ' +
        'HNTE certification; trademark (商标) does not count as core IP',
    );
    const recert = criterion(evaluateHnte(hnte({ ipAssets, recertification: true })), 'core_ip');
    expect(recert.passed).toBe(false);
    expect(recert.message).toMatch(
      /re-certification: Class II items relied on by the earlier certificate do not count again$/,
    );
  });

  it('says when a pending grant will satisfy the condition', () => {
    const r = evaluateHnte(
      hnte({
        ipAssets: [
          { ...PATENT, grantedAt: '2022-08-01' },
          { ...PATENT, grantedAt: '2022-09-01' },
        ],
      }),
    );
    expect(gap(r, 'core_ip')).toBe('invention_patent (发明专利) counts from its grant date 2022-08-01');
  });

  it('with no valid IP the IP block is 0 whatever the grades', () => {
    const r = evaluateHnte(hnte({ ipAssets: [{ ...PATENT, acquisition: 'licensed' }] }));
    expect(r.score.blocks.ip).toEqual({ min: 0, max: 0 });
    expect(gap(r, 'core_ip')).toMatch(/^own at least one valid IP item/);
    expect(gap(r, 'score.ip')).toBe(
      'ip 0 of 30: no valid IP item: the block scores 0 until the enterprise owns one',
    );
  });
});

describe('tech_domain', () => {
  it.each([
    ['electronic_information', true],
    ['high_tech_services', true],
    [null, false],
  ] as const)('%p → %p', (techDomain, passed) => {
    const r = evaluateHnte(hnte({ techDomain }));
    expect(criterion(r, 'tech_domain').passed).toBe(passed);
    expect(r.eligible).toBe(passed);
  });
});

describe('tech_staff_ratio (last year ≥ 10%)', () => {
  it.each([
    [12, 120, true, 0.1],
    [11, 120, false, 0.0916],
    [1, 10, true, 0.1],
    [0, 10, false, 0],
    [120, 120, true, 1],
  ])('%d of %d → passed %p, actual %p', (techStaff, employees, passed, actual) => {
    const c = criterion(evaluateHnte(withYears({ 2021: { techStaff, employees } })), 'tech_staff_ratio');
    expect(c).toMatchObject({ passed, actual, required: 0.1 });
  });

  it('uses last year only', () => {
    const r = evaluateHnte(withYears({ 2019: { techStaff: 0 }, 2020: { techStaff: 0 } }));
    expect(criterion(r, 'tech_staff_ratio').passed).toBe(true);
  });

  it.each([
    [11, 120, 2],
    [18, 200, 3],
    [0, 10, 2],
  ])(
    'gap: %d of %d needs %d more S&T staff, counting them as employees too',
    (techStaff, employees, more) => {
      const r = evaluateHnte(withYears({ 2021: { techStaff, employees } }));
      expect(gap(r, 'tech_staff_ratio')).toMatch(
        new RegExp(
          `: ${more} more S&T staff \\(科技人员; ${techStaff + more} of ${employees + more} employees`,
        ),
      );
    },
  );

  it('fails without dividing when there are no employees', () => {
    const r = evaluateHnte(withYears({ 2021: { techStaff: 0, employees: 0 } }));
    expect(criterion(r, 'tech_staff_ratio')).toMatchObject({ passed: false, actual: null });
    expect(criterion(r, 'tech_staff_ratio').message).toBe(
      'no employees in 2021: the S&T staff ratio cannot be computed',
    );
    expect(gap(r, 'tech_staff_ratio')).toBe('1 more S&T staff (科技人员) in 2021');
  });

  it.each([['techStaff'], ['employees']] as const)('names the missing 2021 %s', (field) => {
    const r = evaluateHnte(withYears({ 2021: { [field]: null } }));
    expect(criterion(r, 'tech_staff_ratio')).toMatchObject({ passed: false, actual: null });
    expect(criterion(r, 'tech_staff_ratio').message).toContain(`missing 2021 ${field}`);
  });
});

describe('rd_expense_ratio (Σ R&D ÷ Σ sales over the operating years, bracket from last-year sales)', () => {
  it.each([
    [50_000_000, 500],
    [50_000_000.01, 400],
    [50_000_001, 400],
    [200_000_000, 400],
    [200_000_000.01, 300],
    [200_000_001, 300],
    [0, 500],
    [1_000_000_000, 300],
  ])('last-year sales %p → %p bp', (revenue, bp) => {
    expect(rdBracketBp(revenue)).toBe(bp);
  });

  const uniform = (revenue: [number, number, number], rd: [number, number, number]) =>
    withYears(
      merge(series('revenue', revenue), series('rdExpense', rd), series('rdExpenseDomestic', [0, 0, 0])),
    );

  it.each([
    // exactly 50,000,000 last year: 5% of 150,000,000 = 7,500,000
    ['50M, exactly 5%', [50e6, 50e6, 50e6], [2.5e6, 2.5e6, 2.5e6], true, 0.05],
    ['50M, a fen under 5%', [50e6, 50e6, 50e6], [2.5e6, 2.5e6, 2_499_999.99], false, 0.05],
    // 50,000,001 last year: 4% of 150,000,001 = 6,000,000.04
    ['50,000,001, exactly 4%', [50e6, 50e6, 50_000_001], [2e6, 2e6, 2_000_000.04], true, 0.04],
    ['50,000,001, a fen under 4%', [50e6, 50e6, 50_000_001], [2e6, 2e6, 2_000_000.03], false, 0.04],
    // exactly 200,000,000: 4% of 600,000,000 = 24,000,000
    ['200M, exactly 4%', [200e6, 200e6, 200e6], [8e6, 8e6, 8e6], true, 0.04],
    ['200M, a fen under 4%', [200e6, 200e6, 200e6], [8e6, 8e6, 7_999_999.99], false, 0.04],
    // 200,000,001: 3% of 600,000,001 = 18,000,000.03
    ['200,000,001, exactly 3%', [200e6, 200e6, 200_000_001], [6e6, 6e6, 6_000_000.03], true, 0.03],
    ['200,000,001, a fen under 3%', [200e6, 200e6, 200_000_001], [6e6, 6e6, 6_000_000.02], false, 0.03],
  ] as const)('%s → passed %p, required %p', (_name, revenue, rd, passed, required) => {
    const c = criterion(evaluateHnte(uniform([...revenue], [...rd])), 'rd_expense_ratio');
    expect(c).toMatchObject({ passed, required });
    expect(c.actual).toBe(passed ? required : Math.round((required - 0.0001) * 10_000) / 10_000);
  });

  it('quotes the R&D missing over the window in yuan', () => {
    const r = evaluateHnte(uniform([30e6, 30e6, 40e6], [1e6, 1.26e6, 1.5e6]));
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: false, actual: 0.0376, required: 0.05 });
    expect(gap(r, 'rd_expense_ratio')).toBe(
      'R&D ratio 3.76% of the 5% required: ¥1,240,000 more R&D (研发费用) over 2019–2021',
    );
  });

  it('rounds a shortfall in fen up to whole yuan', () => {
    const r = evaluateHnte(uniform([50e6, 50e6, 50e6], [2.5e6, 2.5e6, 2_499_999.99]));
    expect(gap(r, 'rd_expense_ratio')).toMatch(/: ¥1 more R&D/);
  });

  it('fails without dividing when there are no sales', () => {
    const r = evaluateHnte(uniform([0, 0, 0], [1e6, 1e6, 1e6]));
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: false, actual: null, required: 0.05 });
    expect(criterion(r, 'rd_expense_ratio').message).toBe(
      'no sales over 2019–2021: the R&D ratio cannot be computed',
    );
  });

  it('names each missing year and field', () => {
    const r = evaluateHnte(withYears({ 2020: { rdExpense: null }, 2021: { revenue: null } }));
    const c = criterion(r, 'rd_expense_ratio');
    expect(c).toMatchObject({ passed: false, actual: null, required: null });
    expect(c.message).toBe(
      'missing 2020 rdExpense (研发费用), 2021 revenue (销售收入): the R&D ratio over 2019–2021 cannot be computed',
    );
  });

  it('names a whole missing year', () => {
    const r = evaluateHnte(hnte({ years: HNTE_YEARS.filter((y) => y.year !== 2019) }));
    expect(criterion(r, 'rd_expense_ratio').message).toMatch(
      /^missing 2019 revenue \(销售收入\), 2019 rdExpense/,
    );
  });

  it('ignores years outside the window and years before registration', () => {
    const noise: YearFigures = { year: 2018, revenue: 1, rdExpense: 0, rdExpenseDomestic: 0, netAssets: 1 };
    const withNoise = evaluateHnte(hnte({ years: [...HNTE_YEARS, noise, { ...noise, year: 2022 }] }));
    expect(withNoise).toEqual(evaluateHnte(hnte()));

    // Registered in 2020: 2019 is ignored, even when its figures are absurd.
    const r = evaluateHnte(
      withYears(
        { 2019: { revenue: 0, rdExpense: 0, rdExpenseDomestic: 0, netAssets: -1e9 } },
        { registeredAt: '2020-03-01' },
      ),
    );
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: true, actual: 0.0589 }); // 4.6M / 78M
    expect(criterion(r, 'rd_expense_ratio').message).toMatch(/over 2020–2021 =/);
  });
});

describe('domestic_rd_share (≥ 60% over the operating years)', () => {
  it.each([
    [[1.2e6, 1.2e6, 1.2e6], true, 0.6],
    [[1.2e6, 1.2e6, 1_199_999.99], false, 0.5999],
    [[2e6, 2e6, 2e6], true, 1],
    [[0, 0, 0], false, 0],
  ] as const)('domestic %j of 2,000,000 a year → passed %p, actual %p', (domestic, passed, actual) => {
    const r = evaluateHnte(
      withYears(merge(series('rdExpense', [2e6, 2e6, 2e6]), series('rdExpenseDomestic', [...domestic]))),
    );
    expect(criterion(r, 'domestic_rd_share')).toMatchObject({ passed, actual, required: 0.6 });
  });

  it('quotes what more R&D in China, or what moved from abroad, would reach 60%', () => {
    const r = evaluateHnte(
      withYears(
        merge(series('rdExpense', [3e6, 3e6, 4e6]), series('rdExpenseDomestic', [1.5e6, 1.5e6, 2e6])),
      ),
    );
    expect(gap(r, 'domestic_rd_share')).toBe(
      'R&D in China 50% of the 60% required: ¥2,500,000 more R&D spent in China over 2019–2021 (it adds to total R&D too), ' +
        'or ¥1,000,000 moved from abroad to China',
    );
  });

  it('fails without dividing when there is no R&D', () => {
    const r = evaluateHnte(
      withYears(merge(series('rdExpense', [0, 0, 0]), series('rdExpenseDomestic', [0, 0, 0]))),
    );
    expect(criterion(r, 'domestic_rd_share')).toMatchObject({ passed: false, actual: null });
    expect(criterion(r, 'domestic_rd_share').message).toMatch(/^no R&D expense over 2019–2021/);
    expect(criterion(r, 'rd_expense_ratio')).toMatchObject({ passed: false, actual: 0 });
  });

  it('names the missing year and field', () => {
    const r = evaluateHnte(withYears({ 2020: { rdExpenseDomestic: null } }));
    expect(criterion(r, 'domestic_rd_share').message).toMatch(/^missing 2020 rdExpenseDomestic/);
  });
});

describe('high_tech_revenue_share (last year ≥ 60%, totalIncome defaults to revenue)', () => {
  it.each([
    [
      'totalIncome absent, exactly 60% of revenue',
      { revenue: 50e6, totalIncome: null, highTechRevenue: 30e6 },
      true,
      0.6,
    ],
    [
      'totalIncome absent, a fen under',
      { revenue: 50e6, totalIncome: null, highTechRevenue: 29_999_999.99 },
      false,
      0.5999,
    ],
    ['totalIncome wins over revenue', { revenue: 40e6, totalIncome: 50e6, highTechRevenue: 30e6 }, true, 0.6],
    [
      'totalIncome wins over revenue, failing',
      { revenue: 50e6, totalIncome: 60e6, highTechRevenue: 30e6 },
      false,
      0.5,
    ],
  ] as const)('%s → passed %p', (_name, figures, passed, actual) => {
    const r = evaluateHnte(withYears({ 2021: { ...figures } }));
    expect(criterion(r, 'high_tech_revenue_share')).toMatchObject({ passed, actual, required: 0.6 });
  });

  it('quotes the income missing in yuan', () => {
    const r = evaluateHnte(withYears({ 2021: { totalIncome: 50e6, highTechRevenue: 25e6 } }));
    expect(gap(r, 'high_tech_revenue_share')).toBe(
      'high-tech income 50% of the 60% required: ¥12,500,000 more high-tech product/service income (高新技术产品（服务）收入) ' +
        'in 2021 (it adds to total income too), or ¥5,000,000 of existing income that qualifies as high-tech',
    );
  });

  it('fails without dividing when there is no income', () => {
    const r = evaluateHnte(withYears({ 2021: { revenue: 0, totalIncome: 0, highTechRevenue: 0 } }));
    expect(criterion(r, 'high_tech_revenue_share')).toMatchObject({ passed: false, actual: null });
    expect(criterion(r, 'high_tech_revenue_share').message).toBe(
      'no income in 2021: the high-tech income share cannot be computed',
    );
  });

  it.each([
    [{ highTechRevenue: null }, 'missing 2021 highTechRevenue'],
    [{ totalIncome: null, revenue: null }, 'missing 2021 totalIncome (总收入) or revenue (销售收入)'],
  ])('names what is missing: %j', (patch, text) => {
    const c = criterion(evaluateHnte(withYears({ 2021: patch })), 'high_tech_revenue_share');
    expect(c.passed).toBe(false);
    expect(c.message).toContain(text);
  });
});

describe('innovation_score (above 70) and the verdict', () => {
  const rd = (sum: 12 | 13 | 20) =>
    sum === 20
      ? { projectAccounting: 6, rdInstitution: 6, transformationIncentives: 4, talentDevelopment: 4 }
      : { projectAccounting: 6, rdInstitution: 6, transformationIncentives: sum - 12, talentDevelopment: 0 };

  it.each([
    // base min 78 with 20 R&D management points: 12 points give 70, 13 give 71
    [12, 70, 84, false, 'borderline'],
    [13, 71, 85, true, 'ready'],
  ] as const)('R&D management %d → score %d–%d, passed %p, %s', (sum, min, max, passed, verdict) => {
    const r = evaluateHnte(hnte({ innovation: { ...hnte().innovation, rdManagement: rd(sum) } }));
    expect(r.score).toMatchObject({ min, max });
    expect(criterion(r, 'innovation_score')).toMatchObject({ passed, actual: min, required: 71 });
    expect(r.eligible).toBe(true);
    expect(r.verdict).toBe(verdict);
  });

  it.each([
    // grades E/E: IP 9–16; transformation 25–30; growth 10–12 → 44–58 + R&D management
    [12, 56, 70, 'not_ready'],
    [13, 57, 71, 'borderline'],
  ] as const)('R&D management %d with E grades → %d–%d, %s', (sum, min, max, verdict) => {
    const innovation = {
      techAdvancement: 'E',
      coreSupport: 'E',
      standardsParticipation: true,
      rdManagement: rd(sum),
    } as const;
    const r = evaluateHnte(hnte({ innovation }));
    expect(r.score).toMatchObject({ min, max });
    expect(r.verdict).toBe(verdict);
  });

  it.each([
    [true, 71, 80, 'ready'],
    [true, 70, 71, 'borderline'],
    [true, 70, 70, 'not_ready'],
    [true, 60, 69, 'not_ready'],
    [false, 80, 90, 'not_ready'],
    [false, 65, 75, 'not_ready'],
  ] as const)('hnteVerdict(eligible %p, %d–%d) = %s', (eligible, min, max, verdict) => {
    expect(hnteVerdict(eligible, { min, max })).toBe(verdict);
  });

  it('eligible ignores the innovation score; every other criterion counts', () => {
    const r = evaluateHnte(hnte({ innovation: null }));
    expect(criterion(r, 'innovation_score').passed).toBe(false);
    expect(r.eligible).toBe(true);
    expect(r.verdict).toBe('not_ready');
    expect(criterion(r, 'innovation_score').message).toMatch(
      /policy: techAdvancement not graded yet, counted as E \(0\); policy: coreSupport not graded yet.*policy: R&D management not assessed yet/,
    );
  });

  it('an eligible enterprise with an outstanding score is still not ready when one condition fails', () => {
    const r = evaluateHnte(hnte({ noMajorIncident: false }));
    expect(r.score.min).toBeGreaterThan(70);
    expect(r.eligible).toBe(false);
    expect(r.verdict).toBe('not_ready');
  });
});

describe('no_major_incident', () => {
  it.each([
    [true, true],
    [false, false],
    [null, false],
  ])('%p → passed %p', (noMajorIncident, passed) => {
    const r = evaluateHnte(hnte({ noMajorIncident }));
    expect(criterion(r, 'no_major_incident').passed).toBe(passed);
    expect(r.eligible).toBe(passed);
    expect(gap(r, 'no_major_incident') === undefined).toBe(passed);
  });
});

// ---------------------------------------------------------------- score blocks through the evaluator

describe('IP block', () => {
  const ipOf = (ipAssets: IpAsset[], innovation: ReadinessInput['innovation']) =>
    evaluateHnte(hnte({ ipAssets, innovation })).score.blocks.ip;
  const cii = (over: Partial<IpAsset> = {}): IpAsset => ({
    kind: 'utility_model',
    grantedAt: '2021-01-01',
    acquisition: 'self_developed',
    ...over,
  });
  const bb = { techAdvancement: 'B', coreSupport: 'B', standardsParticipation: false } as const;

  it.each<[string, IpAsset[], ReadinessInput['innovation'], number, number]>([
    [
      'worked check: four Class II (quantity 3–4)',
      [cii(), cii(), cii(), cii()],
      bb,
      5 + 5 + 3 + 1,
      6 + 6 + 4 + 6,
    ],
    ['five Class II (5–6)', [cii(), cii(), cii(), cii(), cii()], bb, 16, 24],
    [
      'five Class II, two used: three count (3–4)',
      [cii(), cii(), cii(), cii({ usedInCertification: true }), cii({ usedInCertification: true })],
      bb,
      14,
      22,
    ],
    [
      'transferred only: acquisition 1–3',
      [{ ...PATENT, acquisition: 'transferred' }],
      bb,
      5 + 5 + 7 + 1,
      6 + 6 + 8 + 3,
    ],
    ['self-developed among transferred: 1–6', [{ ...PATENT, acquisition: 'transferred' }, cii()], bb, 18, 26],
    [
      'an invalid self-developed item does not lift acquisition',
      [{ ...PATENT, acquisition: 'gifted' }, cii({ expiresAt: '2022-01-01' })],
      bb,
      18,
      23,
    ],
    ['standards bonus 1–2', [PATENT], { ...bb, standardsParticipation: true }, 19, 28],
    ['capped at 30: A, A, Class I, self-developed, standard', [PATENT], hnte().innovation, 23, 30],
    ['grades C/D', [PATENT], { techAdvancement: 'C', coreSupport: 'D' }, 3 + 1 + 7 + 1, 4 + 2 + 8 + 6],
  ])('%s → %d–%d', (_name, ipAssets, innovation, min, max) => {
    expect(ipOf(ipAssets, innovation)).toEqual({ min, max });
  });

  it('says what would raise the block', () => {
    const r = evaluateHnte(hnte({ ipAssets: [cii({ acquisition: 'merged' })], innovation: { ...bb } }));
    expect(gap(r, 'score.ip')).toBe(
      'ip 12–17 of 30: technical advancement (技术先进程度) graded B (5–6): grade A gives 7–8; ' +
        'core support to main products (核心支持作用) graded B (5–6): grade A gives 7–8; ' +
        'quantity 1–2 with 1 Class II item: a Class I item (e.g. an invention patent) gives 7–8, 2 more Class II reach 3–4; ' +
        'acquisition 1–3 (transferred, gifted or merged only): a self-developed item gives 1–6; ' +
        'taking part in drafting a national or industry standard adds 1–2',
    );
  });
});

describe('transformation block (average per operating year)', () => {
  it.each([
    [[4, 3, 3], 13, 18], // worked check: 10 over three = 3.33
    [[5, 5, 5], 25, 30], // worked check: 15 over three = 5
    [[5, 5, 4], 19, 24],
    [[4, 4, 4], 19, 24],
    [[4, 4, 3], 13, 18],
    [[3, 3, 3], 13, 18],
    [[3, 3, 2], 7, 12],
    [[2, 2, 2], 7, 12],
    [[2, 2, 1], 1, 6],
    [[1, 1, 1], 1, 6],
    [[1, 1, 0], 0, 0],
    [[0, 0, 0], 0, 0],
  ] as const)('%j → %d–%d', (counts, min, max) => {
    const r = evaluateHnte(withYears(series('achievementsTransformed', [...counts])));
    expect(r.score.blocks.transformation).toEqual({ min, max });
  });

  it('divides by the operating years only', () => {
    // Registered 2020: 2020 and 2021, 10 over two = 5.
    const r = evaluateHnte(
      withYears(series('achievementsTransformed', [0, 5, 5]), { registeredAt: '2020-12-31' }),
    );
    expect(r.score.blocks.transformation).toEqual({ min: 25, max: 30 });
  });

  it('counts a missing year as 0 and says so', () => {
    const r = evaluateHnte(withYears(series('achievementsTransformed', [null, 5, 5])));
    expect(r.score.blocks.transformation).toEqual({ min: 13, max: 18 });
    expect(criterion(r, 'innovation_score').message).toContain(
      'policy: 2019 achievementsTransformed (科技成果转化数) missing, counted as 0',
    );
    expect(gap(r, 'score.transformation')).toContain('provide 2019 achievementsTransformed');
  });
});

describe('growth block', () => {
  it.each([
    // worked checks, net assets and sales together
    [
      'net assets 100, 120, 150 (22.5%) and sales 0, 200, 300 (50%)',
      [100, 120, 150],
      [0, 200, 300],
      5 + 9,
      6 + 10,
    ],
    [
      'net assets 100, 90, 95 (−2.2%) and sales 100, 0, 50 (second year 0)',
      [100, 90, 95],
      [100, 0, 50],
      0,
      0,
    ],
    ['both 35%', [100, 100, 170], [100, 100, 170], 18, 20],
    ['negative first-year net assets', [-100, 100, 150], [100, 100, 100], 9, 10],
  ] as const)('%s → %d–%d', (_name, net, sales, min, max) => {
    const r = evaluateHnte(withYears(merge(series('netAssets', [...net]), series('revenue', [...sales]))));
    expect(r.score.blocks.growth).toEqual({ min, max });
  });

  it('says when a policy decided the growth', () => {
    const negative = evaluateHnte(withYears(series('netAssets', [-100, 100, 150])));
    expect(criterion(negative, 'innovation_score').message).toContain(
      'policy: a negative first-year value is treated like 0, g = x3/x2 − 1 (net assets (净资产) growth)',
    );
    const twoYears = evaluateHnte(hnte({ registeredAt: '2020-06-30' }));
    expect(twoYears.score.blocks.growth).toEqual({ min: 10, max: 12 }); // 15M → 18M = 20%, 36M → 42M = 16.7%
    expect(criterion(twoYears, 'innovation_score').message).toContain(
      'policy: with two operating years g = x3/x2 − 1',
    );
    const oneYear = evaluateHnte(hnte({ registeredAt: '2021-06-30' }));
    expect(oneYear.score.blocks.growth).toEqual({ min: 0, max: 0 });
    expect(gap(oneYear, 'score.growth')).toContain('one operating year in the window: scores 0');
  });

  it('names missing figures', () => {
    const r = evaluateHnte(withYears({ 2020: { netAssets: null } }));
    expect(r.score.blocks.growth).toEqual({ min: 5, max: 6 });
    expect(gap(r, 'score.growth')).toContain(
      'net assets (净资产) growth scores 0: missing 2020 netAssets (净资产)',
    );
  });
});

describe('an enterprise with no operating year yet', () => {
  const r = evaluateHnte(hnte({ registeredAt: '2022-01-05', years: [] }));

  it('fails the year-based criteria with messages, never throwing', () => {
    expect(criterion(r, 'registration_age')).toMatchObject({ passed: false, actual: 147 });
    expect(gap(r, 'registration_age')).toMatch(/^registration reaches one year on 2023-01-05/);
    for (const code of ['tech_staff_ratio', 'high_tech_revenue_share'] as const) {
      expect(criterion(r, code).message).toMatch(
        /^no accounting year to assess yet: registered 2022-01-05, after last year 2021/,
      );
    }
    for (const code of ['rd_expense_ratio', 'domestic_rd_share'] as const) {
      expect(criterion(r, code).message).toBe(
        'no operating year in the window 2019–2021: registered 2022-01-05',
      );
    }
    expect(r.score.blocks.transformation).toEqual({ min: 0, max: 0 });
    expect(r.score.blocks.growth).toEqual({ min: 0, max: 0 });
    expect(r.verdict).toBe('not_ready');
  });
});

describe('invalid input is refused, not clamped', () => {
  it.each<[string, Partial<ReadinessInput>, string]>([
    [
      'an R&D management point above its range',
      { innovation: { rdManagement: { projectAccounting: 7 } } },
      'innovation.rdManagement.projectAccounting',
    ],
    ['a negative amount', { years: [{ year: 2021, rdExpense: -1 }] }, 'years[0].rdExpense'],
    [
      'domestic R&D above R&D',
      { years: [{ year: 2021, rdExpense: 1, rdExpenseDomestic: 2 }] },
      'years[0].rdExpenseDomestic',
    ],
    ['an unknown grade', { innovation: { techAdvancement: 'A+' as never } }, 'innovation.techAdvancement'],
  ])('%s → ReadinessInputError naming %s', (_name, over, field) => {
    for (const program of ['hnte', 'tech_sme'] as const) {
      let thrown: unknown;
      try {
        evaluateReadiness(hnte({ ...over, program }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ReadinessInputError);
      expect((thrown as ReadinessInputError).errors.map((e) => e.field)).toEqual([field]);
    }
  });

  it('accepts negative net assets', () => {
    expect(() => evaluateHnte(withYears({ 2021: { netAssets: -5_000_000 } }))).not.toThrow();
  });
});

// ---------------------------------------------------------------- tech-based SME

/** A small firm that passes the SME evaluation on its score: 20 + 50 + 30 = 100. */
function tsme(over: Partial<ReadinessInput> = {}, y2021: Partial<YearFigures> = {}): ReadinessInput {
  return {
    program: 'tech_sme',
    assessmentDate: '2022-06-01',
    registeredAt: '2017-03-15',
    noMajorIncident: true,
    years: [
      {
        year: 2021,
        revenue: 42_000_000,
        totalAssets: 30_000_000,
        totalCostExpense: 38_000_000,
        rdExpense: 2_600_000,
        employees: 120,
        techStaff: 36,
        ...y2021,
      },
    ],
    ipAssets: [{ ...PATENT }],
    ...over,
  };
}

describe('tech-based SME (tsme-2017)', () => {
  it('replies in the API shape with criteria in order and min = max', () => {
    const r = evaluateTechSme(tsme());
    expect(r.ruleSet).toBe('tsme-2017');
    expect(r.criteria.map((c) => c.code)).toEqual([
      'size_limits',
      'no_major_incident',
      'tech_staff_score',
      'total_score',
      'direct_pass',
    ]);
    expect(TSME_CRITERIA).toEqual(r.criteria.map((c) => c.code));
    expect(r.score).toEqual({
      min: 100,
      max: 100,
      blocks: { techStaff: { min: 20, max: 20 }, rdInput: { min: 50, max: 50 }, ip: { min: 30, max: 30 } },
    });
    expect(r.eligible).toBe(true);
    expect(r.verdict).toBe('ready');
    expect(r.gaps).toEqual([]);
  });

  it.each([
    [{ employees: 500, techStaff: 150 }, true],
    [{ employees: 501, techStaff: 151 }, false],
    [{ revenue: 200_000_000, rdExpense: 12_000_000 }, true],
    [{ revenue: 200_000_000.01, rdExpense: 12_000_000 }, false],
    [{ totalAssets: 200_000_000 }, true],
    [{ totalAssets: 200_000_000.01 }, false],
  ])('size limits %j → %p', (figures, passed) => {
    const r = evaluateTechSme(tsme({}, figures));
    expect(criterion(r, 'size_limits').passed).toBe(passed);
    expect(r.eligible).toBe(passed);
    expect(r.verdict).toBe(passed ? 'ready' : 'not_ready');
  });

  it('says by how much a limit is exceeded', () => {
    const r = evaluateTechSme(tsme({}, { employees: 520, techStaff: 156, totalAssets: 250_000_000 }));
    expect(gap(r, 'size_limits')).toBe(
      'too large for a tech-based SME: employees 520 exceed 500 by 20; total assets ¥250,000,000 exceed ¥200,000,000 by ¥50,000,000',
    );
  });

  it.each([['employees'], ['revenue'], ['totalAssets']] as const)(
    'size limits fail naming the missing 2021 %s',
    (field) => {
      const c = criterion(evaluateTechSme(tsme({}, { [field]: null })), 'size_limits');
      expect(c.passed).toBe(false);
      expect(c.message).toContain(`missing 2021 ${field}`);
    },
  );

  it.each([
    [true, true],
    [false, false],
    [null, false],
  ])('noMajorIncident %p → eligible %p', (noMajorIncident, eligible) => {
    const r = evaluateTechSme(tsme({ noMajorIncident }));
    expect(r.eligible).toBe(eligible);
    expect(criterion(r, 'no_major_incident').passed).toBe(eligible);
  });

  it.each([
    // staff points (of 120 employees), R&D, IP → total
    [
      'staff 4 + R&D 50 + Class II ×1 6 = 60 passes',
      { techStaff: 12 },
      [{ ...PATENT, kind: 'utility_model' as const }],
      60,
      true,
      true,
    ],
    [
      'staff 0 with R&D 50 + IP 30 = 80: staff must be non-zero',
      { techStaff: 11 },
      [PATENT],
      80,
      false,
      true,
    ],
    [
      'staff 16 + R&D 10 + IP 30 = 56 fails',
      { techStaff: 30, rdExpense: 840_000, totalCostExpense: 80_000_000 },
      [PATENT],
      56,
      true,
      false,
    ],
    [
      'staff 20 + R&D 10 + IP 30 = 60 passes',
      { techStaff: 36, rdExpense: 840_000, totalCostExpense: 80_000_000 },
      [PATENT],
      60,
      true,
      true,
    ],
  ])('%s', (_name, figures, ipAssets, total, staffOk, totalOk) => {
    const r = evaluateTechSme(tsme({ ipAssets }, figures));
    expect(criterion(r, 'total_score')).toMatchObject({ passed: totalOk, actual: total, required: 60 });
    expect(criterion(r, 'tech_staff_score').passed).toBe(staffOk);
    expect(r.verdict).toBe(staffOk && totalOk ? 'ready' : 'not_ready');
    expect(r.score.min).toBe(r.score.max);
  });

  it('the better of R&D ÷ sales and R&D ÷ total costs counts', () => {
    // 840,000 / 42,000,000 = 2% → 10; / 3,360,000 = 25% → 40
    const r = evaluateTechSme(tsme({}, { rdExpense: 840_000, totalCostExpense: 3_360_000 }));
    expect(r.score.blocks.rdInput).toEqual({ min: 40, max: 40 });
  });

  it('counts a Class II item used for HNTE (the single-use rule is HNTE only)', () => {
    const used: IpAsset = {
      kind: 'software_copyright',
      grantedAt: '2019-01-01',
      acquisition: 'self_developed',
      usedInCertification: true,
    };
    const r = evaluateTechSme(tsme({ ipAssets: [used, used, used, used, used] }));
    expect(r.score.blocks.ip).toEqual({ min: 24, max: 24 });
    const h = evaluateHnte(hnte({ ipAssets: [used] }));
    expect(criterion(h, 'core_ip').passed).toBe(false);
  });

  it.each([
    ['hnte_certificate', true, true, 'ready'],
    ['led_standard', true, true, 'ready'],
    [null, false, true, 'not_ready'],
  ] as const)('direct pass %p with a low score → %p, %s', (directPass, passed, eligible, verdict) => {
    const r = evaluateTechSme(tsme({ directPass, ipAssets: [] }, { techStaff: 0, rdExpense: 0 }));
    expect(r.score.min).toBe(0);
    expect(criterion(r, 'direct_pass').passed).toBe(passed);
    expect(r.eligible).toBe(eligible);
    expect(r.verdict).toBe(verdict);
  });

  it('a direct pass still needs the basic conditions', () => {
    const r = evaluateTechSme(tsme({ directPass: 'national_award', noMajorIncident: false }));
    expect(criterion(r, 'direct_pass').passed).toBe(true);
    expect(r.eligible).toBe(false);
    expect(r.verdict).toBe('not_ready');
  });

  it('lists the score route and the direct route as gaps only while both fail', () => {
    const low = evaluateTechSme(tsme({ ipAssets: [] }, { techStaff: 14, rdExpense: 1_500_000 }));
    // staff 14/120 = 11.66% → 4, R&D 1.5M / 42M = 3.57% → 20, no IP: 24
    expect(low.score.min).toBe(24);
    expect(gapCodes(low)).toEqual([
      'total_score',
      'direct_pass',
      'score.techStaff',
      'score.rdInput',
      'score.ip',
    ]);
    expect(gap(low, 'total_score')).toBe(
      'total 24 of the 60 required: 36 more points (see the score blocks)',
    );
    expect(gap(low, 'score.techStaff')).toBe(
      'techStaff 4 of 20: S&T staff 11.66% (4 points): 5 more S&T staff (科技人员) reach 15% (8 points)',
    );
    expect(gap(low, 'score.rdInput')).toBe(
      'rdInput 20 of 50: R&D input 20 points: ¥180,000 more R&D reaches 4% of sales (30 points)',
    );
    expect(gap(low, 'score.ip')).toBe(
      'ip 0 of 30: valid IP Class I 0, Class II 0 (0 points): a Class I item (e.g. an invention patent) gives 30, 1 more Class II item gives 6',
    );

    const direct = evaluateTechSme(
      tsme(
        { ipAssets: [], directPass: 'provincial_rd_institution' },
        { techStaff: 14, rdExpense: 1_500_000 },
      ),
    );
    expect(direct.verdict).toBe('ready');
    expect(gapCodes(direct)).toEqual(['score.techStaff', 'score.rdInput', 'score.ip']);
  });

  it('suggests the cheaper R&D route when the cost ratio is closer', () => {
    // R&D 800,000: 1.9% of sales (0 points); 800,000 / 5,400,000 = 14.8% of costs (10 points).
    // Next line: 3% of sales needs ¥460,000 more; 15% of costs needs the least k with
    // (800,000 + k) / (5,400,000 + k) ≥ 15% (R&D adds to costs too): k = 11,764.71 → ¥11,765.
    const r = evaluateTechSme(tsme({}, { rdExpense: 800_000, totalCostExpense: 5_400_000 }));
    expect(r.score.blocks.rdInput).toEqual({ min: 10, max: 10 });
    expect(gap(r, 'score.rdInput')).toBe(
      'rdInput 10 of 50: R&D input 10 points: ¥11,765 more R&D reaches 15% of total costs and expenses (20 points)',
    );
    const bySales = evaluateTechSme(tsme({}, { rdExpense: 800_000, totalCostExpense: 8_000_000 }));
    expect(gap(bySales, 'score.rdInput')).toBe(
      'rdInput 10 of 50: R&D input 10 points: ¥460,000 more R&D reaches 3% of sales (20 points)',
    );
  });

  it('scores missing figures 0 and names them', () => {
    const r = evaluateTechSme(tsme({}, { techStaff: null, rdExpense: null }));
    expect(r.score.blocks.techStaff).toEqual({ min: 0, max: 0 });
    expect(r.score.blocks.rdInput).toEqual({ min: 0, max: 0 });
    expect(criterion(r, 'tech_staff_score').message).toContain('missing 2021 techStaff');
    expect(criterion(r, 'total_score').message).toBe(
      'total 30 (S&T staff 0, R&D 0, IP 30); at least 60 required; missing 2021 techStaff (科技人员数), 2021 rdExpense (研发费用)',
    );
  });

  it('needs only one of sales and total costs for the R&D ratio', () => {
    const r = evaluateTechSme(tsme({}, { revenue: 0, totalCostExpense: null }));
    expect(r.score.blocks.rdInput).toEqual({ min: 0, max: 0 });
    // 2,600,000 / 8,666,666 is just above 30% (50 points); / 8,666,667 just below (40).
    expect(
      evaluateTechSme(tsme({}, { revenue: null, totalCostExpense: 8_666_666 })).score.blocks.rdInput,
    ).toEqual({ min: 50, max: 50 });
    expect(
      evaluateTechSme(tsme({}, { revenue: null, totalCostExpense: 8_666_667 })).score.blocks.rdInput,
    ).toEqual({ min: 40, max: 40 });
  });

  it('zero employees score 0 staff points without dividing', () => {
    const r = evaluateTechSme(tsme({}, { employees: 0, techStaff: 0 }));
    expect(criterion(r, 'tech_staff_score')).toMatchObject({ passed: false, actual: 0, required: 4 });
    expect(criterion(r, 'tech_staff_score').message).toBe(
      'no employees in 2021: staff score 0; a non-zero staff score is required',
    );
  });
});

// Type-level check that the HNTE result is what evaluateReadiness returns for the default programme.
const _typed: HnteReadinessResult = evaluateHnte(hnte());
void _typed;
