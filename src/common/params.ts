import { createParamDecorator, Param, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { Problem } from './problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!UUID.test(value)) throw Problem.field(this.name, 'must be a UUID');
    return value.toLowerCase();
  }
}

/** A UUID path parameter; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') => Param(name, new UuidPipe(name));

/** The authenticated caller, set by the AccessGuard. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().actor!;
});

/**
 * The version an `If-Match` header demands, or undefined when absent or `*`. ETags are
 * `"<version>"`; weak forms (`W/"3"`) are accepted since proxies add them.
 */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw Problem.field('If-Match', 'must be an ETag this API sent, such as "3"');
  return Number(match[1]);
});
