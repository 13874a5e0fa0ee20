import { IP_KINDS, type IpKind } from './constants.js';
import { countIpClasses, hnteIpQuantityPoints, ipClass, ipValidity, isValidIp, tsmeIpPoints } from './ip.js';
import type { IpAsset } from './types.js';

const TODAY = '2022-06-01';
const item = (over: Partial<IpAsset> = {}): IpAsset => ({
  kind: 'invention_patent',
  grantedAt: '2020-05-01',
  acquisition: 'self_developed',
  ...over,
});

describe('ipClass', () => {
  it.each([
    ['invention_patent', 'I'],
    ['plant_variety', 'I'],
    ['new_drug', 'I'],
    ['tcm_protected', 'I'],
    ['ic_layout', 'I'],
    ['utility_model', 'II'],
    ['design_patent', 'II'],
    ['software_copyright', 'II'],
    ['trademark', null],
  ] as const)('%s is class %p', (kind, cls) => {
    expect(ipClass(kind)).toBe(cls);
  });

  it('covers every kind', () => {
    expect([...IP_KINDS].sort()).toEqual(
      [
        'design_patent',
        'ic_layout',
        'invention_patent',
        'new_drug',
        'plant_variety',
        'software_copyright',
        'tcm_protected',
        'trademark',
        'utility_model',
      ].sort(),
    );
  });
});

describe('IP validity on the assessment date', () => {
  it.each<[string, Partial<IpAsset>, boolean, string | null]>([
    ['granted on the day', { grantedAt: TODAY }, true, null],
    ['granted the day after', { grantedAt: '2022-06-02' }, false, 'not_yet_granted'],
    ['expires on the day', { expiresAt: TODAY }, true, null],
    ['expired the day before', { expiresAt: '2022-05-31' }, false, 'expired'],
    ['granted and expiring on the day', { grantedAt: TODAY, expiresAt: TODAY }, true, null],
    ['no expiry', { expiresAt: null }, true, null],
    ['no grant date', { grantedAt: null }, false, 'no_grant_date'],
    ['licensed', { acquisition: 'licensed' }, false, 'licensed'],
    ['transferred', { acquisition: 'transferred' }, true, null],
    ['gifted', { acquisition: 'gifted' }, true, null],
    ['merged', { acquisition: 'merged' }, true, null],
    ['acquisition unknown (taken as owned)', { acquisition: null }, true, null],
    ['Class I already used (may be reused)', { usedInCertification: true }, true, null],
    [
      'Class II already used',
      { kind: 'utility_model', usedInCertification: true },
      false,
      'used_in_certification',
    ],
    ['Class II not used', { kind: 'software_copyright', usedInCertification: false }, true, null],
    ['trademark', { kind: 'trademark' }, false, 'not_counting_kind'],
  ])('HNTE: %s → %p', (_name, over, valid, reason) => {
    const v = ipValidity(item(over), TODAY, 'hnte');
    expect(v.valid).toBe(valid);
    expect(v.valid ? null : v.reason).toBe(reason);
    expect(isValidIp(item(over), TODAY)).toBe(valid);
  });

  it('the SME evaluation counts a Class II item already used for HNTE', () => {
    const used = item({ kind: 'design_patent', usedInCertification: true });
    expect(isValidIp(used, TODAY, 'hnte')).toBe(false);
    expect(isValidIp(used, TODAY, 'tech_sme')).toBe(true);
  });

  it.each([
    [{ acquisition: 'licensed' as const }],
    [{ expiresAt: '2022-05-31' }],
    [{ grantedAt: '2022-06-02' }],
    [{ kind: 'trademark' as IpKind }],
  ])('the SME evaluation still needs a valid, owned item: %j', (over) => {
    expect(isValidIp(item(over), TODAY, 'tech_sme')).toBe(false);
  });

  it('the message names the kind and the reason', () => {
    const v = ipValidity(item({ expiresAt: '2022-05-31' }), TODAY);
    expect(v.valid).toBe(false);
    if (!v.valid) expect(v.message).toBe('invention_patent (发明专利) expired on 2022-05-31');
  });
});

describe('IP points', () => {
  it.each([
    [0, 0, 0, 0],
    [0, 1, 1, 2],
    [0, 2, 1, 2],
    [0, 3, 3, 4],
    [0, 4, 3, 4], // worked check: no Class I, four Class II → 3–4
    [0, 5, 5, 6],
    [0, 9, 5, 6],
    [1, 0, 7, 8],
    [2, 7, 7, 8],
  ])('HNTE quantity: Class I %d, Class II %d → %d–%d', (classI, classII, min, max) => {
    expect(hnteIpQuantityPoints({ classI, classII })).toEqual({ min, max });
  });

  it.each([
    [0, 0, 0],
    [0, 1, 6],
    [0, 2, 12],
    [0, 3, 18],
    [0, 4, 24],
    [0, 7, 24],
    [1, 0, 30],
    [1, 5, 30],
  ])('SME: Class I %d, Class II %d → %d', (classI, classII, points) => {
    expect(tsmeIpPoints({ classI, classII })).toBe(points);
  });

  it('counts classes and ignores trademarks', () => {
    const items: IpAsset[] = [
      item(),
      item({ kind: 'utility_model' }),
      item({ kind: 'design_patent' }),
      item({ kind: 'trademark' }),
    ];
    expect(countIpClasses(items)).toEqual({ classI: 1, classII: 2 });
  });
});
