/**
 * RFC 6238's time-step, T = floor((unixTime - T0) / X) with T0 = 0. Kept free of
 * any dependency so the MFA decider can re-check steps against `now` without
 * pulling in the TOTP library.
 */
export function timeStep(now: Date, period: number): number {
  if (!Number.isSafeInteger(period) || period < 1 || period > 3600) {
    throw new RangeError('period must be an integer number of seconds between 1 and 3600');
  }
  const millis = now.getTime();
  if (!Number.isFinite(millis)) throw new RangeError('now is not a valid date');
  return Math.floor(millis / (period * 1000));
}
