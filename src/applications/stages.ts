// The certification pipelines as plain data and functions: no Nest, no ORM, no clock.

export const APPLICATION_PROGRAMS = ['hnte', 'hnte_recert', 'tech_sme'] as const;
export type ApplicationProgram = (typeof APPLICATION_PROGRAMS)[number];

/** Every stage of every programme, in pipeline order. */
export const APPLICATION_STAGES = [
  'cultivating', // 培育
  'coaching', // 辅导
  'preparing', // 材料准备
  'submitted', // 已申报
  'expert_review', // 专家评审
  'publicized', // 公示
  'certified', // 认定
  'registered', // 入库 (科技型中小企业)
  'rejected',
  'withdrawn',
] as const;
export type ApplicationStage = (typeof APPLICATION_STAGES)[number];

export const END_STAGES: readonly ApplicationStage[] = ['certified', 'registered', 'rejected', 'withdrawn'];

/** Stages before the materials are submitted: a batch deadline can make these overdue. */
export const PRE_SUBMISSION_STAGES: readonly ApplicationStage[] = ['cultivating', 'coaching', 'preparing'];

const HNTE_PATH: readonly ApplicationStage[] = [
  'cultivating',
  'coaching',
  'preparing',
  'submitted',
  'expert_review',
  'publicized',
  'certified',
];
const TSME_PATH: readonly ApplicationStage[] = ['preparing', 'submitted', 'publicized', 'registered'];

interface Machine {
  /** The main path, first stage first, success last. */
  path: readonly ApplicationStage[];
  /** Stages from which the authority may reject. */
  rejectableFrom: readonly ApplicationStage[];
}

const MACHINES: Record<ApplicationProgram, Machine> = {
  hnte: { path: HNTE_PATH, rejectableFrom: ['submitted', 'expert_review', 'publicized'] },
  hnte_recert: { path: HNTE_PATH, rejectableFrom: ['submitted', 'expert_review', 'publicized'] },
  tech_sme: { path: TSME_PATH, rejectableFrom: ['submitted', 'publicized'] },
};

/** The stages a programme uses, in board order: the main path, then rejected and withdrawn. */
export function stagesOf(program: ApplicationProgram): ApplicationStage[] {
  return [...MACHINES[program].path, 'rejected', 'withdrawn'];
}

export function firstStage(program: ApplicationProgram): ApplicationStage {
  return MACHINES[program].path[0];
}

export function isEndStage(stage: ApplicationStage): boolean {
  return END_STAGES.includes(stage);
}

/** Stages an open application of `program` may be created in (recording one already under way). */
export function openStagesOf(program: ApplicationProgram): ApplicationStage[] {
  return stagesOf(program).filter((s) => !isEndStage(s));
}

/** Where an application of `program` in `stage` may go next; empty for an end stage or a foreign stage. */
export function allowedNext(program: ApplicationProgram, stage: ApplicationStage): ApplicationStage[] {
  const { path, rejectableFrom } = MACHINES[program];
  const i = path.indexOf(stage);
  if (i < 0 || isEndStage(stage)) return [];
  const next: ApplicationStage[] = [path[i + 1]];
  if (rejectableFrom.includes(stage)) next.push('rejected');
  next.push('withdrawn');
  return next;
}

/** What a transition request carries beyond its target. */
export interface TransitionFields {
  note?: string | null;
  certificateNo?: string | null;
  issuedAt?: string | null;
  registrationNo?: string | null;
}

type FieldName = keyof TransitionFields;

/** Fields a target stage requires, and fields that only make sense with one target. */
const REQUIRED: Partial<Record<ApplicationStage, FieldName[]>> = {
  certified: ['certificateNo', 'issuedAt'],
  registered: ['registrationNo'],
  rejected: ['note'],
  withdrawn: ['note'],
};
const ONLY_FOR: Record<Exclude<FieldName, 'note'>, ApplicationStage> = {
  certificateNo: 'certified',
  issuedAt: 'certified',
  registrationNo: 'registered',
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; error: 'illegal_transition'; allowed: ApplicationStage[] }
  | {
      ok: false;
      error: 'invalid_fields';
      allowed: ApplicationStage[];
      fields: { field: string; message: string }[];
    };

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

export function checkTransition(
  program: ApplicationProgram,
  from: ApplicationStage,
  to: ApplicationStage,
  fields: TransitionFields = {},
): TransitionCheck {
  const allowed = allowedNext(program, from);
  if (!allowed.includes(to)) return { ok: false, error: 'illegal_transition', allowed };
  const bad: { field: string; message: string }[] = [];
  for (const f of REQUIRED[to] ?? []) {
    if (!present(fields[f])) {
      bad.push({
        field: f,
        message: f === 'note' ? `is required as the reason for ${to}` : `is required to reach ${to}`,
      });
    }
  }
  for (const [f, target] of Object.entries(ONLY_FOR) as [FieldName, ApplicationStage][]) {
    if (target !== to && present(fields[f]))
      bad.push({ field: f, message: `is only accepted with to=${target}` });
  }
  return bad.length > 0 ? { ok: false, error: 'invalid_fields', allowed, fields: bad } : { ok: true };
}

/** `issuedAt` + 3 years − 1 day (a certificate issued 2022-12-12 is valid through 2025-12-11). */
export function certificateValidUntil(issuedAt: string): string {
  const [y, m, d] = issuedAt.split('-').map(Number);
  // Date.UTC rolls 29 Feb + 3 years over to 1 March, and the day before is 28 Feb: right.
  const end = new Date(Date.UTC(y + 3, m - 1, d) - 86_400_000);
  return end.toISOString().slice(0, 10);
}

/** A tech-based SME registration number holds for its calendar year only. */
export function registrationValidUntil(year: number): string {
  return `${String(year).padStart(4, '0')}-12-31`;
}

/** HNTE and its re-certification draw on the same provincial batches. */
export function batchFits(applicationProgram: ApplicationProgram, batchProgram: ApplicationProgram): boolean {
  const family = (p: ApplicationProgram) => (p === 'tech_sme' ? 'tech_sme' : 'hnte');
  return family(applicationProgram) === family(batchProgram);
}
