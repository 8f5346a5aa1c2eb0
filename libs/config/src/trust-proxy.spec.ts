import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { trustProxySchema } from './trust-proxy.js';

const parse = (value: string | undefined) => trustProxySchema.safeParse(value);

/** The client address Express derives with this setting, for a request from 127.0.0.1 with that X-Forwarded-For. */
async function clientIpSeen(trustProxy: unknown, forwardedFor: string): Promise<string> {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.get('/', (request, response) => {
    response.json({ ip: request.ip });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': forwardedFor } });
    return ((await response.json()) as { ip: string }).ip;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('TRUST_PROXY', () => {
  it('is off unless set, and off for every spelling of off', () => {
    for (const value of [undefined, '', '0', 'false', 'no', 'off', 'OFF']) expect(parse(value).data).toBe(false);
  });

  it('keeps `on` as one hop, and reads a hop count', () => {
    for (const value of ['on', 'true', 'yes', '1', 'True']) expect(parse(value).data).toBe(1);
    expect(parse('2').data).toBe(2);
  });

  it('reads a list of addresses and CIDR ranges, IPv4 and IPv6, and Express names', () => {
    expect(parse('10.0.0.0/8, 192.168.1.7,fd00::/8, ::1, loopback').data).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      '::1',
      'loopback',
    ]);
  });

  it('refuses what is neither, naming the entry but failing the whole setting', () => {
    for (const value of [
      '10.0.0.0/33',
      '10.1',
      '10.0.0.0/8,',
      'fe80::1%eth0',
      '10.0.0.0/8/1',
      'proxy.local',
      '2001:db8::/129',
    ]) {
      const result = parse(value);
      expect(result.success, value).toBe(false);
    }
    expect(() => loadConfig('gateway', { TRUST_PROXY: '10.0.0.0/8,example.com' })).toThrow(
      /TRUST_PROXY must be off, on \(one hop\).*"example\.com"/,
    );
  });

  it('makes Express take the client from X-Forwarded-For only past the listed proxies', async () => {
    const spoofed = '6.6.6.6, 203.0.113.9, 10.1.2.3';
    // The socket is 127.0.0.1 (the ingress here); 10.1.2.3 another proxy of ours; 203.0.113.9 the client.
    expect(await clientIpSeen(parse('127.0.0.1/32,10.0.0.0/8').data, spoofed)).toBe('203.0.113.9');
    expect(await clientIpSeen(parse('127.0.0.1').data, spoofed)).toBe('10.1.2.3');
    expect(await clientIpSeen(parse('10.0.0.0/8').data, spoofed)).toBe('127.0.0.1');
    expect(await clientIpSeen(parse('on').data, spoofed)).toBe('10.1.2.3');
    expect(await clientIpSeen(parse('off').data, spoofed)).toBe('127.0.0.1');
  });
});
