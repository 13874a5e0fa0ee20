import {
  allowedNext,
  APPLICATION_STAGES,
  batchFits,
  certificateValidUntil,
  checkTransition,
  firstStage,
  isEndStage,
  openStagesOf,
  registrationValidUntil,
  stagesOf,
  type ApplicationProgram,
  type ApplicationStage,
  type TransitionFields,
} from './stages.js';

const CERT: TransitionFields = { certificateNo: 'GR202237000123', issuedAt: '2022-12-12' };
const REG: TransitionFields = { registrationNo: '2022370304A0001234' };
const NOTE: TransitionFields = { note: '企业主动放弃' };

/** Every allowed move, with the fields it needs. */
const HNTE_ALLOWED: [ApplicationStage, ApplicationStage, TransitionFields][] = [
  ['cultivating', 'coaching', {}],
  ['cultivating', 'withdrawn', NOTE],
  ['coaching', 'preparing', {}],
  ['coaching', 'withdrawn', NOTE],
  ['preparing', 'submitted', {}],
  ['preparing', 'withdrawn', NOTE],
  ['submitted', 'expert_review', {}],
  ['submitted', 'rejected', NOTE],
  ['submitted', 'withdrawn', NOTE],
  ['expert_review', 'publicized', {}],
  ['expert_review', 'rejected', NOTE],
  ['expert_review', 'withdrawn', NOTE],
  ['publicized', 'certified', CERT],
  ['publicized', 'rejected', NOTE],
  ['publicized', 'withdrawn', NOTE],
];
const TSME_ALLOWED: [ApplicationStage, ApplicationStage, TransitionFields][] = [
  ['preparing', 'submitted', {}],
  ['preparing', 'withdrawn', NOTE],
  ['submitted', 'publicized', {}],
  ['submitted', 'rejected', NOTE],
  ['submitted', 'withdrawn', NOTE],
  ['publicized', 'registered', REG],
  ['publicized', 'rejected', NOTE],
  ['publicized', 'withdrawn', NOTE],
];

const ALLOWED: Record<ApplicationProgram, [ApplicationStage, ApplicationStage, TransitionFields][]> = {
  hnte: HNTE_ALLOWED,
  hnte_recert: HNTE_ALLOWED,
  tech_sme: TSME_ALLOWED,
};

