// Per-caller request limits over fixed one-minute windows: the arithmetic, no Redis, no clock.

export const WINDOW_MS = 60_000;

/** Which window `nowMs` falls in, and how long until it ends. */
export function windowAt(nowMs: number, windowMs = WINDOW_MS): { index: number; resetMs: number } {
  const index = Math.floor(nowMs / windowMs);
  return { index, resetMs: (index + 1) * windowMs - nowMs };
}

export interface RateDecision {
  allowed: boolean;
  /** RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds until the window ends). */
  headers: Record<string, string>;
  /** Seconds to wait, when refused (at least 1). */
  retryAfter: number;
}

/** The `count`-th request of a window with `limit` allowed, `resetMs` before the window ends. */
export function decide(limit: number, count: number, resetMs: number): RateDecision {
  const reset = Math.max(1, Math.ceil(resetMs / 1000));
  return {
    allowed: count <= limit,
    headers: {
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - count)),
      'ratelimit-reset': String(reset),
    },
    retryAfter: reset,
  };
}

/** The Redis key counting one caller's requests in one window. */
export const rateKey = (prefix: string, callerType: string, callerId: string, windowIndex: number) =>
  `${prefix}:ratelimit:${callerType}:${callerId}:${windowIndex}`;
