// The accounting years an assessment looks at, and reading their figures so that a missing one
// is reported by year and field instead of being guessed.

import { FIGURE_LABELS, type FigureField } from './constants.js';
import { operatingYears, parseIsoDate, windowYears, yearOf } from './dates.js';
import type { ReadinessInput, YearFigures } from './types.js';

export interface Period {
  assessmentDate: string;
  /** The assessment year Y. */
  year: number;
  /** Y-3, Y-2, Y-1. */
  window: [number, number, number];
  /** Y-1. */
  lastYear: number;
  /** Window years on or after the registration year, oldest first. */
  operatingYears: number[];
  registrationKnown: boolean;
  /** Figures of the operating years only: other years are ignored. */
  figures: ReadonlyMap<number, YearFigures>;
  /** Policy lines applied to the period itself, for the messages. */
  notes: string[];
}

export function buildPeriod(
  input: Pick<ReadinessInput, 'assessmentDate' | 'registeredAt' | 'years'>,
): Period {
  const window = windowYears(input.assessmentDate);
  const registrationKnown = parseIsoDate(input.registeredAt) !== null;
  const opYears = operatingYears(input.assessmentDate, input.registeredAt);
  const figures = new Map<number, YearFigures>();
  for (const y of input.years) if (opYears.includes(y.year)) figures.set(y.year, y);
  const notes: string[] = [];
  if (!registrationKnown) {
    notes.push('policy: registration date unknown, all three window years are treated as operating years');
  }
  return {
    assessmentDate: input.assessmentDate,
    year: yearOf(input.assessmentDate),
    window,
    lastYear: window[2],
    operatingYears: opYears,
    registrationKnown,
    figures,
    notes,
  };
}

export const isOperating = (period: Period, year: number): boolean => period.operatingYears.includes(year);

/** "2019 revenue (销售收入)". */
export function figureLabel(year: number, field: FigureField): string {
  return `${year} ${FIGURE_LABELS[field]}`;
}

/**
 * Reads figures, recording each missing one as "<year> <field>" in `missing`. `totalIncome`
 * falls back to `revenue` as the API says.
 */
export class FigureReader {
  private readonly absent: string[] = [];

  constructor(private readonly period: Period) {}

  get(year: number, field: FigureField): number | null {
    const figures = this.period.figures.get(year);
    let value = figures?.[field];
    if (field === 'totalIncome' && (value === null || value === undefined)) value = figures?.revenue;
    if (value === null || value === undefined) {
      const label =
        field === 'totalIncome'
          ? `${figureLabel(year, 'totalIncome')} or ${FIGURE_LABELS.revenue}`
          : figureLabel(year, field);
      if (!this.absent.includes(label)) this.absent.push(label);
      return null;
    }
    return value;
  }

  /** The values of `field` for `years`, or null when any is missing (all missing ones are recorded). */
  all(years: readonly number[], field: FigureField): number[] | null {
    const values = years.map((y) => this.get(y, field));
    return values.every((v): v is number => v !== null) ? values : null;
  }

  /** Missing figures seen so far, by year (then in the order they were asked for). */
  get missing(): string[] {
    return [...this.absent].sort((a, b) => a.slice(0, 4).localeCompare(b.slice(0, 4)));
  }

  missingMessage(): string {
    return `missing ${this.missing.join(', ')}`;
  }
}

/** "2019–2021" for consecutive years, otherwise "2019, 2021". */
export function formatYears(years: readonly number[]): string {
  if (years.length === 0) return 'no year';
  if (years.length === 1) return String(years[0]);
  const consecutive = years.every((y, i) => i === 0 || y === (years[i - 1] ?? y) + 1);
  return consecutive ? `${years[0]}–${years[years.length - 1]}` : years.join(', ');
}

/** Why a last-year figure cannot exist: the enterprise was registered after that year. */
export function notOperatingMessage(period: Period, registeredAt: string | null | undefined): string {
  return `no accounting year to assess yet: registered ${registeredAt ?? 'unknown'}, after last year ${period.lastYear} (figures for years before registration are ignored)`;
}
