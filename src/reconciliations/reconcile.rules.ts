// Reconciling an official list (the province's notice of certified HNTEs, or of registered
// tech-based SMEs) with the open applications: plain functions, no Nest, no ORM, no clock.
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { Problem } from '../common/problem.js';
import { checkTransition, type ApplicationProgram, type ApplicationStage } from '../applications/stages.js';
import { inspectCreditCode } from '../enterprises/credit-code.js';
import type { Sheet } from '../imports/spreadsheet.js';

export const RECONCILIATION_PROGRAMS = ['hnte', 'tech_sme'] as const;
export type ReconciliationProgram = (typeof RECONCILIATION_PROGRAMS)[number];

/** Programmes whose applications a list settles: an HNTE notice covers first certifications and re-certifications. */
export const PROGRAMS_SETTLED: Record<ReconciliationProgram, ApplicationProgram[]> = {
  hnte: ['hnte', 'hnte_recert'],
  tech_sme: ['tech_sme'],
};

const TARGET: Record<ReconciliationProgram, ApplicationStage> = { hnte: 'certified', tech_sme: 'registered' };

type ListColumn = 'creditCode' | 'name' | 'certificateNo' | 'registrationNo';

// The headers official notices use; anything else on the list (序号, 地市, 所属区县…) is ignored.
const LIST_HEADERS: Record<ListColumn, string[]> = {
  creditCode: ['creditCode', '统一社会信用代码', '信用代码', '社会信用代码', '纳税人识别号'],
  name: ['name', '企业名称', '名称', '单位名称', '企业'],
  certificateNo: ['certificateNo', '证书编号', '证书号', '高新技术企业证书编号'],
  registrationNo: ['registrationNo', '入库登记编号', '登记编号', '入库编号', '登记号'],
};
const keyOf = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/[\s_*:：]/g, '')
    .toLowerCase();
const HEADER_INDEX = new Map<string, ListColumn>(
  (Object.entries(LIST_HEADERS) as [ListColumn, string[]][]).flatMap(([column, names]) =>
    names.map((n) => [keyOf(n), column] as [string, ListColumn]),
  ),
);

/** One enterprise on the official list. */
export interface ListRow {
  row: number;
  creditCode: string | null;
  name: string | null;
  /** The certificate number (HNTE) or registration number (tech SME). */
  number: string | null;
}

/**
 * The list's rows. Notices often open with a title line (山东省2022年第一批…名单): the header is
 * the first of the first ten rows that names a credit-code column.
 */
export function readListRows(sheet: Sheet, program: ReconciliationProgram): ListRow[] {
  const all = [sheet.header, ...sheet.rows];
  const headerAt = all
    .slice(0, 10)
    .findIndex((r) => r.cells.some((c) => c && HEADER_INDEX.get(keyOf(c)) === 'creditCode'));
  if (headerAt < 0) {
    throw Problem.field('file', 'has no 统一社会信用代码 (creditCode) column in its first ten rows');
  }
  const columns = all[headerAt].cells.map((c) => (c ? HEADER_INDEX.get(keyOf(c)) : undefined));
  const numberColumn: ListColumn = program === 'hnte' ? 'certificateNo' : 'registrationNo';
  const at = (cells: (string | undefined)[], column: ListColumn) => {
    const i = columns.indexOf(column);
    return i >= 0 ? (cells[i] ?? null) : null;
  };
  const rows = all.slice(headerAt + 1).map(({ row, cells }) => ({
    row,
    creditCode: at(cells, 'creditCode'),
    name: at(cells, 'name'),
    number: at(cells, numberColumn),
  }));
  if (rows.length === 0) throw Problem.field('file', 'has a header row but no enterprises');
  return rows;
}

/** An open application a list may settle. */
export interface OpenApplication {
  id: string;
  enterpriseId: string;
  enterpriseName: string;
  creditCode: string;
  officerId: string | null;
  program: ApplicationProgram;
  year: number;
  batchId: string | null;
  stage: ApplicationStage;
  /** Within the year / batch the list is about. */
  inScope: boolean;
}

export interface MatchedRow {
  row: number;
  creditCode: string;
  /** The name as the list spells it (names change; the credit code decides). */
  name: string | null;
  applicationId: string;
  enterpriseId: string;
  enterpriseName: string;
  stage: ApplicationStage;
}
export interface MovedRow {
  row: number;
  applicationId: string;
  enterpriseId: string;
  from: ApplicationStage;
  to: ApplicationStage;
  certificateNo?: string;
  issuedAt?: string;
  registrationNo?: string;
}
export interface NotMovedRow {
  row: number;
  applicationId: string | null;
  reason: string;
}
export interface UnmatchedRow {
  row: number;
  creditCode: string | null;
  name: string | null;
  reason: string;
}
export interface NotMentionedApplication {
  applicationId: string;
  enterpriseId: string;
  enterpriseName: string;
  creditCode: string;
  program: ApplicationProgram;
  year: number;
  batchId: string | null;
  stage: ApplicationStage;
}

