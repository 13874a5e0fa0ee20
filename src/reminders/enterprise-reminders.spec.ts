import {
  sameJson,
  outboxChanges,
  planEnterpriseReminders,
  type EnterpriseFacts,
  type OutboxRow,
} from './enterprise-reminders.js';

const officer = { name: '张专员', email: 'zhang@kjj.test' };
const base: EnterpriseFacts = {
  enterpriseId: 'e1',
  name: '淄博鑫源新材料有限公司',
  contactName: '王经理',
  contactEmail: 'wang@xinyuan.test',
  deleted: false,
  officer,
  applications: [],
  annualReportsFiled: [],
  contractItems: [],
};
const batch = {
  id: 'b1',
  name: '2027年第一批',
  registrationDeadline: null,
  materialsDeadline: '2027-05-20',
  submissionDeadline: '2027-06-10',
};
const app = (over: Partial<EnterpriseFacts['applications'][number]>): EnterpriseFacts['applications'][number] => ({
  id: 'a1',
  program: 'hnte',
  year: 2027,
  stage: 'preparing',
  certificateNo: null,
  issuedAt: null,
  validUntil: null,
  registrationNo: null,
  batch,
  ...over,
});
const plan = (facts: Partial<EnterpriseFacts>, today = '2026-12-01') =>
  planEnterpriseReminders({ ...base, ...facts }, { today, language: 'zh-CN' });
const keys = (rows: ReturnType<typeof plan>) => rows.map((r) => `${r.kind} ${r.occurrence} → ${r.address}`);

