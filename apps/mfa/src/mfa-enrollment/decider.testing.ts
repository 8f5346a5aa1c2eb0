/**
 * given(events).when(command).then(events) for any decider (emmett style):
 * the state is folded from the given events with the decider's own `evolve`,
 * exactly as a handler would load it from the stream.
 */
import { expect } from 'vitest';

export interface DeciderUnderTest<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface DeciderScenario<Event, State> {
  /** The command produces exactly these events. */
  then(expected: readonly Event[]): void;
  /** The command is refused with this error and records nothing. */
  thenThrows(expected: ErrorClass): void;
  /** The events produced, for assertions that `then` cannot express. */
  events(): Event[];
  /** The state after the given events and the produced ones. */
  state(): State;
}

export function deciderSpec<Command, Event, State>(decider: DeciderUnderTest<Command, Event, State>) {
  const fold = (events: readonly Event[]): State =>
    events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command): DeciderScenario<Event, State> {
          const run = (): Event[] => decider.decide(command, fold(history));
          return {
            then: (expected) => expect(run()).toEqual(expected),
            thenThrows: (expected) => expect(run).toThrow(expected),
            events: run,
            state: () => fold([...history, ...run()]),
          };
        },
      };
    },
  };
}
