/**
 * PostgreSQL adapter. One table per schema: `<schema>.events`.
 *
 * Global order and the "gap" problem: with a bigserial position, two concurrent transactions can take
 * positions 10 and 11, the one holding 11 commits first, and a reader that has already moved past 11
 * never sees 10. This adapter serializes appends with one transaction-scoped advisory lock per schema
 * (`pg_advisory_xact_lock`, taken first in every append transaction, which runs at READ COMMITTED so the
 * statements after the lock see every earlier append). The position is then simply head + 1, assigned
 * and committed in increasing order: a position that is visible implies every lower one is visible too.
 * The lock is released only after the commit is visible to other sessions. The price is one writer at a
 * time per schema, i.e. a few thousand appends per second, which is far beyond what plan editing needs;
 * a transaction-id ("safe position") scheme would allow parallel writers at the cost of more complex reads.
 * The same lock makes the idempotency check and the expected-revision check race-free; the unique
 * constraints (id) and (stream_id, revision) remain as a safety net and are mapped to the port's errors.
 *
 * follow() polls (default every 50 ms), is woken at once by appends made through the same instance, and also
 * LISTENs on a channel that every append NOTIFYs at commit, so appends by other processes are seen promptly.
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import {
  type AppendResult,
  EventIdConflictError,
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
  checkExpected,
  DEFAULT_MAX_EVENT_BYTES,
  type ExistingEvent,
  idempotentResult,
  ManagedSubscription,
  normalizeExpected,
  pollLoop,
  serializeBatch,
  toMetadata,
  validateFollowOptions,
  validateReadAll,
  validateReadStream,
} from './internal';
import { classifyStorageError } from './storage-errors';
import { destroyClient, quoteIdent } from '@chunkwise/postgres';

export interface PostgresEventStoreOptions {
  /** An existing pool (not ended by close()). Either `pool` or `connectionString` is required. */
  pool?: Pool;
  /** Creates (and on close() ends) a pool of its own. */
  connectionString?: string;
  /** Extra settings for the pool created from `connectionString`. */
  poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /** Schema holding the `events` table; created if missing. Default 'public'. */
  schema?: string;
  /** Largest accepted payload per event (UTF-8 bytes of the JSON of data + metadata). Default 4 MiB. */
  maxEventBytes?: number;
  /** Default polling interval for follow(). Default 50 ms. */
  pollIntervalMs?: number;
  /** LISTEN for appends made by other processes (default true). */
  listen?: boolean;
}

interface EventRow {
  position: string;
  id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const COLUMNS = 'position, id, stream_id, revision, type, data, metadata, recorded_at';

export class PostgresEventStore implements EventStore {
  readonly schema: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly table: string;
  private readonly probeTable: string;
  private readonly lockKey: string;
  private readonly channel: string;
  private readonly maxEventBytes: number;
  private readonly pollIntervalMs: number | undefined;
  private readonly listenEnabled: boolean;
  private readonly subscriptions = new Set<ManagedSubscription>();
  private initPromise: Promise<void> | undefined;
  private listener: PoolClient | undefined;
  private listenerPending: Promise<void> | undefined;
  private lastListenFailure = 0;
  private closed = false;

  constructor(options: PostgresEventStoreOptions) {
    if (options.pool) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else if (options.connectionString) {
      this.pool = new Pool({ ...options.poolConfig, connectionString: options.connectionString });
      // An idle client losing its connection must not crash the process; the next query reports it.
      this.pool.on('error', () => undefined);
      this.ownsPool = true;
    } else {
      throw new TypeError('PostgresEventStore needs a pool or a connectionString');
    }
    this.schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(this.schema)) throw new TypeError(`invalid schema name: ${this.schema}`);
    this.table = `${quoteIdent(this.schema)}.events`;
    this.probeTable = `${quoteIdent(this.schema)}.health_probe`;
    this.lockKey = createHash('sha256')
      .update(`chunkwise.event-store/${this.schema}`)
      .digest()
      .readBigInt64BE(0)
      .toString();
    const channel = `chunkwise_events_${this.schema}`;
    this.channel =
      channel.length <= 63
        ? channel
        : `chunkwise_events_${createHash('sha1').update(this.schema).digest('hex').slice(0, 40)}`;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.pollIntervalMs = options.pollIntervalMs;
    this.listenEnabled = options.listen ?? true;
  }

