// HNTE readiness (高新技术企业认定, rule set hnte-2016): the eight conditions, the innovation
// score as a range, the verdict and the gaps, from values only.

import { TECH_DOMAIN_NAMES } from '../../enterprises/enterprise.constants.js';
import {
  DOMESTIC_RD_MIN_BP,
  GRADE_POINTS,
  HIGH_TECH_REVENUE_MIN_BP,
  HNTE_BLOCK_MAX,
  HNTE_RULE_SET,
  INNOVATION_PASS_ABOVE,
  IP_KIND_NAMES,
  RD_BRACKETS,
  RD_MANAGEMENT_ITEMS,
  REGISTRATION_MIN_DAYS,
  TECH_STAFF_MIN_BP,
  type Grade,
  type HnteCriterionCode,
  type HnteScoreBlock,
  type RdManagementItem,
} from './constants.js';
import { addDays, daysBetween, parseIsoDate } from './dates.js';
import { countIpClasses, hnteIpQuantityPoints, ipValidity, isValidIp } from './ip.js';
import {
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
} from './numbers.js';
import {
  buildPeriod,
  FigureReader,
  figureLabel,
  formatYears,
  isOperating,
  notOperatingMessage,
  type Period,
} from './period.js';
import {
  GROWTH_GRADES,
  growthRate,
  gradePoints,
  rdManagementPoints,
  TRANSFORMATION_GRADES,
  transformationPoints,
  type GrowthResult,
} from './scores.js';
import type {
  CriterionResult,
  Gap,
  HnteReadinessResult,
  IpAsset,
  ReadinessInput,
  ScoreRange,
  Verdict,
} from './types.js';
import { ReadinessInputError, validateReadinessInput } from './validate.js';

const BP = 10_000n;

interface Evaluated {
  criterion: CriterionResult<HnteCriterionCode>;
  /** What the enterprise would need, when the criterion fails. */
  gap: string | null;
}

function result(
  code: HnteCriterionCode,
  passed: boolean,
  actual: number | null,
  required: number | null,
  message: string,
  gap: string | null,
): Evaluated {
  return { criterion: { code, passed, actual, required, message }, gap: passed ? null : gap };
}

const withNotes = (message: string, notes: readonly string[]): string =>
  notes.length === 0 ? message : `${message}; ${notes.join('; ')}`;

/** The bracket a year's sales fall in: ≤ 50M → 5%, ≤ 200M → 4%, above → 3% (boundaries inclusive). */
function rdBracket(lastYearRevenueYuan: number): { bp: number; text: string } {
  const fen = toFen(lastYearRevenueYuan);
  let lower: number | null = null;
  for (const b of RD_BRACKETS) {
    if (b.upToYuan === null || fen <= toFen(b.upToYuan)) {
      const bound = b.upToYuan === null ? `above ${formatYuan(lower ?? 0)}` : `≤ ${formatYuan(b.upToYuan)}`;
      return {
        bp: b.bp,
        text: `last-year sales ${formatYuan(lastYearRevenueYuan)} ${bound} → ${formatBp(b.bp)}`,
      };
    }
    lower = b.upToYuan;
  }
  throw new Error('RD_BRACKETS must end with an open bracket');
}

/** The R&D ratio last year's sales call for, in basis points (500 = 5%). */
export function rdBracketBp(lastYearRevenueYuan: number): number {
  return rdBracket(lastYearRevenueYuan).bp;
}

// ---------------------------------------------------------------- criteria

