import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';

/** Trims strings; leaves everything else for the type validators to refuse. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Optional but not nullable: absent is fine, null is refused by the type rules below it (IsOptional lets null through). */
export const OptionalNotNull = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** Lower-cases strings (ids and emails compare in lower case). */
export const LowerCase = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));

/** A UUID as PostgreSQL prints it: checked before a value reaches a `uuid` cast. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2023-02-30 is refused). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && y <= 2999 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function IsCalendarDate(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName,
      options: { message: 'must be a calendar date YYYY-MM-DD', ...options },
      validator: { validate: isCalendarDate },
    });
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 instant with its offset, e.g. 2026-11-27T08:00:00+08:00. */
export function IsInstant(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName,
      options: {
        message: 'must be an ISO 8601 instant with an offset, e.g. 2026-11-27T08:00:00+08:00',
        ...options,
      },
      validator: {
        // Date.parse rolls 2023-02-30 over to 2 March where PostgreSQL refuses it, so the day is checked too.
        validate: (value: unknown) =>
          typeof value === 'string' &&
          INSTANT.test(value) &&
          isCalendarDate(value.slice(0, 10)) &&
          !Number.isNaN(Date.parse(value)),
      },
    });
}