  /** Creates the store and its schema/table. */
  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    try {
      await store.init();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Creates the schema and table if they do not exist. Called lazily by every operation; idempotent. */
  init(): Promise<void> {
    this.initPromise ??= this.createSchema().catch((error: unknown) => {
      this.initPromise = undefined;
      throw error;
    });
    return this.initPromise;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = normalizeExpected(options?.expectedRevision);
    const batch = serializeBatch(streamId, events, this.maxEventBytes);
    await this.init();
    const result = await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      const state = await client.query<{ rev: string | null; head: string; existing: ExistingEvent[] }>(
        `SELECT (SELECT max(revision) FROM ${this.table} WHERE stream_id = $1) AS rev,
                (SELECT coalesce(max(position), 0) FROM ${this.table}) AS head,
                (SELECT coalesce(json_agg(json_build_object(
                   'id', id, 'streamId', stream_id, 'revision', revision, 'position', position)), '[]'::json)
                   FROM ${this.table} WHERE id = ANY($2::text[])) AS existing`,
        [streamId, batch.map((e) => e.id)],
      );
      const row = state.rows[0];
      const stored = idempotentResult(streamId, batch, row.existing);
      if (stored) return { ...stored, written: false };

      const current = row.rev === null ? -1 : Number(row.rev);
      checkExpected(streamId, expected, current);
      const head = Number(row.head);
      if (batch.length === 0) {
        const last = await client.query<{ position: string }>(
          `SELECT position FROM ${this.table} WHERE stream_id = $1 AND revision = $2`,
          [streamId, current],
        );
        return {
          nextExpectedRevision: current,
          position: Number(last.rows[0]?.position ?? 0),
          written: false,
        };
      }
      const positions = batch.map((_, i) => head + 1 + i);
      const revisions = batch.map((_, i) => current + 1 + i);
      await client.query(
        `WITH inserted AS (
           INSERT INTO ${this.table} (position, id, stream_id, revision, type, data, metadata)
           SELECT p, i, $3, r, t, d, m
             FROM unnest($1::bigint[], $2::text[], $4::bigint[], $5::text[], $6::json[], $7::json[]) AS u(p, i, r, t, d, m)
           RETURNING position)
         SELECT pg_notify($8, $9)`,
        [
          positions,
          batch.map((e) => e.id),
          streamId,
          revisions,
          batch.map((e) => e.type),
          batch.map((e) => e.data),
          batch.map((e) => e.metadata),
          this.channel,
          String(positions[positions.length - 1]),
        ],
      );
      return {
        nextExpectedRevision: revisions[revisions.length - 1],
        position: positions[positions.length - 1],
        written: true,
      };
    }).catch(async (error: unknown) => {
      throw classifyStorageError(
        await this.mapUniqueViolation(error, streamId, expected),
        `appending to stream ${streamId}`,
      );
    });
    const { written, ...appendResult } = result;
    if (written) this.wakeAll();
    return appendResult;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = validateReadStream(options);
    await this.init();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3::bigint`,
      [streamId, fromRevision, maxCount ?? null],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { after, maxCount } = validateReadAll(options);
    await this.init();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT $2::bigint`,
      [after, maxCount ?? null],
    );
    return rows.map(toStoredEvent);
  }

  follow(options: FollowOptions, handler: (event: StoredEvent) => Promise<void> | void): Subscription {
    this.assertOpen();
    const opts = validateFollowOptions({ pollIntervalMs: this.pollIntervalMs, ...options });
    const sub = new ManagedSubscription(
      (s) =>
        pollLoop(
          s,
          opts,
          (after, maxCount) => {
            this.ensureListener();
            return this.readAll({ after, maxCount });
          },
          handler,
        ),
      (s) => {
        this.subscriptions.delete(s);
        if (this.subscriptions.size === 0) this.dropListener();
      },
    );
    this.subscriptions.add(sub);
    return sub;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    await this.init();
    const { rows } = await this.pool.query<{ head: string }>(
      `SELECT coalesce(max(position), 0) AS head FROM ${this.table}`,
    );
    return Number(rows[0].head);
  }

  /**
   * Commits a one-row upsert into `<schema>.health_probe` (never an event): a committed write goes
   * through the WAL and the table's file, so a full disk (SQLSTATE 53100) or a read-only server fails it.
   */
  async probeWrite(): Promise<void> {
    this.assertOpen();
    await this.init();
    try {
      await this.transaction(async (client) => {
        await client.query(
          `INSERT INTO ${this.probeTable} (id, checked_at) VALUES (1, clock_timestamp())
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
        );
      });
    } catch (error) {
      throw classifyStorageError(error, 'event store write probe');
    }
  }

  /** Ends every subscription (with EventStoreClosedError); ends the pool if the store created it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((sub) => sub.terminate(new EventStoreClosedError())));
    this.dropListener();
    await this.listenerPending;
    if (this.ownsPool) await this.pool.end();
  }

  private async createSchema(): Promise<void> {
    await this.transaction(async (client) => {
      // Concurrent CREATE ... IF NOT EXISTS can still collide; the append lock serializes initializers.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          position    bigint      PRIMARY KEY CHECK (position > 0),
          id          text        NOT NULL UNIQUE,
          stream_id   text        NOT NULL,
          revision    bigint      NOT NULL CHECK (revision >= 0),
          type        text        NOT NULL,
          data        json        NOT NULL,
          metadata    json        NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          UNIQUE (stream_id, revision)
        )`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.probeTable} (id int PRIMARY KEY CHECK (id = 1), checked_at timestamptz NOT NULL)`,
      );
    });
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let clean = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      let result: T;
      try {
        result = await work(client);
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => (clean = true),
          () => undefined,
        );
        throw error;
      }
      await client.query('COMMIT');
      clean = true;
      return result;
    } finally {
      // A connection whose transaction state is unknown is discarded rather than returned to the pool.
      client.release(clean ? undefined : true);
    }
  }

  private wakeAll(): void {
    for (const sub of this.subscriptions) sub.wake();
  }

  /** Starts (in the background) the LISTEN connection used to learn about other processes' appends. */
  private ensureListener(): void {
    if (!this.listenEnabled || this.closed || this.listener || this.listenerPending) return;
    if (this.subscriptions.size === 0 || Date.now() - this.lastListenFailure < 1000) return;
    this.listenerPending = (async () => {
      let client: PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const c = client;
        c.on('notification', () => this.wakeAll());
        c.on('error', () => {
          if (this.listener === c) this.listener = undefined;
          this.lastListenFailure = Date.now();
          destroyClient(c);
        });
        await c.query(`LISTEN ${quoteIdent(this.channel)}`);
        if (this.closed || this.subscriptions.size === 0) {
          destroyClient(c);
          return;
        }
        this.listener = c;
        // Anything appended while we were connecting is picked up by the next read.
        this.wakeAll();
      } catch {
        this.lastListenFailure = Date.now();
        if (client) destroyClient(client);
      }
    })().finally(() => {
      this.listenerPending = undefined;
    });
  }

  private dropListener(): void {
    const listener = this.listener;
    this.listener = undefined;
    // Destroy rather than return to the pool: the session is still LISTENing.
    if (listener) destroyClient(listener);
  }

  /** Safety net for writers that bypass the lock: unique violations become the port's errors. */
  private async mapUniqueViolation(
    error: unknown,
    streamId: string,
    expected: ExpectedRevision,
  ): Promise<unknown> {
    const e = error as { code?: string; constraint?: string; detail?: string };
    if (e?.code !== '23505') return error;
    if (e.constraint?.endsWith('_id_key')) {
      return new EventIdConflictError(
        streamId,
        `event id already stored (${e.detail ?? 'unique violation'})`,
      );
    }
    const { rows } = await this.pool
      .query<{ rev: string | null }>(`SELECT max(revision) AS rev FROM ${this.table} WHERE stream_id = $1`, [
        streamId,
      ])
      .catch(() => ({ rows: [{ rev: null }] }));
    return new WrongExpectedRevisionError(
      streamId,
      expected,
      rows[0].rev === null ? -1 : Number(rows[0].rev),
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    type: row.type,
    data: row.data,
    metadata: toMetadata(row.metadata),
    revision: Number(row.revision),
    position: Number(row.position),
    recordedAt: row.recorded_at.toISOString(),
  };
}