describe('planEnterpriseReminders', () => {
  it('plans nothing for an enterprise with no dated facts, or a deleted one', () => {
    expect(plan({})).toEqual([]);
    expect(plan({ deleted: true, applications: [app({})] })).toEqual([]);
  });

  it('reminds the contact of every deadline of the batch while the application is before submitted', () => {
    const rows = plan({ applications: [app({})] });
    expect(keys(rows)).toEqual([
      'deadline_approaching batch:b1:materials:2027-05-20:7d → wang@xinyuan.test',
      'deadline_approaching batch:b1:materials:2027-05-20:3d → wang@xinyuan.test',
      'deadline_approaching batch:b1:materials:2027-05-20:1d → wang@xinyuan.test',
      'deadline_approaching batch:b1:submission:2027-06-10:7d → wang@xinyuan.test',
      'deadline_approaching batch:b1:submission:2027-06-10:3d → wang@xinyuan.test',
      'deadline_approaching batch:b1:submission:2027-06-10:1d → wang@xinyuan.test',
    ]);
    expect(rows[0]).toMatchObject({
      dueDate: '2027-05-13',
      mandatory: true,
      recipient: 'enterprise',
      aheadOfDeadline: true,
      subject: '【截止提醒】2027年第一批 材料报送截止 2027-05-20',
      payload: { applicationId: 'a1', deadlineName: 'materials', daysBefore: 7, officerEmail: 'zhang@kjj.test' },
    });
  });

  it.each(['submitted', 'expert_review', 'withdrawn', 'rejected'] as const)(
    'plans no deadline reminder once the application is %s',
    (stage) => expect(plan({ applications: [app({ stage })] })).toEqual([]),
  );

  it('plans no deadline reminder for an application without a batch, or without a contact address', () => {
    expect(plan({ applications: [app({ batch: null })] })).toEqual([]);
    expect(plan({ contactEmail: null, applications: [app({})] })).toEqual([]);
  });

  it('plans one series when two open applications share a batch', () => {
    const rows = plan({ applications: [app({}), app({ id: 'a2', program: 'hnte_recert' })] });
    expect(rows).toHaveLength(6);
  });

  it('reminds of the expiry of the certificate that lasts longest, 180/90/30 days ahead', () => {
    const rows = plan({
      applications: [
        app({ id: 'old', stage: 'certified', certificateNo: 'GR2020', issuedAt: '2020-12-01', validUntil: '2023-11-30', batch: null }),
        app({ id: 'new', program: 'hnte_recert', stage: 'certified', certificateNo: 'GR2023', issuedAt: '2023-12-01', validUntil: '2026-11-30', batch: null }),
      ],
    }, '2026-01-01');
    expect(keys(rows).filter((k) => k.startsWith('certificate'))).toEqual([
      'certificate_expiring certificate:2026-11-30:180d → wang@xinyuan.test',
      'certificate_expiring certificate:2026-11-30:90d → wang@xinyuan.test',
      'certificate_expiring certificate:2026-11-30:30d → wang@xinyuan.test',
    ]);
    expect(rows.find((r) => r.kind === 'certificate_expiring')?.payload).toMatchObject({ certificateNo: 'GR2023' });
  });

  describe('the annual development report', () => {
    const certified = (issuedAt: string, validUntil: string) =>
      app({ stage: 'certified', certificateNo: 'GR1', issuedAt, validUntil, batch: null });
    const reportKeys = (facts: Partial<EnterpriseFacts>, today: string) =>
      keys(plan(facts, today)).filter((k) => k.startsWith('annual_report_due'));

    it('is owed each year after the year of issue while the certificate was in force the year before', () => {
      // Issued 2025-11: the first report is due in 2026 (covering 2025), the next in 2027.
      expect(reportKeys({ applications: [certified('2025-11-20', '2028-11-19')] }, '2026-03-01')).toEqual([
        'annual_report_due annual-report:2026:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2026:enterprise:05-20 → wang@xinyuan.test',
        'annual_report_due annual-report:2026:officer:escalation → zhang@kjj.test',
        'annual_report_due annual-report:2027:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:enterprise:05-20 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:officer:escalation → zhang@kjj.test',
      ]);
    });

    it('is not owed in the year of issue', () => {
      expect(reportKeys({ applications: [certified('2026-02-01', '2029-01-31')] }, '2026-03-01')).toEqual([
        'annual_report_due annual-report:2027:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:enterprise:05-20 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:officer:escalation → zhang@kjj.test',
      ]);
    });

    it('stops, escalation included, once marked filed', () => {
      expect(
        reportKeys({ applications: [certified('2025-11-20', '2028-11-19')], annualReportsFiled: [2026, 2027] }, '2026-03-01'),
      ).toEqual([]);
    });

    it('after 31 May goes to the officer only (the escalation), not to the enterprise', () => {
      expect(reportKeys({ applications: [certified('2024-11-20', '2027-11-19')] }, '2026-06-15')).toEqual([
        'annual_report_due annual-report:2026:officer:escalation → zhang@kjj.test',
        'annual_report_due annual-report:2027:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:enterprise:05-20 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:officer:escalation → zhang@kjj.test',
      ]);
    });

    it('is not owed for a year after the certificate ended', () => {
      expect(reportKeys({ applications: [certified('2020-11-20', '2023-11-19')] }, '2026-03-01')).toEqual([]);
    });

    it('has no escalation without an officer', () => {
      expect(reportKeys({ officer: null, applications: [certified('2025-11-20', '2028-11-19')] }, '2027-03-01')).toEqual([
        'annual_report_due annual-report:2027:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2027:enterprise:05-20 → wang@xinyuan.test',
        'annual_report_due annual-report:2028:enterprise:05-01 → wang@xinyuan.test',
        'annual_report_due annual-report:2028:enterprise:05-20 → wang@xinyuan.test',
      ]);
    });
  });

  describe('the tech-based SME evaluation', () => {
    const registered = (year: number) =>
      app({ id: `t${year}`, program: 'tech_sme', year, stage: 'registered', registrationNo: `${year}A1`, batch: null });

    it('is to be renewed the year after the last registration', () => {
      expect(keys(plan({ applications: [registered(2026)] }, '2026-12-01'))).toEqual([
        'tsme_renewal tsme:2027:renewal → wang@xinyuan.test',
      ]);
    });

    it('is not reminded once an application for that year exists, or when it lapsed years ago', () => {
      expect(plan({ applications: [registered(2026), app({ program: 'tech_sme', year: 2027, stage: 'preparing', batch: null })] })).toEqual([]);
      expect(plan({ applications: [registered(2023)] }, '2026-12-01')).toEqual([]);
    });
  });

  it('reminds the contract officer of a pending item, a week ahead and on the day', () => {
    const contractOfficer = { name: '李专员', email: 'li@kjj.test' };
    const rows = plan({
      contractItems: [
        { id: 'i1', contractId: 'c1', contractNo: 'BS-2026-017', description: '完成两项专利申请', dueDate: '2026-12-20', officer: contractOfficer },
        { id: 'i2', contractId: 'c1', contractNo: 'BS-2026-017', description: '无人负责', dueDate: '2026-12-20', officer: null },
      ],
    });
    expect(keys(rows)).toEqual([
      'contract_item_due contract-item:i1:2026-12-20:7d → li@kjj.test',
      'contract_item_due contract-item:i1:2026-12-20:0d → li@kjj.test',
    ]);
    expect(rows[0].payload).toMatchObject({ officerName: '李专员', contractNo: 'BS-2026-017', daysBefore: 7 });
  });
});

