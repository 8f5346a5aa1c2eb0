import ipaddr from 'ipaddr.js';
import { InvalidCidr } from '../org-policy/org-policy.errors.js';

/**
 * IP allow-list entries: IPv4 and IPv6 CIDR ranges in one canonical form, so
 * equal ranges compare equal as strings (`10.0.0.0/8`, `2001:db8::/32`).
 *
 * Parsing is strict: IPv4 only in dotted-quad decimal (ipaddr.js would also
 * read `10.1` or `012.0.0.1`, forms an administrator rarely means), no IPv6
 * zone ids. IPv4-mapped IPv6 ranges (`::ffff:10.0.0.0/104`) are stored as the
 * IPv4 range they cover, the same way client addresses are matched.
 */

type Kind = 'ipv4' | 'ipv6';

interface Range {
  readonly kind: Kind;
  /** Network address, host bits zeroed: 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
  readonly prefix: number;
}

const BITS: Record<Kind, number> = { ipv4: 32, ipv6: 128 };
const PREFIX_DIGITS = /^\d{1,3}$/;
/** `::ffff:0:0/96`: IPv4 addresses as an IPv6 socket reports them (RFC 4291 §2.5.5.2). */
const IPV4_MAPPED_BLOCK = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
const IPV4_MAPPED_PREFIX = IPV4_MAPPED_BLOCK.length * 8;

/** Strict: IPv4 only as four decimal parts; an IPv6 zone id only where the caller allows it. */
function parseAddress(text: string, { allowZone }: { allowZone: boolean }): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!text.includes(':')) return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
  const zoneAt = text.indexOf('%');
  if (zoneAt !== -1 && !allowZone) return undefined;
  const address = zoneAt === -1 ? text : text.slice(0, zoneAt);
  return ipaddr.IPv6.isValid(address) ? ipaddr.IPv6.parse(address) : undefined;
}

function networkBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((byte, index) => {
    const bitsInThisByte = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & ((0xff << (8 - bitsInThisByte)) & 0xff);
  });
}

function toRange(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): Range {
  const bytes = networkBytes(address.toByteArray(), prefix);
  const kind = address.kind();
  const insideMappedBlock =
    kind === 'ipv6' && prefix >= IPV4_MAPPED_PREFIX && IPV4_MAPPED_BLOCK.every((byte, index) => bytes[index] === byte);
  return insideMappedBlock
    ? { kind: 'ipv4', bytes: bytes.slice(IPV4_MAPPED_BLOCK.length), prefix: prefix - IPV4_MAPPED_PREFIX }
    : { kind, bytes, prefix };
}

function parseRange(entry: string): Range | undefined {
  const parts = entry.trim().split('/');
  if (parts.length > 2) return undefined;
  const [addressText = '', prefixText] = parts;
  const address = parseAddress(addressText, { allowZone: false });
  if (!address) return undefined;
  const bits = BITS[address.kind()];
  if (prefixText === undefined) return toRange(address, bits);
  if (!PREFIX_DIGITS.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= bits ? toRange(address, prefix) : undefined;
}

function format(range: Range): string {
  return `${ipaddr.fromByteArray([...range.bytes]).toString()}/${range.prefix}`;
}

/**
 * The canonical form of one entry: a bare address becomes a /32 or /128, host
 * bits are zeroed (`10.1.2.3/8` → `10.0.0.0/8`), IPv6 is compressed lower-case
 * (RFC 5952). Throws `InvalidCidr` naming the entry.
 */
export function normaliseCidr(entry: string): string {
  const range = parseRange(entry);
  if (!range) throw new InvalidCidr(entry);
  return format(range);
}

/** Every entry normalised, duplicates (after normalisation) dropped, first occurrence kept. */
export function normaliseCidrs(entries: readonly string[]): string[] {
  return [...new Set(entries.map(normaliseCidr))];
}

function contains(range: Range, client: Range): boolean {
  if (range.kind !== client.kind) return false;
  return networkBytes(client.bytes, range.prefix).every((byte, index) => byte === range.bytes[index]);
}

/**
 * Whether a client address lies in one of the ranges. Node reports IPv4
 * clients of a dual-stack socket as `::ffff:a.b.c.d`; those match IPv4 ranges.
 * A link-local zone id (`fe80::1%eth0`) is ignored. An address that does not
 * parse never matches, nor does an entry that does not parse.
 */
export function ipMatches(ip: string, cidrs: readonly string[]): boolean {
  const address = parseAddress(ip.trim(), { allowZone: true });
  if (!address) return false;
  const client = toRange(address, BITS[address.kind()]);
  return cidrs.some((cidr) => {
    const range = parseRange(cidr);
    return range !== undefined && contains(range, client);
  });
}