function registrationAge(input: ReadinessInput): Evaluated {
  const code = 'registration_age';
  if (parseIsoDate(input.registeredAt) === null) {
    return result(
      code,
      false,
      null,
      REGISTRATION_MIN_DAYS,
      'missing registeredAt (成立日期): the registration age cannot be computed',
      'record the registration date (成立日期)',
    );
  }
  const registeredAt = input.registeredAt as string;
  const days = daysBetween(registeredAt, input.assessmentDate);
  const passed = days >= REGISTRATION_MIN_DAYS;
  const oneYearOn = addDays(registeredAt, REGISTRATION_MIN_DAYS);
  return result(
    code,
    passed,
    days,
    REGISTRATION_MIN_DAYS,
    `registered ${registeredAt}, ${days} days before ${input.assessmentDate} (at least ${REGISTRATION_MIN_DAYS} required)`,
    `registration reaches one year on ${oneYearOn} (${REGISTRATION_MIN_DAYS} days after ${registeredAt})`,
  );
}

function coreIp(input: ReadinessInput, valid: readonly IpAsset[]): Evaluated {
  const { classI, classII } = countIpClasses(valid);
  const excluded = input.ipAssets.flatMap((item) => {
    const v = ipValidity(item, input.assessmentDate, 'hnte');
    return v.valid ? [] : [v.message];
  });
  const parts = [
    `${valid.length} valid item${valid.length === 1 ? '' : 's'} (Class I ${classI}, Class II ${classII})`,
  ];
  if (excluded.length > 0) parts.push(`not counted: ${excluded.join('; ')}`);
  const usedLeftOut = input.ipAssets.some((i) => {
    const v = ipValidity(i, input.assessmentDate, 'hnte');
    return !v.valid && v.reason === 'used_in_certification';
  });
  if (input.recertification === true && usedLeftOut) {
    parts.push('re-certification: Class II items relied on by the earlier certificate do not count again');
  }
  // An item that is otherwise fine but granted later says when the condition will be met.
  const upcoming = input.ipAssets
    .filter((i) => {
      const g = parseIsoDate(i.grantedAt);
      const today = parseIsoDate(input.assessmentDate);
      return g !== null && today !== null && g > today && isValidIp(i, i.grantedAt as string, 'hnte');
    })
    .sort((a, b) => (a.grantedAt as string).localeCompare(b.grantedAt as string));
  const first = upcoming[0];
  const gap = first
    ? `${first.kind} (${IP_KIND_NAMES[first.kind]}) counts from its grant date ${first.grantedAt}`
    : 'own at least one valid IP item: a Class I item (e.g. an invention patent 发明专利) or a Class II item ' +
      '(utility model, design patent, software copyright) not used in an earlier certification; licences and trademarks do not count';
  return result('core_ip', valid.length > 0, valid.length, 1, parts.join('; '), gap);
}

function techDomain(input: ReadinessInput): Evaluated {
  const d = input.techDomain;
  if (d == null) {
    return result(
      'tech_domain',
      false,
      null,
      null,
      'missing techDomain: the core technology is not classified in a supported domain',
      'classify the core technology in one of the 8 supported domains (国家重点支持的高新技术领域)',
    );
  }
  return result('tech_domain', true, null, null, `core technology in ${TECH_DOMAIN_NAMES[d]} (${d})`, null);
}

function techStaffRatio(input: ReadinessInput, period: Period): Evaluated {
  const code = 'tech_staff_ratio';
  const required = TECH_STAFF_MIN_BP / 10_000;
  const y = period.lastYear;
  if (!isOperating(period, y)) {
    const m = notOperatingMessage(period, input.registeredAt);
    return result(code, false, null, required, m, m);
  }
  const read = new FigureReader(period);
  const employees = read.get(y, 'employees');
  const techStaff = read.get(y, 'techStaff');
  if (employees === null || techStaff === null) {
    return result(code, false, null, required, read.missingMessage(), `provide ${read.missing.join(', ')}`);
  }
  if (employees === 0) {
    return result(
      code,
      false,
      null,
      required,
      `no employees in ${y}: the S&T staff ratio cannot be computed`,
      `${staffToAdd(techStaff, employees, TECH_STAFF_MIN_BP)} more S&T staff (科技人员) in ${y}`,
    );
  }
  const passed = ratioAtLeast(BigInt(techStaff), BigInt(employees), TECH_STAFF_MIN_BP);
  const actual = floorRatio4(BigInt(techStaff), BigInt(employees));
  const k = staffToAdd(techStaff, employees, TECH_STAFF_MIN_BP);
  return result(
    code,
    passed,
    actual,
    required,
    `${y}: ${techStaff} S&T staff of ${employees} employees = ${formatRatio(actual)} (${formatBp(TECH_STAFF_MIN_BP)} required)`,
    `S&T staff ${formatRatio(actual)} of the ${formatBp(TECH_STAFF_MIN_BP)} required: ${k} more S&T staff (科技人员; ` +
      `${techStaff + k} of ${employees + k} employees, new staff count as employees too)`,
  );
}

