import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * What Express's 'trust proxy' is set to: `false` (the socket's address is the
 * client's), a hop count (the address that many proxies back in
 * `X-Forwarded-For`), or the addresses and ranges of the proxies themselves
 * (the client is the right-most address in the chain that is not one of them).
 */
export type TrustProxy = false | number | string[];

/** Express's (proxy-addr's) names for well-known ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const OFF = new Set(['', '0', 'false', 'no', 'off']);
/** The old flag's `on`: one hop, never Express's `true`, which would trust a client's own left-most entry. */
const ONE_HOP = new Set(['true', 'yes', 'on']);

/** A strict address (IPv4 as four decimal parts) or CIDR range; no zone ids, no netmask notation. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const valid = address.includes(':') ? ipaddr.IPv6.isValid(address) : ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!valid || address.includes('%')) return false;
  if (prefix === undefined) return true;
  const bits = address.includes(':') ? 128 : 32;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= bits;
}

/**
 * TRUST_PROXY: off (unset, `false`, `0`...), `on` (one hop, as before), a hop
 * count, or a comma-separated list of the proxies' addresses and CIDR ranges
 * (e.g. the ingress controller's pod range), the only form a forged
 * `X-Forwarded-For` cannot get past however many proxies are in front.
 */
export const trustProxySchema = z
  .string()
  .optional()
  .transform((value, context): TrustProxy => {
    const text = (value ?? '').trim().toLowerCase();
    if (OFF.has(text)) return false;
    if (ONE_HOP.has(text)) return 1;
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const entries = text.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !NAMED_RANGES.has(entry) && !isAddressOrRange(entry));
    if (wrong.length > 0 || entries.length === 0) {
      context.addIssue({
        code: 'custom',
        message:
          'must be off, on (one hop), a hop count, or a comma-separated list of proxy addresses and CIDR ranges ' +
          `(not an address or range: ${wrong.map((entry) => JSON.stringify(entry)).join(', ')})`,
      });
      return z.NEVER;
    }
    return entries;
  });
