import {
  annualReportReminders,
  certificateExpiryReminders,
  deadlineReminders,
  followUpReminder,
  contractItemReminders,
  tsmeRenewalReminder,
  type PlannedReminder,
} from './schedule.js';

/** [occurrence, dueDate] pairs: the part of a plan that changes between cases. */
const brief = (plan: PlannedReminder[]): [string, string][] => plan.map((r) => [r.occurrence, r.dueDate]);

describe('deadlineReminders: 7, 3 and 1 days before', () => {
  it('plans the full shape of each reminder', () => {
    expect(deadlineReminders([{ batchId: 'b1', name: 'submission', date: '2026-10-09' }])).toEqual([
      {
        kind: 'deadline_approaching',
        occurrence: 'batch:b1:submission:2026-10-09:7d',
        dueDate: '2026-10-02',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'deadline_approaching',
        occurrence: 'batch:b1:submission:2026-10-09:3d',
        dueDate: '2026-10-06',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'deadline_approaching',
        occurrence: 'batch:b1:submission:2026-10-09:1d',
        dueDate: '2026-10-08',
        mandatory: true,
        recipient: 'enterprise',
      },
    ]);
  });

  it.each`
    name              | date            | d7              | d3              | d1              | why
    ${'registration'} | ${'2026-01-03'} | ${'2025-12-27'} | ${'2025-12-31'} | ${'2026-01-02'} | ${'across the year end'}
    ${'materials'}    | ${'2024-03-01'} | ${'2024-02-23'} | ${'2024-02-27'} | ${'2024-02-29'} | ${'leap February'}
    ${'materials'}    | ${'2025-03-01'} | ${'2025-02-22'} | ${'2025-02-26'} | ${'2025-02-28'} | ${'common February'}
    ${'submission'}   | ${'2026-05-01'} | ${'2026-04-24'} | ${'2026-04-28'} | ${'2026-04-30'} | ${'across a month end'}
  `(
    '$name on $date ($why)',
    ({
      name,
      date,
      d7,
      d3,
      d1,
    }: {
      name: 'registration' | 'materials' | 'submission';
      date: string;
      d7: string;
      d3: string;
      d1: string;
    }) => {
      expect(brief(deadlineReminders([{ batchId: 'x', name, date }]))).toEqual([
        [`batch:x:${name}:${date}:7d`, d7],
        [`batch:x:${name}:${date}:3d`, d3],
        [`batch:x:${name}:${date}:1d`, d1],
      ]);
    },
  );

  it('plans every deadline of a batch, in order', () => {
    const plan = deadlineReminders([
      { batchId: '7', name: 'registration', date: '2026-04-10' },
      { batchId: '7', name: 'materials', date: '2026-05-20' },
    ]);
    expect(plan.map((r) => r.occurrence)).toEqual([
      'batch:7:registration:2026-04-10:7d',
      'batch:7:registration:2026-04-10:3d',
      'batch:7:registration:2026-04-10:1d',
      'batch:7:materials:2026-05-20:7d',
      'batch:7:materials:2026-05-20:3d',
      'batch:7:materials:2026-05-20:1d',
    ]);
  });

  // Deadline 2026-10-09: 7d on 10-02, 3d on 10-06, 1d on 10-08.
  it.each`
    today           | expected                                                                                                                       | why
    ${'2026-09-01'} | ${[['batch:b:submission:2026-10-09:7d', '2026-10-02'], ['batch:b:submission:2026-10-09:3d', '2026-10-06'], ['batch:b:submission:2026-10-09:1d', '2026-10-08']]} | ${'all ahead'}
    ${'2026-10-02'} | ${[['batch:b:submission:2026-10-09:7d', '2026-10-02'], ['batch:b:submission:2026-10-09:3d', '2026-10-06'], ['batch:b:submission:2026-10-09:1d', '2026-10-08']]} | ${'first due today is kept as is'}
    ${'2026-10-03'} | ${[['batch:b:submission:2026-10-09:7d', '2026-10-03'], ['batch:b:submission:2026-10-09:3d', '2026-10-06'], ['batch:b:submission:2026-10-09:1d', '2026-10-08']]} | ${'7d just passed → caught up to today'}
    ${'2026-10-06'} | ${[['batch:b:submission:2026-10-09:3d', '2026-10-06'], ['batch:b:submission:2026-10-09:1d', '2026-10-08']]}                                          | ${'3d due today → no extra catch-up'}
    ${'2026-10-07'} | ${[['batch:b:submission:2026-10-09:3d', '2026-10-07'], ['batch:b:submission:2026-10-09:1d', '2026-10-08']]}                                          | ${'only the latest past (3d) is caught up'}
    ${'2026-10-08'} | ${[['batch:b:submission:2026-10-09:1d', '2026-10-08']]}                                                                                   | ${'1d due today'}
    ${'2026-10-09'} | ${[['batch:b:submission:2026-10-09:1d', '2026-10-09']]}                                                                                   | ${'deadline day: 1d caught up'}
    ${'2026-10-10'} | ${[]}                                                                                                                          | ${'deadline passed: nothing'}
  `('today $today: $why', ({ today, expected }: { today: string; expected: [string, string][] }) => {
    expect(
      brief(deadlineReminders([{ batchId: 'b', name: 'submission', date: '2026-10-09' }], today)),
    ).toEqual(expected);
  });

  it('a moved deadline is a new series (its keys carry the date)', () => {
    const before = deadlineReminders([{ batchId: 'b', name: 'submission', date: '2026-10-09' }]);
    const after = deadlineReminders([{ batchId: 'b', name: 'submission', date: '2026-10-16' }]);
    const keys = new Set(before.map((r) => r.occurrence));
    expect(after.filter((r) => keys.has(r.occurrence))).toEqual([]);
  });

  it('refuses a bad date', () => {
    expect(() => deadlineReminders([{ batchId: 'b', name: 'submission', date: '2026-02-29' }])).toThrow(
      RangeError,
    );
    expect(() =>
      deadlineReminders([{ batchId: 'b', name: 'submission', date: '2026-10-09' }], '2026/10/01'),
    ).toThrow(RangeError);
  });
});

