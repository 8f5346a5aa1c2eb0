import { describe, expect, it } from 'vitest';
import { InvalidCidr } from '../org-policy/org-policy.errors.js';
import { ipMatches, normaliseCidr, normaliseCidrs } from './cidr.js';

describe('normaliseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['172.16.5.4/12', '172.16.0.0/12'],
    ['203.0.113.9', '203.0.113.9/32'],
    ['203.0.113.9/32', '203.0.113.9/32'],
    ['255.255.255.255/0', '0.0.0.0/0'],
    ['  10.0.0.0/8  ', '10.0.0.0/8'],
    ['10.0.0.0/08', '10.0.0.0/8'],
  ])('IPv4 %s → %s', (entry, expected) => {
    expect(normaliseCidr(entry)).toBe(expected);
  });

  it.each([
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128'],
    ['2001:db8:abcd:12:ffff::1/48', '2001:db8:abcd::/48'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['fe80::1/10', 'fe80::/10'],
    ['::1', '::1/128'],
    ['::/0', '::/0'],
    ['2001:db8::7/127', '2001:db8::6/127'],
  ])('IPv6 %s → %s', (entry, expected) => {
    expect(normaliseCidr(entry)).toBe(expected);
  });

  it.each([
    ['::ffff:10.0.0.1', '10.0.0.1/32'],
    ['::ffff:10.1.2.3/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['::FFFF:C000:0201', '192.0.2.1/32'],
  ])('IPv4-mapped IPv6 %s → the IPv4 range %s', (entry, expected) => {
    expect(normaliseCidr(entry)).toBe(expected);
  });

  it('keeps a range reaching beyond the IPv4-mapped block as IPv6', () => {
    expect(normaliseCidr('::ffff:10.0.0.0/95')).toBe('::fffe:0:0/95');
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-an-ip'],
    ['IPv4 octet over 255', '10.0.0.256'],
    ['IPv4 with three parts', '10.1.2'],
    ['IPv4 with two parts', '10.1'],
    ['IPv4 in octal', '012.0.0.1'],
    ['IPv4 in hex', '0x0a.0.0.1'],
    ['IPv4 prefix over 32', '10.0.0.0/33'],
    ['IPv6 prefix over 128', '2001:db8::/129'],
    ['negative prefix', '10.0.0.0/-1'],
    ['empty prefix', '10.0.0.0/'],
    ['non-numeric prefix', '10.0.0.0/eight'],
    ['two slashes', '10.0.0.0/8/8'],
    ['IPv6 zone id', 'fe80::1%eth0'],
    ['IPv6 with two ::', '2001::db8::1'],
    ['a host name', 'example.org'],
    ['inner space', '10.0.0.0 /8'],
  ])('refuses %s', (_, entry) => {
    expect(() => normaliseCidr(entry)).toThrow(InvalidCidr);
  });

  it('names the bad entry in the error', () => {
    expect(() => normaliseCidr('10.0.0.0/33')).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        message: '"10.0.0.0/33" is not an IP address or CIDR range',
        details: { field: 'cidrs', entry: '10.0.0.0/33' },
      }),
    );
  });
});

describe('normaliseCidrs', () => {
  it('drops entries equal after normalisation, keeping the first', () => {
    expect(
      normaliseCidrs(['10.1.2.3/8', '2001:db8::/32', '10.0.0.0/8', '2001:DB8:0::/32', '::ffff:10.0.0.0/104']),
    ).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });

  it('refuses the whole list when one entry is bad, naming it', () => {
    expect(() => normaliseCidrs(['10.0.0.0/8', 'nonsense'])).toThrow(expect.objectContaining({ entry: 'nonsense' }));
  });

  it('accepts an empty list', () => {
    expect(normaliseCidrs([])).toEqual([]);
  });
});

describe('ipMatches', () => {
  it.each([
    ['first address of the range', '10.0.0.0', ['10.0.0.0/8'], true],
    ['last address of the range', '10.255.255.255', ['10.0.0.0/8'], true],
    ['just below the range', '9.255.255.255', ['10.0.0.0/8'], false],
    ['just above the range', '11.0.0.0', ['10.0.0.0/8'], false],
    ['a /32 itself', '203.0.113.9', ['203.0.113.9/32'], true],
    ['the neighbour of a /32', '203.0.113.10', ['203.0.113.9/32'], false],
    ['anything in /0', '198.51.100.1', ['0.0.0.0/0'], true],
    ['a later entry of the list', '192.168.1.200', ['10.0.0.0/8', '192.168.1.0/24'], true],
    ['an empty list', '10.0.0.1', [], false],
  ])('IPv4: %s', (_, ip, cidrs, expected) => {
    expect(ipMatches(ip, cidrs)).toBe(expected);
  });

  it.each([
    ['first address', '2001:db8::', ['2001:db8::/32'], true],
    ['last address', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', ['2001:db8::/32'], true],
    ['just below', '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', ['2001:db8::/32'], false],
    ['just above', '2001:db9::', ['2001:db8::/32'], false],
    ['upper-case and uncompressed', '2001:0DB8:0000:0000:0000:0000:0000:0001', ['2001:db8::1/128'], true],
    ['a /127 pair', '2001:db8::7', ['2001:db8::6/127'], true],
    ['loopback', '::1', ['::1/128'], true],
    ['link-local with a zone id', 'fe80::1%eth0', ['fe80::/10'], true],
  ])('IPv6: %s', (_, ip, cidrs, expected) => {
    expect(ipMatches(ip, cidrs)).toBe(expected);
  });

  it('matches an IPv4-mapped IPv6 client (as Node sockets report IPv4 clients) against IPv4 ranges', () => {
    expect(ipMatches('::ffff:10.0.0.1', ['10.0.0.0/8'])).toBe(true);
    expect(ipMatches('::ffff:a00:1', ['10.0.0.0/8'])).toBe(true);
    expect(ipMatches('::ffff:11.0.0.1', ['10.0.0.0/8'])).toBe(false);
    expect(ipMatches('::ffff:127.0.0.1', ['127.0.0.1'].map(normaliseCidr))).toBe(true);
  });

  it('does not mix families: an IPv4 client does not match an IPv6 range nor the reverse', () => {
    expect(ipMatches('10.0.0.1', ['::/0'])).toBe(false);
    expect(ipMatches('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
    // ::a00:1 is an IPv4-compatible (deprecated), not IPv4-mapped, address.
    expect(ipMatches('::a00:1', ['10.0.0.0/8'])).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'unknown'],
    ['short IPv4', '10.1'],
    ['octal IPv4', '012.0.0.1'],
    ['octet over 255', '10.0.0.256'],
    ['a range instead of an address', '10.0.0.1/8'],
  ])('never matches an invalid client address (%s), even against /0', (_, ip) => {
    expect(ipMatches(ip, ['0.0.0.0/0', '::/0'])).toBe(false);
  });

  it('skips allow-list entries that do not parse instead of failing', () => {
    expect(ipMatches('10.0.0.1', ['bogus', '10.0.0.0/8'])).toBe(true);
    expect(ipMatches('10.0.0.1', ['bogus'])).toBe(false);
  });
});
