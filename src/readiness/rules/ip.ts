// Which IP items count (知识产权有效性) and how many points they bring.

import { IP_KIND_CLASSES, IP_KIND_NAMES, IP_LICENSED, type IpClass, type IpKind } from './constants.js';
import { parseIsoDate } from './dates.js';
import type { IpAsset, ScoreRange } from './types.js';

export type IpProgram = 'hnte' | 'tech_sme';

export type IpInvalidReason =
  | 'not_counting_kind'
  | 'no_grant_date'
  | 'not_yet_granted'
  | 'expired'
  | 'licensed'
  | 'used_in_certification';

export type IpValidity = { valid: true } | { valid: false; reason: IpInvalidReason; message: string };

/** Class I, Class II, or `null` for a kind that does not count (trademarks). */
export function ipClass(kind: IpKind): IpClass | null {
  return IP_KIND_CLASSES[kind] ?? null;
}

/**
 * Whether an item counts on `assessmentDate`: a counting kind, granted on or before the date,
 * not expired (the expiry day still counts), owned (not licensed) and — for HNTE only — not a
 * Class II item already used in an earlier certification. An item with no `acquisition` is
 * taken as owned: every acquisition value the API accepts is a way of owning.
 */
export function ipValidity(item: IpAsset, assessmentDate: string, program: IpProgram = 'hnte'): IpValidity {
  const cls = ipClass(item.kind);
  const label = `${item.kind} (${IP_KIND_NAMES[item.kind] ?? item.kind})`;
  if (cls === null) return invalid('not_counting_kind', `${label} does not count as core IP`);
  const today = parseIsoDate(assessmentDate);
  const granted = parseIsoDate(item.grantedAt);
  if (granted === null) return invalid('no_grant_date', `${label} has no grant date`);
  if (today === null || granted > today) {
    return invalid('not_yet_granted', `${label} is granted on ${item.grantedAt}, after ${assessmentDate}`);
  }
  const expires = parseIsoDate(item.expiresAt);
  if (expires !== null && today > expires) return invalid('expired', `${label} expired on ${item.expiresAt}`);
  if (item.acquisition === IP_LICENSED) return invalid('licensed', `${label} is licensed, not owned`);
  if (program === 'hnte' && cls === 'II' && item.usedInCertification === true) {
    return invalid(
      'used_in_certification',
      `${label} (Class II) was already used in an earlier HNTE certification`,
    );
  }
  return { valid: true };
}

export function isValidIp(item: IpAsset, assessmentDate: string, program: IpProgram = 'hnte'): boolean {
  return ipValidity(item, assessmentDate, program).valid;
}

export interface IpCounts {
  classI: number;
  classII: number;
}

export function countIpClasses(items: readonly IpAsset[]): IpCounts {
  let classI = 0;
  let classII = 0;
  for (const item of items) {
    const cls = ipClass(item.kind);
    if (cls === 'I') classI++;
    else if (cls === 'II') classII++;
  }
  return { classI, classII };
}

/** HNTE quantity item: any Class I → 7–8; else Class II ≥ 5 → 5–6, 3–4 → 3–4, 1–2 → 1–2; none → 0. */
export function hnteIpQuantityPoints(counts: IpCounts): ScoreRange {
  if (counts.classI > 0) return { min: 7, max: 8 };
  if (counts.classII >= 5) return { min: 5, max: 6 };
  if (counts.classII >= 3) return { min: 3, max: 4 };
  if (counts.classII >= 1) return { min: 1, max: 2 };
  return { min: 0, max: 0 };
}

/** Tech-based SME IP points: any Class I → 30; Class II ≥ 4 → 24, 3 → 18, 2 → 12, 1 → 6; none → 0. */
export function tsmeIpPoints(counts: IpCounts): number {
  if (counts.classI > 0) return 30;
  return Math.min(counts.classII, 4) * 6;
}

function invalid(reason: IpInvalidReason, message: string): IpValidity {
  return { valid: false, reason, message };
}