describe('certificateExpiryReminders: 180, 90 and 30 days before validUntil', () => {
  it('plans the full shape', () => {
    expect(certificateExpiryReminders('2027-06-30')).toEqual([
      {
        kind: 'certificate_expiring',
        occurrence: 'certificate:2027-06-30:180d',
        dueDate: '2027-01-01',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'certificate_expiring',
        occurrence: 'certificate:2027-06-30:90d',
        dueDate: '2027-04-01',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'certificate_expiring',
        occurrence: 'certificate:2027-06-30:30d',
        dueDate: '2027-05-31',
        mandatory: true,
        recipient: 'enterprise',
      },
    ]);
  });

  it.each`
    validUntil      | d180            | d90             | d30             | why
    ${'2024-05-30'} | ${'2023-12-02'} | ${'2024-03-01'} | ${'2024-04-30'} | ${'90d over leap February lands on 1 March'}
    ${'2023-05-30'} | ${'2022-12-01'} | ${'2023-03-01'} | ${'2023-04-30'} | ${'the same in a common year (180d differs)'}
    ${'2024-08-27'} | ${'2024-02-29'} | ${'2024-05-29'} | ${'2024-07-28'} | ${'180d lands on 29 February'}
    ${'2025-08-27'} | ${'2025-02-28'} | ${'2025-05-29'} | ${'2025-07-28'} | ${'… and on 28 February in a common year'}
  `(
    '$validUntil ($why)',
    ({ validUntil, d180, d90, d30 }: { validUntil: string; d180: string; d90: string; d30: string }) => {
      expect(brief(certificateExpiryReminders(validUntil))).toEqual([
        [`certificate:${validUntil}:180d`, d180],
        [`certificate:${validUntil}:90d`, d90],
        [`certificate:${validUntil}:30d`, d30],
      ]);
    },
  );

  it.each`
    today           | expected                                                                                                                                       | why
    ${'2027-01-01'} | ${[['certificate:2027-06-30:180d', '2027-01-01'], ['certificate:2027-06-30:90d', '2027-04-01'], ['certificate:2027-06-30:30d', '2027-05-31']]} | ${'first due today'}
    ${'2027-01-02'} | ${[['certificate:2027-06-30:180d', '2027-01-02'], ['certificate:2027-06-30:90d', '2027-04-01'], ['certificate:2027-06-30:30d', '2027-05-31']]} | ${'180d caught up'}
    ${'2027-05-01'} | ${[['certificate:2027-06-30:90d', '2027-05-01'], ['certificate:2027-06-30:30d', '2027-05-31']]}                                                | ${'certified late: 90d caught up, 180d dropped'}
    ${'2027-06-30'} | ${[['certificate:2027-06-30:30d', '2027-06-30']]}                                                                                              | ${'last valid day: 30d caught up'}
    ${'2027-07-01'} | ${[]}                                                                                                                                          | ${'expired: nothing'}
  `('today $today: $why', ({ today, expected }: { today: string; expected: [string, string][] }) => {
    expect(brief(certificateExpiryReminders('2027-06-30', today))).toEqual(expected);
  });
});

