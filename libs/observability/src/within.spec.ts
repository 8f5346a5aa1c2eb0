import { describe, expect, it } from 'vitest';
import { within } from './within.js';

describe('within', () => {
  it('answers what the work answers in time', async () => {
    await expect(within(Promise.resolve(42), 1_000, () => new Error('late'))).resolves.toBe(42);
  });

  it("answers the late error when the work does not answer in time, and the work's own error when it fails", async () => {
    const never = new Promise<number>(() => undefined);
    await expect(within(never, 20, () => new Error('no answer within 20 ms'))).rejects.toThrow(
      'no answer within 20 ms',
    );
    await expect(within(Promise.reject(new Error('store down')), 1_000, () => new Error('late'))).rejects.toThrow(
      'store down',
    );
  });
});
