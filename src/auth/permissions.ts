// The access rules of API.md in one table. Routes name the permission they need; the
// AccessGuard is the only place that decides whether the caller has it.

export const ROLES = ['admin', 'officer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes an API key can carry (and that staff roles map onto). */
export const SCOPES = [
  'enterprises:read',
  'enterprises:write',
  'applications:read',
  'applications:write',
  'tracking:read',
  'tracking:write',
  'reminders:read',
  'reminders:write',
  'demands:read',
  'demands:write',
  'reports:read',
  'readiness:evaluate',
  'webhooks:manage',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];

/** `admin` guards what only an admin user may do (users, API keys, audit); no key gets it. */
export type Permission = Scope | 'admin';

const READS: Scope[] = SCOPES.filter((s) => s.endsWith(':read') && s !== 'metrics:read');

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([...SCOPES, 'admin']),
  // Officers read everything and write the bureau's records; which enterprises they may
  // write is decided per record by canWriteEnterprise below.
  officer: new Set<Permission>([
    ...READS,
    'enterprises:write',
    'applications:write',
    'tracking:write',
    'reminders:write',
    'demands:write',
    'readiness:evaluate',
  ]),
  viewer: new Set<Permission>([...READS, 'readiness:evaluate']),
};
