// What an import would do, row by row, decided without storage: which rows create an
// enterprise, which update one (and which fields), and what is wrong with the rest. Every row
// goes through the API's own DTO and validators, so a file can hold nothing the API refuses.
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { canWriteEnterprise, type Actor } from '../auth/actor.js';
import { Problem, type FieldError } from '../common/problem.js';
import { flattenErrors } from '../common/validation.pipe.js';
import { inspectCreditCode } from '../enterprises/credit-code.js';
import { CreateEnterpriseDto, UpdateEnterpriseDto } from '../enterprises/dto/enterprise.dto.js';
import { newEnterpriseValues, type EnterpriseValues } from '../enterprises/enterprise-values.js';
import { columnOf, COLUMN_LABELS, fieldValue, isReadOnly, type ImportedField } from './columns.js';
import type { Sheet } from './spreadsheet.js';

/** One problem with one row, `row` as the spreadsheet shows it. */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** A row read from the file: the JSON body the API would have received. */
export interface InputRow {
  row: number;
  input: Record<string, unknown>;
  /** The normalised credit code when the cell holds one that could match. */
  code?: string;
}


export const VALUE_FIELDS: (keyof EnterpriseValues)[] = [
  'name',
  'creditCode',
  'creditCodeWarning',
  'registeredAt',
  'street',
  'industry',
  'techDomain',
  'contactName',
  'contactEmail',
  'contactPhone',
  'officerId',
  'status',
  'statusManual',
  'tier',
  'remindersEnabled',
  'tags',
];

export interface ExistingEnterprise extends EnterpriseValues {
  id: string;
  version: number;
}

export interface PlannedCreate {
  row: number;
  values: EnterpriseValues;
}

export interface PlannedUpdate {
  row: number;
  id: string;
  before: EnterpriseValues;
  after: EnterpriseValues;
  /** The API fields that change (what enterprise.updated announces). */
  fields: string[];
}

export interface ImportPlan {
  total: number;
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  /** Rows that match an enterprise and change nothing. */
  unchanged: number;
  errors: RowError[];
}

const NUL = '\u0000';

/**
 * Maps the header row to fields and each data row to an API body. A header that names no
 * field, or names one twice, refuses the whole file (400): guessing would put data in the
 * wrong place. Export-only columns (ID, 更新时间, …) are recognised and ignored.
 */
export function readInputRows(sheet: Sheet): { rows: InputRow[]; errors: RowError[] } {
  const fields: (ImportedField | undefined)[] = [];
  const problems: FieldError[] = [];
  const seen = new Map<string, number>();
  sheet.header.cells.forEach((header, i) => {
    const letter = columnLetter(i);
    if (header === undefined) {
      fields.push(undefined);
      return;
    }
    const column = columnOf(header);
    if (!column) {
      problems.push({ field: 'file', message: `column ${letter} “${header}” is not an enterprise field` });
    } else if (seen.has(column)) {
      problems.push({
        field: 'file',
        message: `columns ${columnLetter(seen.get(column)!)} and ${letter} both hold ${column}`,
      });
    } else {
      seen.set(column, i);
    }
    fields.push(column && !isReadOnly(column) ? column : undefined);
  });
  if (!seen.has('creditCode')) {
    problems.push({
      field: 'file',
      message: `has no ${COLUMN_LABELS.creditCode[0]} (creditCode) column: rows are matched by it`,
    });
  }
  if (problems.length > 0) {
    throw Problem.validation(
      problems,
      `The header row (row ${sheet.header.row}) does not describe enterprises.`,
    );
  }

  const rows: InputRow[] = [];
  const errors: RowError[] = [];
  for (const { row, cells } of sheet.rows) {
    const input: Record<string, unknown> = {};
    let bad = false;
    cells.forEach((text, i) => {
      const field = fields[i];
      if (!field || text === undefined) return;
      if (text.includes(NUL)) {
        errors.push({ row, field, message: 'must not contain the NUL character (U+0000)' });
        bad = true;
        return;
      }
      input[field] = fieldValue(field, text);
    });
    if (bad) continue;
    const raw = input.creditCode;
    const inspected = typeof raw === 'string' ? inspectCreditCode(raw) : undefined;
    rows.push({ row, input, code: inspected && !inspected.error ? inspected.code : undefined });
  }
  return { rows, errors };
}

