/**
 * Whether an error means "the database connection is gone" rather than "this query is wrong":
 * a connection exception (SQLSTATE class 08), the server shutting the session down (57P01–03),
 * too many connections (53300), or the driver noticing a dropped or unreachable socket. Such a
 * request committed nothing and may be sent again.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /ECONNREFUSED|ECONNRESET|EPIPE/,
];

/** TypeORM releases a query runner whose connection died; the transaction on it never committed. */
const RELEASED_RUNNER = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const { code, message, driverError, name } = e as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      name?: unknown;
    };
    if (typeof name === 'string' && RELEASED_RUNNER.has(name)) return true;
    if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_STATES.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
    e = driverError;
  }
  return false;
}
