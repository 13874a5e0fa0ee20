/**
 * Every reminder an enterprise's dated facts call for — batch deadlines, certificate expiry,
 * the annual development report, the yearly tech-based SME evaluation, contract items —
 * with its recipient, subject and payload. Pure: the planner loads the facts, calls this,
 * and makes the outbox match (new rows inserted, moved ones updated, stale ones cancelled).
 * Follow-ups (挂号跟踪) are planned from trackings, not here.
 */
import { PRE_SUBMISSION_STAGES, type ApplicationStage } from '../applications/stages.js';
import {
  reminderSubject,
  type AnnualReportPayload,
  type CertificatePayload,
  type ContractItemPayload,
  type DeadlineName,
  type DeadlinePayload,
  type PayloadBase,
  type ReminderLanguage,
  type TsmeRenewalPayload,
} from './reminder-template.js';
import {
  annualReportReminders,
  certificateExpiryReminders,
  contractItemReminders,
  deadlineReminders,
  tsmeRenewalReminder,
  type PlannedReminder,
} from './schedule.js';

export interface Person {
  name: string;
  email: string;
}

export interface EnterpriseFacts {
  enterpriseId: string;
  name: string;
  contactName: string | null;
  contactEmail: string | null;
  deleted: boolean;
  /** The enterprise's officer, when one is assigned and active. */
  officer: Person | null;
  applications: {
    id: string;
    program: string;
    year: number;
    stage: ApplicationStage;
    certificateNo: string | null;
    issuedAt: string | null;
    validUntil: string | null;
    registrationNo: string | null;
    batch: {
      id: string;
      name: string;
      registrationDeadline: string | null;
      materialsDeadline: string | null;
      submissionDeadline: string;
    } | null;
  }[];
  /** Years whose annual development report is marked filed. */
  annualReportsFiled: number[];
  /** Pending items of active contracts, each with the contract's officer. */
  contractItems: {
    id: string;
    contractId: string;
    contractNo: string;
    description: string;
    dueDate: string;
    officer: Person | null;
  }[];
}

/** One row the outbox should hold. */
export interface DesiredReminder extends PlannedReminder {
  enterpriseId: string;
  /** The e-mail address. */
  address: string;
  subject: string;
  payload: Record<string, unknown>;
  /** Ahead of a deadline: a day off moves it to the working day before, not after. */
  aheadOfDeadline: boolean;
}

export interface PlanContext {
  /** `YYYY-MM-DD` in APP_TIMEZONE. */
  today: string;
  language: ReminderLanguage;
}

const HNTE_PROGRAMS = new Set(['hnte', 'hnte_recert']);
const PRE_SUBMISSION = new Set<string>(PRE_SUBMISSION_STAGES);

