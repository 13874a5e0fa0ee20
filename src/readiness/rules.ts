// Readiness rules (认定条件自评): pure functions from a profile to a verdict, criteria, score
// range and gaps. No Nest, no ORM, no clock — the caller supplies `assessmentDate` ("today").
// The rules themselves live in ./rules/; this module is the one entry point to import.

import { evaluateHnte } from './rules/hnte.js';
import { evaluateTechSme } from './rules/tsme.js';
import type { ReadinessInput, ReadinessResult } from './rules/types.js';

export * from './rules/constants.js';
export * from './rules/types.js';
export {
  addDays,
  daysBetween,
  formatIsoDate,
  isIsoDate,
  operatingYears,
  parseIsoDate,
  windowYears,
  yearOf,
} from './rules/dates.js';
export {
  ceilDiv,
  ceilToYuan,
  floorRatio4,
  formatBp,
  formatFen,
  formatRatio,
  formatYuan,
  partToAdd,
  ratioAtLeast,
  staffToAdd,
  toFen,
} from './rules/numbers.js';
export {
  countIpClasses,
  hnteIpQuantityPoints,
  ipClass,
  ipValidity,
  isValidIp,
  tsmeIpPoints,
  type IpCounts,
  type IpInvalidReason,
  type IpProgram,
  type IpValidity,
} from './rules/ip.js';
export {
  gradePoints,
  growthPoints,
  growthPointsExact,
  growthRate,
  rdManagementPoints,
  transformationPoints,
  tsmeRdPoints,
  tsmeStaffPoints,
  type GrowthResult,
} from './rules/scores.js';
export { buildPeriod, type Period } from './rules/period.js';
export { evaluateHnte, hnteScore, hnteVerdict, rdBracketBp, type HnteScore } from './rules/hnte.js';
export { evaluateTechSme } from './rules/tsme.js';
export {
  ReadinessInputError,
  validateInnovation,
  validateIpAsset,
  validateReadinessInput,
  validateYearFigures,
} from './rules/validate.js';

/**
 * Evaluates `input` under its programme (`hnte` by default, or `tech_sme`). Missing figures make
 * the criteria that need them fail with a message; invalid input (a negative amount, a grade
 * outside A–E, an R&D management point out of range, …) throws {@link ReadinessInputError},
 * whose `errors` are the 400's `[{ field, message }]`.
 */
export function evaluateReadiness(input: ReadinessInput): ReadinessResult {
  return input.program === 'tech_sme' ? evaluateTechSme(input) : evaluateHnte(input);
}
