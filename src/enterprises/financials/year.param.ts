import { Param, type PipeTransform } from '@nestjs/common';
import { Problem } from '../../common/problem.js';
import { FIRST_YEAR, LAST_YEAR } from './financials.constants.js';

class YearPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const year = /^\d{4}$/.test(value) ? Number(value) : NaN;
    if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) {
      throw Problem.field('year', `must be a year from ${FIRST_YEAR} to ${LAST_YEAR}`);
    }
    return year;
  }
}

/** The `:year` path parameter, an accounting year; anything else is a 400 naming `year`. */
export const YearParam = () => Param('year', new YearPipe());
