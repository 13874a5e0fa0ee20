import { createHash, randomBytes } from 'node:crypto';
import { AuthService, type Staff } from '../auth/auth.service.js';
import { ROLE_PERMISSIONS } from '../auth/permissions.js';
import { Problem } from '../common/problem.js';
import { TtlCache } from '../common/ttl-cache.js';

/** What a browser needs to show its sign-in prompt. */
export const BASIC_CHALLENGE = 'Basic realm="Peiyu queues", charset="UTF-8"';

// A browser sends Basic credentials with every request (each asset, each poll of the API);
// a verified header is remembered this long so they do not each cost an argon2 check.
const VERIFIED_FOR_MS = 60_000;

const unauthorized = (detail: string) => new Problem(401, 'unauthorized', detail);

/** Email and password from an `Authorization: Basic` header (RFC 7617), or null when it is not one. */
export function parseBasicCredentials(header: string): { email: string; password: string } | null {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Admin sign-in for the raw Fastify routes the AccessGuard does not see (the queue dashboard):
 * a staff Bearer token, or HTTP Basic with an admin's email and password so a browser can open
 * them. Both go through AuthService, so tokens, the login throttle and deactivation work as for
 * the API. Throws a Problem: 401 (unknown), 403 (not an admin) or 429 (too many wrong passwords).
 */
export class AdminAuth {
  private readonly verified = new TtlCache<string, string>(VERIFIED_FOR_MS, 1000);
  // Cache keys are salted hashes of the header, so the cache never holds a password.
  private readonly salt = randomBytes(16);

  constructor(private readonly auth: AuthService) {}

  async authenticate(header: string | undefined): Promise<Staff> {
    const staff = await this.identify(header);
    if (!ROLE_PERMISSIONS[staff.role].has('admin'))
      throw Problem.forbidden(`Only an admin may open this; your role is ${staff.role}.`);
    return staff;
  }

  private async identify(header: string | undefined): Promise<Staff> {
    if (!header)
      throw unauthorized('Sign in as an admin: HTTP Basic with your email and password, or a Bearer token.');
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    if (bearer) return this.auth.staffFromToken(bearer[1]);
    const basic = parseBasicCredentials(header);
    if (!basic) throw unauthorized('Use HTTP Basic with your email and password, or a Bearer token.');
    // The limits of the login form: nothing longer reaches the throttle or argon2.
    if (!basic.email || basic.email.length > 254 || !basic.password || basic.password.length > 200)
      throw new Problem(
        401,
        'invalid-credentials',
        'Wrong email or password, or the account is deactivated.',
      );
    const key = createHash('sha256').update(this.salt).update(header).digest('base64');
    const id = this.verified.get(key);
    // Remembered: still re-read the role and active flag (cached for seconds), so a
    // deactivation or demotion applies as quickly as on the API.
    if (id) return this.auth.activeStaff(id);
    const user = await this.auth.verifyPassword(basic.email, basic.password);
    this.verified.set(key, user.id);
    return { id: user.id, role: user.role };
  }
}
