// Tech-based SME evaluation (科技型中小企业评价, rule set tsme-2017): basic conditions, the
// fixed-point score on last year's figures, direct pass, verdict and gaps.

import {
  DIRECT_PASS_GROUND_NAMES,
  TSME_BLOCK_MAX,
  TSME_MAX_EMPLOYEES,
  TSME_MAX_REVENUE_YUAN,
  TSME_MAX_TOTAL_ASSETS_YUAN,
  TSME_PASS_SCORE,
  TSME_RULE_SET,
  type TsmeCriterionCode,
  type TsmeScoreBlock,
} from './constants.js';
import { countIpClasses, isValidIp, tsmeIpPoints } from './ip.js';
import {
  ceilDiv,
  ceilToYuan,
  floorRatio4,
  formatBp,
  formatFen,
  formatRatio,
  formatYuan,
  partToAdd,
  staffToAdd,
  toFen,
} from './numbers.js';
import {
  buildPeriod,
  FigureReader,
  figureLabel,
  isOperating,
  notOperatingMessage,
  type Period,
} from './period.js';
import {
  tablePoints,
  TSME_RD_COST_GRADES,
  TSME_RD_SALES_GRADES,
  TSME_STAFF_GRADES,
  tsmeStaffPoints,
} from './scores.js';
import type { CriterionResult, Gap, ReadinessInput, TsmeReadinessResult } from './types.js';
import { ReadinessInputError, validateReadinessInput } from './validate.js';

const BP = 10_000n;

interface Block {
  points: number;
  /** What would raise the block (when short of its maximum), or why it is 0. */
  raise: string[];
  /** Missing figures ("2021 employees (职工总数)"). */
  missing: string[];
  summary: string;
}

function staffBlock(period: Period, input: ReadinessInput): Block {
  const y = period.lastYear;
  if (!isOperating(period, y)) {
    const m = notOperatingMessage(period, input.registeredAt);
    return { points: 0, raise: [m], missing: [], summary: m };
  }
  const read = new FigureReader(period);
  const employees = read.get(y, 'employees');
  const techStaff = read.get(y, 'techStaff');
  if (employees === null || techStaff === null) {
    return {
      points: 0,
      raise: [`provide ${read.missing.join(', ')}`],
      missing: read.missing,
      summary: read.missingMessage(),
    };
  }
  const points = tsmeStaffPoints(techStaff, employees);
  const ratio = employees === 0 ? null : floorRatio4(BigInt(techStaff), BigInt(employees));
  const summary =
    ratio === null
      ? `no employees in ${y}: staff score 0`
      : `${y}: ${techStaff} S&T staff of ${employees} employees = ${formatRatio(ratio)} → ${points}`;
  const next = [...TSME_STAFF_GRADES].reverse().find((g) => g.points > points);
  const raise = next
    ? [
        `S&T staff ${ratio === null ? 'ratio unknown' : formatRatio(ratio)} (${points} points): ` +
          `${staffToAdd(techStaff, employees, next.atLeastBp)} more S&T staff (科技人员) reach ${formatBp(next.atLeastBp)} (${next.points} points)`,
      ]
    : [];
  return { points, raise, missing: [], summary };
}

function rdBlock(period: Period, input: ReadinessInput): Block {
  const y = period.lastYear;
  if (!isOperating(period, y)) {
    const m = notOperatingMessage(period, input.registeredAt);
    return { points: 0, raise: [m], missing: [], summary: m };
  }
  const read = new FigureReader(period);
  const rd = read.get(y, 'rdExpense');
  const revenue = read.get(y, 'revenue');
  const cost = read.get(y, 'totalCostExpense');
  // One of the two denominators is enough (the better ratio counts), so only both missing is a gap.
  if (rd === null || (revenue === null && cost === null)) {
    const missing = [
      ...(rd === null ? [figureLabel(y, 'rdExpense')] : []),
      ...(revenue === null && cost === null
        ? [figureLabel(y, 'revenue'), figureLabel(y, 'totalCostExpense')]
        : []),
    ];
    return {
      points: 0,
      raise: [`provide ${missing.join(', ')}`],
      missing,
      summary: `missing ${missing.join(', ')}`,
    };
  }
  const rdFen = toFen(rd);
  const salesFen = revenue === null ? null : toFen(revenue);
  const costFen = cost === null ? null : toFen(cost);
  const bySales = salesFen === null ? 0 : tablePoints(TSME_RD_SALES_GRADES, rdFen, salesFen);
  const byCost = costFen === null ? 0 : tablePoints(TSME_RD_COST_GRADES, rdFen, costFen);
  const points = Math.max(bySales, byCost);
  const describe = (den: bigint | null, what: string, pts: number): string | null =>
    den === null || den === 0n ? null : `R&D ÷ ${what} ${formatRatio(floorRatio4(rdFen, den))} → ${pts}`;
  const parts = [
    describe(salesFen, 'sales', bySales),
    describe(costFen, 'total costs and expenses', byCost),
  ].filter((p): p is string => p !== null);
  const summary = `${y}: R&D ${formatFen(rdFen)}; ${parts.length > 0 ? parts.join(', ') : 'no sales and no costs recorded'} → ${points}`;
  const raise: string[] = [];
  if (points < TSME_BLOCK_MAX.rdInput) {
    // The cheapest way to the next line: R&D added to sales-based ratio leaves sales unchanged;
    // R&D added to the cost-based ratio adds to costs as well.
    const options: { fen: bigint; text: string }[] = [];
    const nextSales = [...TSME_RD_SALES_GRADES].reverse().find((g) => g.points > points);
    if (nextSales && salesFen !== null && salesFen > 0n) {
      const fen = ceilToYuan(ceilDiv(BigInt(nextSales.atLeastBp) * salesFen, BP) - rdFen);
      options.push({
        fen,
        text: `${formatFen(fen)} more R&D reaches ${formatBp(nextSales.atLeastBp)} of sales (${nextSales.points} points)`,
      });
    }
    const nextCost = [...TSME_RD_COST_GRADES].reverse().find((g) => g.points > points);
    if (nextCost && costFen !== null && costFen > 0n) {
      const fen = ceilToYuan(partToAdd(rdFen, costFen, nextCost.atLeastBp));
      options.push({
        fen,
        text: `${formatFen(fen)} more R&D reaches ${formatBp(nextCost.atLeastBp)} of total costs and expenses (${nextCost.points} points)`,
      });
    }
    options.sort((a, b) => (a.fen < b.fen ? -1 : a.fen > b.fen ? 1 : 0));
    const best = options[0];
    raise.push(
      `R&D input ${points} points: ${best ? best.text : 'record sales or total costs and expenses for the ratio'}`,
    );
  }
  return { points, raise, missing: [], summary };
}

