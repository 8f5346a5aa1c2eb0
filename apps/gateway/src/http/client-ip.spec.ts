import { afterEach, describe, expect, it } from 'vitest';
import { MfaRpc, PolicyRpc } from '#contracts';
import { answerPasswordStep, startGatewayUnderTest, USER } from '../gateway.testing.js';

/**
 * The address a login is judged by (IP allow-list, rate limit), as the real
 * gateway derives it: seen here in what the policy service is asked.
 */
describe('the client address', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  afterEach(() => gateway.close());

  async function addressOfLogin(env: Record<string, string>, headers: Record<string, string> = {}) {
    gateway = await startGatewayUnderTest(env);
    answerPasswordStep(gateway.services)
      .answer(MfaRpc.getStatus, { status: 'inactive', activatedAt: null })
      .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: false, enrollmentRequired: false });
    const login = await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' }, { headers });
    expect(login.status).toBe(200);
    // Asked before the password is checked, and again after, with the same address.
    const [beforePassword] = gateway.services.requestsTo(PolicyRpc.checkLoginAddress);
    const [afterPassword] = gateway.services.requestsTo(PolicyRpc.evaluateLogin);
    expect(beforePassword?.ip).toBe(afterPassword?.ip);
    return afterPassword?.ip;
  }

  describe('with TRUST_PROXY off', () => {
    it('is the socket address; X-Forwarded-For is ignored', async () => {
      expect(await addressOfLogin({}, { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
    });

    it('is an IPv6 socket address as it is', async () => {
      expect(await addressOfLogin({ HOST: '::1' }, { 'x-forwarded-for': '203.0.113.9' })).toBe('::1');
    });
  });

  describe('with TRUST_PROXY on (one trusted hop)', () => {
    it.each([
      ['the address the proxy wrote', '203.0.113.9', '203.0.113.9'],
      [
        'the last entry of a chain the client began (the rest is forged)',
        '10.1.2.3, 198.51.100.1, 203.0.113.9',
        '203.0.113.9',
      ],
      ['an IPv6 address', '2001:db8::7', '2001:db8::7'],
      ['an IPv6 address after a forged IPv4 one', '10.1.2.3, 2001:db8::7', '2001:db8::7'],
      // Unchanged: the policy service matches `::ffff:a.b.c.d` against IPv4 ranges.
      ['an IPv4-mapped IPv6 address, as written', '::ffff:203.0.113.9', '::ffff:203.0.113.9'],
    ])('is %s', async (_, forwardedFor, expected) => {
      expect(await addressOfLogin({ TRUST_PROXY: 'on' }, { 'x-forwarded-for': forwardedFor })).toBe(expected);
    });

    it('is the socket address when no proxy added the header', async () => {
      expect(await addressOfLogin({ TRUST_PROXY: 'on' })).toBe('127.0.0.1');
    });
  });
});
