// Which addresses a webhook may not reach (SSRF): pure functions over IP strings, no DNS here.
import { isIP } from 'node:net';

/** [first bytes, prefix length] of IPv4 ranges that are not the public internet. */
const IPV4_BLOCKED: [number[], number][] = [
  [[0], 8], // "this network", 0.0.0.0
  [[10], 8], // private
  [[100, 64], 10], // carrier-grade NAT
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, cloud metadata (169.254.169.254)
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, broadcast
];

/** IPv6 ranges, as [first bytes, prefix length]; mapped and translated IPv4 are judged by their IPv4. */
const IPV6_BLOCKED: [number[], number][] = [
  [[0], 8], // ::, ::1, IPv4-compatible and other reserved (mapped is handled before)
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0xfc], 7], // unique local
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
];

function inPrefix(bytes: number[], [start, bits]: [number[], number]): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((start[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const ipv4Bytes = (ip: string) => ip.split('.').map(Number);

/** 16 bytes of an IPv6 address (with `::` and a trailing dotted IPv4 allowed), or null. */
export function ipv6Bytes(input: string): number[] | null {
  let ip = input.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, zone id
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (dotted) {
    if (isIP(dotted[1]) !== 4) return null;
    const [a, b, c, d] = ipv4Bytes(dotted[1]);
    ip = `${ip.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/**
 * Whether `ip` is loopback, private, link-local, unique-local, unspecified, multicast or
 * otherwise not a public unicast address. Anything that does not parse counts as private.
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return IPV4_BLOCKED.some((range) => inPrefix(ipv4Bytes(bare), range));
  if (family !== 6) return true;
  const bytes = ipv6Bytes(bare);
  if (!bytes) return true;
  const embedded = embeddedIpv4(bytes);
  if (embedded) return isPrivateAddress(embedded);
  return IPV6_BLOCKED.some((range) => inPrefix(bytes, range));
}

/** The IPv4 inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
function embeddedIpv4(b: number[]): string | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return b.slice(12).join('.');
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.');
  return null;
}

/** A URL's host as the WHATWG parser normalised it (0x7f.1 → 127.0.0.1), brackets removed. */
export const urlHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * What is wrong with `value` as a webhook URL before any DNS (null when nothing): http or
 * https only, no credentials, no fragment, and — unless private addresses are allowed — no
 * IP literal or name that is private by definition (`localhost`).
 */
export function webhookUrlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user name or password (it would be shown to every reader)';
  if (url.hash) return 'must not carry a #fragment';
  if (allowPrivate) return null;
  const host = urlHost(url).toLowerCase();
  if (isIP(host) && isPrivateAddress(host)) return `must not point at a private or loopback address (${host})`;
  if (host === 'localhost' || host.endsWith('.localhost'))
    return 'must not point at a private or loopback address (localhost)';
  return null;
}
