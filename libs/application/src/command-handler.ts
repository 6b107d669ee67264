import { randomUUID } from 'node:crypto';
import type { Aggregate } from '@chunkwise/domain';
import { WrongExpectedRevisionError, type EventStore, type StoredEvent } from '@chunkwise/event-store';
import { StaleRevisionError } from './errors';

type Event = { type: string; data: unknown };

export interface CommandOptions<E extends Event = Event> {
  /** The revision the caller based the write on; a different current revision is refused (409). */
  expectedRevision?: number;
  /** Who or what issued the command, recorded in event metadata. Never put secrets here. */
  actor?: string;
  /** Correlates the events of one request. */
  correlationId?: string;
  /** More event metadata (e.g. the source of recorded events). */
  metadata?: Record<string, unknown>;
  /**
   * Supplies event ids. Deterministic ids make a retried append idempotent: a batch whose ids are
   * all stored already is a no-op. Defaults to random UUIDs.
   */
  eventId?: (event: E, index: number) => string;
}

export interface CommandResult<E extends Event, S> {
  /** The aggregate's id (e.g. the plan id). */
  planId: string;
  /** The aggregate's revision after the write (the one clients base their next write on). */
  revision: number;
  events: E[];
  /** Global position of the last appended event (0 when the command produced no events). */
  position: number;
  state: S;
}

export interface Loaded<S> {
  state: S;
  /** Revision of the stream's last event; -1 when the stream does not exist. */
  streamRevision: number;
  events: StoredEvent[];
}

export interface CommandHandlerOptions {
  /** The error for a command on an aggregate that does not exist. */
  notFound: (id: string) => Error;
  /** How many times a command without a client revision is decided when writers race. Default 5. */
  maxAttempts?: number;
  /**
   * Streams whose folded state is kept between commands (least recently used go first). A command
   * then reads only the events after the kept revision instead of the whole stream. Default 256; 0
   * turns it off.
   */
  cachedStreams?: number;
}

/** A stream's state folded up to `revision`. */
interface Folded<S> {
  state: S;
  revision: number;
}

/**
 * The write path: read the stream, fold, decide, fold the new events once and check the
 * invariants, append with the stream's expected revision. Nothing else appends to an aggregate.
 *
 * Concurrency: a command that carries the client's revision (If-Match, expectedRevision) is
 * refused with StaleRevisionError (409, naming the current revision) when it does not match or
 * the stream moves during the write: the client decided on what it saw. A command without one is
 * decided again on a fresh read, a bounded number of times (then 409), because the server is the
 * one that decided.
 */
export class CommandHandler<C extends { type: string }, E extends Event, S> {
  private readonly maxAttempts: number;
  private readonly cachedStreams: number;
  /** Folded states by stream id, in least-recently-used order. States are never mutated (evolve is pure). */
  private readonly folded = new Map<string, Folded<S>>();

  constructor(
    private readonly store: EventStore,
    private readonly aggregate: Aggregate<C, E, S>,
    private readonly options: CommandHandlerOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.cachedStreams = options.cachedStreams ?? 256;
  }

  /**
   * The stream's current state for a write: the kept fold plus the events appended since (by anyone),
   * or the whole stream. Streams only grow and a revision's event never changes, so this is the
   * state a full fold gives; the append's expected revision still refuses a write that raced.
   */
  private async current(id: string): Promise<{ state: S; streamRevision: number }> {
    const stream = this.aggregate.streamId(id);
    const kept = this.folded.get(stream);
    if (kept) {
      const from = kept.revision + 1;
      const events = await this.store.readStream(stream, { fromRevision: from });
      if (events.length === 0 || events[0].revision === from) {
        const state = events.length ? this.fold(events, kept.state) : kept.state;
        const streamRevision = events.length ? events[events.length - 1].revision : kept.revision;
        this.keep(stream, state, streamRevision);
        return { state, streamRevision };
      }
      this.folded.delete(stream);
    }
    const { state, streamRevision } = await this.load(id);
    this.keep(stream, state, streamRevision);
    return { state, streamRevision };
  }

  private keep(stream: string, state: S, revision: number): void {
    if (this.cachedStreams <= 0 || revision < 0) return;
    this.folded.delete(stream);
    this.folded.set(stream, { state, revision });
    if (this.folded.size > this.cachedStreams) this.folded.delete(this.folded.keys().next().value!);
  }

  async load(id: string): Promise<Loaded<S>> {
    const events = await this.store.readStream(this.aggregate.streamId(id));
    return {
      state: this.fold(events),
      streamRevision: events.length ? events[events.length - 1].revision : -1,
      events,
    };
  }

  async execute(id: string, command: C, options: CommandOptions<E> = {}): Promise<CommandResult<E, S>> {
    const { aggregate } = this;
    const expected = options.expectedRevision;
    for (let attempt = 1; ; attempt++) {
      const { state, streamRevision } = await this.current(id);
      const exists = aggregate.exists(state);
      if (!exists && !aggregate.creates(command)) throw this.options.notFound(id);
      if (expected !== undefined && exists && expected !== aggregate.revision(state))
        throw new StaleRevisionError(id, expected, aggregate.revision(state));

      const events = aggregate.decide(command, state);
      if (events.length === 0)
        return { planId: id, revision: aggregate.revision(state), events, position: 0, state };
      let next = state;
      for (const e of events) next = aggregate.evolve(next, e);
      aggregate.check?.(command, next);

      try {
        const { position, nextExpectedRevision } = await this.store.append(
          aggregate.streamId(id),
          events.map((e, i) => ({
            id: options.eventId?.(e, i) ?? randomUUID(),
            type: e.type,
            data: e.data,
            metadata: this.metadata(command, options),
          })),
          { expectedRevision: streamRevision < 0 ? 'no_stream' : streamRevision },
        );
        // Our own events, folded already: the next command on this stream reads nothing before them.
        if (nextExpectedRevision === streamRevision + events.length)
          this.keep(aggregate.streamId(id), next, nextExpectedRevision);
        return { planId: id, revision: aggregate.revision(next), events, position, state: next };
      } catch (e) {
        if (!(e instanceof WrongExpectedRevisionError)) throw e;
        if (expected === undefined && attempt < this.maxAttempts) {
          // Another writer got in first: decide again on what is stored now (jitter spreads racers).
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        const current = (await this.load(id)).state;
        throw new StaleRevisionError(id, expected ?? aggregate.revision(state), aggregate.revision(current));
      }
    }
  }

  private fold(events: StoredEvent[], from: S = this.aggregate.initialState()): S {
    let state = from;
    for (const e of events) state = this.aggregate.evolve(state, e as unknown as E);
    return state;
  }

  private metadata(command: C, options: CommandOptions<E>): Record<string, unknown> {
    const metadata: Record<string, unknown> = { command: command.type, ...options.metadata };
    if (options.actor) metadata.actor = options.actor;
    if (options.correlationId) metadata.correlationId = options.correlationId;
    return metadata;
  }
}