function noOperatingYears(
  code: HnteCriterionCode,
  required: number | null,
  input: ReadinessInput,
  period: Period,
): Evaluated {
  const m = `no operating year in the window ${formatYears(period.window)}: registered ${input.registeredAt ?? 'unknown'}`;
  return result(code, false, null, required, m, m);
}

function rdExpenseRatio(input: ReadinessInput, period: Period): Evaluated {
  const code = 'rd_expense_ratio';
  const years = period.operatingYears;
  const read = new FigureReader(period);
  const lastRevenue = isOperating(period, period.lastYear) ? read.get(period.lastYear, 'revenue') : null;
  const bp = lastRevenue === null ? null : rdBracketBp(lastRevenue);
  const required = bp === null ? null : bp / 10_000;
  if (years.length === 0) return noOperatingYears(code, required, input, period);
  const revenue = read.all(years, 'revenue');
  const rd = read.all(years, 'rdExpense');
  if (revenue === null || rd === null || bp === null || lastRevenue === null) {
    return result(
      code,
      false,
      null,
      required,
      withNotes(
        `${read.missingMessage()}: the R&D ratio over ${formatYears(years)} cannot be computed`,
        period.notes,
      ),
      `provide ${read.missing.join(', ')}`,
    );
  }
  const revFen = revenue.reduce((s, v) => s + toFen(v), 0n);
  const rdFen = rd.reduce((s, v) => s + toFen(v), 0n);
  if (revFen === 0n) {
    const m = `no sales over ${formatYears(years)}: the R&D ratio cannot be computed`;
    return result(
      code,
      false,
      null,
      required,
      withNotes(m, period.notes),
      `${m}; it needs sales revenue (销售收入)`,
    );
  }
  const passed = ratioAtLeast(rdFen, revFen, bp);
  const actual = floorRatio4(rdFen, revFen);
  const more = ceilToYuan(ceilDiv(BigInt(bp) * revFen, BP) - rdFen);
  return result(
    code,
    passed,
    actual,
    required,
    withNotes(
      `R&D ${formatFen(rdFen)} ÷ sales ${formatFen(revFen)} over ${formatYears(years)} = ${formatRatio(actual)}; ` +
        `${formatBp(bp)} required (${rdBracket(lastRevenue).text})`,
      period.notes,
    ),
    `R&D ratio ${formatRatio(actual)} of the ${formatBp(bp)} required: ${formatFen(more)} more R&D (研发费用) over ${formatYears(years)}`,
  );
}

