import { UUID } from '../common/validators.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { isoUtc, statementName } from '../database/sql.js';
import type { EnterpriseQuery, EnterpriseView } from './dto/enterprise.dto.js';

// The enterprise list as SQL: a pure function of the query, shared by the service and the
// search benchmark, so what is measured is what is served.

/** Each field of the API's enterprise view and the SQL that reads it: one list for every query. */
const VIEW_COLUMNS: Record<keyof EnterpriseView, string> = {
  id: 'id',
  name: 'name',
  creditCode: 'credit_code',
  creditCodeWarning: 'credit_code_warning',
  registeredAt: 'registered_at',
  street: 'street',
  industry: 'industry',
  techDomain: 'tech_domain',
  contactName: 'contact_name',
  contactEmail: 'contact_email',
  contactPhone: 'contact_phone',
  officerId: 'officer_id',
  status: 'status',
  tier: 'tier',
  remindersEnabled: 'reminders_enabled',
  tags: 'tags',
  readinessVerdict: 'readiness_verdict',
  readinessScoreMin: 'readiness_score_min',
  readinessScoreMax: 'readiness_score_max',
  version: 'version',
  createdAt: isoUtc('created_at'),
  updatedAt: isoUtc('updated_at'),
};

export const ENTERPRISE_VIEW_FIELDS = Object.keys(VIEW_COLUMNS) as (keyof EnterpriseView)[];

// Aliased to the API's camelCase, so rows go out without a mapping step.
export const ENTERPRISE_COLUMNS = Object.entries(VIEW_COLUMNS)
  .map(([field, sql]) => (sql === field ? sql : `${sql} AS "${field}"`))
  .join(', ');

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');

// A cursor's keys exactly as list() writes them: a tampered one would otherwise reach
// PostgreSQL as a bad uuid or timestamp, and come back as a 500.
function cursorId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notIssued();
  return value;
}
function cursorInstant(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value)
    throw notIssued();
  return value;
}

const SCORE = 'coalesce(readiness_score_min, -1)';

export interface ListQuery {
  text: string;
  values: unknown[];
  /** A prepared-statement name, or undefined to plan the query each time. */
  name: string | undefined;
  cursorOf: (row: EnterpriseView) => string;
}

export function enterpriseListQuery(query: EnterpriseQuery): ListQuery {
  const where = ['deleted_at IS NULL'];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.status) where.push(`status = ${param(query.status)}`);
  if (query.tier) where.push(`tier = ${param(query.tier)}`);
  if (query.techDomain) where.push(`tech_domain = ${param(query.techDomain)}`);
  if (query.officerId) where.push(`officer_id = ${param(query.officerId)}`);
  if (query.street) where.push(`street = ${param(query.street)}`);
  if (query.updatedSince) where.push(`updated_at >= ${param(query.updatedSince)}`);
  if (query.readiness) where.push(`readiness_verdict = ${param(query.readiness)}`);
  if (query.q) where.push(searchCondition(query.q, param));

  const sort = query.updatedSince ? 'updatedAt' : (query.sort ?? 'id');
  let order: string;
  if (sort === 'id') {
    order = 'id';
    if (query.cursor) where.push(`id > ${param(cursorId(decodeCursor(query.cursor, sort, 1)[0]))}`);
  } else if (sort === 'scoreMin' || sort === '-scoreMin') {
    // Matches the index on (coalesce(readiness_score_min, -1), id): unassessed sort as -1.
    const desc = sort === '-scoreMin';
    order = desc ? `${SCORE} DESC, id DESC` : `${SCORE}, id`;
    if (query.cursor) {
      const [rawScore, rawId] = decodeCursor(query.cursor, sort, 2);
      if (!Number.isInteger(rawScore)) throw notIssued();
      where.push(`(${SCORE}, id) ${desc ? '<' : '>'} (${param(rawScore)}::int, ${param(cursorId(rawId))})`);
    }
  } else {
    const desc = sort.startsWith('-');
    order = desc ? 'updated_at DESC, id DESC' : 'updated_at, id';
    if (query.cursor) {
      const [rawAt, rawId] = decodeCursor(query.cursor, sort, 2);
      const [at, id] = [cursorInstant(rawAt), cursorId(rawId)];
      where.push(`(updated_at, id) ${desc ? '<' : '>'} (${param(at)}, ${param(id)})`);
    }
  }
  const text = `SELECT ${ENTERPRISE_COLUMNS} FROM enterprises WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(query.limit + 1)}`;
  // Filter-only lists have few shapes: prepare them. A search is planned per query, since
  // the best plan depends on the term (a rare one: the index; a common one: the id order).
  const name = query.q ? undefined : statementName(text);
  const cursorOf = (row: EnterpriseView) =>
    sort === 'id'
      ? encodeCursor(sort, [row.id])
      : sort === 'scoreMin' || sort === '-scoreMin'
        ? encodeCursor(sort, [row.readinessScoreMin ?? -1, row.id])
        : encodeCursor(sort, [row.updatedAt, row.id]);
  return { text, values: params, name, cursorOf };
}

/**
 * Substring search on the name, and on the credit code when the term could be part of one.
 * pg_trgm's GIN index serves 3+ characters; it extracts nothing from 1–2, which is how
 * people search Chinese names (鑫源, 泵业), so those go through the name_ngrams() index.
 */
function searchCondition(term: string, param: (v: unknown) => string): string {
  const pattern = param(`%${likeEscape(term)}%`);
  if ([...term].length <= 2)
    return `name_ngrams(name) @> ARRAY[lower(${param(term)})] AND name ILIKE ${pattern}`;
  if (/^[0-9A-Za-z]+$/.test(term)) {
    return `(name ILIKE ${pattern} OR credit_code LIKE ${param(`%${likeEscape(term.toUpperCase())}%`)})`;
  }
  return `name ILIKE ${pattern}`;
}
