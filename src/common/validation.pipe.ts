import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { Problem, type FieldError } from './problem.js';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Validates bodies and query strings against their DTO class: unknown fields are rejected,
 * and every bad field is named in one 400 (problem+json `errors`).
 */
@Injectable()
export class ValidationPipe implements PipeTransform {
  transform(value: unknown, { metatype, type }: ArgumentMetadata): unknown {
    if ((type !== 'body' && type !== 'query') || !metatype || PRIMITIVES.has(metatype)) return value;
    if (type === 'body' && (value === undefined || value === null)) {
      throw Problem.field('body', 'a JSON object is required');
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw Problem.field(type === 'body' ? 'body' : 'query', 'must be a JSON object');
    }
    const instance = plainToInstance(metatype as new () => object, value, { exposeDefaultValues: true });
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    const all = [...flattenErrors(errors), ...nulCharacters(value)];
    if (all.length > 0) throw Problem.validation(all);
    return instance;
  }
}

/** PostgreSQL text cannot hold U+0000: refused here as a 400 rather than failing the query as a 500. */
export function nulCharacters(value: unknown, prefix = ''): FieldError[] {
  if (typeof value === 'string')
    return value.includes('\u0000')
      ? [{ field: prefix || 'body', message: 'must not contain the NUL character (U+0000)' }]
      : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => nulCharacters(v, prefix ? `${prefix}.${key}` : key));
}

export function flattenErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        message:
          rule === 'whitelistValidation' ? 'is not a known field' : stripProperty(message, error.property),
      });
    }
    if (error.children?.length) out.push(...flattenErrors(error.children, field));
  }
  return out;
}

// class-validator messages start with the property name ("name must be a string"); the
// field is already named separately, so keep just the rule.
function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