function domesticRdShare(input: ReadinessInput, period: Period): Evaluated {
  const code = 'domestic_rd_share';
  const required = DOMESTIC_RD_MIN_BP / 10_000;
  const years = period.operatingYears;
  if (years.length === 0) return noOperatingYears(code, required, input, period);
  const read = new FigureReader(period);
  const rd = read.all(years, 'rdExpense');
  const domestic = read.all(years, 'rdExpenseDomestic');
  if (rd === null || domestic === null) {
    return result(
      code,
      false,
      null,
      required,
      withNotes(`${read.missingMessage()}: the domestic R&D share cannot be computed`, period.notes),
      `provide ${read.missing.join(', ')}`,
    );
  }
  const rdFen = rd.reduce((s, v) => s + toFen(v), 0n);
  const domFen = domestic.reduce((s, v) => s + toFen(v), 0n);
  if (rdFen === 0n) {
    const m = `no R&D expense over ${formatYears(years)}: the domestic R&D share cannot be computed`;
    return result(
      code,
      false,
      null,
      required,
      withNotes(m, period.notes),
      `${m}; record R&D expense (研发费用)`,
    );
  }
  const passed = ratioAtLeast(domFen, rdFen, DOMESTIC_RD_MIN_BP);
  const actual = floorRatio4(domFen, rdFen);
  const add = ceilToYuan(partToAdd(domFen, rdFen, DOMESTIC_RD_MIN_BP));
  const shift = ceilToYuan(ceilDiv(BigInt(DOMESTIC_RD_MIN_BP) * rdFen, BP) - domFen);
  return result(
    code,
    passed,
    actual,
    required,
    withNotes(
      `R&D in China ${formatFen(domFen)} ÷ R&D ${formatFen(rdFen)} over ${formatYears(years)} = ${formatRatio(actual)} ` +
        `(${formatBp(DOMESTIC_RD_MIN_BP)} required)`,
      period.notes,
    ),
    `R&D in China ${formatRatio(actual)} of the ${formatBp(DOMESTIC_RD_MIN_BP)} required: ${formatFen(add)} more R&D spent in China ` +
      `over ${formatYears(years)} (it adds to total R&D too), or ${formatFen(shift)} moved from abroad to China`,
  );
}

function highTechRevenueShare(input: ReadinessInput, period: Period): Evaluated {
  const code = 'high_tech_revenue_share';
  const required = HIGH_TECH_REVENUE_MIN_BP / 10_000;
  const y = period.lastYear;
  if (!isOperating(period, y)) {
    const m = notOperatingMessage(period, input.registeredAt);
    return result(code, false, null, required, m, m);
  }
  const read = new FigureReader(period);
  const highTech = read.get(y, 'highTechRevenue');
  const total = read.get(y, 'totalIncome');
  if (highTech === null || total === null) {
    return result(code, false, null, required, read.missingMessage(), `provide ${read.missing.join(', ')}`);
  }
  const hFen = toFen(highTech);
  const tFen = toFen(total);
  if (tFen === 0n) {
    const m = `no income in ${y}: the high-tech income share cannot be computed`;
    return result(code, false, null, required, m, `${m}; it needs total income (总收入)`);
  }
  const passed = ratioAtLeast(hFen, tFen, HIGH_TECH_REVENUE_MIN_BP);
  const actual = floorRatio4(hFen, tFen);
  const add = ceilToYuan(partToAdd(hFen, tFen, HIGH_TECH_REVENUE_MIN_BP));
  const reclassify = ceilToYuan(ceilDiv(BigInt(HIGH_TECH_REVENUE_MIN_BP) * tFen, BP) - hFen);
  return result(
    code,
    passed,
    actual,
    required,
    `${y}: high-tech income ${formatFen(hFen)} ÷ total income ${formatFen(tFen)} = ${formatRatio(actual)} ` +
      `(${formatBp(HIGH_TECH_REVENUE_MIN_BP)} required)`,
    `high-tech income ${formatRatio(actual)} of the ${formatBp(HIGH_TECH_REVENUE_MIN_BP)} required: ${formatFen(add)} more ` +
      `high-tech product/service income (高新技术产品（服务）收入) in ${y} (it adds to total income too), ` +
      `or ${formatFen(reclassify)} of existing income that qualifies as high-tech`,
  );
}