describe('outboxChanges', () => {
  const [desired] = plan({ applications: [app({})] });
  const dueAt = new Date('2027-05-13T01:00:00.000Z');
  const at = () => dueAt;
  // The row as the facts statement reads it back: jsonb reorders the payload's keys.
  const stored = (over: Partial<OutboxRow> = {}): OutboxRow => ({
    id: 'r1',
    kind: desired.kind,
    occurrence: desired.occurrence,
    recipient: desired.address,
    status: 'scheduled',
    unplanned: false,
    dueAt: dueAt.toISOString(),
    subject: desired.subject,
    payload: Object.fromEntries(Object.entries(desired.payload).reverse()),
    mandatory: desired.mandatory,
    ...over,
  });
  const changes = (outbox: OutboxRow[]) => {
    const { write, cancel } = outboxChanges([desired], at, outbox);
    return { write: write.length, cancel };
  };

  it.each<[string, Partial<OutboxRow>[], { write: number; cancel: string[] }]>([
    ['nothing to do when the scheduled row matches (keys in another order)', [{}], { write: 0, cancel: [] }],
    ['a new row', [], { write: 1, cancel: [] }],
    ['a row for another address is new, and the old one is cancelled', [{ recipient: 'old@x.test' }], { write: 1, cancel: ['r1'] }],
    ['a moved due time', [{ dueAt: '2027-05-13T01:00:00.001Z' }], { write: 1, cancel: [] }],
    ['another subject', [{ subject: 'old' }], { write: 1, cancel: [] }],
    ['another payload value', [{ payload: { ...desired.payload, contactName: '李经理' } }], { write: 1, cancel: [] }],
    ['a payload key less', [{ payload: { ...desired.payload, contactName: undefined } }], { write: 1, cancel: [] }],
    ['mandatory changed', [{ mandatory: false }], { write: 1, cancel: [] }],
    ['cancelled by the planner: scheduled again', [{ status: 'cancelled', unplanned: true, payload: null }], { write: 1, cancel: [] }],
    ['cancelled by someone: left alone', [{ status: 'cancelled', payload: null }], { write: 0, cancel: [] }],
    ...(['sent', 'failed', 'sending', 'skipped'] as const).map(
      (status): [string, Partial<OutboxRow>[], { write: number; cancel: string[] }] => [
        `${status}: never touched`,
        [{ status, subject: null, payload: null, dueAt: '2020-01-01T00:00:00.000Z' }],
        { write: 0, cancel: [] },
      ],
    ),
    [
      'a scheduled row owed no more is cancelled, a final one is not',
      [{}, { id: 'r2', occurrence: 'gone:1' }, { id: 'r3', occurrence: 'gone:2', status: 'sent' }],
      { write: 0, cancel: ['r2'] },
    ],
  ])('%s', (_name, rows, expected) => {
    expect(changes(rows.map((r) => stored(r)))).toEqual(expected);
  });

  it('cancels every scheduled row when nothing is owed', () => {
    expect(outboxChanges([], at, [stored(), stored({ id: 'r2', status: 'sent' })])).toEqual({ write: [], cancel: ['r1'] });
  });
});

describe('sameJson', () => {
  it('ignores key order at every depth, keeps array order, drops undefined', () => {
    expect(sameJson({ b: 1, a: { d: [2, 1], c: null, e: undefined } }, { a: { c: null, d: [2, 1] }, b: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson({ a: { b: 'x' } }, { a: { b: 'y' } })).toBe(false);
  });
});
