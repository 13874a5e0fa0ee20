import type { Permission, Role } from './permissions.js';

export type ActorType = 'user' | 'apiKey' | 'system';

/** Who is acting: a signed-in staff member, another district system, or Peiyu itself. */
export interface Actor {
  type: ActorType;
  id: string | null;
  role?: Role;
  permissions: ReadonlySet<Permission>;
  /** The HTTP request this action came from, for the audit trail. */
  requestId?: string;
  /** An API key's own requests-per-minute limit; unset means RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute?: number | null;
}

/** How an actor is shown in audit entries and histories: `{ type, id }`. */
export interface ActorRef {
  type: ActorType;
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, permissions: new Set() };

export const actorRef = (actor: Actor): ActorRef => ({ type: actor.type, id: actor.id });

/**
 * The officer rule of API.md: an officer writes the enterprises assigned to them and the
 * unassigned ones (and their children); admins and API keys with the write scope write all.
 */
export function canWriteEnterprise(actor: Actor, enterpriseOfficerId: string | null): boolean {
  if (actor.type !== 'user' || actor.role !== 'officer') return true;
  return enterpriseOfficerId === null || enterpriseOfficerId === actor.id;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the AccessGuard once the caller is authenticated. */
    actor?: Actor;
  }
}
