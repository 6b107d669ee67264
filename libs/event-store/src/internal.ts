/**
 * Helpers shared by the adapters: input validation, serialization with the payload limit, and the
 * subscription machinery used by `follow`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  EventIdConflictError,
  EventStoreLimitError,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from './port';

/** Default largest payload (JSON of data + metadata, UTF-8 bytes) accepted per event. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_POLL_INTERVAL_MS = 50;
/** Events read per query while following (bounded memory: at most this many payloads at once). */
export const DEFAULT_FOLLOW_BATCH_SIZE = 100;

export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('streamId must be a non-empty string');
  }
}

/** Normalizes the expected revision: -1 is accepted as a synonym of 'no_stream'. */
export function normalizeExpected(expected: ExpectedRevision): ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) {
    return expected === -1 ? 'no_stream' : expected;
  }
  throw new TypeError(`invalid expectedRevision: ${String(expected)}`);
}

/** Throws WrongExpectedRevisionError unless `actual` (-1 = no stream) satisfies `expected`. */
export function checkExpected(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    (typeof expected === 'number' && expected === actual);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/**
 * Validates a batch and serializes every event to JSON text, enforcing the per-event payload limit.
 * Runs before any transaction is opened so that the write lock is held as briefly as possible.
 */
export function serializeBatch(
  streamId: string,
  events: NewEvent[],
  maxEventBytes: number,
): SerializedEvent[] {
  assertStreamId(streamId);
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  const seen = new Set<string>();
  return events.map((event, index) => {
    if (typeof event?.id !== 'string' || event.id.length === 0) {
      throw new TypeError(`event #${index} of stream ${streamId}: id must be a non-empty string`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`event ${event.id}: type must be a non-empty string`);
    }
    if (seen.has(event.id)) {
      throw new EventIdConflictError(streamId, `event id ${event.id} appears more than once in the batch`);
    }
    seen.add(event.id);
    const data = toJson(event, 'data', event.data === undefined ? null : event.data);
    const metadata = toJson(event, 'metadata', event.metadata ?? {});
    if (typeof data !== 'string' || typeof metadata !== 'string') {
      throw new TypeError(`event ${event.id}: data and metadata must be JSON-serializable`);
    }
    const bytes = Buffer.byteLength(data, 'utf8') + Buffer.byteLength(metadata, 'utf8');
    if (bytes > maxEventBytes) {
      throw new EventStoreLimitError(
        `event ${event.id} (${event.type}) on stream ${streamId}: payload of ${bytes} bytes exceeds the limit of ${maxEventBytes} bytes`,
      );
    }
    return { id: event.id, type: event.type, data, metadata };
  });
}

/**
 * JSON.stringify recurses: a value nested a few thousand levels deep overflows the stack. That is
 * a refusal of this event (EventStoreLimitError, as for an oversized payload), never a crash.
 */
function toJson(event: NewEvent, part: 'data' | 'metadata', value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (e instanceof RangeError)
      throw new EventStoreLimitError(
        `event ${event.id} (${event.type}): its ${part} is nested too deeply to store (${e.message})`,
      );
    throw new TypeError(
      `event ${event.id}: ${part} must be JSON-serializable (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    );
  }
}

export interface ExistingEvent {
  id: string;
  streamId: string;
  revision: number;
  position: number;
}

/**
 * Idempotency decision, shared by the SQL adapters. `existing` are the stored events whose ids appear in
 * the batch. Returns the stored result when the whole batch is already in this stream, undefined when none
 * of it is stored, and throws EventIdConflictError otherwise.
 */
export function idempotentResult(
  streamId: string,
  batch: SerializedEvent[],
  existing: ExistingEvent[],
): { nextExpectedRevision: number; position: number } | undefined {
  if (existing.length === 0) return undefined;
  const elsewhere = existing.filter((e) => e.streamId !== streamId);
  if (elsewhere.length > 0) {
    const list = elsewhere.map((e) => `${e.id} (in stream ${e.streamId})`).join(', ');
    throw new EventIdConflictError(streamId, `event ids already stored in another stream: ${list}`);
  }
  if (existing.length < batch.length) {
    const stored = new Set(existing.map((e) => e.id));
    const present = batch.filter((e) => stored.has(e.id)).map((e) => e.id);
    const missing = batch.filter((e) => !stored.has(e.id)).map((e) => e.id);
    throw new EventIdConflictError(
      streamId,
      `batch is partly stored already (stored: ${present.join(', ')}; new: ${missing.join(', ')}); ` +
        'an idempotent retry must resend exactly the original batch',
    );
  }
  let last = existing[0];
  for (const e of existing) if (e.revision > last.revision) last = e;
  return { nextExpectedRevision: last.revision, position: last.position };
}

const storedJson = new WeakMap<object, { data: string; metadata: string }>();

/**
 * The JSON text a stored event's `data` and `metadata` were parsed from, when its adapter kept it (SQLite
 * does; the text is what the store holds, so `JSON.parse` of it equals the event's values). Lets a consumer
 * that stores the event again as text (the read models' history) skip serializing it a second time.
 */
export function storedJsonOf(event: StoredEvent): { data: string; metadata: string } | undefined {
  return storedJson.get(event);
}

/** Records the text of `storedJsonOf` for an event built by an adapter. */
export function rememberStoredJson(event: StoredEvent, data: string, metadata: string): StoredEvent {
  storedJson.set(event, { data, metadata });
  return event;
}

export function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

export function toMetadata(value: unknown): Record<string, unknown> {
  return value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
    ? (value as Record<string, unknown>)
    : {};
}

/** Which subscription's handler the current async context is running in (to make stop() from a handler safe). */
const handlerContext = new AsyncLocalStorage<ManagedSubscription>();

/**
 * A subscription whose body runs as an async loop. `done` never rejects: an error that ends the loop by
 * itself is kept in `error`. stop() requests the end and waits for the loop, except when called from the
 * subscription's own handler (that would wait for itself).
 */
export class ManagedSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopRequested = false;
  private endError: unknown = undefined;
  private wakePending = false;
  private waker: (() => void) | undefined;
  private readonly stopListeners: Array<() => unknown> = [];

  constructor(body: (sub: ManagedSubscription) => Promise<void>, onEnd?: (sub: ManagedSubscription) => void) {
    this.done = (async () => {
      // Let the caller receive the subscription object before the body runs.
      await Promise.resolve();
      try {
        await body(this);
      } catch (error) {
        if (!this.stopRequested && this.endError === undefined) this.endError = error;
      } finally {
        this.stopRequested = true;
        onEnd?.(this);
      }
    })();
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  get error(): unknown {
    return this.endError;
  }

  /** Runs the handler for one event; an error thrown by it ends the subscription. */
  async deliver<T>(handler: (event: T) => Promise<void> | void, event: T): Promise<void> {
    try {
      await handlerContext.run(this, () => handler(event));
    } catch (error) {
      if (this.endError === undefined) this.endError = error;
      throw error;
    }
  }

  /** Registers a callback run once when stop is requested (e.g. to cancel a server-side subscription). */
  onStopRequested(listener: () => unknown): void {
    if (this.stopRequested) void Promise.resolve().then(listener);
    else this.stopListeners.push(listener);
  }

  /** Marks that new events may be available: a pending or next wait() returns at once. */
  wake(): void {
    this.wakePending = true;
    this.waker?.();
  }

  /** Forgets earlier wake-ups; call before reading so that a wake-up during the read is not lost. */
  clearWake(): void {
    this.wakePending = false;
  }

  /** Waits up to `ms` milliseconds, or less when woken or stopped. */
  wait(ms: number): Promise<void> {
    if (this.wakePending || this.stopRequested) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waker = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.waker = finish;
    });
  }

  stop(): Promise<void> {
    this.requestStop();
    if (handlerContext.getStore() === this) return Promise.resolve();
    return this.done;
  }

  /** Ends the subscription with an error (used when the store is closed). */
  terminate(error: unknown): Promise<void> {
    if (!this.stopRequested && this.endError === undefined) this.endError = error;
    return this.stop();
  }

  private requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.waker?.();
    for (const listener of this.stopListeners.splice(0)) {
      try {
        const result = listener();
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // Best effort: the loop notices `stopping` anyway.
      }
    }
  }
}

/**
 * The follow loop of the polling adapters: reads batches after the cursor, delivers them in order, and
 * sleeps for the poll interval (or until woken) when caught up. The cursor only moves forward, so no event
 * is delivered twice.
 */
export async function pollLoop(
  sub: ManagedSubscription,
  options: { after: number; pollIntervalMs: number; batchSize: number },
  read: (after: number, maxCount: number) => Promise<StoredEvent[]>,
  handler: (event: StoredEvent) => Promise<void> | void,
): Promise<void> {
  let cursor = options.after;
  while (!sub.stopping) {
    sub.clearWake();
    const batch = await read(cursor, options.batchSize);
    for (const event of batch) {
      if (sub.stopping) return;
      if (event.position <= cursor) continue;
      await sub.deliver(handler, event);
      cursor = event.position;
    }
    if (batch.length < options.batchSize) await sub.wait(options.pollIntervalMs);
  }
}

export function validateFollowOptions(options: {
  after: number;
  pollIntervalMs?: number;
  batchSize?: number;
}): {
  after: number;
  pollIntervalMs: number;
  batchSize: number;
} {
  const after = options?.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0)
    throw new TypeError(`follow: invalid 'after' position ${after}`);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const batchSize = options.batchSize ?? DEFAULT_FOLLOW_BATCH_SIZE;
  if (!(pollIntervalMs > 0)) throw new TypeError('follow: pollIntervalMs must be positive');
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new TypeError('follow: batchSize must be >= 1');
  return { after, pollIntervalMs, batchSize };
}

export function validateReadStream(options: { fromRevision?: number; maxCount?: number } = {}): {
  fromRevision: number;
  maxCount: number | undefined;
} {
  const fromRevision = options.fromRevision ?? 0;
  if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
    throw new TypeError(`readStream: invalid fromRevision ${fromRevision}`);
  }
  return { fromRevision, maxCount: validateMaxCount(options.maxCount) };
}

export function validateReadAll(options: { after?: number; maxCount?: number } = {}): {
  after: number;
  maxCount: number | undefined;
} {
  const after = options.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0)
    throw new TypeError(`readAll: invalid 'after' position ${after}`);
  return { after, maxCount: validateMaxCount(options.maxCount) };
}

function validateMaxCount(maxCount: number | undefined): number | undefined {
  if (maxCount === undefined) return undefined;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new TypeError(`invalid maxCount ${maxCount}`);
  return maxCount;
}
