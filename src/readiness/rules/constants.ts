// Vocabulary and numbers of the certification rules (DOMAIN.md). Pure data: no Nest, no ORM.

/** Versioned rule sets: a stored assessment records the one it used. */
export const HNTE_RULE_SET = 'hnte-2016';
export const TSME_RULE_SET = 'tsme-2017';
export type RuleSet = typeof HNTE_RULE_SET | typeof TSME_RULE_SET;

/** Programmes the readiness endpoint evaluates (default `hnte`). */
export const READINESS_PROGRAMS = ['hnte', 'tech_sme'] as const;
export type ReadinessProgram = (typeof READINESS_PROGRAMS)[number];

/** IP kinds (知识产权类型). Class I may be reused; Class II serves one HNTE application; trademarks never count. */
export const IP_KINDS = [
  'invention_patent',
  'plant_variety',
  'new_drug',
  'tcm_protected',
  'ic_layout',
  'utility_model',
  'design_patent',
  'software_copyright',
  'trademark',
] as const;
export type IpKind = (typeof IP_KINDS)[number];

export type IpClass = 'I' | 'II';

/** `null` means the kind does not count toward any condition or score. */
export const IP_KIND_CLASSES: Readonly<Record<IpKind, IpClass | null>> = {
  invention_patent: 'I',
  plant_variety: 'I',
  new_drug: 'I',
  tcm_protected: 'I',
  ic_layout: 'I',
  utility_model: 'II',
  design_patent: 'II',
  software_copyright: 'II',
  trademark: null,
};

export const IP_KIND_NAMES: Readonly<Record<IpKind, string>> = {
  invention_patent: '发明专利',
  plant_variety: '植物新品种',
  new_drug: '国家新药',
  tcm_protected: '国家一级中药保护品种',
  ic_layout: '集成电路布图设计专有权',
  utility_model: '实用新型专利',
  design_patent: '外观设计专利',
  software_copyright: '软件著作权',
  trademark: '商标',
};

/** How an owned IP item was obtained (DOMAIN.md). All four mean the enterprise owns it. */
export const IP_ACQUISITIONS = ['self_developed', 'transferred', 'gifted', 'merged'] as const;
export type IpAcquisition = (typeof IP_ACQUISITIONS)[number];

/**
 * Rights held under a licence (许可使用) are not owned and never count. The API enum does not
 * offer this value; the rules accept it so stored or imported data can say so explicitly.
 */
export const IP_LICENSED = 'licensed';
export type IpHolding = IpAcquisition | typeof IP_LICENSED;

/** Expert grades for technical advancement and core support. */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof GRADES)[number];

/** Points range of each grade for `techAdvancement` and `coreSupport`. */
export const GRADE_POINTS: Readonly<Record<Grade, readonly [number, number]>> = {
  A: [7, 8],
  B: [5, 6],
  C: [3, 4],
  D: [1, 2],
  E: [0, 0],
};

/** Grounds on which a tech-based SME passes without the score (直接认定条件). */
export const DIRECT_PASS_GROUNDS = [
  'hnte_certificate',
  'national_award',
  'provincial_rd_institution',
  'led_standard',
] as const;
export type DirectPassGround = (typeof DIRECT_PASS_GROUNDS)[number];

export const DIRECT_PASS_GROUND_NAMES: Readonly<Record<DirectPassGround, string>> = {
  hnte_certificate: 'valid HNTE certificate (有效期内高新技术企业)',
  national_award: 'national S&T award as one of the top three units in the last five years',
  provincial_rd_institution: 'provincial-or-higher R&D institution (省部级以上研发机构)',
  led_standard: 'led the drafting of an international, national or industry standard in the last five years',
};

/** HNTE criteria, in the order the reply lists them (API.md). */
export const HNTE_CRITERIA = [
  'registration_age',
  'core_ip',
  'tech_domain',
  'tech_staff_ratio',
  'rd_expense_ratio',
  'domestic_rd_share',
  'high_tech_revenue_share',
  'innovation_score',
  'no_major_incident',
] as const;
export type HnteCriterionCode = (typeof HNTE_CRITERIA)[number];

