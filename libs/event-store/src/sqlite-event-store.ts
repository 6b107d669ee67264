/**
 * SQLite adapter (the embedded default): one file, WAL journal, synchronous=FULL, so an append that returned
 * survives a power loss. better-sqlite3 is synchronous; every append runs in one BEGIN IMMEDIATE transaction,
 * which takes the file's write lock up front, so writers in other connections or processes are serialized by
 * SQLite itself (waiting up to busy_timeout) and the expected-revision check and the insert see the same state.
 *
 * Global order: positions come from an AUTOINCREMENT rowid assigned inside the write transaction. Only one
 * writer holds the lock at a time, so positions are committed in increasing order and a reader never sees
 * a position that a later commit could undercut.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
} from './port';
import {
  checkExpected,
  DEFAULT_MAX_EVENT_BYTES,
  type ExistingEvent,
  idempotentResult,
  ManagedSubscription,
  normalizeExpected,
  parseJson,
  rememberStoredJson,
  pollLoop,
  serializeBatch,
  type SerializedEvent,
  toMetadata,
  validateFollowOptions,
  validateReadAll,
  validateReadStream,
} from './internal';
import { classifyStorageError } from './storage-errors';

export interface SqliteEventStoreOptions {
  /** Largest accepted payload per event (UTF-8 bytes of the JSON of data + metadata). Default 4 MiB. */
  maxEventBytes?: number;
  /** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. Default 10 s. */
  busyTimeoutMs?: number;
  /** Default polling interval for follow(). Default 50 ms. */
  pollIntervalMs?: number;
}

export interface SqlitePragmas {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  busyTimeout: number;
}

interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT    NOT NULL UNIQUE,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE TABLE IF NOT EXISTS health_probe (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  checked_at TEXT    NOT NULL
);
`;

const COLUMNS = 'position, id, stream_id, revision, type, data, metadata, recorded_at';

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly maxEventBytes: number;
  private readonly pollIntervalMs: number | undefined;
  private readonly subscriptions = new Set<ManagedSubscription>();
  private closed = false;

  private readonly stmt: {
    findId: Database.Statement<[string], ExistingEvent>;
    lastRevision: Database.Statement<[string], { revision: number }>;
    insert: Database.Statement<[string, string, number, string, string, string, string]>;
    readStream: Database.Statement<[string, number, number], EventRow>;
    readAll: Database.Statement<[number, number], EventRow>;
    head: Database.Statement<[], { head: number }>;
    probe: Database.Statement<[string]>;
  };
  private readonly appendTx: (
    streamId: string,
    expected: ExpectedRevision,
    batch: SerializedEvent[],
  ) => AppendResult & { written: boolean };

  /** @param filename path of the database file (parent directories are created) or ':memory:'. */
  constructor(
    readonly filename: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.pollIntervalMs = options.pollIntervalMs;
    const inMemory = filename === ':memory:' || filename === '';
    if (!inMemory) mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    try {
      // busy_timeout first: switching to WAL and creating the table may wait for another process.
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
    } catch (error) {
      this.db.close();
      throw error;
    }

    this.stmt = {
      findId: this.db.prepare(
        'SELECT id, stream_id AS streamId, revision, position FROM events WHERE id = ?',
      ),
      lastRevision: this.db.prepare(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      insert: this.db.prepare(
        'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      readAll: this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      head: this.db.prepare('SELECT COALESCE(MAX(position), 0) AS head FROM events'),
      probe: this.db.prepare('INSERT OR REPLACE INTO health_probe (id, checked_at) VALUES (1, ?)'),
    };

    const tx = this.db.transaction(
      (streamId: string, expected: ExpectedRevision, batch: SerializedEvent[]) => {
        const existing: ExistingEvent[] = [];
        for (const event of batch) {
          const row = this.stmt.findId.get(event.id);
          if (row) existing.push(row);
        }
        const stored = idempotentResult(streamId, batch, existing);
        if (stored) return { ...stored, written: false };

        const current = this.stmt.lastRevision.get(streamId)?.revision ?? -1;
        checkExpected(streamId, expected, current);
        if (batch.length === 0) {
          const last = current >= 0 ? this.stmt.readStream.get(streamId, current, 1) : undefined;
          return { nextExpectedRevision: current, position: last?.position ?? 0, written: false };
        }
        const recordedAt = new Date().toISOString();
        let revision = current;
        let position = 0;
        for (const event of batch) {
          revision += 1;
          const info = this.stmt.insert.run(
            event.id,
            streamId,
            revision,
            event.type,
            event.data,
            event.metadata,
            recordedAt,
          );
          position = Number(info.lastInsertRowid);
        }
        return { nextExpectedRevision: revision, position, written: true };
      },
    );
    this.appendTx = (streamId, expected, batch) => tx.immediate(streamId, expected, batch);
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = normalizeExpected(options?.expectedRevision);
    const batch = serializeBatch(streamId, events, this.maxEventBytes);
    let outcome: AppendResult & { written: boolean };
    try {
      // On any error better-sqlite3 rolls the whole transaction back: a batch is never half-written.
      outcome = this.appendTx(streamId, expected, batch);
    } catch (error) {
      throw classifyStorageError(error, `appending to stream ${streamId}`);
    }
    const { written, ...result } = outcome;
    if (written) for (const sub of this.subscriptions) sub.wake();
    return result;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = validateReadStream(options);
    return this.stmt.readStream.all(streamId, fromRevision, maxCount ?? -1).map(toStoredEvent);
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { after, maxCount } = validateReadAll(options);
    return this.stmt.readAll.all(after, maxCount ?? -1).map(toStoredEvent);
  }

  follow(options: FollowOptions, handler: (event: StoredEvent) => Promise<void> | void): Subscription {
    this.assertOpen();
    const opts = validateFollowOptions({ pollIntervalMs: this.pollIntervalMs, ...options });
    const sub = new ManagedSubscription(
      (s) => pollLoop(s, opts, (after, maxCount) => this.readAll({ after, maxCount }), handler),
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(sub);
    return sub;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.stmt.head.get()?.head ?? 0;
  }

  /**
   * Commits a one-row write to the `health_probe` table (never an event). In WAL mode a rolled-back
   * write never reaches the disk, so only a committed one finds out that the disk is full.
   */
  async probeWrite(): Promise<void> {
    this.assertOpen();
    try {
      this.db.transaction(() => this.stmt.probe.run(new Date().toISOString())).immediate();
    } catch (error) {
      throw classifyStorageError(error, 'event store write probe');
    }
  }

  /** The connection's effective settings (for diagnostics and tests). */
  pragmas(): SqlitePragmas {
    this.assertOpen();
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeout: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  /** Ends every subscription (with EventStoreClosedError) and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((sub) => sub.terminate(new EventStoreClosedError())));
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  const parsedMetadata = parseJson(row.metadata);
  const metadata = toMetadata(parsedMetadata);
  const event: StoredEvent = {
    id: row.id,
    streamId: row.stream_id,
    type: row.type,
    data: parseJson(row.data),
    metadata,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
  };
  // The text is kept only where it parses to exactly what the event holds.
  return metadata === parsedMetadata ? rememberStoredJson(event, row.data, row.metadata) : event;
}