export interface ReconciliationOutcome {
  matched: MatchedRow[];
  moved: MovedRow[];
  notMoved: NotMovedRow[];
  unmatchedRows: UnmatchedRow[];
  notMentioned: NotMentionedApplication[];
}

/** A move to make through the normal transition rules. */
export interface PlannedMove {
  row: number;
  application: OpenApplication;
  to: ApplicationStage;
  certificateNo?: string;
  issuedAt?: string;
  registrationNo?: string;
}

export interface ReconcileInput {
  program: ReconciliationProgram;
  issuedAt: string | null;
  actor: Actor;
  rows: ListRow[];
  /** Open applications of the programme: those of the listed codes, and all in scope. */
  applications: OpenApplication[];
  /** Live enterprises' normalised credit codes (to tell "unknown" from "no open application"). */
  knownCodes: ReadonlySet<string>;
}

export function reconcile(input: ReconcileInput): { outcome: ReconciliationOutcome; moves: PlannedMove[] } {
  const outcome: ReconciliationOutcome = {
    matched: [],
    moved: [],
    notMoved: [],
    unmatchedRows: [],
    notMentioned: [],
  };
  const moves: PlannedMove[] = [];
  const byCode = new Map<string, OpenApplication[]>();
  for (const a of input.applications) byCode.set(a.creditCode, [...(byCode.get(a.creditCode) ?? []), a]);
  const settled = new Set<string>();
  const firstRow = new Map<string, number>();
  const target = TARGET[input.program];

  for (const r of input.rows) {
    const unmatched = (reason: string) =>
      outcome.unmatchedRows.push({ row: r.row, creditCode: r.creditCode, name: r.name, reason });
    if (!r.creditCode) {
      if (r.name || r.number) unmatched('no credit code in the row');
      continue; // a blank or a footnote line
    }
    const inspected = inspectCreditCode(r.creditCode);
    if (inspected.error) {
      unmatched(`not a credit code: ${inspected.error}`);
      continue;
    }
    const code = inspected.code;
    if (firstRow.has(code)) {
      outcome.notMoved.push({
        row: r.row,
        applicationId: null,
        reason: `repeats the credit code of row ${firstRow.get(code)}`,
      });
      continue;
    }
    firstRow.set(code, r.row);
    const candidates = byCode.get(code) ?? [];
    const app = candidates.find((a) => a.inScope);
    if (!app) {
      const other = candidates[0];
      unmatched(
        other
          ? `its open ${other.program} application is for ${other.year}${other.batchId ? ' (another batch)' : ''}, outside this list`
          : input.knownCodes.has(code)
            ? `the enterprise has no open ${input.program} application`
            : 'no enterprise with this credit code',
      );
      continue;
    }
    settled.add(app.id);
    outcome.matched.push({
      row: r.row,
      creditCode: code,
      name: r.name,
      applicationId: app.id,
      enterpriseId: app.enterpriseId,
      enterpriseName: app.enterpriseName,
      stage: app.stage,
    });
    const notMoved = (reason: string) => outcome.notMoved.push({ row: r.row, applicationId: app.id, reason });
    if (!canWriteEnterprise(input.actor, app.officerId)) {
      notMoved('the enterprise is assigned to another officer');
      continue;
    }
    const fields =
      target === 'certified'
        ? { certificateNo: r.number, issuedAt: input.issuedAt }
        : { registrationNo: r.number };
    const check = checkTransition(app.program, app.stage, target, fields);
    if (!check.ok) {
      notMoved(
        check.error === 'invalid_fields'
          ? check.fields.map((f) => `${f.field} ${f.message}`).join('; ')
          : `a ${app.program} application in ${app.stage} cannot move to ${target} (it may go to ${check.allowed.join(', ') || 'nothing'})`,
      );
      continue;
    }
    const move: PlannedMove = { row: r.row, application: app, to: target };
    if (target === 'certified') Object.assign(move, { certificateNo: r.number!, issuedAt: input.issuedAt! });
    else move.registrationNo = r.number!;
    moves.push(move);
    const { application: _a, ...shown } = move;
    outcome.moved.push({ ...shown, applicationId: app.id, enterpriseId: app.enterpriseId, from: app.stage });
  }

  for (const a of input.applications) {
    if (!a.inScope || settled.has(a.id)) continue;
    outcome.notMentioned.push({
      applicationId: a.id,
      enterpriseId: a.enterpriseId,
      enterpriseName: a.enterpriseName,
      creditCode: a.creditCode,
      program: a.program,
      year: a.year,
      batchId: a.batchId,
      stage: a.stage,
    });
  }
  return { outcome, moves };
}
