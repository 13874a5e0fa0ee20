// What the rules refuse instead of guessing: the API turns these into a 400 naming every field.
// Missing figures are *not* errors (the criterion that needs one fails); out-of-range values are,
// and they are never clamped.

import { TECH_DOMAINS } from '../../enterprises/enterprise.constants.js';
import {
  COUNT_FIELDS,
  DIRECT_PASS_GROUNDS,
  GRADES,
  IP_ACQUISITIONS,
  IP_KINDS,
  IP_LICENSED,
  MONEY_FIELDS,
  RD_MANAGEMENT_ITEMS,
  READINESS_PROGRAMS,
  type RdManagementItem,
} from './constants.js';
import { parseIsoDate } from './dates.js';
import type { FieldError, InnovationProfile, IpAsset, ReadinessInput, YearFigures } from './types.js';

/** Thrown by the evaluators when {@link validateReadinessInput} finds errors; maps to a 400. */
export class ReadinessInputError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`invalid readiness input: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.name = 'ReadinessInputError';
  }
}

const isPresent = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;
const oneOf = (values: readonly string[]): string => values.join(', ');

/** Every problem with the input at once, as `{ field, message }` with paths like `years[0].revenue`. */
export function validateReadinessInput(input: ReadinessInput): FieldError[] {
  const errors: FieldError[] = [];
  if (isPresent(input.program) && !(READINESS_PROGRAMS as readonly string[]).includes(input.program)) {
    errors.push({ field: 'program', message: `must be one of ${oneOf(READINESS_PROGRAMS)}` });
  }
  if (parseIsoDate(input.assessmentDate) === null) {
    errors.push({ field: 'assessmentDate', message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (isPresent(input.registeredAt) && parseIsoDate(input.registeredAt) === null) {
    errors.push({ field: 'registeredAt', message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (isPresent(input.techDomain) && !(TECH_DOMAINS as readonly string[]).includes(input.techDomain)) {
    errors.push({ field: 'techDomain', message: `must be one of ${oneOf(TECH_DOMAINS)}` });
  }
  if (isPresent(input.noMajorIncident) && typeof input.noMajorIncident !== 'boolean') {
    errors.push({ field: 'noMajorIncident', message: 'must be a boolean' });
  }
  if (isPresent(input.directPass) && !(DIRECT_PASS_GROUNDS as readonly string[]).includes(input.directPass)) {
    errors.push({ field: 'directPass', message: `must be one of ${oneOf(DIRECT_PASS_GROUNDS)}` });
  }
  if (!Array.isArray(input.years)) {
    errors.push({ field: 'years', message: 'must be an array' });
  } else {
    const seen = new Set<number>();
    input.years.forEach((y, i) => {
      errors.push(...validateYearFigures(y, `years[${i}]`));
      if (Number.isInteger(y?.year)) {
        if (seen.has(y.year)) errors.push({ field: `years[${i}].year`, message: `duplicate year ${y.year}` });
        seen.add(y.year);
      }
    });
  }
  if (!Array.isArray(input.ipAssets)) {
    errors.push({ field: 'ipAssets', message: 'must be an array' });
  } else {
    input.ipAssets.forEach((item, i) => errors.push(...validateIpAsset(item, `ipAssets[${i}]`)));
  }
  if (isPresent(input.innovation)) errors.push(...validateInnovation(input.innovation));
  return errors;
}

export function validateYearFigures(y: YearFigures, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof y !== 'object' || y === null) return [{ field: path, message: 'must be an object' }];
  if (!Number.isInteger(y.year) || y.year < 1900 || y.year > 9999) {
    errors.push({ field: `${path}.year`, message: 'must be a four-digit year' });
  }
  for (const field of MONEY_FIELDS) {
    const v = y[field];
    if (!isPresent(v)) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      errors.push({ field: `${path}.${field}`, message: 'must be a number of yuan' });
    } else if (field !== 'netAssets' && v < 0) {
      errors.push({ field: `${path}.${field}`, message: 'must not be negative' });
    } else if (Math.abs(v * 100 - Math.round(v * 100)) > 1e-6 * Math.max(1, Math.abs(v))) {
      errors.push({ field: `${path}.${field}`, message: 'must have at most two decimals (yuan and fen)' });
    }
  }
  for (const field of COUNT_FIELDS) {
    const v = y[field];
    if (!isPresent(v)) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      errors.push({ field: `${path}.${field}`, message: 'must be a whole number ≥ 0' });
    }
  }
  const n = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (n(y.rdExpense) && n(y.rdExpenseDomestic) && y.rdExpenseDomestic > y.rdExpense) {
    errors.push({ field: `${path}.rdExpenseDomestic`, message: 'must not exceed rdExpense' });
  }
  if (n(y.employees) && n(y.techStaff) && y.techStaff > y.employees) {
    errors.push({ field: `${path}.techStaff`, message: 'must not exceed employees' });
  }
  return errors;
}

export function validateIpAsset(item: IpAsset, path: string): FieldError[] {
  if (typeof item !== 'object' || item === null) return [{ field: path, message: 'must be an object' }];
  const errors: FieldError[] = [];
  if (!(IP_KINDS as readonly string[]).includes(item.kind)) {
    errors.push({ field: `${path}.kind`, message: `must be one of ${oneOf(IP_KINDS)}` });
  }
  const holdings: readonly string[] = [...IP_ACQUISITIONS, IP_LICENSED];
  if (isPresent(item.acquisition) && !holdings.includes(item.acquisition)) {
    errors.push({ field: `${path}.acquisition`, message: `must be one of ${oneOf(IP_ACQUISITIONS)}` });
  }
  const granted = parseIsoDate(item.grantedAt);
  const expires = parseIsoDate(item.expiresAt);
  if (isPresent(item.grantedAt) && granted === null) {
    errors.push({ field: `${path}.grantedAt`, message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (isPresent(item.expiresAt) && expires === null) {
    errors.push({ field: `${path}.expiresAt`, message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (granted !== null && expires !== null && expires < granted) {
    errors.push({ field: `${path}.expiresAt`, message: 'must not be before grantedAt' });
  }
  if (isPresent(item.usedInCertification) && typeof item.usedInCertification !== 'boolean') {
    errors.push({ field: `${path}.usedInCertification`, message: 'must be a boolean' });
  }
  return errors;
}

/** Grades A–E and the R&D management points in their ranges (0–6, 0–6, 0–4, 0–4, whole numbers). */
export function validateInnovation(innovation: InnovationProfile, path = 'innovation'): FieldError[] {
  if (typeof innovation !== 'object' || innovation === null) {
    return [{ field: path, message: 'must be an object' }];
  }
  const errors: FieldError[] = [];
  for (const field of ['techAdvancement', 'coreSupport'] as const) {
    const v = innovation[field];
    if (isPresent(v) && !(GRADES as readonly string[]).includes(v)) {
      errors.push({ field: `${path}.${field}`, message: `must be one of ${oneOf(GRADES)}` });
    }
  }
  if (
    isPresent(innovation.standardsParticipation) &&
    typeof innovation.standardsParticipation !== 'boolean'
  ) {
    errors.push({ field: `${path}.standardsParticipation`, message: 'must be a boolean' });
  }
  const rd = innovation.rdManagement;
  if (isPresent(rd)) {
    if (typeof rd !== 'object') {
      errors.push({ field: `${path}.rdManagement`, message: 'must be an object' });
    } else {
      for (const item of Object.keys(RD_MANAGEMENT_ITEMS) as RdManagementItem[]) {
        const v = rd[item];
        const max = RD_MANAGEMENT_ITEMS[item];
        if (isPresent(v) && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)) {
          errors.push({
            field: `${path}.rdManagement.${item}`,
            message: `must be a whole number from 0 to ${max}`,
          });
        }
      }
    }
  }
  return errors;
}
