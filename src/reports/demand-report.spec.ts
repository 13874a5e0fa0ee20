import { buildDemandReport, countDemands, type ReportedDemand } from './demand-report.js';

const d = (
  kind: string,
  status: string,
  techDomain: string | null,
  street: string | null,
): ReportedDemand => ({
  kind,
  status,
  techDomain,
  street,
});

describe('demand report', () => {
  const now = [
    d('tech_problem', 'open', 'new_materials', '山头街道'),
    d('tech_problem', 'matched', 'new_materials', '城东街道'),
    d('talent_need', 'open', null, null),
    d('talent_need', 'closed', 'advanced_manufacturing', '  '),
  ];
  const before = [
    d('tech_problem', 'resolved', 'biomedicine', '白塔镇'),
    d('tech_problem', 'open', null, '山头街道'),
  ];

  it('lists every kind, status and domain, the streets of either period and unknown, zeros included', () => {
    const report = buildDemandReport('2022H1', now, { period: '2021H2', totals: countDemands(before) });
    expect(report.totals).toEqual({
      byKind: { tech_problem: 2, talent_need: 2 },
      byStatus: { open: 2, matched: 1, resolved: 0, closed: 1 },
      byDomain: {
        electronic_information: 0,
        biomedicine: 0,
        aerospace: 0,
        new_materials: 2,
        high_tech_services: 0,
        new_energy: 0,
        resources_environment: 0,
        advanced_manufacturing: 1,
        unknown: 1,
      },
      byStreet: { 城东街道: 1, 山头街道: 1, 白塔镇: 0, unknown: 2 },
    });
    expect(report.previous).toEqual({
      period: '2021H2',
      totals: {
        byKind: { tech_problem: 2, talent_need: 0 },
        byStatus: { open: 1, matched: 0, resolved: 1, closed: 0 },
        byDomain: expect.objectContaining({ biomedicine: 1, new_materials: 0, unknown: 1 }),
        byStreet: { 城东街道: 0, 山头街道: 1, 白塔镇: 1, unknown: 0 },
      },
    });
    // Both periods list the same keys in the same order.
    for (const key of ['byKind', 'byStatus', 'byDomain', 'byStreet'] as const)
      expect(Object.keys(report.previous.totals[key])).toEqual(Object.keys(report.totals[key]));
    expect(report.change.byKind).toEqual({ tech_problem: 0, talent_need: 2 });
    expect(report.change.byStreet).toEqual({ 城东街道: 1, 山头街道: 0, 白塔镇: -1, unknown: 2 });
    expect(Object.keys(report.totals.byStreet).at(-1)).toBe('unknown');
    expect(report.items).toBe(now);
  });

  it('an empty period still lists every kind, status and domain at zero, and unknown street', () => {
    const empty = { byKind: {}, byStatus: {}, byDomain: {}, byStreet: {} };
    const report = buildDemandReport('2030H2', [], { period: '2030H1', totals: empty });
    expect(report.totals.byKind).toEqual({ tech_problem: 0, talent_need: 0 });
    expect(report.totals.byStatus).toEqual({ open: 0, matched: 0, resolved: 0, closed: 0 });
    expect(Object.values(report.totals.byDomain)).toEqual(Array(9).fill(0));
    expect(report.totals.byStreet).toEqual({ unknown: 0 });
  });

  it('a street only a stored report lists at zero is not known again', () => {
    const frozen = {
      byKind: { tech_problem: 1, talent_need: 0 },
      byStatus: { open: 1, matched: 0, resolved: 0, closed: 0 },
      byDomain: { unknown: 1 },
      byStreet: { 山头街道: 1, 域城镇: 0, unknown: 0 },
    };
    const report = buildDemandReport('2022H1', [], { period: '2021H2', totals: frozen });
    expect(report.totals.byStreet).toEqual({ 山头街道: 0, unknown: 0 });
    expect(report.previous.totals.byStreet).toEqual({ 山头街道: 1, unknown: 0 });
  });
});
