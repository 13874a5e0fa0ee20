// The half-year demand report (每半年梳理汇总) as plain functions: counts by kind, status, domain and
// street for a period and the one before, every known value present. No Nest, no ORM, no clock.
import { DEMAND_KINDS, DEMAND_STATUSES } from '../demands/demand.rules.js';
import { TECH_DOMAINS } from '../enterprises/enterprise.constants.js';

/** Where an unset domain or street is counted. */
export const UNKNOWN = 'unknown';

export type Counts = Record<string, number>;

export interface Totals {
  byKind: Counts;
  byStatus: Counts;
  byDomain: Counts;
  byStreet: Counts;
}

export const TOTAL_KEYS = ['byKind', 'byStatus', 'byDomain', 'byStreet'] as const;

/** What the report counts of each demand. */
export interface ReportedDemand {
  kind: string;
  status: string;
  techDomain: string | null;
  street: string | null;
}

export interface DemandReport<Item extends ReportedDemand = ReportedDemand> {
  period: string;
  totals: Totals;
  previous: { period: string; totals: Totals };
  /** This period minus the previous one, per value. */
  change: Totals;
  items: Item[];
}

/** Counts of the values that occur (no zeros): the raw material both periods are aligned from. */
export function countDemands(items: readonly ReportedDemand[]): Totals {
  const totals: Totals = { byKind: {}, byStatus: {}, byDomain: {}, byStreet: {} };
  const add = (counts: Counts, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const d of items) {
    add(totals.byKind, d.kind);
    add(totals.byStatus, d.status);
    add(totals.byDomain, d.techDomain ?? UNKNOWN);
    add(totals.byStreet, d.street?.trim() ? d.street : UNKNOWN);
  }
  return totals;
}

/** Values with a count above zero: a stored report's zeros do not make a value "known" again. */
const occurring = (counts: Counts) => Object.keys(counts).filter((k) => counts[k] > 0);

const byChinese = (a: string, b: string) => a.localeCompare(b, 'zh-Hans-CN');

/**
 * The keys each `by…` lists, in display order: every kind and status; every domain of the
 * catalogue; the streets occurring in either period (by their Chinese collation); and "unknown"
 * last for domain and street.
 */
export function knownValues(
  current: Totals,
  previous: Totals,
): Record<(typeof TOTAL_KEYS)[number], string[]> {
  const streets = new Set([...occurring(current.byStreet), ...occurring(previous.byStreet)]);
  streets.delete(UNKNOWN);
  const extraDomains = [...occurring(current.byDomain), ...occurring(previous.byDomain)].filter(
    (d) => d !== UNKNOWN && !(TECH_DOMAINS as readonly string[]).includes(d),
  );
  return {
    byKind: [...DEMAND_KINDS],
    byStatus: [...DEMAND_STATUSES],
    byDomain: [...TECH_DOMAINS, ...new Set(extraDomains), UNKNOWN],
    byStreet: [...[...streets].sort(byChinese), UNKNOWN],
  };
}

const pick = (counts: Counts, keys: readonly string[]): Counts =>
  Object.fromEntries(keys.map((k) => [k, counts[k] ?? 0]));

/**
 * The report of `period` from its demands, against the previous period's counts (from its
 * demands, or from its frozen report).
 */
export function buildDemandReport<Item extends ReportedDemand>(
  period: string,
  items: Item[],
  previous: { period: string; totals: Totals },
): DemandReport<Item> {
  const current = countDemands(items);
  const keys = knownValues(current, previous.totals);
  const totals = {} as Totals;
  const before = {} as Totals;
  const change = {} as Totals;
  for (const key of TOTAL_KEYS) {
    totals[key] = pick(current[key], keys[key]);
    before[key] = pick(previous.totals[key], keys[key]);
    change[key] = Object.fromEntries(keys[key].map((k) => [k, totals[key][k] - before[key][k]]));
  }
  return { period, totals, previous: { period: previous.period, totals: before }, change, items };
}
