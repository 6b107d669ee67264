/**
 * The shape every event-sourced aggregate of the domain has (the decider pattern): the write path
 * in @chunkwise/application reads a stream, folds it with `evolve` from `initialState`, `decide`s,
 * folds the new events once, `check`s the invariants of the result, and appends.
 */
export interface Decider<C extends { type: string }, E extends { type: string; data: unknown }, S> {
  initialState(): S;
  evolve(state: S, event: E): S;
  /** The events a command produces in a state; throws a DomainError when it is refused. */
  decide(command: C, state: S): E[];
  /** Invariants of the state after the new events; throws when one is broken. */
  check?(command: C, next: S): void;
}

/** A decider and what the write path needs to know about its streams. */
export interface Aggregate<
  C extends { type: string },
  E extends { type: string; data: unknown },
  S,
> extends Decider<C, E, S> {
  streamId(id: string): string;
  exists(state: S): boolean;
  /** Whether a command may run on a stream that does not exist yet. */
  creates(command: C): boolean;
  /** The revision clients base writes on (If-Match, expectedRevision). */
  revision(state: S): number;
}
