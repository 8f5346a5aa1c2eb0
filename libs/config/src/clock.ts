/**
 * Where services read the time. Deciders never read a clock (`now` comes with
 * every command); use-case handlers take it from here, so specs can set it to
 * the instant the codes they type belong to.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
