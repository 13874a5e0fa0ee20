import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from './signature.js';

const SECRET = 'whsec_test-secret-of-some-length';
const BODY = '{"id":"d1","event":"enterprise.created","occurredAt":"2026-03-02T08:00:00.000Z","data":{"名称":"淄博"}}';
const T = 1_772_438_400;

describe('webhook signatures', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256, as API.md spells it', () => {
    const hex = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signPayload(SECRET, T, BODY)).toBe(`t=${T},v1=${hex}`);
    expect(signPayload(SECRET, T, Buffer.from(BODY))).toBe(`t=${T},v1=${hex}`);
  });

  it('verifies its own signature within the tolerance, on both sides of it', () => {
    const header = signPayload(SECRET, T, BODY);
    expect(verifySignature(header, SECRET, BODY, 300, T)).toBe(true);
    expect(verifySignature(header, SECRET, BODY, 300, T + 300)).toBe(true);
    expect(verifySignature(header, SECRET, BODY, 300, T - 300)).toBe(true);
    expect(verifySignature(header, SECRET, BODY, 300, T + 301)).toBe(false);
    expect(verifySignature(header, SECRET, BODY, 300, T - 301)).toBe(false);
  });

  it.each([
    ['another secret', (h: string) => [h, 'whsec_other', BODY]],
    ['a changed body', (h: string) => [h, SECRET, BODY.replace('淄博', '博山')]],
    ['a re-serialised body', (h: string) => [h, SECRET, JSON.stringify(JSON.parse(BODY), null, 1)]],
    ['a moved timestamp', (h: string) => [h.replace(`t=${T}`, `t=${T + 1}`), SECRET, BODY]],
    ['no header', () => [undefined, SECRET, BODY]],
    ['an empty header', () => ['', SECRET, BODY]],
    ['no v1', () => [`t=${T}`, SECRET, BODY]],
    ['no t', (h: string) => [h.replace(`t=${T},`, ''), SECRET, BODY]],
    ['a short v1', () => [`t=${T},v1=abcd`, SECRET, BODY]],
    ['garbage', () => ['t=x,v1=y,,,=', SECRET, BODY]],
  ] as [string, (h: string) => [string | undefined, string, string]][])('refuses %s', (_, args) => {
    const [header, secret, body] = args(signPayload(SECRET, T, BODY));
    expect(verifySignature(header, secret, body, 300, T)).toBe(false);
  });

  it('accepts any one of several v1 entries (secret rotation) and ignores unknown schemes', () => {
    const good = signPayload(SECRET, T, BODY).split(',')[1];
    const other = signPayload('whsec_old', T, BODY).split(',')[1];
    expect(verifySignature(`t=${T},${other},v0=zzz,${good}`, SECRET, BODY, 300, T)).toBe(true);
  });
});
