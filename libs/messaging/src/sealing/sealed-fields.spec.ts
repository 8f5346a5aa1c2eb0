import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFields, sealFields, UnsealableField } from './sealed-fields.js';
import { generateSealingKey, loadSealingKeyRing, sealingRecipient, SealingKeyRing } from './sealing-keys.js';

const ring = new SealingKeyRing(generateSealingKey());
const recipient = ring.current;
const context = { pattern: 'identity.verify-credentials', requestId: 'r-1', direction: 'request' } as const;
const body = { email: 'ann@example.com', password: 'correct horse battery staple' };
const keyOf = (kid: string) => ring.privateKey(kid);

describe('sealed fields', () => {
  it('seals the listed fields only, and opens them back', () => {
    const sealed = sealFields(body, ['password'], recipient, context) as Record<string, unknown>;
    expect(sealed['email']).toBe(body.email);
    expect(sealed['password']).toMatchObject({ kid: recipient.kid });
    expect(JSON.stringify(sealed)).not.toContain(body.password);
    expect(openFields(JSON.parse(JSON.stringify(sealed)), ['password'], keyOf, context)).toEqual(body);
  });

  it('leaves an absent optional field absent', () => {
    expect(sealFields({ a: 1 }, ['code'], recipient, context)).toEqual({ a: 1 });
    expect(openFields({ a: 1 }, ['code'], keyOf, context)).toEqual({ a: 1 });
  });

  it.each([
    ['another request', { ...context, requestId: 'r-2' }],
    ['another pattern', { ...context, pattern: 'identity.register-user' }],
    ['the other direction', { ...context, direction: 'reply' as const }],
  ])('does not open in %s', (_, elsewhere) => {
    const sealed = sealFields(body, ['password'], recipient, context);
    expect(() => openFields(sealed, ['password'], keyOf, elsewhere)).toThrow(UnsealableField);
  });

  it('does not open a value moved to another field', () => {
    const sealed = sealFields({ code1: '123456', code2: '654321' }, ['code1', 'code2'], recipient, context) as Record<
      string,
      unknown
    >;
    const swapped = { code1: sealed['code2'], code2: sealed['code1'] };
    expect(() => openFields(swapped, ['code1', 'code2'], keyOf, context)).toThrow('code1: cannot be opened');
  });

  it('refuses a listed field that arrives in plaintext, naming the field but not the value', () => {
    const attempt = () => openFields(body, ['password'], keyOf, context);
    expect(attempt).toThrow('password: must be sealed');
    expect(attempt).not.toThrow(body.password);
  });

  it('refuses a value sealed to a key it does not hold', () => {
    const other = new SealingKeyRing(generateSealingKey()).current;
    const sealed = sealFields(body, ['password'], other, context);
    expect(() => openFields(sealed, ['password'], keyOf, context)).toThrow(/a key this service does not hold/);
  });

  it('still opens what was sealed to a previous key after a rotation', () => {
    const previous = generateSealingKey();
    const rotated = new SealingKeyRing(generateSealingKey(), [previous]);
    const sealed = sealFields(body, ['password'], new SealingKeyRing(previous).current, context);
    expect(openFields(sealed, ['password'], (kid) => rotated.privateKey(kid), context)).toEqual(body);
  });
});

describe('development sealing keys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sealing-keys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are generated once into DATA_DIR, the public half beside them for a gateway sharing it', () => {
    const first = loadSealingKeyRing('mfa', { dataDir });
    const again = loadSealingKeyRing('mfa', { dataDir });
    expect(again.ring.current.kid).toBe(first.ring.current.kid);
    expect(first.developmentKeyFile).toBe(join(dataDir, 'mfa-sealing.key'));
    expect(sealingRecipient('mfa', { dataDir })().kid).toBe(first.ring.current.kid);
    expect(readFileSync(join(dataDir, 'mfa-sealing.pub'), 'utf8')).not.toContain(
      readFileSync(join(dataDir, 'mfa-sealing.key'), 'utf8').trim(),
    );
  });

  it('come from the environment when given, and a bad one is refused by name', () => {
    const key = generateSealingKey();
    expect(loadSealingKeyRing('identity', { dataDir, privateKey: key }).developmentKeyFile).toBeUndefined();
    expect(() => loadSealingKeyRing('identity', { dataDir, privateKey: 'not-a-key' })).toThrow(
      'IDENTITY_SEALING_PRIVATE_KEY must be the base64 of a 32-byte X25519 key',
    );
    expect(() => sealingRecipient('identity', { dataDir: join(dataDir, 'none') })()).toThrow(
      /IDENTITY_SEALING_PUBLIC_KEY is not set/,
    );
  });
});
