// Vocabulary of the yearly figures (年度经营数据).

/** Who vouches for a year's figures: the enterprise, its officer after checking, or an audit (专项审计). */
export const FIGURE_SOURCES = ['self_reported', 'officer_verified', 'audited'] as const;
export type FigureSource = (typeof FIGURE_SOURCES)[number];

/** Accounting years the bureau records: from the first HNTE rules well past any plan. */
export const FIRST_YEAR = 1990;
export const LAST_YEAR = 2100;