export function planEnterpriseReminders(facts: EnterpriseFacts, ctx: PlanContext): DesiredReminder[] {
  if (facts.deleted) return [];
  const year = Number(ctx.today.slice(0, 4));
  const out: DesiredReminder[] = [];
  const base = (officer: Person | null): PayloadBase => ({
    enterpriseName: facts.name,
    contactName: facts.contactName,
    officerName: officer?.name ?? null,
    officerEmail: officer?.email ?? null,
  });
  const add = (
    plans: PlannedReminder[],
    payloadOf: (p: PlannedReminder) => object,
    aheadOfDeadline: boolean,
    officer: Person | null = facts.officer,
  ) => {
    for (const p of plans) {
      const address = p.recipient === 'officer' ? officer?.email : facts.contactEmail;
      if (!address) continue;
      const payload = { ...base(officer), ...payloadOf(p) } as Record<string, unknown>;
      const subject = reminderSubject(
        { kind: p.kind, recipientRole: p.recipient, mandatory: p.mandatory, payload },
        ctx.language,
      );
      out.push({ ...p, enterpriseId: facts.enterpriseId, address, subject, payload, aheadOfDeadline });
    }
  };
  const daysBefore = (p: PlannedReminder) => Number(/:(\d+)d$/.exec(p.occurrence)?.[1] ?? 0);

  // Deadlines of the batch each application still before `submitted` is in.
  for (const app of facts.applications) {
    if (!app.batch || !PRE_SUBMISSION.has(app.stage)) continue;
    const b = app.batch;
    const deadlines = (
      [
        ['registration', b.registrationDeadline],
        ['materials', b.materialsDeadline],
        ['submission', b.submissionDeadline],
      ] as [DeadlineName, string | null][]
    ).filter((d): d is [DeadlineName, string] => d[1] !== null);
    for (const [name, date] of deadlines) {
      add(
        deadlineReminders([{ batchId: b.id, name, date }], ctx.today),
        (p): Omit<DeadlinePayload, keyof PayloadBase> => ({
          applicationId: app.id,
          program: app.program,
          batchName: b.name,
          deadlineName: name,
          deadline: date,
          daysBefore: daysBefore(p),
        }),
        true,
      );
    }
  }

  // The HNTE certificate that lasts longest: an earlier one is superseded by re-certification.
  const certificates = facts.applications.filter(
    (a) => HNTE_PROGRAMS.has(a.program) && a.stage === 'certified' && a.validUntil && a.issuedAt,
  );
  const latest = certificates.reduce<(typeof certificates)[number] | null>(
    (best, a) => (!best || a.validUntil! > best.validUntil! ? a : best),
    null,
  );
  if (latest) {
    add(
      certificateExpiryReminders(latest.validUntil!, ctx.today),
      (p): Omit<CertificatePayload, keyof PayloadBase> => ({
        applicationId: latest.id,
        certificateNo: latest.certificateNo ?? '',
        validUntil: latest.validUntil!,
        daysBefore: daysBefore(p),
      }),
      true,
    );
  }

  // The annual report due in year Y covers Y−1: owed when a certificate was in force in Y−1
  // and issued before Y. This year's and next year's are planned; the nightly run rolls on.
  for (const y of [year, year + 1]) {
    const owed = certificates.some((a) => a.issuedAt! < `${y}-01-01` && a.validUntil! >= `${y - 1}-01-01`);
    if (!owed || facts.annualReportsFiled.includes(y)) continue;
    add(
      annualReportReminders(y, ctx.today),
      (): Omit<AnnualReportPayload, keyof PayloadBase> => ({ year: y, dueBy: `${y}-05-31` }),
      false,
    );
  }

  // A tech-based SME registration lasts its year: remind to be evaluated for the next one,
  // unless an application for that year exists already.
  const tsme = facts.applications.filter((a) => a.program === 'tech_sme');
  const lastRegistered = tsme
    .filter((a) => a.stage === 'registered')
    .reduce<(typeof tsme)[number] | null>((best, a) => (!best || a.year > best.year ? a : best), null);
  if (lastRegistered) {
    const next = lastRegistered.year + 1;
    if (next >= year && !tsme.some((a) => a.year === next)) {
      add(
        tsmeRenewalReminder(next, ctx.today),
        (): Omit<TsmeRenewalPayload, keyof PayloadBase> => ({
          year: next,
          registrationNo: lastRegistered.registrationNo,
        }),
        false,
      );
    }
  }

  for (const item of facts.contractItems) {
    add(
      contractItemReminders(item.id, item.dueDate, ctx.today),
      (p): Omit<ContractItemPayload, keyof PayloadBase> => ({
        contractId: item.contractId,
        contractNo: item.contractNo,
        itemId: item.id,
        description: item.description,
        dueDate: item.dueDate,
        daysBefore: daysBefore(p),
      }),
      true,
      item.officer,
    );
  }
  // Two open applications in one batch (hnte and hnte_recert may share one) plan the same mail once.
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.kind} ${r.occurrence} ${r.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A row of the outbox the planner may match a desired one against (follow-ups aside). */
export interface OutboxRow {
  id: string;
  kind: string;
  occurrence: string;
  /** The e-mail address. */
  recipient: string;
  status: string;
  /** Cancelled by the planner, not by someone: the upsert schedules it again when it is owed again. */
  unplanned: boolean;
  /** ISO 8601 in UTC; `subject`, `payload` and `mandatory` matter only for a scheduled row. */
  dueAt: string;
  subject: string | null;
  payload: Record<string, unknown> | null;
  mandatory: boolean;
}

/**
 * What the outbox must be told so that it holds `desired`: the rows to upsert (new, moved,
 * changed while scheduled, or owed again after the planner cancelled them) and the scheduled
 * rows to cancel (owed no more). Mirrors the conditions of the planner's SQL, which stay as the
 * guard; a desired row not found in `outbox` is always written, so `outbox` may leave out old
 * final rows. A plan that changes nothing gives two empty lists: no statement to send.
 */
export function outboxChanges<T extends DesiredReminder>(
  desired: readonly T[],
  dueAt: (r: T) => Date,
  outbox: readonly OutboxRow[],
): { write: T[]; cancel: string[] } {
  const key = (kind: string, occurrence: string, address: string) => `${kind} ${occurrence} ${address}`;
  const existing = new Map(outbox.map((r) => [key(r.kind, r.occurrence, r.recipient), r]));
  const write = desired.filter((d) => {
    const row = existing.get(key(d.kind, d.occurrence, d.address));
    if (!row) return true;
    if (row.status === 'cancelled') return row.unplanned;
    if (row.status !== 'scheduled') return false; // sent, failed, sending, skipped: never touched
    return (
      Date.parse(row.dueAt) !== dueAt(d).getTime() ||
      row.subject !== d.subject ||
      row.mandatory !== d.mandatory ||
      !sameJson(row.payload, d.payload)
    );
  });
  const wanted = new Set(desired.map((d) => key(d.kind, d.occurrence, d.address)));
  const cancel = outbox
    .filter((r) => r.status === 'scheduled' && !wanted.has(key(r.kind, r.occurrence, r.recipient)))
    .map((r) => r.id);
  return { write, cancel };
}

/**
 * Equal as JSON: object keys in any order (PostgreSQL's jsonb gives them back in its own),
 * array order kept, `undefined` members absent. Compared in place: the nightly run checks
 * 420,000 payloads, and serialising both sides was a tenth of its time.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJson(v, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    members++;
    if (!sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) members--;
  return members === 0;
}
