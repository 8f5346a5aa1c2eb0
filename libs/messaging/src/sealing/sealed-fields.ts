/**
 * Fields that cross the bus only sealed (HPKE, `hpke.ts`): a password or code
 * on its way to the service that checks it, a TOTP secret on its way back to
 * the one request that asked for it. Sealed with the pattern, the request id,
 * the direction and the field's name as associated data, so a sealed value
 * cannot be replayed into another request, another pattern or another field.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { open, seal, SealOpenFailed } from './hpke.js';
import type { SealingRecipient } from './sealing-keys.js';

const INFO = Buffer.from('totp-mfa sealed field v1');

export const sealedValue = z.strictObject({
  kid: z.string().regex(/^[0-9a-f]{16}$|^request$/),
  enc: z.base64url().length(43),
  ct: z.base64url().max(16_384),
});
export type SealedValue = z.infer<typeof sealedValue>;

export interface SealingContext {
  readonly pattern: string;
  readonly requestId: string;
  readonly direction: 'request' | 'reply';
}

const aadOf = ({ pattern, requestId, direction }: SealingContext, field: string): Buffer =>
  Buffer.from(`${direction}\n${pattern}\n${requestId}\n${field}`);

/** A field that should have arrived sealed and did not, or does not open. Names the field, never a value. */
export class UnsealableField extends Error {
  override readonly name = 'UnsealableField';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * `body` with each listed string field replaced by its sealed form. Anything
 * else (absent, or not a string) is left for the receiver's schema to refuse.
 */
export function sealFields(
  body: unknown,
  fields: readonly string[],
  recipient: SealingRecipient,
  context: SealingContext,
): unknown {
  if (fields.length === 0 || typeof body !== 'object' || body === null) return body;
  const sealed: Record<string, unknown> = { ...body };
  for (const field of fields) {
    const value = sealed[field];
    if (typeof value !== 'string') continue;
    const { enc, ct } = seal(recipient.publicKey, Buffer.from(value, 'utf8'), {
      info: INFO,
      aad: aadOf(context, field),
    });
    sealed[field] = { kid: recipient.kid, enc: enc.toString('base64url'), ct: ct.toString('base64url') };
  }
  return sealed;
}

/**
 * `body` with each listed field opened. A listed field in plaintext, or one that
 * does not open, is refused; a value that is neither (a number, say) is left
 * for the schema to refuse as what it is.
 */
export function openFields(
  body: unknown,
  fields: readonly string[],
  privateKeyOf: (kid: string) => KeyObject | undefined,
  context: SealingContext,
): unknown {
  if (fields.length === 0 || typeof body !== 'object' || body === null) return body;
  const opened: Record<string, unknown> = { ...body };
  for (const field of fields) {
    const value = opened[field];
    if (typeof value === 'string') throw new UnsealableField(field, 'must be sealed');
    const parsed = sealedValue.safeParse(value);
    if (!parsed.success) continue;
    const privateKey = privateKeyOf(parsed.data.kid);
    if (!privateKey)
      throw new UnsealableField(field, `sealed to a key this service does not hold (${parsed.data.kid})`);
    try {
      const sealed = { enc: Buffer.from(parsed.data.enc, 'base64url'), ct: Buffer.from(parsed.data.ct, 'base64url') };
      opened[field] = open(privateKey, sealed, { info: INFO, aad: aadOf(context, field) }).toString('utf8');
    } catch (error) {
      if (error instanceof SealOpenFailed) throw new UnsealableField(field, 'cannot be opened');
      throw error;
    }
  }
  return opened;
}
