import ipaddr from 'ipaddr.js';

/**
 * IP allow-list entries as the policy service reads them (apps/policy's
 * cidr.ts is the authority; this only checks as the admin types): an IPv4
 * address in four decimal parts or an IPv6 address, optionally `/prefix`.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as the IPv4 address it maps.
 */
type Address = ipaddr.IPv4 | ipaddr.IPv6;

function parseAddress(text: string): Address | undefined {
  if (!text.includes(':')) return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
  // No zone ids (`fe80::1%eth0`) in an entry, as the policy service has it.
  return !text.includes('%') && ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
}

function parseRange(entry: string): [Address, number] | undefined {
  const [addressText = '', prefixText, extra] = entry.trim().split('/');
  const address = extra === undefined ? parseAddress(addressText) : undefined;
  if (!address) return undefined;
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  // `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), prefix - 96];
  }
  return [address, prefix];
}

/** Why an entry is not an address or range, or null when it is one. */
export function cidrProblem(entry: string): string | null {
  if (entry.trim() === '') return 'Type an address or range, or remove this entry.';
  return parseRange(entry)
    ? null
    : 'Not an IPv4 or IPv6 address or range: e.g. 203.0.113.0/24, 198.51.100.7 or 2001:db8::/32.';
}

/** Whether `ip` lies in one of the entries (entries that do not parse never match). */
export function allows(entries: readonly string[], ip: string): boolean {
  const text = ip.trim();
  // The gateway may report an IPv4 client of a dual-stack socket as `::ffff:a.b.c.d`, and a zone id.
  const client = ipaddr.isValid(text.split('%')[0]!) ? ipaddr.process(text.split('%')[0]!) : undefined;
  if (!client) return false;
  return entries.some((entry) => {
    const range = parseRange(entry);
    return range !== undefined && range[0].kind() === client.kind() && client.match(range);
  });
}
