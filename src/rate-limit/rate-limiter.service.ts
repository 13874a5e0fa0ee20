import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { redisOptions } from '../queue/redis.js';
import { decide, rateKey, windowAt } from './rate-limit.rules.js';
import { RateTally } from './rate-tally.js';

/** Routes that are never limited: scrapes must keep working when something is hammering the API. */
const EXEMPT_ROUTES = new Set(['/metrics']);
/** How long a flush waits for Redis. */
const REDIS_TIMEOUT_MS = 250;
/**
 * How often this process sends its counts to Redis. A request costs no round trip; the price is
 * a soft limit across processes: each may let a caller through for one interval on old news.
 */
export const RATE_FLUSH_MS = 100;
/** One warning per outage, then at most one this often. */
const WARN_EVERY_MS = 60_000;

// Add this process's hits and set the expiry on the first, atomically.
const ADD = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n`;

/** ioredis adds a defined command to the client and to its pipelines. */
type RatePipeline = ReturnType<Redis['pipeline']> & { peiyuRateAdd(key: string, hits: number, ttlMs: number): unknown };

/**
 * Requests per minute per API key (its own `rateLimitPerMinute`, else RATE_LIMIT_PER_MINUTE)
 * and per staff member, counted here and shared through Redis every RATE_FLUSH_MS so every API
 * process sees the count. Called by the AccessGuard once the caller is known. When Redis is not
 * connected, requests go through uncounted (logged): a limit must not take the API down with it.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis;
  private lastWarnAt = 0;
  private readonly tally = new RateTally();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

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
    });
    this.redis.on('error', () => undefined); // reconnects by itself; each refused request is logged below
    // Sent by its SHA (EVALSHA) once Redis knows it, not the whole script every time.
    this.redis.defineCommand('peiyuRateAdd', { numberOfKeys: 1, lua: ADD });
  }

  /** Counts this request; sets the RateLimit headers, or throws a 429 with Retry-After. */
  async consume(request: FastifyRequest, reply: FastifyReply, actor: Actor): Promise<void> {
    if (actor.id === null || EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return;
    const limit = actor.rateLimitPerMinute ?? this.config.RATE_LIMIT_PER_MINUTE;
    if (this.redis.status !== 'ready') {
      this.warn(undefined);
      return;
    }
    const { index, resetMs } = windowAt(this.clock.now().getTime());
    const key = rateKey(this.config.QUEUE_PREFIX, actor.type, actor.id, index);
    const count = this.tally.hit(key, index, resetMs + 1000);
    this.flushTimer ??= setTimeout(() => void this.flush(), RATE_FLUSH_MS).unref();
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

  /** Sends the counts (one pipeline), one flush at a time; the next waits for new hits. */
  private async flush(): Promise<void> {
    this.flushTimer = null;
    if (this.flushing) return;
    this.flushing = this.tally
      .flush(windowAt(this.clock.now().getTime()).index, async (entries) => {
        const pipeline = this.redis.pipeline() as RatePipeline;
        for (const { key, hits, ttlMs } of entries) pipeline.peiyuRateAdd(key, hits, ttlMs);
        const replies = (await pipeline.exec()) ?? [];
        return replies.map(([err, n]) => (err ? null : Number(n)));
      })
      .catch((err: unknown) => this.warn(err))
      .finally(() => {
        this.flushing = null;
        if (this.tally.pending) this.flushTimer ??= setTimeout(() => void this.flush(), RATE_FLUSH_MS).unref();
      });
    await this.flushing;
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ err }, 'Rate limit not counted: Redis did not answer; letting requests through');
  }

  async onModuleDestroy(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    // The last counts go out before the connection closes (a no-op when Redis is away).
    if (this.redis.status === 'ready') await this.flush();
    this.redis.disconnect();
  }
}
