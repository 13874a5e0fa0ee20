import { UUID } from '../common/validators.js';
import { Injectable, Logger } from '@nestjs/common';
import { createSigner, createVerifier } from 'fast-jwt';
import { AppConfig } from '../config/app-config.js';
import type { Role } from './permissions.js';

export interface StaffClaims {
  sub: string;
  role: Role;
}

/** HS256 staff tokens signed with JWT_SECRET. */
@Injectable()
export class TokenService {
  private readonly sign: (payload: StaffClaims) => string;
  private readonly verifyToken: (token: string) => StaffClaims & { exp: number };
  readonly ttlSeconds: number;

  constructor(config: AppConfig) {
    if (config.jwtSecretGenerated) {
      new Logger('TokenService').warn(
        'JWT_SECRET is not set: tokens are signed with a random per-process secret',
      );
    }
    this.ttlSeconds = config.JWT_TTL_SECONDS;
    this.sign = createSigner({
      key: config.jwtSecret,
      algorithm: 'HS256',
      expiresIn: this.ttlSeconds * 1000,
    });
    this.verifyToken = createVerifier({
      key: config.jwtSecret,
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp'],
    });
  }

  issue(claims: StaffClaims): string {
    return this.sign({ sub: claims.sub, role: claims.role });
  }

  /** The claims of a valid token, or null for a forged, malformed or expired one. */
  verify(token: string): StaffClaims | null {
    try {
      const claims = this.verifyToken(token);
      // Only a holder of the secret could sign a bad sub, but it must not reach SQL as one.
      return typeof claims.sub === 'string' && UUID.test(claims.sub) ? claims : null;
    } catch {
      return null;
    }
  }
}