function innovationScore(score: HnteScore): Evaluated {
  const { min, max, blocks } = score;
  const summary =
    `innovation score ${fmtRange(score)} (IP ${fmtRange(blocks.ip)}, transformation ${fmtRange(blocks.transformation)}, ` +
    `R&D management ${fmtRange(blocks.rdManagement)}, growth ${fmtRange(blocks.growth)}): above ${INNOVATION_PASS_ABOVE} required`;
  const passed = min > INNOVATION_PASS_ABOVE;
  const short = INNOVATION_PASS_ABOVE + 1 - min;
  const gap =
    max > INNOVATION_PASS_ABOVE
      ? `score ${fmtRange(score)} straddles ${INNOVATION_PASS_ABOVE}: ${short} more point${short === 1 ? '' : 's'} at the low end make it certain (see the score blocks)`
      : `score ${fmtRange(score)}: above ${INNOVATION_PASS_ABOVE} required, ${short} more point${short === 1 ? '' : 's'} at the low end (see the score blocks)`;
  return result(
    'innovation_score',
    passed,
    min,
    INNOVATION_PASS_ABOVE + 1,
    withNotes(summary, score.notes),
    gap,
  );
}

function noMajorIncident(input: ReadinessInput): Evaluated {
  if (input.noMajorIncident === true) {
    return result(
      'no_major_incident',
      true,
      null,
      null,
      'no major safety or quality accident and no serious environmental violation in the year before applying',
      null,
    );
  }
  if (input.noMajorIncident === false) {
    return result(
      'no_major_incident',
      false,
      null,
      null,
      'a major safety or quality accident or serious environmental violation was recorded in the year before applying',
      'a major accident or serious environmental violation in the year before applying bars the application; ' +
        'apply once a full year has passed without one',
    );
  }
  return result(
    'no_major_incident',
    false,
    null,
    null,
    'missing noMajorIncident: not confirmed that there was no major accident or serious environmental violation',
    'confirm there was no major safety or quality accident and no serious environmental violation in the year before applying',
  );
}

// ---------------------------------------------------------------- innovation score

export interface HnteScore extends ScoreRange {
  blocks: Record<HnteScoreBlock, ScoreRange>;
  /** For each block short of its maximum, what would raise it. */
  gaps: Gap[];
  /** Policies applied while scoring. */
  notes: string[];
}

const fmtRange = (r: ScoreRange): string => (r.min === r.max ? String(r.min) : `${r.min}–${r.max}`);
const add = (a: ScoreRange, b: ScoreRange): ScoreRange => ({ min: a.min + b.min, max: a.max + b.max });

function ipBlock(
  input: ReadinessInput,
  valid: readonly IpAsset[],
  notes: string[],
): { range: ScoreRange; raise: string[] } {
  if (valid.length === 0) {
    return {
      range: { min: 0, max: 0 },
      raise: ['no valid IP item: the block scores 0 until the enterprise owns one'],
    };
  }
  const inn = input.innovation ?? {};
  const raise: string[] = [];
  const grade = (field: 'techAdvancement' | 'coreSupport', name: string): ScoreRange => {
    const g: Grade | null = inn[field] ?? null;
    if (g === null) notes.push(`policy: ${field} not graded yet, counted as E (0)`);
    if (g !== 'A')
      raise.push(
        `${name} graded ${g ?? 'not yet'} (${fmtRange(gradePoints(g))}): grade A gives ${GRADE_POINTS.A.join('–')}`,
      );
    return gradePoints(g);
  };
  const tech = grade('techAdvancement', 'technical advancement (技术先进程度)');
  const core = grade('coreSupport', 'core support to main products (核心支持作用)');
  const counts = countIpClasses(valid);
  const quantity = hnteIpQuantityPoints(counts);
  if (counts.classI === 0) {
    const next = counts.classII >= 5 ? null : counts.classII >= 3 ? 5 : counts.classII >= 1 ? 3 : 1;
    raise.push(
      `quantity ${fmtRange(quantity)} with ${counts.classII} Class II item${counts.classII === 1 ? '' : 's'}: ` +
        `a Class I item (e.g. an invention patent) gives 7–8` +
        (next === null
          ? ''
          : `, ${next - counts.classII} more Class II reach ${fmtRange(hnteIpQuantityPoints({ classI: 0, classII: next }))}`),
    );
  }
  const selfDeveloped = valid.some((i) => i.acquisition === 'self_developed');
  if (valid.some((i) => i.acquisition == null)) {
    notes.push('policy: an IP item without acquisition is taken as owned but not self-developed');
  }
  const acquisition = selfDeveloped ? { min: 1, max: 6 } : { min: 1, max: 3 };
  if (!selfDeveloped)
    raise.push('acquisition 1–3 (transferred, gifted or merged only): a self-developed item gives 1–6');
  const standards =
    input.innovation?.standardsParticipation === true ? { min: 1, max: 2 } : { min: 0, max: 0 };
  if (input.innovation?.standardsParticipation !== true) {
    raise.push('taking part in drafting a national or industry standard adds 1–2');
  }
  const sum = [tech, core, quantity, acquisition, standards].reduce(add);
  const cap = HNTE_BLOCK_MAX.ip;
  return { range: { min: Math.min(cap, sum.min), max: Math.min(cap, sum.max) }, raise };
}

