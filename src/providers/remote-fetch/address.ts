import { isIP } from 'node:net';

/**
 * Why an address may not be fetched on a client's behalf, or null when it is a public unicast address. The classes
 * name what an attacker would be reaching for: the router's own host (loopback), the operator's networks (private,
 * shared CGNAT space, unique-local IPv6) and cloud metadata services (link-local, where 169.254.169.254 and
 * fd00:ec2::254 live; the ULA one is caught as private).
 */
export type RefusedClass = 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved' | 'invalid';

type V4Range = readonly [base: number, prefix: number, cls: RefusedClass];

function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Checked in order: the first range containing the address names its class (metadata before link-local). */
const V4_REFUSED: readonly V4Range[] = [
  [v4(169, 254, 169, 254), 32, 'metadata'],
  [v4(0, 0, 0, 0), 8, 'unspecified'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(100, 64, 0, 0), 10, 'private'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(169, 254, 0, 0), 16, 'link-local'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 0, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2, 0), 24, 'reserved'],
  [v4(192, 88, 99, 0), 24, 'reserved'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(198, 18, 0, 0), 15, 'reserved'],
  [v4(198, 51, 100, 0), 24, 'reserved'],
  [v4(203, 0, 113, 0), 24, 'reserved'],
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(240, 0, 0, 0), 4, 'reserved'],
];

function parseV4(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n >>> 0;
}

function inV4(addr: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = prefix === 32 ? 0xffffffff : (~((1 << (32 - prefix)) - 1)) >>> 0;
  return ((addr & mask) >>> 0) === ((base & mask) >>> 0);
}

function classifyV4(addr: number): RefusedClass | null {
  for (const [base, prefix, cls] of V4_REFUSED) if (inV4(addr, base, prefix)) return cls;
  return null;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 tail accepted), or null. */
function parseV6(ip: string): number[] | null {
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // A dotted IPv4 tail (::ffff:127.0.0.1) is the last two groups written differently.
    const v = parseV4(s.slice(lastColon + 1));
    if (v === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = [...head, ...rest];
  for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const fill = 8 - groups.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const out = [...head.map((g) => parseInt(g, 16)), ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest.map((g) => parseInt(g, 16))];
  return out.length === 8 ? out : null;
}

function embeddedV4(hi: number, lo: number): number {
  return ((hi << 16) | lo) >>> 0;
}

function classifyV6(g: number[]): RefusedClass | null {
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return 'unspecified';
  if (zeroTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d):
  // the IPv4 inside decides, so ::ffff:127.0.0.1 and ::ffff:a9fe:a9fe are what they carry.
  if (zeroTo(5) && g[5] === 0xffff) return classifyV4(embeddedV4(g[6], g[7]));
  if (zeroTo(4) && g[4] === 0xffff && g[5] === 0) return classifyV4(embeddedV4(g[6], g[7]));
  if (zeroTo(6)) return classifyV4(embeddedV4(g[6], g[7])) ?? 'reserved';
  // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48) reaches the IPv4 it embeds.
  if (g[0] === 0x64 && g[1] === 0xff9b && (g.slice(2, 6).every((x) => x === 0) || g[2] === 1)) {
    return classifyV4(embeddedV4(g[6], g[7])) ?? (g[2] === 1 ? 'private' : null);
  }
  // 6to4 (2002::/16) carries an IPv4 in its second and third groups.
  if (g[0] === 0x2002) return classifyV4(embeddedV4(g[1], g[2]));
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local (includes AWS fd00:ec2::254)
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 deprecated site-local
  if ((g[0] & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (g[0] === 0x2001 && g[1] === 0) return 'reserved'; // Teredo: tunnels to an address that cannot be checked here
  if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return 'reserved'; // 100::/64 discard
  return null;
}

/** The class that forbids fetching from this literal IP address, or null for a public unicast address. */
export function refusedClass(ip: string): RefusedClass | null {
  const family = isIP(ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip);
  if (family === 4) {
    const n = parseV4(ip);
    return n === null ? 'invalid' : classifyV4(n);
  }
  if (family === 6) {
    const g = parseV6(ip);
    return g === null ? 'invalid' : classifyV6(g);
  }
  return 'invalid';
}

/** Decides whether an address may be fetched: null to allow, else the refused class. */
export type AddressPolicy = (ip: string) => RefusedClass | null;

export const defaultAddressPolicy: AddressPolicy = refusedClass;

/** Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `x::/n` into a matcher. Throws on anything else. */
export function parseCidr(text: string): (ip: string) => boolean {
  const [addr, bits] = text.split('/');
  const family = isIP(addr);
  if (family === 0) throw new Error(`"${text}" is not an IP address or CIDR range`);
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`"${text}": bad prefix length`);
  if (family === 4) {
    const base = parseV4(addr)!;
    return (ip) => {
      const n = isIP(ip) === 4 ? parseV4(ip) : null;
      return n !== null && inV4(n, base, prefix);
    };
  }
  const base = parseV6(addr)!;
  return (ip) => {
    const g = isIP(ip) === 6 ? parseV6(ip) : null;
    if (!g) return false;
    for (let i = 0, left = prefix; left > 0; i++, left -= 16) {
      const take = Math.min(16, left);
      const mask = (0xffff << (16 - take)) & 0xffff;
      if ((g[i] & mask) !== (base[i] & mask)) return false;
    }
    return true;
  };
}

/**
 * The default policy with the operator's exceptions: addresses inside `allow` (IPs or CIDR ranges, e.g. an internal
 * image server) are fetched even though they are private. Nothing is allowed by default.
 */
export function addressPolicy(allow: readonly string[] = []): AddressPolicy {
  if (allow.length === 0) return defaultAddressPolicy;
  const matchers = allow.map(parseCidr);
  return (ip) => (matchers.some((m) => m(ip)) ? null : refusedClass(ip));
}
