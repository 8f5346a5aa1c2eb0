import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MfaRpc } from '#contracts';
import { activeUser, startMfaService } from '../mfa.testing.js';
import { generateEncryptionKey, keyIdOf, SecretCipher } from '../totp/secret-cipher.js';
import { developmentKeyWarning, KEY_FILE_NAME, resolveSecretCipher } from './encryption-key-ring.js';

/** Lets a spec act as a second process that links its key file a moment before this one does. */
const rival = vi.hoisted(() => ({ key: null as string | null }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    linkSync: (existing: fs.PathLike, path: fs.PathLike) => {
      if (rival.key !== null) actual.writeFileSync(path, `${rival.key}\n`, { mode: 0o600 });
      actual.linkSync(existing, path);
    },
  };
});

const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));

describe('the MFA encryption key ring', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mfa-keys-'));
    rival.key = null;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses MFA_ENCRYPTION_KEY, with the previous keys for decryption only, and writes no file', () => {
    const [current, previous] = [generateEncryptionKey(), generateEncryptionKey()];
    const sealedEarlier = new SecretCipher({ current: previous }).encrypt('JBSWY3DPEHPK3PXP', 'u1');

    const { cipher, source } = resolveSecretCipher({
      DATA_DIR: dataDir,
      MFA_ENCRYPTION_KEY: current,
      MFA_PREVIOUS_ENCRYPTION_KEYS: [previous],
    });

    expect(source).toEqual({ kind: 'environment' });
    expect(cipher.currentKeyId).toBe(idOf(current));
    expect(cipher.decrypt(sealedEarlier, 'u1')).toBe('JBSWY3DPEHPK3PXP');
    expect(developmentKeyWarning(source, cipher.currentKeyId)).toBeNull();
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('without it, generates a key once into DATA_DIR/mfa-encryption.key, readable by the owner only', () => {
    const config = {
      DATA_DIR: join(dataDir, 'nested'),
      MFA_ENCRYPTION_KEY: undefined,
      MFA_PREVIOUS_ENCRYPTION_KEYS: [],
    };

    const first = resolveSecretCipher(config);
    const second = resolveSecretCipher(config);

    const path = join(dataDir, 'nested', KEY_FILE_NAME);
    expect(first.source).toEqual({ kind: 'key-file', path, created: true });
    expect(second.source).toEqual({ kind: 'key-file', path, created: false });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const key = readFileSync(path, 'utf8').trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(first.cipher.currentKeyId).toBe(idOf(key));
    expect(second.cipher.currentKeyId).toBe(idOf(key));
    expect(readdirSync(join(dataDir, 'nested'))).toEqual([KEY_FILE_NAME]); // no temporary file left behind
  });

  it('takes the key of a process that created the file first', () => {
    rival.key = generateEncryptionKey();

    const { cipher, source } = resolveSecretCipher({ DATA_DIR: dataDir, MFA_PREVIOUS_ENCRYPTION_KEYS: [] });

    expect(source).toMatchObject({ kind: 'key-file', created: false });
    expect(cipher.currentKeyId).toBe(idOf(rival.key));
    expect(readdirSync(dataDir)).toEqual([KEY_FILE_NAME]);
  });

  it('refuses a damaged key file, naming the file but not its content', () => {
    writeFileSync(join(dataDir, KEY_FILE_NAME), 'c2hvcnQ=\n');
    expect(() => resolveSecretCipher({ DATA_DIR: dataDir, MFA_PREVIOUS_ENCRYPTION_KEYS: [] })).toThrow(
      new RegExp(`${KEY_FILE_NAME}: encryption key current: decodes to 5 bytes, expected 32$`),
    );
  });

  it('warns once at start, naming the file and key id, never the key', async () => {
    const service = await startMfaService({ env: { MFA_ENCRYPTION_KEY: '' }, dataDir });
    try {
      await activeUser(service, 'u1');
      const key = readFileSync(join(dataDir, KEY_FILE_NAME), 'utf8').trim();
      const warnings = service
        .logs()
        .split('\n')
        .filter((line) => line.includes('MFA_ENCRYPTION_KEY'));
      expect(warnings).toEqual([
        `warn MFA_ENCRYPTION_KEY is not set: TOTP secrets are encrypted with the development key generated into ` +
          `${join(dataDir, KEY_FILE_NAME)} (key id ${idOf(key)}); set MFA_ENCRYPTION_KEY (base64 of 32 random bytes) in production MfaEncryptionKey`,
      ]);
      expect(service.logs()).not.toContain(key);
      expect(service.logs()).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    } finally {
      await service.close();
    }

    // A restart reads the same key: the secret sealed before still opens.
    const restarted = await startMfaService({ env: { MFA_ENCRYPTION_KEY: '' }, dataDir });
    try {
      expect(await restarted.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ status: 'active' });
      expect(restarted.logs()).toContain(`read from ${join(dataDir, KEY_FILE_NAME)}`);
    } finally {
      await restarted.close();
    }
  });
});
