import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { isoUtc } from '../database/sql.js';

// An enterprise's timeline as one SQL statement: each source is a branch of a UNION ALL giving
// the same seven columns, and the page is cut by a keyset on (at DESC, kind, id), so sources
// merge in PostgreSQL rather than in JS and no page loses or repeats an entry.
//
// Every branch selects exactly:
//   at timestamptz (millisecond precision, as cursors carry it), kind text, id text (unique
//   within its kind), title text, detail jsonb, ref_type text, ref_id text
// and filters on the enterprise, `$1`.

const SERVICE_RECORDS = `
  SELECT r.at, 'service_record' AS kind, r.id::text AS id,
         (CASE r.kind WHEN 'visit' THEN '走访' WHEN 'call' THEN '电话' WHEN 'training' THEN '培训' ELSE '会议' END)
           || ' (' || r.kind || '): ' || left(r.summary, 80) AS title,
         jsonb_build_object('kind', r.kind, 'officerId', r.officer_id, 'summary', r.summary,
           'participants', to_jsonb(r.participants), 'problemsRaised', to_jsonb(r.problems_raised),
           'problemsSolved', to_jsonb(r.problems_solved)) AS detail,
         'serviceRecord' AS ref_type, r.id::text AS ref_id
    FROM service_records r
   WHERE r.enterprise_id = $1`;

// Contract created and status changes, from the audit trail (the service writes `create` and
// `transition` entries in the same transaction as the change).
const CONTRACT_EVENTS = `
  SELECT date_trunc('milliseconds', a.at), 'contract', 'audit:' || a.id,
         CASE a.action WHEN 'create' THEN 'Contract ' || c.contract_no || ' recorded (合同签订)'
           ELSE 'Contract ' || c.contract_no || ': ' || (a.changes->'status'->>0) || ' → ' || (a.changes->'status'->>1) END,
         jsonb_build_object('event', CASE a.action WHEN 'create' THEN 'created' ELSE 'status_changed' END,
           'contractNo', c.contract_no, 'from', a.changes->'status'->0, 'to', a.changes->'status'->1,
           'by', jsonb_build_object('type', a.actor_type, 'id', a.actor_id)),
         'contract', c.id::text
    FROM service_contracts c
    JOIN audit_entries a ON a.entity = 'contract' AND a.entity_id = c.id::text
   WHERE c.enterprise_id = $1 AND a.action IN ('create', 'transition')`;

// Items done, at the moment they were marked done (an item set back to pending leaves the timeline).
const CONTRACT_ITEMS_DONE = `
  SELECT i.done_at, 'contract', 'item:' || i.id,
         'Contract ' || c.contract_no || ' item done: ' || left(i.description, 80),
         jsonb_build_object('event', 'item_done', 'contractNo', c.contract_no, 'itemId', i.id,
           'description', i.description, 'criterion', i.criterion),
         'contract', c.id::text
    FROM service_contracts c
    JOIN contract_items i ON i.contract_id = c.id
   WHERE c.enterprise_id = $1 AND i.done_at IS NOT NULL`;

// A stored assessment is written only when the result changed, so each row is a change.
const READINESS = `
  SELECT ra.assessed_at, 'readiness', ra.id::text,
         'Readiness (' || ra.program || '): ' || coalesce(ra.previous_verdict, 'none') || ' → ' || ra.verdict,
         jsonb_build_object('program', ra.program, 'verdict', ra.verdict, 'previousVerdict', ra.previous_verdict,
           'score', jsonb_build_object('min', ra.score_min, 'max', ra.score_max), 'trigger', ra.trigger),
         'readinessAssessment', ra.id::text
    FROM readiness_assessments ra
   WHERE ra.enterprise_id = $1`;

// Application stage moves (申报 pipeline), with who moved it and the note.
const APPLICATION_TRANSITIONS = `
  SELECT t.at, 'application', t.id::text,
         'Application ' || ap.program || ' ' || ap.year || ': ' || coalesce(t.from_stage, 'new') || ' → ' || t.to_stage,
         jsonb_build_object('program', ap.program, 'year', ap.year, 'from', t.from_stage, 'to', t.to_stage,
           'note', t.note, 'by', jsonb_build_object('type', t.actor_type, 'id', t.actor_id)),
         'application', ap.id::text
    FROM application_transitions t
    JOIN applications ap ON ap.id = t.application_id
   WHERE ap.enterprise_id = $1`;

/** The sources, one UNION ALL branch each. */
export const TIMELINE_SOURCES: readonly string[] = [
  SERVICE_RECORDS,
  CONTRACT_EVENTS,
  CONTRACT_ITEMS_DONE,
  READINESS,
  APPLICATION_TRANSITIONS,
  // Next: reminders (kind 'reminder') once the reminder outbox exists; same seven columns, on $1.
];

const CURSOR = 'timeline';
const INSTANT = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

export interface TimelineRow {
  at: string;
  kind: string;
  id: string;
  title: string;
  detail: Record<string, unknown>;
  ref_type: string;
  ref_id: string;
}

/** The page's SQL and parameters; `limit + 1` rows are fetched to tell whether more exist. */
export function timelineQuery(
  enterpriseId: string,
  limit: number,
  cursor?: string,
): { text: string; values: unknown[] } {
  const values: unknown[] = [enterpriseId];
  let keyset = '';
  if (cursor) {
    const [at, kind, id] = decodeCursor(cursor, CURSOR, 3);
    // Checked here, so a tampered cursor is a 400 rather than a failed query.
    if (
      !INSTANT(at) ||
      typeof kind !== 'string' ||
      typeof id !== 'string' ||
      !/^[\x21-\x7e]{1,100}$/.test(id) ||
      !/^[\x21-\x7e]{1,50}$/.test(kind)
    ) {
      throw Problem.field('cursor', 'is not a cursor this API issued');
    }
    values.push(at, kind, id);
    keyset = `WHERE t.at < $2::timestamptz OR (t.at = $2::timestamptz AND (t.kind, t.id) > ($3::text, $4::text))`;
  }
  values.push(limit + 1);
  const text = `
    SELECT ${isoUtc('t.at')} AS at, t.kind, t.id, t.title, t.detail, t.ref_type, t.ref_id
      FROM (${TIMELINE_SOURCES.join('\n  UNION ALL\n')}) AS t (at, kind, id, title, detail, ref_type, ref_id)
     ${keyset}
     ORDER BY t.at DESC, t.kind, t.id
     LIMIT $${values.length}`;
  return { text, values };
}

export const timelineCursor = (row: Pick<TimelineRow, 'at' | 'kind' | 'id'>) =>
  encodeCursor(CURSOR, [row.at, row.kind, row.id]);
