/**
 * The event store port. Every adapter (SQLite, PostgreSQL, KurrentDB) implements it and passes the
 * same contract suite (libs/event-store/src/contract.ts).
 *
 * Stream revisions are 0-based (the first event of a stream has revision 0), like KurrentDB.
 * Global positions are strictly increasing across the whole store; `readAll({ after })` returns
 * events whose position is greater than `after` (0 = from the beginning).
 */

/** Expected state of the stream when appending. A number is the revision of the stream's last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent {
  /** Caller-supplied unique id (UUID). Appending an id that is already stored is a no-op. */
  id: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface StoredEvent {
  id: string;
  streamId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** 0-based position within the stream. */
  revision: number;
  /** Global, strictly increasing position. */
  position: number;
  /** ISO-8601 time the store recorded the event. */
  recordedAt: string;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append (use it as the next expected revision). */
  nextExpectedRevision: number;
  /** Global position of the last event written (or of the already-stored duplicate). */
  position: number;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive lower bound on global position; 0 (default) reads from the beginning. */
  after?: number;
  maxCount?: number;
}

export interface Subscription {
  /**
   * Stops following; resolves when the handler is no longer running. (Called from inside the handler
   * it only requests the stop: no further event is delivered after the current one.)
   */
  stop(): Promise<void>;
  /**
   * Resolves when the subscription ends by itself with an error (handler threw, store closed); it also
   * resolves once stop() has completed. It never rejects: the cause is in `error`.
   */
  readonly done: Promise<void>;
  /** Why the subscription ended by itself (the handler's error, EventStoreClosedError, a read failure); undefined otherwise. */
  readonly error: unknown;
}

export interface FollowOptions {
  /** Exclusive lower bound on global position. */
  after: number;
  /** Polling interval for adapters without push notifications. */
  pollIntervalMs?: number;
  batchSize?: number;
}

export interface EventStore {
  /**
   * Appends events atomically. Throws WrongExpectedRevisionError (writing nothing) when the stream's
   * state does not match `expectedRevision`. If every event id is already stored in this stream, the
   * call is an idempotent no-op and returns the stored result.
   */
  append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Events of one stream in revision order; [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Events of all streams in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Calls `handler` for every event after `options.after`, in global order, then keeps following new ones. */
  follow(options: FollowOptions, handler: (event: StoredEvent) => Promise<void> | void): Subscription;
  /** Highest global position currently stored (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * Health probe: resolves when the store can take a write right now, rejects (StorageFullError on a
   * full disk) when it cannot. It never writes an event; adapters that can, commit a one-row write to a
   * probe table of their own (a rolled-back write never reaches the disk, so it would not see a full one).
   */
  probeWrite?(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(
      `stream ${streamId}: expected revision ${String(expected)}, actual ${actual === -1 ? 'no stream' : actual}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

export class EventStoreLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreLimitError';
  }
}

/**
 * Some (but not all) ids of an appended batch are already stored, in this stream or another one, or the batch
 * repeats an id. Nothing was written. Unlike WrongExpectedRevisionError, re-reading and retrying will not help.
 */
export class EventIdConflictError extends Error {
  constructor(
    readonly streamId: string,
    message: string,
  ) {
    super(`stream ${streamId}: ${message}`);
    this.name = 'EventIdConflictError';
  }
}

/** The store was closed (its subscriptions end with this error; later calls are rejected with it). */
export class EventStoreClosedError extends Error {
  constructor(message = 'event store is closed') {
    super(message);
    this.name = 'EventStoreClosedError';
  }
}

/**
 * The store could not write for lack of space (SQLite SQLITE_FULL, ENOSPC/EDQUOT, PostgreSQL SQLSTATE
 * 53100 disk_full) or because its storage failed (SQLITE_IOERR*). The append was rolled back as a whole:
 * nothing of the batch was written. Retrying after space is freed succeeds without a restart.
 */
export class StorageFullError extends Error {
  constructor(
    /** 'full': no space left; 'io': the storage reported an I/O error while writing. */
    readonly reason: 'full' | 'io',
    /** The driver's code (SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC, 53100 …). */
    readonly storageCode: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageFullError';
  }
}
