/**
 * KurrentDB (EventStoreDB) adapter over @kurrent/kurrentdb-client (gRPC).
 *
 * - Expected revisions map to the client's stream states: 'any' → ANY, 'no_stream' (or -1) → NO_STREAM,
 *   'stream_exists' → STREAM_EXISTS, n → BigInt(n). The server checks them atomically.
 * - Event ids are the caller's ids; the server deduplicates a retried batch by id. When the server reports a
 *   wrong expected version, the stream is re-read to apply the port's rules: the whole batch already stored
 *   in this stream → the stored result; part of it → EventIdConflictError; none → WrongExpectedRevisionError.
 *   (With expectedRevision 'any' the server's deduplication is best effort, as documented by KurrentDB.)
 * - Global position = the event's commit position in the transaction log, as a number. Reads from a
 *   position pass it as both commit and prepare position and drop events at or before it client-side.
 *   This assumes (as for every non-transactional append since EventStoreDB 20) that each event's commit
 *   position is distinct and equals its prepare position; explicit legacy TCP transactions are not supported.
 * - readAll / follow / headPosition skip system events (types and streams starting with '$').
 */
import {
  ANY,
  BACKWARDS,
  END,
  type EventData,
  excludeSystemEvents,
  FORWARDS,
  type JSONType,
  KurrentDBClient,
  NO_STREAM,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
} from '@kurrent/kurrentdb-client';
import {
  type AppendResult,
  type EventStore,
  EventStoreClosedError,
  type ExpectedRevision,
  type FollowOptions,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from './port';
import {
  DEFAULT_MAX_EVENT_BYTES,
  type ExistingEvent,
  idempotentResult,
  ManagedSubscription,
  normalizeExpected,
  serializeBatch,
  toMetadata,
  validateFollowOptions,
  validateReadAll,
  validateReadStream,
} from './internal';

export interface KurrentDbEventStoreOptions {
  /** e.g. 'kurrentdb://localhost:2113?tls=false'. Either this or `client` is required. */
  connectionString?: string;
  /** An existing client (not disposed by close()). */
  client?: KurrentDBClient;
  /** Largest accepted payload per event (UTF-8 bytes of the JSON of data + metadata). Default 4 MiB. */
  maxEventBytes?: number;
}

export class KurrentDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly ownsClient: boolean;
  private readonly maxEventBytes: number;
  private readonly subscriptions = new Set<ManagedSubscription>();
  private closed = false;

  constructor(options: KurrentDbEventStoreOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.connectionString) {
      this.client = KurrentDBClient.connectionString(options.connectionString);
      this.ownsClient = true;
    } else {
      throw new TypeError('KurrentDbEventStore needs a client or a connectionString');
    }
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = normalizeExpected(options?.expectedRevision);
    const batch = serializeBatch(streamId, events, this.maxEventBytes);
    const eventData = events.map(
      (event) =>
        ({
          id: event.id,
          contentType: 'application/json',
          type: event.type,
          data: (event.data === undefined ? null : event.data) as JSONType,
          metadata: (event.metadata ?? {}) as JSONType,
        }) as EventData,
    );
    try {
      const result = await this.client.appendToStream(streamId, eventData, {
        streamState: toStreamState(expected),
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      const position = result.position
        ? Number(result.position.commit)
        : await this.positionOfRevision(streamId, nextExpectedRevision);
      return { nextExpectedRevision, position };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) : -1;
      if (batch.length > 0) {
        const ids = new Set(batch.map((e) => e.id));
        const existing: ExistingEvent[] = (await this.readStream(streamId))
          .filter((e) => ids.has(e.id))
          .map((e) => ({ id: e.id, streamId, revision: e.revision, position: e.position }));
        const stored = idempotentResult(streamId, batch, existing);
        if (stored) return stored;
      }
      throw new WrongExpectedRevisionError(streamId, expected, actual);
    }
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = validateReadStream(options);
    if (maxCount === 0) return [];
    const out: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: BigInt(fromRevision),
        direction: FORWARDS,
        ...(maxCount !== undefined ? { maxCount } : {}),
      })) {
        const event = toStoredEvent(resolved);
        if (event) out.push(event);
      }
    } catch (error) {
      // A missing or deleted stream reads as empty.
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw error;
    }
    return out;
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { after, maxCount } = validateReadAll(options);
    const limit = maxCount ?? Number.MAX_SAFE_INTEGER;
    const out: StoredEvent[] = [];
    if (limit === 0) return out;
    for await (const resolved of this.client.readAll({
      fromPosition: fromPosition(after),
      direction: FORWARDS,
      filter: excludeSystemEvents(),
    })) {
      const event = toStoredEvent(resolved);
      if (!event || event.position <= after) continue;
      out.push(event);
      if (out.length >= limit) break;
    }
    return out;
  }

  follow(options: FollowOptions, handler: (event: StoredEvent) => Promise<void> | void): Subscription {
    this.assertOpen();
    const { after } = validateFollowOptions(options);
    const sub = new ManagedSubscription(
      async (s) => {
        const subscription = this.client.subscribeToAll({
          fromPosition: fromPosition(after),
          filter: excludeSystemEvents(),
        });
        s.onStopRequested(() => subscription.unsubscribe());
        let cursor = after;
        try {
          for await (const resolved of subscription) {
            if (s.stopping) return;
            const event = toStoredEvent(resolved);
            if (!event || event.position <= cursor) continue;
            await s.deliver(handler, event);
            cursor = event.position;
          }
          if (!s.stopping) throw new Error('KurrentDB subscription to $all ended unexpectedly');
        } finally {
          await subscription.unsubscribe().catch(() => undefined);
        }
      },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(sub);
    return sub;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    for await (const resolved of this.client.readAll({
      fromPosition: END,
      direction: BACKWARDS,
      filter: excludeSystemEvents(),
      maxCount: 16,
    })) {
      const event = toStoredEvent(resolved);
      if (event) return event.position;
    }
    return 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((sub) => sub.terminate(new EventStoreClosedError())));
    if (this.ownsClient) await this.client.dispose();
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    if (revision < 0) return 0;
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function fromPosition(after: number): ReadPosition {
  if (after === 0) return START;
  const p = BigInt(after);
  const position: Position = { commit: p, prepare: p };
  return position;
}

function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const event = resolved.event;
  if (!event || event.streamId.startsWith('$') || event.type.startsWith('$')) return undefined;
  const commit = event.position?.commit ?? resolved.commitPosition;
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    data: event.data,
    metadata: toMetadata(event.metadata),
    revision: Number(event.revision),
    position: commit === undefined ? 0 : Number(commit),
    recordedAt: event.created.toISOString(),
  };
}
