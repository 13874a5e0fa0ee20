import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Problem } from '../common/problem.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { TokenView } from './dto/login.dto.js';
import type { Role } from './permissions.js';
import { TokenService } from './token.service.js';

// API.md: after ten failed logins for one email within 15 minutes, the next gets a 429.
const MAX_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;

/** A 401 that tells a Bearer client what to do (RFC 6750). */
export const bearerUnauthorized = (detail: string, error?: string) =>
  new Problem(
    401,
    'unauthorized',
    detail,
    {},
    { 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' },
  );

/** A staff member as authenticated: the role as it is now in the database. */
export interface Staff {
  id: string;
  role: Role;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  async login(emailInput: string, password: string): Promise<TokenView> {
    const user = await this.verifyPassword(emailInput, password);
    return {
      accessToken: this.tokens.issue({ sub: user.id, role: user.role }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
    };
  }

  /**
   * The active user with this email and password, under the login throttle: a wrong password
   * counts as a failed sign-in (401), the eleventh in 15 minutes is a 429. Sign-in and HTTP
   * Basic on the queue dashboard share it.
   */
  async verifyPassword(emailInput: string, password: string): Promise<User> {
    const email = emailInput.trim().toLowerCase();
    await this.claimAttempt(email);
    const user = await this.users.verifyCredentials(email, password);
    // A failed attempt keeps the row claimAttempt wrote; that row is the recorded failure.
    if (!user)
      throw new Problem(
        401,
        'invalid-credentials',
        'Wrong email or password, or the account is deactivated.',
      );
    await this.dataSource.query('DELETE FROM login_failures WHERE email = $1', [email]);
    return user;
  }

  /** The staff member a Bearer token stands for, or a 401; role and active flag are read now, not from the token. */
  async staffFromToken(token: string): Promise<Staff> {
    const claims = this.tokens.verify(token);
    if (!claims) throw bearerUnauthorized('The token is invalid or has expired; sign in again.', 'invalid_token');
    return this.activeStaff(claims.sub, 'invalid_token');
  }

  /** The staff member with this id if they still exist and are active (cached for a few seconds), or a 401. */
  async activeStaff(id: string, error?: string): Promise<Staff> {
    const standing = await this.users.standingOf(id);
    if (!standing || !standing.active)
      throw bearerUnauthorized('This account no longer exists or is deactivated.', error);
    // The role is read from the database, not the token, so a demotion applies at once.
    return { id, role: standing.role };
  }

  /**
   * Records the attempt as a failure *before* the password is checked, unless ten are already
   * recorded. Checking first and recording after the (slow) password check let a burst of
   * parallel guesses all pass the check; now at most MAX_FAILURES attempts are ever verified.
   */
  private async claimAttempt(email: string): Promise<void> {
    const retryAfter = await this.dataSource.transaction(async (m) => {
      // One email's attempts take turns for these two statements only (not the argon2 check).
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login:${email}`]);
      const [row] = await m.query(
        `SELECT count(*)::int AS failures,
                ceil(extract(epoch FROM min(at) + make_interval(secs => $2) - now()))::int AS retry_after
           FROM (SELECT at FROM login_failures
                  WHERE email = $1 AND at > now() - make_interval(secs => $2)
                  ORDER BY at DESC LIMIT $3) recent`,
        [email, WINDOW_SECONDS, MAX_FAILURES],
      );
      if (row.failures >= MAX_FAILURES) return Math.max(1, row.retry_after as number);
      await m.query('INSERT INTO login_failures (email) VALUES ($1)', [email]);
      return null;
    });
    if (retryAfter !== null) {
      throw new Problem(
        429,
        'too-many-login-attempts',
        `Too many failed sign-ins for this email. Try again in ${retryAfter} seconds.`,
        { retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
}
