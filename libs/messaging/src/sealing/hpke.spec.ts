import { createPublicKey } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import {
  generateX25519KeyPair,
  keySchedule,
  open,
  rawPrivateKey,
  rawPublicKey,
  seal,
  SealOpenFailed,
  x25519PrivateKey,
  x25519PublicKey,
} from './hpke.js';

const hex = (value: string) => Buffer.from(value, 'hex');

/** RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, sequence 0. */
const A_1_1 = {
  info: hex('4f6465206f6e2061204772656369616e2055726e'),
  skEm: hex('52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736'),
  pkEm: hex('37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431'),
  skRm: hex('4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8'),
  pkRm: hex('3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d'),
  sharedSecret: hex('fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc'),
  key: hex('4531685d41d65f03dc48f6b8302c05b0'),
  baseNonce: hex('56d890e5accaaf011cff4b7d'),
  aad: hex('436f756e742d30'),
  pt: hex('4265617574792069732074727574682c20747275746820626561757479'),
  ct: hex('f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a'),
};

describe('HPKE base mode (RFC 9180)', () => {
  const recipient = x25519PrivateKey(A_1_1.skRm);
  const parameters = { info: A_1_1.info, aad: A_1_1.aad };

  it('derives the test vector keys', () => {
    expect(rawPublicKey(createPublicKey(recipient))).toEqual(A_1_1.pkRm);
    expect(keySchedule('aes-128-gcm', A_1_1.sharedSecret, A_1_1.info)).toEqual({
      key: A_1_1.key,
      nonce: A_1_1.baseNonce,
    });
  });

  it('seals the test vector to its ciphertext and opens it', () => {
    const sealed = seal(createPublicKey(recipient), A_1_1.pt, parameters, 'aes-128-gcm', x25519PrivateKey(A_1_1.skEm));
    expect(sealed).toEqual({ enc: A_1_1.pkEm, ct: A_1_1.ct });
    expect(open(recipient, { enc: A_1_1.pkEm, ct: A_1_1.ct }, parameters, 'aes-128-gcm')).toEqual(A_1_1.pt);
  });

  describe('AES-256-GCM, against an independent implementation (@hpke/core)', () => {
    const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
    const info = Buffer.from('spec info');
    const aad = Buffer.from('mfa.verify-challenge/request-1/code');
    const plaintext = Buffer.from('correct horse battery staple');

    it('opens what @hpke/core sealed', async () => {
      const { publicKey, privateKey } = generateX25519KeyPair();
      const theirs = await suite.seal(
        { recipientPublicKey: await suite.kem.deserializePublicKey(rawPublicKey(publicKey)), info },
        plaintext,
        aad,
      );
      const opened = open(privateKey, { enc: Buffer.from(theirs.enc), ct: Buffer.from(theirs.ct) }, { info, aad });
      expect(opened).toEqual(plaintext);
    });

    it('seals what @hpke/core opens', async () => {
      const { publicKey, privateKey } = generateX25519KeyPair();
      const ours = seal(publicKey, plaintext, { info, aad });
      const recipientKey = await suite.kem.importKey('raw', rawPrivateKey(privateKey), false);
      const opened = await suite.open({ recipientKey, enc: ours.enc, info }, ours.ct, aad);
      expect(Buffer.from(opened)).toEqual(plaintext);
    });
  });

  describe('refuses, without saying why', () => {
    const { publicKey, privateKey } = generateX25519KeyPair();
    const params = { info: Buffer.from('info'), aad: Buffer.from('aad') };
    const sealed = seal(publicKey, Buffer.from('123456'), params);

    it.each([
      ['another recipient', () => open(generateX25519KeyPair().privateKey, sealed, params)],
      ['other associated data', () => open(privateKey, sealed, { ...params, aad: Buffer.from('aad2') })],
      ['another info', () => open(privateKey, sealed, { ...params, info: Buffer.from('info2') })],
      ['a changed ciphertext', () => open(privateKey, { ...sealed, ct: flipFirstBit(sealed.ct) }, params)],
      ['a changed enc', () => open(privateKey, { ...sealed, enc: flipFirstBit(sealed.enc) }, params)],
      ['a truncated ciphertext', () => open(privateKey, { ...sealed, ct: sealed.ct.subarray(0, 10) }, params)],
      ['an enc of the wrong length', () => open(privateKey, { ...sealed, enc: sealed.enc.subarray(1) }, params)],
    ])('%s', (_, attempt) => {
      expect(attempt).toThrow(SealOpenFailed);
      expect(attempt).toThrow('the sealed value cannot be opened');
    });

    it('seals the same plaintext differently every time', () => {
      const again = seal(publicKey, Buffer.from('123456'), params);
      expect(again.enc).not.toEqual(sealed.enc);
      expect(again.ct).not.toEqual(sealed.ct);
    });
  });

  it('moves keys between raw bytes and KeyObjects', () => {
    const { publicKey, privateKey } = generateX25519KeyPair();
    expect(rawPublicKey(x25519PublicKey(rawPublicKey(publicKey)))).toEqual(rawPublicKey(publicKey));
    expect(rawPrivateKey(x25519PrivateKey(rawPrivateKey(privateKey)))).toEqual(rawPrivateKey(privateKey));
    expect(() => x25519PublicKey(Buffer.alloc(31))).toThrow(RangeError);
  });
});

function flipFirstBit(buffer: Buffer): Buffer {
  const copy = Buffer.from(buffer);
  copy[0]! ^= 0x01;
  return copy;
}
