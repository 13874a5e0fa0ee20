import { createHash } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, of, switchMap, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../database/availability.js';
import { mutate } from '../database/sql.js';
import { Problem } from './problem.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
// A first request that has not finished within this time is taken to have died with its
// process; a retry then runs it again rather than waiting for a response that never comes.
const ABANDONED_AFTER_SECONDS = 60;
const KEPT_HOURS = 24;
const SETTLE_ATTEMPTS = 5;
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

interface Claim {
  owner: string;
  key: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim;
  }
}

type Stored = {
  state: string;
  body_hash: string;
  fresh: boolean;
  abandoned: boolean;
  response_status: number;
  response_body: unknown;
  response_headers: Record<string, string>;
};

/** Stores the first response to a POST under its Idempotency-Key, per caller, for 24 h. */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims the key for this request, or returns the stored outcome of an earlier one. */
  async claim(claim: Claim, method: string, path: string, bodyHash: string): Promise<'claimed' | Stored> {
    const inserted = await this.dataSource.query(
      `INSERT INTO idempotency_keys (owner, key, method, path, body_hash, state)
       VALUES ($1, $2, $3, $4, $5, 'pending') ON CONFLICT DO NOTHING RETURNING 1`,
      [claim.owner, claim.key, method, path, bodyHash],
    );
    if (inserted.length > 0) return 'claimed';
    const [row]: Stored[] = await this.dataSource.query(
      `SELECT state, body_hash, response_status, response_body, response_headers,
              created_at > now() - make_interval(hours => $3) AS fresh,
              created_at < now() - make_interval(secs => $4) AS abandoned
         FROM idempotency_keys WHERE owner = $1 AND key = $2`,
      [claim.owner, claim.key, KEPT_HOURS, ABANDONED_AFTER_SECONDS],
    );
    if (!row || !row.fresh || (row.state === 'pending' && row.abandoned)) {
      // Expired or abandoned: start over under the same key.
      const taken = await mutate(
        this.dataSource,
        `UPDATE idempotency_keys SET method = $3, path = $4, body_hash = $5, state = 'pending', created_at = now(),
                response_status = NULL, response_body = NULL, response_headers = NULL
          WHERE owner = $1 AND key = $2 AND (created_at < now() - make_interval(hours => $6)
                OR (state = 'pending' AND created_at < now() - make_interval(secs => $7)))
          RETURNING 1`,
        [claim.owner, claim.key, method, path, bodyHash, KEPT_HOURS, ABANDONED_AFTER_SECONDS],
      );
      if (taken.count > 0) return 'claimed';
      return this.claim(claim, method, path, bodyHash);
    }
    return row;
  }

  async complete(
    claim: Claim,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4, response_headers = $5
        WHERE owner = $1 AND key = $2`,
      [claim.owner, claim.key, status, JSON.stringify(body ?? null), JSON.stringify(headers)],
    );
  }

  async release(claim: Claim): Promise<void> {
    await mutate(
      this.dataSource,
      `DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND state = 'pending'`,
      [claim.owner, claim.key],
    );
  }

  /**
   * Called from Fastify's onSend: keeps a success for replay, forgets anything else. A cut
   * connection is retried on a fresh one: left pending, the key would refuse the client's
   * retries as "in progress" until it counted as abandoned.
   */
  async settle(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.settleOnce(request, reply, payload);
      } catch (err) {
        if (!isDatabaseUnavailable(err) || attempt >= SETTLE_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private async settleOnce(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const claim = request.idempotency;
    if (!claim) return;
    if (reply.statusCode >= 200 && reply.statusCode < 300) {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      const text =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
      await this.complete(
        claim,
        reply.statusCode,
        text === null || text === '' ? null : JSON.parse(text),
        headers,
      );
    } else {
      await this.release(claim);
    }
    request.idempotency = undefined;
  }

  async purgeExpired(): Promise<number> {
    const { count } = await mutate(
      this.dataSource,
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
      [KEPT_HOURS],
    );
    return count;
  }
}

/** Canonical JSON (sorted keys), so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * API.md: a POST repeated with the same Idempotency-Key and body within 24 h returns the
 * first response and creates nothing; the same key with another body is a 422.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.actor) return next.handle();
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw Problem.field('Idempotency-Key', 'must be 1–200 visible ASCII characters');
    }
    const claim = { owner: `${request.actor.type}:${request.actor.id}`, key };
    const path = request.url.split('?')[0];
    const bodyHash = createHash('sha256')
      .update(`${path}\n${canonical(request.body ?? null)}`)
      .digest('hex');
    return from(this.idempotency.claim(claim, request.method, path, bodyHash)).pipe(
      switchMap((outcome) => {
        if (outcome === 'claimed') {
          request.idempotency = claim;
          return next.handle();
        }
        if (outcome.body_hash !== bodyHash) {
          throw new Problem(
            422,
            'idempotency-key-reused',
            'This Idempotency-Key was used with a different request body or path.',
          );
        }
        if (outcome.state === 'pending') {
          throw new Problem(
            409,
            'idempotency-in-progress',
            'A request with this Idempotency-Key is still being processed.',
            {},
            { 'retry-after': '1' },
          );
        }
        const reply = http.getResponse<FastifyReply>();
        void reply
          .status(outcome.response_status)
          .headers({ ...outcome.response_headers, 'idempotent-replayed': 'true' });
        return of(outcome.response_body);
      }),
    );
  }
}
