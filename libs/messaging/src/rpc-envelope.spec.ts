import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError, rpc } from '#contracts';
import { DeadlinePassed } from '#event-store';
import { frameRequest, openRequest, sealReply } from './rpc-envelope.js';
import { generateSealingKey, SealingKeyRing } from './sealing/sealing-keys.js';

const login = rpc('identity.spec-login', {
  request: z.object({ email: z.string(), password: z.string() }),
  response: z.object({ ok: z.boolean() }),
  sealed: { request: ['password'] },
});
const enrol = rpc('mfa.spec-enrol', {
  request: z.object({ userId: z.string() }),
  response: z.object({ secret: z.string(), label: z.string() }),
  sealed: { response: ['secret'] },
});

const identityKeys = new SealingKeyRing(generateSealingKey());
const recipients = { identity: () => identityKeys.current };
const password = 'correct horse battery staple';

describe('request envelope', () => {
  it('carries a sealed password to the service that holds the key', () => {
    const { envelope } = frameRequest(login, { email: 'a@example.com', password }, { recipients, timeoutMs: 5000 });
    const onTheBus = JSON.parse(JSON.stringify(envelope));
    expect(JSON.stringify(onTheBus)).not.toContain(password);
    expect(onTheBus.meta.deadline).toBeGreaterThan(Date.now());
    expect(openRequest(login, onTheBus, identityKeys).body).toEqual({ email: 'a@example.com', password });
  });

  it('is refused by a service without the key, and when not an envelope at all', () => {
    const { envelope } = frameRequest(login, { email: 'a@example.com', password }, { recipients, timeoutMs: 5000 });
    expect(() => openRequest(login, envelope, null)).toThrow(DomainError);
    expect(() => openRequest(login, { email: 'a@example.com', password }, identityKeys)).toThrow(
      expect.objectContaining({ code: 'invalid_payload' }),
    );
  });

  it('is refused once its caller has stopped waiting', () => {
    const { envelope } = frameRequest(login, { email: 'a@example.com', password }, { recipients, timeoutMs: 5000 });
    const late = { ...envelope, meta: { ...envelope.meta, deadline: Date.now() - 1 } };
    expect(() => openRequest(login, late, identityKeys)).toThrow(DeadlinePassed);
  });

  it('brings a secret back sealed to a key made for this one request', () => {
    const framed = frameRequest(enrol, { userId: 'u1' }, { recipients, timeoutMs: 5000 });
    const { meta } = openRequest(enrol, JSON.parse(JSON.stringify(framed.envelope)), null);
    const reply = { ok: true, value: sealReply(enrol, meta, { secret: 'JBSWY3DPEHPK3PXP', label: 'a@example.com' }) };
    expect(JSON.stringify(reply)).not.toContain('JBSWY3DPEHPK3PXP');
    expect(framed.openReply(JSON.parse(JSON.stringify(reply)))).toEqual({
      ok: true,
      value: { secret: 'JBSWY3DPEHPK3PXP', label: 'a@example.com' },
    });
    const other = frameRequest(enrol, { userId: 'u1' }, { recipients, timeoutMs: 5000 });
    expect(() => other.openReply(reply)).toThrow(expect.objectContaining({ code: 'service_unavailable' }));
  });

  it('names the session the caller acts in, and none when it acts in none', () => {
    const inSession = frameRequest(enrol, { userId: 'u1' }, { recipients, timeoutMs: 5000, actingSessionId: 's-1' });
    const outside = frameRequest(enrol, { userId: 'u1' }, { recipients, timeoutMs: 5000 });
    expect(openRequest(enrol, JSON.parse(JSON.stringify(inSession.envelope)), null).meta.actingSessionId).toBe('s-1');
    expect(openRequest(enrol, JSON.parse(JSON.stringify(outside.envelope)), null).meta).not.toHaveProperty(
      'actingSessionId',
    );
  });

  it('passes refusals through untouched', () => {
    const framed = frameRequest(enrol, { userId: 'u1' }, { recipients, timeoutMs: 5000 });
    const refusal = { ok: false, error: { code: 'not_found', message: 'user not found' } };
    expect(framed.openReply(refusal)).toBe(refusal);
  });
});
