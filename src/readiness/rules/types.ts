// Input and reply shapes of the readiness rules (API.md, "Readiness evaluation").

import type { TechDomain } from '../../enterprises/enterprise.constants.js';
import type {
  DirectPassGround,
  Grade,
  HnteCriterionCode,
  HnteScoreBlock,
  IpHolding,
  IpKind,
  ReadinessProgram,
  RdManagementItem,
  TsmeCriterionCode,
  TsmeScoreBlock,
} from './constants.js';

/**
 * Figures of one accounting year. Money is yuan (≤ 2 decimals); counts are whole numbers.
 * Any figure may be missing: a criterion that needs it fails and names the year and field.
 */
export interface YearFigures {
  year: number;
  revenue?: number | null;
  /** Defaults to `revenue`. */
  totalIncome?: number | null;
  highTechRevenue?: number | null;
  rdExpense?: number | null;
  rdExpenseDomestic?: number | null;
  /** May be negative. */
  netAssets?: number | null;
  /** tech_sme only. */
  totalAssets?: number | null;
  /** tech_sme only: 成本费用总额. */
  totalCostExpense?: number | null;
  employees?: number | null;
  techStaff?: number | null;
  achievementsTransformed?: number | null;
}

export interface IpAsset {
  kind: IpKind;
  /** Counts from this day (inclusive). An item without a grant date does not count. */
  grantedAt?: string | null;
  /** Counts through this day (inclusive). Absent means it does not expire within view. */
  expiresAt?: string | null;
  /** `licensed` means not owned: it never counts. Absent is taken as owned (see `ipValidity`). */
  acquisition?: IpHolding | null;
  /** A Class II item already relied on by a certified HNTE application. */
  usedInCertification?: boolean | null;
}

export type RdManagement = { [K in RdManagementItem]?: number | null };

export interface InnovationProfile {
  techAdvancement?: Grade | null;
  coreSupport?: Grade | null;
  standardsParticipation?: boolean | null;
  rdManagement?: RdManagement | null;
}

export interface ReadinessInput {
  /** Default `hnte`. */
  program?: ReadinessProgram;
  /** `YYYY-MM-DD`; the caller supplies "today" — the rules never read a clock. */
  assessmentDate: string;
  registeredAt?: string | null;
  techDomain?: TechDomain | null;
  noMajorIncident?: boolean | null;
  years: YearFigures[];
  ipAssets: IpAsset[];
  innovation?: InnovationProfile | null;
  /** tech_sme only. */
  directPass?: DirectPassGround | null;
  /**
   * The request is for re-certification (`hnte_recert`). Informational only: Class II items
   * marked `usedInCertification` never count for HNTE whatever this says; with the flag set the
   * `core_ip` message explains that they were left out because of the earlier certificate.
   */
  recertification?: boolean;
}

export interface ScoreRange {
  min: number;
  max: number;
}

export interface CriterionResult<C extends string = string> {
  code: C;
  passed: boolean;
  /** Ratios as fractions (rounded down to 4 decimals), ages in days, scores in points; null when not applicable or unknown. */
  actual: number | null;
  required: number | null;
  message: string;
}

export interface Gap {
  /** A criterion code, or `score.<block>` for a score block short of its maximum. */
  code: string;
  message: string;
}

export type Verdict = 'ready' | 'borderline' | 'not_ready';

export interface HnteReadinessResult {
  ruleSet: 'hnte-2016';
  verdict: Verdict;
  eligible: boolean;
  criteria: CriterionResult<HnteCriterionCode>[];
  score: ScoreRange & { blocks: Record<HnteScoreBlock, ScoreRange> };
  gaps: Gap[];
}

export interface TsmeReadinessResult {
  ruleSet: 'tsme-2017';
  /** The SME evaluation has no borderline: it is a fixed-point score. */
  verdict: Exclude<Verdict, 'borderline'>;
  eligible: boolean;
  criteria: CriterionResult<TsmeCriterionCode>[];
  score: ScoreRange & { blocks: Record<TsmeScoreBlock, ScoreRange> };
  gaps: Gap[];
}

export type ReadinessResult = HnteReadinessResult | TsmeReadinessResult;

/** One invalid field, in the shape of the API's 400 `errors` entries. */
export interface FieldError {
  field: string;
  message: string;
}