function ipBlock(input: ReadinessInput): Block {
  // The single-use rule for Class II is an HNTE rule: every valid item counts here.
  const valid = input.ipAssets.filter((i) => isValidIp(i, input.assessmentDate, 'tech_sme'));
  const counts = countIpClasses(valid);
  const points = tsmeIpPoints(counts);
  const raise: string[] = [];
  if (points < TSME_BLOCK_MAX.ip) {
    raise.push(
      `valid IP Class I ${counts.classI}, Class II ${counts.classII} (${points} points): a Class I item (e.g. an invention patent) gives 30` +
        (counts.classII < 4
          ? `, 1 more Class II item gives ${tsmeIpPoints({ classI: 0, classII: counts.classII + 1 })}`
          : ''),
    );
  }
  return {
    points,
    raise,
    missing: [],
    summary: `valid IP Class I ${counts.classI}, Class II ${counts.classII} → ${points}`,
  };
}

function sizeLimits(
  period: Period,
  input: ReadinessInput,
): { criterion: CriterionResult<TsmeCriterionCode>; gap: string | null } {
  const code = 'size_limits';
  const y = period.lastYear;
  if (!isOperating(period, y)) {
    const m = notOperatingMessage(period, input.registeredAt);
    return { criterion: { code, passed: false, actual: null, required: null, message: m }, gap: m };
  }
  const read = new FigureReader(period);
  const employees = read.get(y, 'employees');
  const revenue = read.get(y, 'revenue');
  const assets = read.get(y, 'totalAssets');
  if (employees === null || revenue === null || assets === null) {
    return {
      criterion: { code, passed: false, actual: null, required: null, message: read.missingMessage() },
      gap: `provide ${read.missing.join(', ')}`,
    };
  }
  const over: string[] = [];
  if (employees > TSME_MAX_EMPLOYEES)
    over.push(`employees ${employees} exceed ${TSME_MAX_EMPLOYEES} by ${employees - TSME_MAX_EMPLOYEES}`);
  if (toFen(revenue) > toFen(TSME_MAX_REVENUE_YUAN)) {
    over.push(
      `sales ${formatYuan(revenue)} exceed ${formatYuan(TSME_MAX_REVENUE_YUAN)} by ${formatFen(toFen(revenue) - toFen(TSME_MAX_REVENUE_YUAN))}`,
    );
  }
  if (toFen(assets) > toFen(TSME_MAX_TOTAL_ASSETS_YUAN)) {
    over.push(
      `total assets ${formatYuan(assets)} exceed ${formatYuan(TSME_MAX_TOTAL_ASSETS_YUAN)} by ${formatFen(toFen(assets) - toFen(TSME_MAX_TOTAL_ASSETS_YUAN))}`,
    );
  }
  const message =
    `${y}: employees ${employees} (≤ ${TSME_MAX_EMPLOYEES}), sales ${formatYuan(revenue)} (≤ ${formatYuan(TSME_MAX_REVENUE_YUAN)}), ` +
    `total assets ${formatYuan(assets)} (≤ ${formatYuan(TSME_MAX_TOTAL_ASSETS_YUAN)})`;
  const passed = over.length === 0;
  return {
    criterion: { code, passed, actual: null, required: null, message },
    gap: passed ? null : `too large for a tech-based SME: ${over.join('; ')}`,
  };
}