function transformationBlock(period: Period, notes: string[]): { range: ScoreRange; raise: string[] } {
  const years = period.operatingYears;
  const read = new FigureReader(period);
  const total = years.reduce((s, y) => s + (read.get(y, 'achievementsTransformed') ?? 0), 0);
  if (read.missing.length > 0) notes.push(`policy: ${read.missing.join(', ')} missing, counted as 0`);
  const divisor = Math.max(1, years.length);
  const range = transformationPoints(total, years.length);
  const avg = Math.round((total / divisor) * 100) / 100;
  const raise: string[] = [];
  const better = TRANSFORMATION_GRADES.filter((g) => total < g.atLeast * divisor).reverse();
  if (better.length > 0) {
    const steps = [better[0], better.length > 1 ? better[better.length - 1] : undefined].filter(
      (g) => g !== undefined,
    );
    raise.push(
      `average ${avg} transformations (科技成果转化) per operating year (${total} over ${divisor} year${divisor === 1 ? '' : 's'}): ` +
        steps
          .map(
            (g) =>
              `${g.atLeast * divisor - total} more reach an average of ${g.atLeast} (${fmtRange(g.points)})`,
          )
          .join(', '),
    );
  }
  if (read.missing.length > 0) raise.push(`provide ${read.missing.join(', ')}`);
  return { range, raise };
}

function rdManagementBlock(input: ReadinessInput, notes: string[]): { range: ScoreRange; raise: string[] } {
  const rd = input.innovation?.rdManagement ?? null;
  const points = rdManagementPoints(rd);
  const raise: string[] = [];
  if (rd === null) notes.push('policy: R&D management not assessed yet, counted as 0');
  for (const item of Object.keys(RD_MANAGEMENT_ITEMS) as RdManagementItem[]) {
    const v = rd?.[item] ?? null;
    const max = RD_MANAGEMENT_ITEMS[item];
    if (v === null || v < max) raise.push(`${item} ${v ?? 'not assessed'} of ${max}`);
  }
  return { range: { min: points, max: points }, raise };
}

const GROWTH_FIELDS = [
  { field: 'netAssets', name: 'net assets (净资产) growth' },
  { field: 'revenue', name: 'sales (销售收入) growth' },
] as const;

