import type { InnovationProfile, IpAsset, ReadinessInput, YearFigures } from './types.js';
import { validateInnovation, validateReadinessInput } from './validate.js';

const input = (over: Partial<ReadinessInput> = {}): ReadinessInput => ({
  assessmentDate: '2022-06-01',
  registeredAt: '2017-03-15',
  techDomain: 'advanced_manufacturing',
  noMajorIncident: true,
  years: [
    {
      year: 2021,
      revenue: 100,
      rdExpense: 10,
      rdExpenseDomestic: 8,
      employees: 10,
      techStaff: 2,
      netAssets: -5,
    },
  ],
  ipAssets: [{ kind: 'invention_patent', grantedAt: '2020-05-01', acquisition: 'self_developed' }],
  innovation: { techAdvancement: 'B', rdManagement: { projectAccounting: 6, talentDevelopment: 0 } },
  ...over,
});
const year = (over: Partial<YearFigures>): YearFigures => ({ year: 2021, ...over });
const ip = (over: Partial<IpAsset>): IpAsset => ({ kind: 'utility_model', grantedAt: '2020-01-01', ...over });

describe('validateReadinessInput', () => {
  it('accepts a valid profile, negative net assets and missing figures included', () => {
    expect(validateReadinessInput(input())).toEqual([]);
    expect(validateReadinessInput(input({ years: [year({})], ipAssets: [], innovation: null }))).toEqual([]);
  });

  it.each<[string, Partial<ReadinessInput>, string]>([
    ['assessment date', { assessmentDate: '2022-02-30' }, 'assessmentDate'],
    ['registration date', { registeredAt: '15/03/2017' }, 'registeredAt'],
    ['programme', { program: 'hnte_recert' as never }, 'program'],
    ['domain', { techDomain: 'software' as never }, 'techDomain'],
    ['direct pass ground', { directPass: 'good_will' as never }, 'directPass'],
    ['negative revenue', { years: [year({ revenue: -1 })] }, 'years[0].revenue'],
    ['negative R&D', { years: [year({ rdExpense: -0.01 })] }, 'years[0].rdExpense'],
    ['three decimals', { years: [year({ revenue: 10.005 })] }, 'years[0].revenue'],
    ['fractional staff', { years: [year({ employees: 10.5 })] }, 'years[0].employees'],
    [
      'negative transformations',
      { years: [year({ achievementsTransformed: -1 })] },
      'years[0].achievementsTransformed',
    ],
    [
      'domestic above total R&D',
      { years: [year({ rdExpense: 10, rdExpenseDomestic: 11 })] },
      'years[0].rdExpenseDomestic',
    ],
    ['S&T staff above employees', { years: [year({ employees: 10, techStaff: 11 })] }, 'years[0].techStaff'],
    ['year not a year', { years: [year({ year: 21 })] }, 'years[0].year'],
    ['duplicate year', { years: [year({}), year({})] }, 'years[1].year'],
    ['IP kind', { ipAssets: [ip({ kind: 'patent' as never })] }, 'ipAssets[0].kind'],
    ['IP acquisition', { ipAssets: [ip({ acquisition: 'bought' as never })] }, 'ipAssets[0].acquisition'],
    ['IP grant date', { ipAssets: [ip({ grantedAt: '2020-13-01' })] }, 'ipAssets[0].grantedAt'],
    ['IP expiry before grant', { ipAssets: [ip({ expiresAt: '2019-12-31' })] }, 'ipAssets[0].expiresAt'],
    ['grade', { innovation: { coreSupport: 'F' as never } }, 'innovation.coreSupport'],
  ])('refuses %s, naming %s', (_name, over, field) => {
    expect(validateReadinessInput(input(over)).map((e) => e.field)).toEqual([field]);
  });

  it('names every bad field at once', () => {
    const errors = validateReadinessInput(
      input({
        assessmentDate: 'today',
        years: [year({ revenue: -1, employees: -1 })],
        ipAssets: [ip({ kind: 'x' as never })],
      }),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'assessmentDate',
      'years[0].revenue',
      'years[0].employees',
      'ipAssets[0].kind',
    ]);
  });

  it('accepts an explicit licensed holding (it simply never counts)', () => {
    expect(validateReadinessInput(input({ ipAssets: [ip({ acquisition: 'licensed' })] }))).toEqual([]);
  });
});

describe('validateInnovation', () => {
  it.each<[InnovationProfile['rdManagement'], string[]]>([
    [{ projectAccounting: 6, rdInstitution: 6, transformationIncentives: 4, talentDevelopment: 4 }, []],
    [{ projectAccounting: 0, rdInstitution: 0, transformationIncentives: 0, talentDevelopment: 0 }, []],
    [{ projectAccounting: 7 }, ['innovation.rdManagement.projectAccounting']],
    [{ rdInstitution: 7 }, ['innovation.rdManagement.rdInstitution']],
    [{ transformationIncentives: 5 }, ['innovation.rdManagement.transformationIncentives']],
    [{ talentDevelopment: 5 }, ['innovation.rdManagement.talentDevelopment']],
    [{ talentDevelopment: -1 }, ['innovation.rdManagement.talentDevelopment']],
    [{ projectAccounting: 2.5 }, ['innovation.rdManagement.projectAccounting']],
  ])('rdManagement %j → errors %j', (rdManagement, fields) => {
    expect(validateInnovation({ rdManagement }).map((e) => e.field)).toEqual(fields);
  });

  it('says the allowed range', () => {
    expect(validateInnovation({ rdManagement: { transformationIncentives: 5 } })).toEqual([
      {
        field: 'innovation.rdManagement.transformationIncentives',
        message: 'must be a whole number from 0 to 4',
      },
    ]);
  });
});
