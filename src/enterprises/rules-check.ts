import { registerDecorator } from 'class-validator';
import type { FieldError } from '../common/problem.js';

/** One of the readiness rules' validators (validateYearFigures, validateIpAsset, …), taking a path prefix. */
type RulesValidator<T> = (value: T, path: string) => FieldError[];

/** The rule's errors with field names relative to the object (`rdExpenseDomestic`, not `$.rdExpenseDomestic`). */
export function atRoot<T>(validate: RulesValidator<T>): (value: object) => FieldError[] {
  return (value) => validate(value as T, '$').map((e) => ({ field: e.field.slice(2), message: e.message }));
}

function crossFieldMessages(check: (value: object) => FieldError[], dto: object, property: string): string[] {
  const mine = (errors: FieldError[]) => errors.filter((e) => e.field === property).map((e) => e.message);
  // What the value breaks on its own is for the property's type decorators to report.
  const alone = new Set(mine(check({ [property]: (dto as Record<string, unknown>)[property] })));
  return mine(check(dto)).filter((message) => !alone.has(message));
}

/**
 * Reports what the readiness rules say about this property once the other fields are known:
 * domestic R&D ≤ R&D, S&T staff ≤ employees, expiry not before grant. Taken from the rules
 * themselves, so the API never stores what the scoring would refuse, and the 400 names this
 * field together with every other bad one.
 */
export function AgreesWithRules(check: (value: object) => FieldError[]) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'agreesWithRules',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (_: unknown, args) => crossFieldMessages(check, args!.object, propertyName).length === 0,
        defaultMessage: (args) => crossFieldMessages(check, args!.object, propertyName).join('; '),
      },
    });
}