describe('annualReportReminders', () => {
  it('reminds the enterprise on 1 and 20 May and escalates to the officer on 1 June', () => {
    expect(annualReportReminders(2026)).toEqual([
      {
        kind: 'annual_report_due',
        occurrence: 'annual-report:2026:enterprise:05-01',
        dueDate: '2026-05-01',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'annual_report_due',
        occurrence: 'annual-report:2026:enterprise:05-20',
        dueDate: '2026-05-20',
        mandatory: true,
        recipient: 'enterprise',
      },
      {
        kind: 'annual_report_due',
        occurrence: 'annual-report:2026:officer:escalation',
        dueDate: '2026-06-01',
        mandatory: true,
        recipient: 'officer',
      },
    ]);
  });

  it.each`
    today           | expected                                                                                                                                                                   | why
    ${'2026-04-30'} | ${[['annual-report:2026:enterprise:05-01', '2026-05-01'], ['annual-report:2026:enterprise:05-20', '2026-05-20'], ['annual-report:2026:officer:escalation', '2026-06-01']]} | ${'all ahead'}
    ${'2026-05-10'} | ${[['annual-report:2026:enterprise:05-01', '2026-05-10'], ['annual-report:2026:enterprise:05-20', '2026-05-20'], ['annual-report:2026:officer:escalation', '2026-06-01']]} | ${'1 May caught up'}
    ${'2026-05-31'} | ${[['annual-report:2026:enterprise:05-20', '2026-05-31'], ['annual-report:2026:officer:escalation', '2026-06-01']]}                                                        | ${'deadline day: 20 May caught up'}
    ${'2026-06-01'} | ${[['annual-report:2026:officer:escalation', '2026-06-01']]}                                                                                                               | ${'late: the officer only'}
    ${'2026-09-15'} | ${[['annual-report:2026:officer:escalation', '2026-09-15']]}                                                                                                               | ${'escalation caught up within the year'}
    ${'2026-12-31'} | ${[['annual-report:2026:officer:escalation', '2026-12-31']]}                                                                                                               | ${'… up to the last day of the year'}
    ${'2027-01-01'} | ${[]}                                                                                                                                                                      | ${'the next year plans its own'}
  `('today $today: $why', ({ today, expected }: { today: string; expected: [string, string][] }) => {
    expect(brief(annualReportReminders(2026, today))).toEqual(expected);
  });

  it.each([2026.5, 99, Number.NaN])('refuses year %p', (year) => {
    expect(() => annualReportReminders(year)).toThrow(RangeError);
  });
});

describe('tsmeRenewalReminder', () => {
  it.each`
    today           | expected                                 | why
    ${undefined}    | ${[['tsme:2026:renewal', '2026-03-01']]} | ${'no today: planned on 1 March'}
    ${'2026-03-01'} | ${[['tsme:2026:renewal', '2026-03-01']]} | ${'due today'}
    ${'2026-03-02'} | ${[['tsme:2026:renewal', '2026-03-02']]} | ${'late in the year: caught up'}
    ${'2027-01-01'} | ${[]}                                    | ${'next year'}
  `(
    'today $today: $why',
    ({ today, expected }: { today: string | undefined; expected: [string, string][] }) => {
      const plan = tsmeRenewalReminder(2026, today);
      expect(brief(plan)).toEqual(expected);
      for (const r of plan)
        expect(r).toMatchObject({ kind: 'tsme_renewal', mandatory: true, recipient: 'enterprise' });
    },
  );
});

