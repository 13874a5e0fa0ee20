import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../database/availability.js';
import { Problem, PROBLEM_TYPE_BASE, problemDocument, titleFor, type ProblemDocument } from './problem.js';

// Fastify's own errors for malformed requests, mapped to what a client can act on. A 400
// names what was wrong (`field`) like any other 400.
const FASTIFY_CODES: Record<string, { status: number; slug: string; detail: string; field?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    slug: 'malformed-json',
    detail: 'The body is not valid JSON.',
    field: 'body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    slug: 'malformed-json',
    detail: 'The body is empty but declared as JSON.',
    field: 'body',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    slug: 'body-too-large',
    detail: 'The body is larger than this API accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    detail: 'Send JSON with Content-Type: application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    slug: 'bad-request',
    detail: 'Content-Length does not match the body.',
    field: 'Content-Length',
  },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 400,
    slug: 'bad-request',
    detail: 'Invalid Content-Type header.',
    field: 'Content-Type',
  },
  // Raised by the router before any route (or Nest) sees the request; see `frameworkErrors` in app.ts.
  FST_ERR_BAD_URL: {
    status: 400,
    slug: 'bad-url',
    detail: 'The URL has invalid percent-encoding.',
    field: 'path',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    slug: 'uri-too-long',
    detail: 'A path parameter is longer than any this API accepts.',
  },
};

/** The problem document for one of Fastify's own client errors, or undefined for any other error. */
export function fastifyProblem(code: string | undefined): ProblemDocument | undefined {
  const known = code ? FASTIFY_CODES[code] : undefined;
  if (!known) return undefined;
  return {
    type: `${PROBLEM_TYPE_BASE}${known.slug}`,
    title: titleFor(known.status),
    status: known.status,
    detail: known.detail,
    ...(known.field && { errors: [{ field: known.field, message: known.detail }] }),
  };
}

/** Turns every error into application/problem+json. Anything unexpected is a logged 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { problem, headers } = this.toProblem(error, request);
    problem.instance = request.url;
    problem.requestId = request.id;
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(problem);
  }

  private toProblem(
    error: unknown,
    request: FastifyRequest,
  ): { problem: ProblemDocument; headers: Record<string, string> } {
    // The Fastify adapter wraps Fastify's client errors in an HttpException, keeping the original as its cause.
    const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    const known = fastifyProblem(code);
    if (known) return { problem: known, headers: {} };
    if (error instanceof Problem) return { problem: problemDocument(error), headers: error.headers };
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const detail =
        typeof response === 'object' && response !== null && 'message' in response
          ? String((response as { message: unknown }).message)
          : error.message;
      if (status >= 500) this.logger.error({ err: error, url: request.url }, 'HTTP exception');
      return { problem: this.doc(status, slugFor(status), detail), headers: {} };
    }
    const statusCode = (error as { statusCode?: number })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // Another client error raised by Fastify or a plugin (e.g. a bad header).
      return { problem: this.doc(statusCode, slugFor(statusCode), (error as Error).message), headers: {} };
    }
    const sqlState =
      error instanceof QueryFailedError ? (error.driverError as { code?: string })?.code : undefined;
    if (sqlState === '40P01' || sqlState === '40001') {
      // Two writers collided and PostgreSQL chose this one to give way: safe to send again.
      this.logger.warn({ url: request.url, sqlState }, 'Transaction conflict; client asked to retry');
      return {
        problem: this.doc(
          409,
          'write-conflict',
          'Another change to the same record got in the way; send the request again.',
        ),
        headers: { 'retry-after': '1' },
      };
    }
    if (isDatabaseUnavailable(error)) {
      // The connection was cut (a failover, a restart, an operator ending backends): nothing
      // was committed, so sending the request again (with its Idempotency-Key) is safe.
      this.logger.warn({ url: request.url, err: error }, 'Database unavailable; client asked to retry');
      return {
        problem: this.doc(503, 'database-unavailable', 'The database is unavailable for a moment; send the request again.'),
        headers: { 'retry-after': '1' },
      };
    }
    if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505') {
      // A unique index said no; services normally translate this, this is the safety net.
      return {
        problem: this.doc(409, 'conflict', 'This conflicts with a record that already exists.'),
        headers: {},
      };
    }
    this.logger.error({ err: error, url: request.url, method: request.method }, 'Unhandled error');
    return {
      problem: this.doc(500, 'internal', 'Something went wrong on our side; it has been logged.'),
      headers: {},
    };
  }

  private doc(
    status: number,
    slug: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ): ProblemDocument {
    return { type: `${PROBLEM_TYPE_BASE}${slug}`, title: titleFor(status), status, detail, ...extensions };
  }
}

function slugFor(status: number): string {
  return titleFor(status)
    .toLowerCase()
    .replace(/[^a-z]+/g, '-');
}
