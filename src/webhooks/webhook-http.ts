// The one HTTP POST a delivery makes: no redirects, a hard deadline, and the address checked
// on the connection actually made (a name that resolved to a public address at create time
// may resolve to a private one now: DNS rebinding).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress, urlHost } from './address.rules.js';
import { RESPONSE_SNIPPET_BYTES } from './webhook.rules.js';

export type PostResult =
  | { kind: 'answered'; statusCode: number; durationMs: number; snippet: string }
  /** The address was private and private addresses are not allowed: nothing was sent. */
  | { kind: 'refused'; error: string; durationMs: number }
  | { kind: 'error'; error: string; durationMs: number };

export class PrivateAddressError extends Error {
  readonly code = 'EPEIYUPRIVATE';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private or loopback address (WEBHOOK_ALLOW_PRIVATE is off)`);
  }
}

/** dns.lookup that fails when any address of the name is private, unless allowed. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new PrivateAddressError(hostname, bad.address), '', 4);
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/** Every address `hostname` resolves to (an IP literal is its own), within `timeoutMs`. */
export function resolveAll(hostname: string, timeoutMs = 5000): Promise<string[]> {
  if (isIP(hostname)) return Promise.resolve([hostname]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`looking up ${hostname} took over ${timeoutMs / 1000} s`)), timeoutMs);
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve((addresses as LookupAddress[]).map((a) => a.address));
    });
  });
}

const describe = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  const text = e?.message ?? String(err);
  return (e?.code && !text.includes(e.code) ? `${e.code}: ${text}` : text).replace(/\s+/g, ' ').slice(0, 500);
};

/** POSTs `body` to `url` with `headers`; never throws. */
export function postWebhook(options: {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowPrivate: boolean;
  timeoutMs: number;
}): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(options.url);
  const host = urlHost(url);
  // An IP literal is connected to without a lookup, so it is checked here.
  if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({
      kind: 'refused',
      error: `${host} is a private or loopback address (WEBHOOK_ALLOW_PRIVATE is off)`,
      durationMs: 0,
    });
  }
  const payload = Buffer.from(options.body, 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(payload.length) },
        lookup: guardedLookup(options.allowPrivate),
        // A fresh connection per delivery, so each one looks the name up again and checks what it got.
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_SNIPPET_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on('end', () =>
          finish({
            kind: 'answered',
            statusCode: response.statusCode ?? 0,
            durationMs: elapsed(),
            snippet: Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8'),
          }),
        );
        response.on('error', (err) => finish({ kind: 'error', error: describe(err), durationMs: elapsed() }));
      },
    );
    const deadline = setTimeout(() => {
      request.destroy(new Error(`no complete answer within ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    request.on('error', (err) =>
      finish(
        err instanceof PrivateAddressError
          ? { kind: 'refused', error: err.message, durationMs: elapsed() }
          : { kind: 'error', error: describe(err), durationMs: elapsed() },
      ),
    );
    request.end(payload);
  });
}