/** Scores a profile against tsme-2017. Throws {@link ReadinessInputError} on invalid input (a 400). */
export function evaluateTechSme(input: ReadinessInput): TsmeReadinessResult {
  const errors = validateReadinessInput(input);
  if (errors.length > 0) throw new ReadinessInputError(errors);
  const period = buildPeriod(input);
  const blocks: Record<TsmeScoreBlock, Block> = {
    techStaff: staffBlock(period, input),
    rdInput: rdBlock(period, input),
    ip: ipBlock(input),
  };
  const total = blocks.techStaff.points + blocks.rdInput.points + blocks.ip.points;

  const size = sizeLimits(period, input);
  const incident: CriterionResult<TsmeCriterionCode> =
    input.noMajorIncident === true
      ? {
          code: 'no_major_incident',
          passed: true,
          actual: null,
          required: null,
          message:
            'no major accident, serious environmental violation or serious research misconduct in the previous or current year',
        }
      : {
          code: 'no_major_incident',
          passed: false,
          actual: null,
          required: null,
          message:
            input.noMajorIncident === false
              ? 'a major accident, serious environmental violation or serious research misconduct was recorded in the previous or current year'
              : 'missing noMajorIncident: not confirmed that there was no major accident, environmental violation or research misconduct',
        };
  const incidentGap =
    input.noMajorIncident === false
      ? 'a major accident, serious environmental violation or research misconduct in the previous or current year bars the evaluation'
      : 'confirm there was no major accident, serious environmental violation or serious research misconduct in the previous or current year';
  const staffPassed = blocks.techStaff.points > 0;
  const staff: CriterionResult<TsmeCriterionCode> = {
    code: 'tech_staff_score',
    passed: staffPassed,
    actual: blocks.techStaff.points,
    required: TSME_STAFF_GRADES[TSME_STAFF_GRADES.length - 1]?.points ?? 4,
    message: `${blocks.techStaff.summary}; a non-zero staff score is required`,
  };
  const totalPassed = total >= TSME_PASS_SCORE;
  const missing = [...blocks.techStaff.missing, ...blocks.rdInput.missing];
  const totalCriterion: CriterionResult<TsmeCriterionCode> = {
    code: 'total_score',
    passed: totalPassed,
    actual: total,
    required: TSME_PASS_SCORE,
    message:
      `total ${total} (S&T staff ${blocks.techStaff.points}, R&D ${blocks.rdInput.points}, IP ${blocks.ip.points}); ` +
      `at least ${TSME_PASS_SCORE} required` +
      (missing.length > 0 ? `; missing ${missing.join(', ')}` : ''),
  };
  const ground = input.directPass ?? null;
  const direct: CriterionResult<TsmeCriterionCode> = {
    code: 'direct_pass',
    passed: ground !== null,
    actual: null,
    required: null,
    message:
      ground === null ? 'no direct-pass ground given' : `direct pass: ${DIRECT_PASS_GROUND_NAMES[ground]}`,
  };
  const criteria = [size.criterion, incident, staff, totalCriterion, direct];
  const eligible = size.criterion.passed && incident.passed;
  const scoreRoute = staffPassed && totalPassed;
  const verdict = eligible && (direct.passed || scoreRoute) ? 'ready' : 'not_ready';

  // direct_pass and the score route are alternatives: a failing one is a gap only while the other fails too.
  const gaps: Gap[] = [];
  if (size.gap !== null) gaps.push({ code: 'size_limits', message: size.gap });
  if (!incident.passed) gaps.push({ code: 'no_major_incident', message: incidentGap });
  if (!direct.passed) {
    if (!staffPassed) {
      gaps.push({
        code: 'tech_staff_score',
        message: blocks.techStaff.raise.join('; ') || 'a non-zero S&T staff score is required',
      });
    }
    if (!totalPassed) {
      gaps.push({
        code: 'total_score',
        message: `total ${total} of the ${TSME_PASS_SCORE} required: ${TSME_PASS_SCORE - total} more points (see the score blocks)`,
      });
    }
  }
  if (!direct.passed && !scoreRoute) {
    gaps.push({
      code: 'direct_pass',
      message:
        'or qualify directly: a valid HNTE certificate, a national S&T award (top three units, last five years), ' +
        'a provincial-or-higher R&D institution, or having led a national, international or industry standard (last five years)',
    });
  }
  for (const name of Object.keys(blocks) as TsmeScoreBlock[]) {
    const b = blocks[name];
    if (b.points < TSME_BLOCK_MAX[name]) {
      gaps.push({
        code: `score.${name}`,
        message: `${name} ${b.points} of ${TSME_BLOCK_MAX[name]}: ${b.raise.join('; ')}`,
      });
    }
  }
  const score = (points: number) => ({ min: points, max: points });
  return {
    ruleSet: TSME_RULE_SET,
    verdict,
    eligible,
    criteria,
    score: {
      min: total,
      max: total,
      blocks: {
        techStaff: score(blocks.techStaff.points),
        rdInput: score(blocks.rdInput.points),
        ip: score(blocks.ip.points),
      },
    },
    gaps,
  };
}
