import { describe, expect, it } from 'vitest';
import { allows, cidrProblem } from './cidr';

describe('allow-list entries as the admin types them', () => {
  it.each([
    '10.0.0.0/8',
    '203.0.113.7',
    '203.0.113.7/32',
    '2001:db8::/32',
    '::1',
    '::ffff:10.0.0.0/104',
    ' 10.1.2.3/8 ',
  ])('takes %s', (entry) => expect(cidrProblem(entry)).toBeNull());

  it.each([
    '',
    '10.0.0.300/8',
    '10.1',
    '012.0.0.1',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/8/8',
    'fe80::1%eth0',
    'x',
  ])('refuses %o, saying what it expects', (entry) => expect(cidrProblem(entry)).toMatch(/address or range/));

  it('tells whether an address is in the list, an IPv4-mapped IPv6 address as the IPv4 it maps', () => {
    expect(allows(['10.0.0.0/8', '2001:db8::/32'], '10.20.30.40')).toBe(true);
    expect(allows(['10.0.0.0/8', '2001:db8::/32'], '2001:db8:1::5')).toBe(true);
    expect(allows(['10.0.0.0/8'], '::ffff:10.1.1.1')).toBe(true);
    expect(allows(['10.0.0.0/8', '2001:db8::/32'], '127.0.0.1')).toBe(false);
    expect(allows(['::/0'], '127.0.0.1')).toBe(false);
    expect(allows(['10.0.0.300/8', 'garbage'], '10.0.0.1')).toBe(false);
  });
});