export interface PlanContext {
  actor: Actor;
  /** Live enterprises by normalised credit code. */
  existing: ReadonlyMap<string, ExistingEnterprise>;
  /** Ids of users an enterprise may be assigned to (active officers and admins). */
  assignable: ReadonlySet<string>;
}

const VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

export function planImport(rows: InputRow[], errorsSoFar: RowError[], ctx: PlanContext): ImportPlan {
  const plan: ImportPlan = { total: 0, creates: [], updates: [], unchanged: 0, errors: [...errorsSoFar] };
  const failedRows = new Set(errorsSoFar.map((e) => e.row));
  plan.total = rows.length + failedRows.size;
  const firstRowOf = new Map<string, number>();
  for (const { row, input, code } of rows) {
    const fail = (field: string, message: string) => plan.errors.push({ row, field, message });
    const existing = code ? ctx.existing.get(code) : undefined;
    // A code stored with a warning was confirmed once; matching it again needs no second confirmation.
    if (existing?.creditCodeWarning && input.creditCodeConfirmed === undefined)
      input.creditCodeConfirmed = true;
    const dto = plainToInstance(
      existing ? UpdateEnterpriseDto : CreateEnterpriseDto,
      input,
    ) as CreateEnterpriseDto;
    const invalid = flattenErrors(validateSync(dto, VALIDATION));
    if (invalid.length > 0) {
      for (const e of invalid) fail(e.field, e.message);
      continue;
    }
    if (code) {
      const first = firstRowOf.get(code);
      if (first !== undefined) {
        fail('creditCode', `repeats the credit code of row ${first}`);
        continue;
      }
      firstRowOf.set(code, row);
    }
    const officerChanges = dto.officerId !== undefined && dto.officerId !== (existing?.officerId ?? null);
    if (officerChanges && dto.officerId && !ctx.assignable.has(dto.officerId)) {
      fail('officerId', 'must be an active officer or admin');
      continue;
    }
    if (!existing) {
      if (!canWriteEnterprise(ctx.actor, dto.officerId ?? null)) {
        fail('officerId', 'officers create enterprises for themselves or unassigned');
        continue;
      }
      const inspected = inspectCreditCode(dto.creditCode);
      plan.creates.push({
        row,
        values: newEnterpriseValues(dto, { code: inspected.code, warning: inspected.checkFailed === true }),
      });
      continue;
    }
    if (!canWriteEnterprise(ctx.actor, existing.officerId)) {
      fail('creditCode', 'this enterprise is assigned to another officer');
      continue;
    }
    if (officerChanges && !canWriteEnterprise(ctx.actor, dto.officerId ?? null)) {
      fail('officerId', 'officers assign enterprises to themselves or leave them unassigned');
      continue;
    }
    const { id: _id, version: _version, ...before } = existing;
    const after: EnterpriseValues = { ...before, tags: [...before.tags] };
    const fields: string[] = [];
    // Empty cells leave a field as it is: an import fills in and corrects, it does not clear.
    for (const field of UPDATABLE) {
      const value = (dto as unknown as Record<string, unknown>)[field];
      if (value === undefined || same(value, before[field])) continue;
      (after as unknown as Record<string, unknown>)[field] = value;
      fields.push(field);
    }
    if (fields.length === 0) {
      plan.unchanged++;
      continue;
    }
    // As PATCH does: a status a person sets stays until a person changes it.
    if (fields.includes('status')) after.statusManual = true;
    plan.updates.push({ row, id: existing.id, before, after, fields });
  }
  plan.errors.sort((a, b) => a.row - b.row);
  return plan;
}

/** What a matching row may change; the credit code is the match key and stays. */
const UPDATABLE: (keyof EnterpriseValues)[] = [
  'name',
  'registeredAt',
  'street',
  'industry',
  'techDomain',
  'contactName',
  'contactEmail',
  'contactPhone',
  'officerId',
  'status',
  'tier',
  'remindersEnabled',
  'tags',
];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A, B, …, Z, AA, … as the spreadsheet labels column `index` (0-based). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}