function growthBlock(period: Period, notes: string[]): { range: ScoreRange; raise: string[] } {
  const years = period.operatingYears;
  let range: ScoreRange = { min: 0, max: 0 };
  const raise: string[] = [];
  for (const { field, name } of GROWTH_FIELDS) {
    const series = years.map((y) => {
      const v = period.figures.get(y)?.[field];
      return v ?? null;
    });
    const g: GrowthResult = growthRate(series);
    range = add(range, g.points);
    if (g.policy !== null && !notes.includes(`${g.policy} (${name})`)) notes.push(`${g.policy} (${name})`);
    if (g.points.max >= 10) continue;
    if (g.missing.length > 0) {
      raise.push(
        `${name} scores 0: missing ${g.missing.map((i) => figureLabel(years[i] ?? 0, field)).join(', ')}`,
      );
    } else if (g.rate === null) {
      raise.push(`${name} scores 0: ${g.explanation}`);
    } else {
      const better = GROWTH_GRADES.filter((line) => line.points.min > g.points.min).reverse();
      const steps = [better[0], better.length > 1 ? better[better.length - 1] : undefined].filter(
        (x) => x !== undefined,
      );
      raise.push(
        `${name} ${(Math.round(g.rate * 1000) / 10).toFixed(1)}% (${fmtRange(g.points)}): ` +
          steps.map((line) => `${formatBp(line.atLeastBp)} gives ${fmtRange(line.points)}`).join(', '),
      );
    }
  }
  return { range, raise };
}

/** The innovation capability score (创新能力评价) as a range, with what would raise each block. */
export function hnteScore(input: ReadinessInput, period: Period, validIp: readonly IpAsset[]): HnteScore {
  const notes: string[] = [];
  const parts: Record<HnteScoreBlock, { range: ScoreRange; raise: string[] }> = {
    ip: ipBlock(input, validIp, notes),
    transformation: transformationBlock(period, notes),
    rdManagement: rdManagementBlock(input, notes),
    growth: growthBlock(period, notes),
  };
  const blocks = {
    ip: parts.ip.range,
    transformation: parts.transformation.range,
    rdManagement: parts.rdManagement.range,
    growth: parts.growth.range,
  };
  const gaps: Gap[] = [];
  for (const block of Object.keys(parts) as HnteScoreBlock[]) {
    const { range, raise } = parts[block];
    if (range.max < HNTE_BLOCK_MAX[block]) {
      gaps.push({
        code: `score.${block}`,
        message: `${block} ${fmtRange(range)} of ${HNTE_BLOCK_MAX[block]}: ${raise.join('; ')}`,
      });
    }
  }
  const total = Object.values(blocks).reduce(add);
  return { ...total, blocks, gaps, notes };
}

// ---------------------------------------------------------------- verdict

/** ready: eligible and min > 70; borderline: eligible and max > 70 ≥ min; otherwise not_ready. */
export function hnteVerdict(eligible: boolean, score: ScoreRange): Verdict {
  if (!eligible) return 'not_ready';
  if (score.min > INNOVATION_PASS_ABOVE) return 'ready';
  if (score.max > INNOVATION_PASS_ABOVE) return 'borderline';
  return 'not_ready';
}

/** Scores a profile against hnte-2016. Throws {@link ReadinessInputError} on invalid input (a 400). */
export function evaluateHnte(input: ReadinessInput): HnteReadinessResult {
  const errors = validateReadinessInput(input);
  if (errors.length > 0) throw new ReadinessInputError(errors);
  const period = buildPeriod(input);
  const validIp = input.ipAssets.filter((i) => isValidIp(i, input.assessmentDate, 'hnte'));
  const score = hnteScore(input, period, validIp);
  const evaluated: Evaluated[] = [
    registrationAge(input),
    coreIp(input, validIp),
    techDomain(input),
    techStaffRatio(input, period),
    rdExpenseRatio(input, period),
    domesticRdShare(input, period),
    highTechRevenueShare(input, period),
    innovationScore(score),
    noMajorIncident(input),
  ];
  const criteria = evaluated.map((e) => e.criterion);
  const eligible = criteria.every((c) => c.code === 'innovation_score' || c.passed);
  const gaps: Gap[] = [
    ...evaluated.flatMap((e) => (e.gap === null ? [] : [{ code: e.criterion.code, message: e.gap }])),
    ...score.gaps,
  ];
  return {
    ruleSet: HNTE_RULE_SET,
    verdict: hnteVerdict(eligible, score),
    eligible,
    criteria,
    score: { min: score.min, max: score.max, blocks: score.blocks },
    gaps,
  };
}