describe('application stage machines', () => {
  describe.each(Object.keys(ALLOWED) as ApplicationProgram[])('%s', (program) => {
    it.each(ALLOWED[program])('%s → %s is allowed', (from, to, fields) => {
      expect(checkTransition(program, from, to, fields)).toEqual({ ok: true });
      expect(allowedNext(program, from)).toContain(to);
    });

    it('allowedNext lists exactly the allowed moves from every stage', () => {
      for (const from of APPLICATION_STAGES) {
        const expected = ALLOWED[program].filter(([f]) => f === from).map(([, to]) => to);
        expect([...allowedNext(program, from)].sort()).toEqual([...expected].sort());
      }
    });

    it('every other pair of stages is illegal, with the allowed moves named', () => {
      const legal = new Set(ALLOWED[program].map(([f, to]) => `${f}>${to}`));
      let checked = 0;
      for (const from of APPLICATION_STAGES) {
        for (const to of APPLICATION_STAGES) {
          if (legal.has(`${from}>${to}`)) continue;
          const result = checkTransition(program, from, to, { ...CERT, ...REG, ...NOTE });
          expect(result).toEqual({
            ok: false,
            error: 'illegal_transition',
            allowed: allowedNext(program, from),
          });
          checked++;
        }
      }
      expect(checked).toBe(APPLICATION_STAGES.length ** 2 - legal.size);
    });

    it('end stages allow nothing; withdrawal is open from every open stage', () => {
      for (const stage of stagesOf(program)) {
        if (isEndStage(stage)) expect(allowedNext(program, stage)).toEqual([]);
        else expect(allowedNext(program, stage)).toContain('withdrawn');
      }
      expect(openStagesOf(program)[0]).toBe(firstStage(program));
    });
  });

  it.each<[ApplicationProgram, ApplicationStage, ApplicationStage]>([
    ['hnte', 'cultivating', 'submitted'], // skipping ahead
    ['hnte', 'coaching', 'rejected'], // rejected only from submitted on
    ['hnte', 'preparing', 'rejected'],
    ['hnte', 'expert_review', 'submitted'], // backwards
    ['hnte', 'certified', 'withdrawn'], // from an end stage
    ['hnte', 'withdrawn', 'cultivating'],
    ['hnte', 'publicized', 'registered'], // another programme's success
    ['hnte_recert', 'submitted', 'publicized'],
    ['tech_sme', 'cultivating', 'preparing'], // not a tech_sme stage
    ['tech_sme', 'preparing', 'rejected'],
    ['tech_sme', 'submitted', 'expert_review'],
    ['tech_sme', 'publicized', 'certified'],
    ['tech_sme', 'registered', 'withdrawn'],
  ])('%s: %s → %s is illegal', (program, from, to) => {
    const result = checkTransition(program, from, to, { ...CERT, ...REG, ...NOTE });
    expect(result).toMatchObject({ ok: false, error: 'illegal_transition' });
  });

  it('names the fields a target needs and refuses those it does not take', () => {
    expect(checkTransition('hnte', 'publicized', 'certified', {})).toEqual({
      ok: false,
      error: 'invalid_fields',
      allowed: ['certified', 'rejected', 'withdrawn'],
      fields: [
        { field: 'certificateNo', message: 'is required to reach certified' },
        { field: 'issuedAt', message: 'is required to reach certified' },
      ],
    });
    expect(checkTransition('hnte', 'publicized', 'certified', { certificateNo: 'GR1' })).toMatchObject({
      fields: [{ field: 'issuedAt' }],
    });
    expect(checkTransition('tech_sme', 'publicized', 'registered', { registrationNo: '  ' })).toMatchObject({
      fields: [{ field: 'registrationNo' }],
    });
    expect(checkTransition('hnte', 'submitted', 'rejected', {})).toMatchObject({
      fields: [{ field: 'note' }],
    });
    expect(checkTransition('hnte', 'cultivating', 'withdrawn', { note: '' })).toMatchObject({
      fields: [{ field: 'note' }],
    });
    expect(
      checkTransition('hnte', 'cultivating', 'coaching', { certificateNo: 'GR1', registrationNo: 'R1' }),
    ).toMatchObject({
      fields: [
        { field: 'certificateNo', message: 'is only accepted with to=certified' },
        { field: 'registrationNo', message: 'is only accepted with to=registered' },
      ],
    });
    // A note is welcome on any move.
    expect(checkTransition('hnte', 'cultivating', 'coaching', NOTE)).toEqual({ ok: true });
  });

  it.each([
    ['2022-12-12', '2025-12-11'],
    ['2022-01-01', '2024-12-31'],
    ['2020-02-29', '2023-02-28'],
    ['2021-03-01', '2024-02-29'],
  ])('a certificate issued %s is valid through %s', (issued, until) => {
    expect(certificateValidUntil(issued)).toBe(until);
  });

  it('a tech-SME registration holds through 31 December of its year', () => {
    expect(registrationValidUntil(2022)).toBe('2022-12-31');
  });

  it('first stages, board order and batch families', () => {
    expect(firstStage('hnte')).toBe('cultivating');
    expect(firstStage('tech_sme')).toBe('preparing');
    expect(stagesOf('tech_sme')).toEqual([
      'preparing',
      'submitted',
      'publicized',
      'registered',
      'rejected',
      'withdrawn',
    ]);
    expect(stagesOf('hnte_recert')).toHaveLength(9);
    expect(batchFits('hnte_recert', 'hnte')).toBe(true);
    expect(batchFits('tech_sme', 'hnte')).toBe(false);
  });
});
