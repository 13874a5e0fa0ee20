// The district overview (全区统计概览): what each figure counts, in one place. The SQL is the
// definition; README.md repeats it in words. Pure helpers below take values and return values.

export const OVERVIEW_METRICS = [
  'contractsSigned',
  'hnteApplicants',
  'hnteNewlyCertified',
  'hnteInForce',
  'tsmeRegistered',
  'poolPriority',
  'poolMediumTerm',
  'tracking',
  'openDemands',
  'serviceRecords',
] as const;
export type OverviewMetric = (typeof OVERVIEW_METRICS)[number];

export interface MetricDefinition {
  /** The bureau's name for it, for the workbook. */
  label: string;
  /** What is counted, in a line, for the workbook and the OpenAPI description. */
  counts: string;
  /**
   * A count for the year. Parameters: $1 the year, $2 APP_TIMEZONE, $3 the as-of date (31 December,
   * or today in the current year). Children of deleted enterprises never count. Null when
   * `currentOnly` and the year is not the current one.
   */
  sql: string;
  /** A snapshot of today that history cannot rebuild: no previous year, no other year. */
  currentOnly?: boolean;
}

const LIVE = 'JOIN enterprises e ON e.id = x.enterprise_id AND e.deleted_at IS NULL';
/** [start of 1 January, start of 1 January next year) in APP_TIMEZONE. */
const IN_YEAR = (column: string) =>
  `${column} >= (make_date($1::int, 1, 1)::timestamp AT TIME ZONE $2::text) AND ${column} < (make_date($1::int + 1, 1, 1)::timestamp AT TIME ZONE $2::text)`;

export const METRICS: Record<OverviewMetric, MetricDefinition> = {
  contractsSigned: {
    label: '签订科技服务合同',
    counts: 'service contracts whose signedAt is in the year (any status)',
    sql: `SELECT count(*) FROM service_contracts x ${LIVE} WHERE extract(year FROM x.signed_at) = $1::int`,
  },
  hnteApplicants: {
    label: '高企申报企业',
    counts: 'enterprises with an hnte or hnte_recert application for the year, not withdrawn',
    sql: `SELECT count(DISTINCT x.enterprise_id) FROM applications x ${LIVE}
           WHERE x.program IN ('hnte', 'hnte_recert') AND x.year = $1::int AND x.stage <> 'withdrawn'`,
  },
  hnteNewlyCertified: {
    label: '新认定高企',
    counts: 'enterprises certified (hnte or hnte_recert) with issuedAt in the year',
    sql: `SELECT count(DISTINCT x.enterprise_id) FROM applications x ${LIVE}
           WHERE x.program IN ('hnte', 'hnte_recert') AND x.stage = 'certified' AND extract(year FROM x.issued_at) = $1::int`,
  },
  hnteInForce: {
    label: '有效期内高企',
    counts:
      'enterprises holding a certificate valid on the as-of date (31 December; today in the current year)',
    sql: `SELECT count(DISTINCT x.enterprise_id) FROM applications x ${LIVE}
           WHERE x.program IN ('hnte', 'hnte_recert') AND x.stage = 'certified'
             AND x.issued_at <= $3::date AND x.valid_until >= $3::date`,
  },
  tsmeRegistered: {
    label: '科技型中小企业入库',
    counts: 'enterprises registered as tech-based SMEs (tech_sme, registered) for the year',
    sql: `SELECT count(DISTINCT x.enterprise_id) FROM applications x ${LIVE}
           WHERE x.program = 'tech_sme' AND x.stage = 'registered' AND x.year = $1::int`,
  },
  poolPriority: {
    label: '培育库（重点）',
    counts:
      'enterprises now in the cultivation pool’s priority tier (a snapshot of today: current year only)',
    sql: `SELECT count(*) FROM enterprises WHERE deleted_at IS NULL AND tier = 'priority'`,
    currentOnly: true,
  },
  poolMediumTerm: {
    label: '培育库（中长期）',
    counts:
      'enterprises now in the cultivation pool’s medium-term tier (a snapshot of today: current year only)',
    sql: `SELECT count(*) FROM enterprises WHERE deleted_at IS NULL AND tier = 'medium_term'`,
    currentOnly: true,
  },
  tracking: {
    label: '挂号跟踪',
    counts: 'follow-ups (挂号跟踪) registered in the year, whatever their status now',
    sql: `SELECT count(*) FROM trackings x ${LIVE} WHERE ${IN_YEAR('x.created_at')}`,
  },
  openDemands: {
    label: '待对接需求',
    counts: 'demands open on the as-of date, by their status history',
    sql: `SELECT count(*) FROM demands x ${LIVE}
           WHERE (SELECT t.to_status FROM demand_transitions t
                   WHERE t.demand_id = x.id AND t.at < (($3::date + 1)::timestamp AT TIME ZONE $2::text)
                   ORDER BY t.at DESC, t.id DESC LIMIT 1) = 'open'`,
  },
  serviceRecords: {
    label: '走访服务',
    counts: 'service records (走访: visits, calls, trainings, meetings) dated in the year',
    sql: `SELECT count(*) FROM service_records x ${LIVE} WHERE ${IN_YEAR('x.at')}`,
  },
};

/** The day snapshot figures are taken on: 31 December, or today while the year runs. */
export function asOfDate(year: number, today: string): string {
  return Number(today.slice(0, 4)) === year ? today : `${String(year).padStart(4, '0')}-12-31`;
}

// `|| 0` turns a -0 (a tiny fall rounded away) into 0.
const round1 = (x: number) => Math.round(x * 10) / 10 || 0;

/** Percent change on the previous year to one decimal; null when there is nothing to compare with. */
export function changePct(value: number | null, previous: number | null): number | null {
  if (value === null || previous === null || previous === 0) return null;
  return round1(((value - previous) / previous) * 100);
}

/** Percent of the target reached, to one decimal; null without a (non-zero) target. */
export function progressPct(value: number | null, target: number | null): number | null {
  if (value === null || target === null || target === 0) return null;
  return round1((value / target) * 100);
}

/** One figure of the overview. */
export interface MetricFigure {
  value: number | null;
  previous: number | null;
  changePct: number | null;
  target: number | null;
  progressPct: number | null;
}

export function figure(value: number | null, previous: number | null, target: number | null): MetricFigure {
  return {
    value,
    previous,
    changePct: changePct(value, previous),
    target,
    progressPct: progressPct(value, target),
  };
}
