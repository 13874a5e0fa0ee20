import type { Actor } from '../auth/actor.js';
import { creditCodeCheckCharacter } from '../enterprises/credit-code.js';
import { readListRows, reconcile, type OpenApplication } from './reconcile.rules.js';

const code = (n: number) => {
  const first17 = `91370304MA000000${n}`;
  return first17 + creditCodeCheckCharacter(first17);
};
const admin: Actor = { type: 'user', id: 'u1', role: 'admin', permissions: new Set() };
const officer: Actor = { type: 'user', id: 'o1', role: 'officer', permissions: new Set() };
const app = (n: number, over: Partial<OpenApplication> = {}): OpenApplication => ({
  id: `a${n}`,
  enterpriseId: `e${n}`,
  enterpriseName: `企业${n}`,
  creditCode: code(n),
  officerId: null,
  program: 'hnte',
  year: 2022,
  batchId: null,
  stage: 'publicized',
  inScope: true,
  ...over,
});
const run = (rows: [string | null, string | null][], applications: OpenApplication[], actor = admin) =>
  reconcile({
    program: 'hnte',
    issuedAt: '2022-12-12',
    actor,
    rows: rows.map(([creditCode, number], i) => ({ row: i + 2, creditCode, name: null, number })),
    applications,
    knownCodes: new Set([code(1), code(2), code(3), code(4), code(5)]),
  });

describe('reconcile', () => {
  it('moves a publicized application to certified with its number and the notice date', () => {
    const { outcome, moves } = run([[code(1), 'GR1']], [app(1)]);
    expect(moves).toEqual([
      expect.objectContaining({ to: 'certified', certificateNo: 'GR1', issuedAt: '2022-12-12' }),
    ]);
    expect(outcome.moved).toEqual([
      {
        row: 2,
        applicationId: 'a1',
        enterpriseId: 'e1',
        from: 'publicized',
        to: 'certified',
        certificateNo: 'GR1',
        issuedAt: '2022-12-12',
      },
    ]);
  });

  it.each<[string, OpenApplication, Actor, string | null, RegExp]>([
    [
      'an earlier stage cannot skip ahead',
      app(1, { stage: 'expert_review' }),
      admin,
      'GR1',
      /expert_review cannot move to certified/,
    ],
    ['a row without a certificate number', app(1), admin, null, /certificateNo is required/],
    ["another officer's enterprise", app(1, { officerId: 'o2' }), officer, 'GR1', /another officer/],
  ])('does not move: %s', (_, application, actor, number, reason) => {
    const { outcome, moves } = run([[code(1), number]], [application], actor);
    expect(moves).toEqual([]);
    expect(outcome.matched).toHaveLength(1);
    expect(outcome.notMoved).toEqual([
      { row: 2, applicationId: 'a1', reason: expect.stringMatching(reason) },
    ]);
  });

  it('reports unknown codes, bad codes, repeats, applications out of scope, and who the list left out', () => {
    const { outcome } = run(
      [
        [code(9), 'GR9'],
        ['not-a-code', 'GR0'],
        [code(1), 'GR1'],
        [' ' + code(1).toLowerCase(), 'GR1'],
        [code(2), 'GR2'],
        [code(5), 'GR5'],
        [null, null],
      ],
      [app(1), app(2, { year: 2023, inScope: false }), app(3)],
    );
    expect(outcome.unmatchedRows).toEqual([
      { row: 2, creditCode: code(9), name: null, reason: 'no enterprise with this credit code' },
      { row: 3, creditCode: 'not-a-code', name: null, reason: expect.stringMatching(/^not a credit code/) },
      { row: 6, creditCode: code(2), name: null, reason: expect.stringMatching(/2023/) },
      { row: 7, creditCode: code(5), name: null, reason: 'the enterprise has no open hnte application' },
    ]);
    expect(outcome.notMoved).toEqual([
      { row: 5, applicationId: null, reason: 'repeats the credit code of row 4' },
    ]);
    expect(outcome.notMentioned.map((a) => a.applicationId)).toEqual(['a3']);
  });
});

describe('readListRows', () => {
  it('finds the header under a title line and ignores columns it does not know', () => {
    const rows = readListRows(
      {
        header: { row: 1, cells: ['山东省2022年第一批拟认定高新技术企业名单'] },
        rows: [
          { row: 2, cells: ['序号', '企业名称', '统一社会信用代码', '证书编号'] },
          { row: 3, cells: ['1', '甲', code(1), 'GR1'] },
        ],
      },
      'hnte',
    );
    expect(rows).toEqual([{ row: 3, creditCode: code(1), name: '甲', number: 'GR1' }]);
  });
});
