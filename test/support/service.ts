import { randomBytes } from 'node:crypto';
import { freePort, runService, type RunningService } from './process.js';

export const SERVICE_ADMIN = { email: 'service.admin@peiyu.test', password: 'service-admin-password' };

/** A reply as a test reads it: JSON bodies parsed, anything else as text. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read reply bodies by shape
export type CallResult = { status: number; body: any; headers: Headers | null };

export interface ServiceHandle {
  service: RunningService;
  /** `http://127.0.0.1:<port>` (API roles only). */
  base: string;
  /** A JSON call; `status` 0 when the connection itself failed. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  /** Signs in as the first admin; the token for `call`'s authorization header. */
  login(): Promise<string>;
}

/** The built service (`node dist/src/main.js`) with its own port, started and ready. */
export async function startService(env: Record<string, string>): Promise<ServiceHandle> {
  const port = await freePort();
  const service = runService({
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: `fault-${randomBytes(16).toString('hex')}`,
    ADMIN_EMAIL: SERVICE_ADMIN.email,
    ADMIN_PASSWORD: SERVICE_ADMIN.password,
    MAIL_FROM: '博山区科技局 <kjj@boshan.test>',
    LOG_LEVEL: 'info',
    // Fault tests send hundreds of requests a second as one caller.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
  try {
    await service.waitForLog(/Peiyu is serving|Peiyu worker started/, 30_000);
  } catch (err) {
    // A service that did not start must not outlive the test (Jest would not exit).
    service.child.kill('SIGKILL');
    throw err;
  }
  const base = `http://127.0.0.1:${port}`;
  const call: ServiceHandle['call'] = async (method, path, body, headers = {}) => {
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    } catch {
      return { status: 0, body: null, headers: null };
    }
  };
  return {
    service,
    base,
    call,
    async login() {
      const res = await call('POST', '/api/v1/auth/login', SERVICE_ADMIN);
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return `Bearer ${res.body.accessToken}`;
    },
  };
}
