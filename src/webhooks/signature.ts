// Webhook signatures: `Peiyu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
// Plain functions with nothing but node:crypto, so a receiver written in Node can copy this file.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Peiyu-Signature';
/** How far a receiver should let `t` stray from its own clock: replays older than this are refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, t: number, rawBody: string | Buffer) =>
  createHmac('sha256', secret)
    .update(`${t}.`)
    .update(rawBody)
    .digest('hex');

/** The `Peiyu-Signature` header value for `rawBody` (the exact bytes sent) signed at `t` (unix seconds). */
export function signPayload(secret: string, t: number, rawBody: string | Buffer): string {
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

/**
 * Whether `header` is a valid signature of `rawBody` (the bytes as received, before any JSON
 * parsing) under `secret`, made within `toleranceSec` of `nowSec`. Several `v1=` entries are
 * accepted (any one may match), so a sender can sign with an old and a new secret while rotating.
 */
export function verifySignature(
  header: string | undefined | null,
  secret: string,
  rawBody: string | Buffer,
  toleranceSec = DEFAULT_TOLERANCE_SECONDS,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  if (typeof header !== 'string' || header.length > 4096) return false;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