/** Tech-based SME criteria, in reply order. */
export const TSME_CRITERIA = [
  'size_limits',
  'no_major_incident',
  'tech_staff_score',
  'total_score',
  'direct_pass',
] as const;
export type TsmeCriterionCode = (typeof TSME_CRITERIA)[number];

export const HNTE_SCORE_BLOCKS = ['ip', 'transformation', 'rdManagement', 'growth'] as const;
export type HnteScoreBlock = (typeof HNTE_SCORE_BLOCKS)[number];

/** Best reachable points of each HNTE block. */
export const HNTE_BLOCK_MAX: Readonly<Record<HnteScoreBlock, number>> = {
  ip: 30,
  transformation: 30,
  rdManagement: 20,
  growth: 20,
};

export const TSME_SCORE_BLOCKS = ['techStaff', 'rdInput', 'ip'] as const;
export type TsmeScoreBlock = (typeof TSME_SCORE_BLOCKS)[number];

export const TSME_BLOCK_MAX: Readonly<Record<TsmeScoreBlock, number>> = {
  techStaff: 20,
  rdInput: 50,
  ip: 30,
};

/** R&D organisation and management items (研发组织管理水平) with their upper bounds; each is 0..max. */
export const RD_MANAGEMENT_ITEMS = {
  projectAccounting: 6,
  rdInstitution: 6,
  transformationIncentives: 4,
  talentDevelopment: 4,
} as const;
export type RdManagementItem = keyof typeof RD_MANAGEMENT_ITEMS;

/** Figures of one accounting year, with the names the bureau's forms use. */
export const FIGURE_LABELS = {
  revenue: 'revenue (销售收入)',
  totalIncome: 'totalIncome (总收入)',
  highTechRevenue: 'highTechRevenue (高新技术产品（服务）收入)',
  rdExpense: 'rdExpense (研发费用)',
  rdExpenseDomestic: 'rdExpenseDomestic (境内研发费用)',
  netAssets: 'netAssets (净资产)',
  totalAssets: 'totalAssets (资产总额)',
  totalCostExpense: 'totalCostExpense (成本费用总额)',
  employees: 'employees (职工总数)',
  techStaff: 'techStaff (科技人员数)',
  achievementsTransformed: 'achievementsTransformed (科技成果转化数)',
} as const;
export type FigureField = keyof typeof FIGURE_LABELS;

/** Figures that are money in yuan (at most two decimals). */
export const MONEY_FIELDS = [
  'revenue',
  'totalIncome',
  'highTechRevenue',
  'rdExpense',
  'rdExpenseDomestic',
  'netAssets',
  'totalAssets',
  'totalCostExpense',
] as const satisfies readonly FigureField[];

/** Figures that are whole counts. */
export const COUNT_FIELDS = [
  'employees',
  'techStaff',
  'achievementsTransformed',
] as const satisfies readonly FigureField[];

// ---- thresholds, in basis points (1/10000) so comparisons stay exact in integers ----

/** Revenue brackets for the R&D ratio: last-year sales up to `upToYuan` (inclusive) need `bp`. */
export const RD_BRACKETS: readonly { readonly upToYuan: number | null; readonly bp: number }[] = [
  { upToYuan: 50_000_000, bp: 500 },
  { upToYuan: 200_000_000, bp: 400 },
  { upToYuan: null, bp: 300 },
];
export const TECH_STAFF_MIN_BP = 1000;
export const DOMESTIC_RD_MIN_BP = 6000;
export const HIGH_TECH_REVENUE_MIN_BP = 6000;
export const REGISTRATION_MIN_DAYS = 365;
/** The pass mark is "above 70": 71 is the lowest integer that passes. */
export const INNOVATION_PASS_ABOVE = 70;

export const TSME_MAX_EMPLOYEES = 500;
export const TSME_MAX_REVENUE_YUAN = 200_000_000;
export const TSME_MAX_TOTAL_ASSETS_YUAN = 200_000_000;
export const TSME_PASS_SCORE = 60;