describe('followUpReminder', () => {
  const tz = 'Asia/Shanghai';

  it('a date: the officer (mandatory) and the enterprise copy (optional)', () => {
    expect(
      followUpReminder({
        trackingId: 't1',
        nextFollowUpAt: '2026-04-15',
        notifyEnterprise: true,
        timeZone: tz,
      }),
    ).toEqual([
      {
        kind: 'follow_up_due',
        occurrence: 'tracking:t1:2026-04-15:officer',
        dueDate: '2026-04-15',
        mandatory: true,
        recipient: 'officer',
      },
      {
        kind: 'follow_up_due',
        occurrence: 'tracking:t1:2026-04-15:enterprise',
        dueDate: '2026-04-15',
        mandatory: false,
        recipient: 'enterprise',
      },
    ]);
  });

  it('notifyEnterprise=false: the officer only', () => {
    expect(
      brief(
        followUpReminder({
          trackingId: 't1',
          nextFollowUpAt: '2026-04-15',
          notifyEnterprise: false,
          timeZone: tz,
        }),
      ),
    ).toEqual([['tracking:t1:2026-04-15:officer', '2026-04-15']]);
  });

  it('an instant: dated in the zone (20:00 UTC is the next day in Shanghai) and kept as dueAt', () => {
    const at = new Date('2026-04-15T20:00:00Z');
    const [officer] = followUpReminder({
      trackingId: 't2',
      nextFollowUpAt: at,
      notifyEnterprise: false,
      timeZone: tz,
    });
    expect(officer).toEqual({
      kind: 'follow_up_due',
      occurrence: 'tracking:t2:2026-04-15T20:00:00.000Z:officer',
      dueDate: '2026-04-16',
      dueAt: at,
      mandatory: true,
      recipient: 'officer',
    });
    expect(officer.dueAt).not.toBe(at);
  });

  it.each`
    today           | dueDate
    ${'2026-04-14'} | ${'2026-04-15'}
    ${'2026-04-15'} | ${'2026-04-15'}
    ${'2026-06-01'} | ${'2026-06-01'}
  `(
    'today $today: an overdue follow-up is caught up, never dropped → $dueDate',
    ({ today, dueDate }: { today: string; dueDate: string }) => {
      const plan = followUpReminder(
        { trackingId: 't1', nextFollowUpAt: '2026-04-15', notifyEnterprise: true, timeZone: tz },
        today,
      );
      expect(plan.map((r) => [r.recipient, r.dueDate])).toEqual([
        ['officer', dueDate],
        ['enterprise', dueDate],
      ]);
    },
  );

  it('refuses a bad date or instant', () => {
    expect(() =>
      followUpReminder({
        trackingId: 't',
        nextFollowUpAt: '2026-04-31',
        notifyEnterprise: true,
        timeZone: tz,
      }),
    ).toThrow(RangeError);
    expect(() =>
      followUpReminder({
        trackingId: 't',
        nextFollowUpAt: new Date('x'),
        notifyEnterprise: true,
        timeZone: tz,
      }),
    ).toThrow(RangeError);
  });
});

describe('contractItemReminders: a week ahead and on the day, to the officer', () => {
  it.each`
    today           | expected                                                                                    | why
    ${undefined}    | ${[['contract-item:i:2026-12-10:7d', '2026-12-03'], ['contract-item:i:2026-12-10:0d', '2026-12-10']]} | ${'the whole series'}
    ${'2026-12-05'} | ${[['contract-item:i:2026-12-10:7d', '2026-12-05'], ['contract-item:i:2026-12-10:0d', '2026-12-10']]} | ${'the week-ahead one caught up'}
    ${'2026-12-10'} | ${[['contract-item:i:2026-12-10:0d', '2026-12-10']]}                                          | ${'due today'}
    ${'2026-12-11'} | ${[]}                                                                                       | ${'past due: nothing'}
  `('$why', ({ today, expected }: { today: string | undefined; expected: [string, string][] }) => {
    const plan = contractItemReminders('i', '2026-12-10', today);
    expect(brief(plan)).toEqual(expected);
    expect(plan.every((r) => r.recipient === 'officer' && r.mandatory)).toBe(true);
  });
});
