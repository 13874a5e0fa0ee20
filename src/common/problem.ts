import { HttpException, HttpStatus } from '@nestjs/common';

/** One bad field of a request: `field` is a dotted path such as `years.0.revenue`. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem document. Extra members (errors, allowed, …) ride along. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const titleFor = (status: number) => TITLES[status] ?? HttpStatus[status] ?? 'Error';

/**
 * The one exception services throw for a client-visible problem. `type` is a stable URI
 * slug under /problems/ that integrators can branch on.
 */
export class Problem extends HttpException {
  constructor(
    status: number,
    readonly slug: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }

  static validation(errors: FieldError[], detail = 'The request has invalid fields.'): Problem {
    return new Problem(400, 'validation', detail, { errors });
  }

  static field(field: string, message: string): Problem {
    return Problem.validation([{ field, message }], `${field}: ${message}`);
  }

  static notFound(what: string, id: string): Problem {
    return new Problem(404, 'not-found', `No ${what} ${id}.`);
  }

  static conflict(detail: string, extensions: Record<string, unknown> = {}): Problem {
    return new Problem(409, 'conflict', detail, extensions);
  }

  static forbidden(detail: string): Problem {
    return new Problem(403, 'forbidden', detail);
  }

  static stale(current: number): Problem {
    return new Problem(412, 'stale-version', `The resource has changed: its version is now ${current}.`, {
      currentVersion: current,
    });
  }
}

export const PROBLEM_TYPE_BASE = '/problems/';

/** The document for a Problem; the ProblemFilter (or a raw Fastify route) adds `instance` and `requestId`. */
export function problemDocument(problem: Problem): ProblemDocument {
  const status = problem.getStatus();
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.slug}`,
    title: titleFor(status),
    status,
    detail: problem.message,
    ...problem.extensions,
  };
}
