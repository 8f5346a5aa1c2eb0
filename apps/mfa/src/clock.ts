/**
 * Where the handlers read the time. The decider never reads a clock (`now`
 * comes with every command); the handlers take it from here, so tests can set
 * it to the instant the codes they type belong to.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
