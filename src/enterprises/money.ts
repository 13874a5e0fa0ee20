import { registerDecorator, type ValidationOptions } from 'class-validator';
import type { ValueTransformer } from 'typeorm';

/**
 * Amounts in yuan must survive JSON (a double) → numeric(16,2) → JSON unchanged. A double
 * keeps every decimal of up to 15 significant digits, so with two decimals the integer part
 * stays below 10^13 (10 万亿 yuan, far above any enterprise's figures): larger amounts could
 * be silently moved by a fen, and are refused instead.
 */
export const MONEY_LIMIT = 1e13;

const TWO_DECIMALS = /^-?\d+(\.\d{1,2})?$/;

/** Why `value` is not an amount in yuan, or undefined when it is one. */
export function moneyError(value: unknown, allowNegative: boolean): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number of yuan';
  if (!allowNegative && value < 0) return 'must not be negative';
  if (Math.abs(value) >= MONEY_LIMIT) return 'must be less than 10000000000000 (10^13) yuan';
  // The shortest decimal that reads back as this double is what the client wrote.
  if (!TWO_DECIMALS.test(String(value))) return 'must have at most two decimals (yuan and fen)';
  return undefined;
}

/** Yuan as a JSON number with at most two decimals; negative only where the figure may be (net assets). */
export function IsMoney(options: { allowNegative?: boolean } & ValidationOptions = {}) {
  const { allowNegative = false, ...validationOptions } = options;
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isMoney',
      target: target.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate: (value: unknown) => moneyError(value, allowNegative) === undefined,
        defaultMessage: (args) => moneyError(args?.value, allowNegative) ?? '',
      },
    });
}

/** A NUMERIC as a JS number, whether the driver hands it over as a number or as text. */
export const toNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/** For numeric columns: stored exactly, read as numbers (the JSON the API sends). */
export const NUMERIC_AS_NUMBER: ValueTransformer = { to: (value: unknown) => value, from: toNumber };
