import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { redisOptions } from '../queue/redis.js';
import { decide, rateKey, windowAt } from './rate-limit.rules.js';

/** Routes that are never limited: scrapes must keep working when something is hammering the API. */
const EXEMPT_ROUTES = new Set(['/metrics']);
/** How long a request waits for Redis before it goes through uncounted. */
const REDIS_TIMEOUT_MS = 250;
/** One warning per outage, then at most one this often. */
const WARN_EVERY_MS = 60_000;

// INCR and set the expiry on the first hit, in one round trip and atomically.
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Requests per minute per API key (its own `rateLimitPerMinute`, else RATE_LIMIT_PER_MINUTE)
 * and per staff member, counted in Redis so every API process shares the count. Called by the
 * AccessGuard once the caller is known. When Redis does not answer, requests go through
 * uncounted (logged): a limit must not take the API down with it.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis;
  private lastWarnAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    // Its own connection that fails fast, unlike BullMQ's, which waits for Redis forever.
    this.redis = new Redis({
      ...redisOptions(config.REDIS_URL),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: REDIS_TIMEOUT_MS,
      lazyConnect: false,
      // Every authenticated request hits Redis once: let concurrent ones share a round trip.
      enableAutoPipelining: true,
    });
    this.redis.on('error', () => undefined); // reconnects by itself; each refused request is logged below
    // Sent by its SHA (EVALSHA) once Redis knows it, not the whole script on every request.
    this.redis.defineCommand('peiyuRateHit', { numberOfKeys: 1, lua: HIT });
  }

  /** Counts this request; sets the RateLimit headers, or throws a 429 with Retry-After. */
  async consume(request: FastifyRequest, reply: FastifyReply, actor: Actor): Promise<void> {
    if (actor.id === null || EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return;
    const limit = actor.rateLimitPerMinute ?? this.config.RATE_LIMIT_PER_MINUTE;
    const { index, resetMs } = windowAt(this.clock.now().getTime());
    const count = await this.hit(rateKey(this.config.QUEUE_PREFIX, actor.type, actor.id, index), resetMs + 1000);
    if (count === null) return;
    const decision = decide(limit, count, resetMs);
    for (const [name, value] of Object.entries(decision.headers)) void reply.header(name, value);
    if (!decision.allowed) {
      throw new Problem(
        429,
        'rate-limited',
        `${actor.type === 'apiKey' ? 'This API key' : 'You'} may make ${limit} requests a minute; try again in ${decision.retryAfter} s.`,
        { retryAfter: decision.retryAfter, limit },
        { 'retry-after': String(decision.retryAfter) },
      );
    }
  }

  private async hit(key: string, ttlMs: number): Promise<number | null> {
    try {
      const redis = this.redis as Redis & { peiyuRateHit(key: string, ttlMs: string): Promise<unknown> };
      return Number(await redis.peiyuRateHit(key, String(ttlMs)));
    } catch (err) {
      const now = Date.now();
      if (now - this.lastWarnAt >= WARN_EVERY_MS) {
        this.lastWarnAt = now;
        this.logger.warn({ err }, 'Rate limit not counted: Redis did not answer; letting requests through');
      }
      return null;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
