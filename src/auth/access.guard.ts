import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Problem } from '../common/problem.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { ACCESS_KEY, type AccessRule } from './access.decorators.js';
import type { Actor } from './actor.js';
import { AuthService, bearerUnauthorized as unauthorized } from './auth.service.js';
import { ROLE_PERMISSIONS, type Permission } from './permissions.js';

/**
 * The one place access is decided: who the caller is (staff token or API key) and whether
 * they hold the permission the route declares. A route that declares none is refused, so a
 * new endpoint cannot ship open by accident.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly rateLimits: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule && 'public' in rule) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!rule) {
      this.logger.error(`${request.method} ${request.routeOptions.url} declares no access rule; refusing`);
      throw Problem.forbidden('This route has no access rule.');
    }
    const actor = await this.authenticate(request);
    request.actor = actor;
    // Counted before the permission check, so a caller hammering routes it may not use is limited too.
    await this.rateLimits.consume(request, context.switchToHttp().getResponse<FastifyReply>(), actor);
    if (!actor.permissions.has(rule.permission)) {
      throw Problem.forbidden(
        rule.permission === 'admin'
          ? 'Only an admin may do this.'
          : actor.type === 'apiKey'
            ? `This API key lacks the scope ${rule.permission}.`
            : `Your role (${actor.role}) may not do this (${rule.permission}).`,
      );
    }
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<Actor> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') {
      const key = await this.apiKeys.authenticate(apiKey);
      if (!key) throw new Problem(401, 'unauthorized', 'The API key is unknown or revoked.');
      return {
        type: 'apiKey',
        id: key.id,
        permissions: new Set<Permission>(key.scopes),
        requestId: request.id,
        rateLimitPerMinute: key.rateLimitPerMinute,
      };
    }
    const header = request.headers.authorization;
    if (!header) throw unauthorized('Sign in: send Authorization: Bearer <token> or X-API-Key.');
    if (!header.startsWith('Bearer '))
      throw unauthorized('Use the Bearer scheme: Authorization: Bearer <token>.', 'invalid_request');
    const staff = await this.auth.staffFromToken(header.slice(7).trim());
    return {
      type: 'user',
      id: staff.id,
      role: staff.role,
      permissions: ROLE_PERMISSIONS[staff.role],
      requestId: request.id,
    };
  }
}
