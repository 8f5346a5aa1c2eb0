/**
 * An aggregate as a pure decider (emmett style): no I/O, no clock; `now` comes
 * in with the command. `decide` returns the events to append (or throws a typed
 * domain error); `evolve` folds one event into the state.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
