/**
 * given(events).when(command).then(events) for any decider (emmett style):
 * the state is folded from the given events with the decider's own `evolve`,
 * exactly as a repository loads it from the stream.
 */
import { expect } from 'vitest';
import type { Decider } from '#event-store';

type ErrorClass = abstract new (...args: never[]) => Error;

export interface DeciderScenario<Event, State> {
  /** The command produces exactly these events. */
  then(expected: readonly Event[]): void;
  /** The command is accepted and changes nothing: no events (a repeated setting, an idempotent reset). */
  thenNothingHappened(): void;
  /** The command is refused with this error (and, for a `DomainError`, this code); nothing is recorded. */
  thenThrows(expected: ErrorClass, code?: string): void;
  /** The events produced, for assertions that `then` cannot express. */
  events(): Event[];
  /** The state after the given events and the produced ones. */
  state(): State;
}

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  const fold = (events: readonly Event[]): State =>
    events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
  return {
    given(...history: readonly Event[]) {
      return {
        when(command: Command): DeciderScenario<Event, State> {
          const run = (): Event[] => decider.decide(command, fold(history));
          return {
            then: (expected) => expect(run()).toEqual(expected),
            thenNothingHappened: () => expect(run()).toEqual([]),
            thenThrows: (expected, code) => {
              expect(run).toThrow(expected);
              if (code !== undefined) expect(run).toThrow(expect.objectContaining({ code }));
            },
            events: run,
            state: () => fold([...history, ...run()]),
          };
        },
      };
    },
  };
}
