/**
 * SQLite read-model store (the embedded default): one file of its own, separate from the event store's.
 *
 * Durability: WAL journal with synchronous=NORMAL. In WAL mode NORMAL never corrupts the database; it only
 * means that the last transactions before a power loss or OS crash may be rolled back (an application crash
 * loses nothing). That is acceptable here, unlike in the event store (synchronous=FULL), because a read
 * model is derived data: the checkpoint is committed in the same transaction as the rows it covers, so a
 * lost tail simply moves the checkpoint back and the projector re-projects those events from the event
 * store. NORMAL saves an fsync per batch, which matters for a rebuild.
 *
 * Projector lock: SQLite is single-host, but several processes on that host (an API and a `chunkwise
 * replay`, say) can open the same file, so the lock is a real lease: one row in `projector_lock` with the
 * holder's id and an expiry, taken and renewed in a write transaction. A holder that dies without
 * releasing it loses it when the lease expires (default 15 s); the projector renews it every few seconds.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { PlanState } from '@chunkwise/domain';
import { storedJsonOf, type StoredEvent } from '@chunkwise/event-store';
import {
  detailOf,
  projectBatch,
  summaryOf,
  type PlanHistoryRow,
  type ProjectedPlan,
} from './plan-projection';
import { PROJECTION_VERSION, ReadModelStoreClosedError, validateListFilter } from './store-support';
import type {
  HistoryEntry,
  PlanDetail,
  PlanDetailJson,
  PlanListFilter,
  PlanSummary,
  ReadModelStore,
} from './types';

export interface SqliteReadModelStoreOptions {
  /** How long a writer waits for another connection's write lock. Default 10 s. */
  busyTimeoutMs?: number;
  /** Lifetime of the projector lease; the holder must renew it (tryAcquireProjectorLock) within it. Default 15 s. */
  lockTtlMs?: number;
  /** Bytes of serialized plan details kept in memory for getPlanJson (0: none). Default 64 MiB. */
  detailCacheBytes?: number;
}

export interface SqliteReadModelPragmas {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS plans (
  id                 TEXT    PRIMARY KEY,
  title              TEXT    NOT NULL,
  status             TEXT    NOT NULL,
  archived           INTEGER NOT NULL,
  revision           INTEGER NOT NULL,
  finalized_revision INTEGER,
  repository         TEXT,
  chunk_count        INTEGER NOT NULL,
  task_count         INTEGER NOT NULL,
  completed_count    INTEGER NOT NULL,
  failed_count       INTEGER NOT NULL,
  progress           REAL    NOT NULL,
  state_json         TEXT    NOT NULL,
  stream_revision    INTEGER NOT NULL,
  last_position      INTEGER NOT NULL,
  created_at         TEXT    NOT NULL,
  updated_at         TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS plans_by_update ON plans (updated_at DESC, last_position DESC);
CREATE INDEX IF NOT EXISTS plans_by_status ON plans (status, updated_at DESC);
CREATE INDEX IF NOT EXISTS plans_by_repository ON plans (repository, updated_at DESC);
CREATE TABLE IF NOT EXISTS plan_history (
  position        INTEGER PRIMARY KEY,
  event_id        TEXT    NOT NULL,
  plan_id         TEXT    NOT NULL,
  stream_revision INTEGER NOT NULL,
  revision        INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS plan_history_by_plan ON plan_history (plan_id, position);
CREATE TABLE IF NOT EXISTS checkpoint (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
INSERT OR IGNORE INTO checkpoint (id, position) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS projector_lock (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  owner       TEXT    NOT NULL,
  acquired_at TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * Version of this file's table layout (independent of PROJECTION_VERSION, which is shared with PostgreSQL).
 * 2: plan_history keyed by the event's global position (appended in order) instead of its random event id.
 */
const SQLITE_LAYOUT = 2;

const SUMMARY_COLUMNS =
  'id, title, status, archived, revision, finalized_revision, repository, chunk_count, task_count, ' +
  'completed_count, failed_count, progress, created_at, updated_at';

/** The description lives in the folded state (no column, so rows written before it need no migration). */
const DESCRIPTION = "coalesce(json_extract(state_json, '$.content.description'), '') AS description";

interface SummaryRow {
  id: string;
  title: string;
  description?: string;
  status: PlanSummary['status'];
  archived: number;
  revision: number;
  finalized_revision: number | null;
  repository: string | null;
  chunk_count: number;
  task_count: number;
  completed_count: number;
  failed_count: number;
  progress: number;
  created_at: string;
  updated_at: string;
}

interface StateRow {
  id: string;
  state_json: string;
  stream_revision: number;
  last_position: number;
  created_at: string;
  updated_at: string;
}

interface HistoryRow {
  event_id: string;
  position: number;
  stream_revision: number;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/** The columns of `plans` in SUMMARY_COLUMNS order, then state_json, stream_revision, last_position. */
type PlanRowParams = [
  string,
  string,
  string,
  number,
  number,
  number | null,
  string | null,
  number,
  number,
  number,
  number,
  number,
  string,
  string,
  string,
  number,
  number,
];

export class SqliteReadModelStore implements ReadModelStore {
  /** Identifies this store instance as a lock holder. */
  readonly lockOwner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly db: Database.Database;
  private readonly lockTtlMs: number;
  private closed = false;
  private readonly listStatements = new Map<string, Database.Statement<Array<string | number>, SummaryRow>>();
  private readonly stmt: {
    loadPlan: Database.Statement<[string], StateRow>;
    upsertPlan: Database.Statement<PlanRowParams>;
    insertHistory: Database.Statement<
      [string, string, number, number, number, string, string, string, string]
    >;
    getCheckpoint: Database.Statement<[], { position: number }>;
    advanceCheckpoint: Database.Statement<[number]>;
    history: Database.Statement<[string], HistoryRow>;
    planExists: Database.Statement<[string], { one: number }>;
    readLock: Database.Statement<[], { owner: string; expires_at: number }>;
    dataVersion: Database.Statement<[], { data_version: number }>;
    writeLock: Database.Statement<[string, string, number]>;
    renewLock: Database.Statement<[number, string]>;
    deleteLock: Database.Statement<[string]>;
  };
  private readonly applyTx: (events: readonly StoredEvent[]) => void;
  /**
   * Serialized details by plan id (least recently used first), for getPlanJson. An entry is dropped when
   * this connection applies an event of its plan; every entry is dropped when another connection (another
   * process projecting into the same file, a replay) commits anything: SQLite's data_version tells.
   */
  private readonly details = new Map<string, PlanDetailJson>();
  private detailBytes = 0;
  private readonly detailCacheBytes: number;
  private dataVersion = -1;
  private readonly resetTx: () => void;
  private readonly lockTx: (now: number) => boolean;

  /** @param filename path of the database file (parent directories are created) or ':memory:'. */
  constructor(
    readonly filename: string,
    options: SqliteReadModelStoreOptions = {},
  ) {
    this.lockTtlMs = Math.max(1, Math.floor(options.lockTtlMs ?? 15_000));
    this.detailCacheBytes = Math.max(0, Math.floor(options.detailCacheBytes ?? 64 * 1024 * 1024));
    const inMemory = filename === ':memory:' || filename === '';
    if (!inMemory) mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    try {
      // 16 KiB pages for a new file (an existing one keeps its own): a plan's state (kilobytes of JSON)
      // fits in its row's page instead of a chain of overflow pages, which a rebuild rewrites on every
      // batch (measured: ~15-25% less CPU per rebuilt event than 4 KiB). Only takes effect before the
      // first table is created, so it is set before anything else.
      this.db.pragma('page_size = 16384');
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
      this.db.pragma('journal_mode = WAL');
      // See the file comment: a read model can always be re-projected, so NORMAL is safe here.
      this.db.pragma('synchronous = NORMAL');
      // Checkpoint the WAL every 32 MiB instead of every 4 MiB: a rebuild or a catch-up writes in bursts, and
      // each checkpoint costs an fsync (measured: ~1.5x rebuild throughput). The WAL file is cut back to
      // 64 MiB after a checkpoint so that it does not stay large.
      this.db.pragma('wal_autocheckpoint = 8192');
      this.db.pragma('journal_size_limit = 67108864');
      this.db
        .transaction(() => {
          this.db.exec(SCHEMA);
          this.migrate();
        })
        .immediate();
    } catch (error) {
      this.db.close();
      throw error;
    }

    this.stmt = {
      loadPlan: this.db.prepare(
        'SELECT id, state_json, stream_revision, last_position, created_at, updated_at FROM plans WHERE id = ?',
      ),
      upsertPlan: this.db.prepare(
        `INSERT INTO plans (${SUMMARY_COLUMNS}, state_json, stream_revision, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
           title = excluded.title, status = excluded.status, archived = excluded.archived,
           revision = excluded.revision, finalized_revision = excluded.finalized_revision,
           repository = excluded.repository, chunk_count = excluded.chunk_count, task_count = excluded.task_count,
           completed_count = excluded.completed_count, failed_count = excluded.failed_count,
           progress = excluded.progress, state_json = excluded.state_json,
           stream_revision = excluded.stream_revision, last_position = excluded.last_position,
           created_at = excluded.created_at, updated_at = excluded.updated_at
         WHERE excluded.stream_revision > plans.stream_revision`,
      ),
      insertHistory: this.db.prepare(
        `INSERT OR IGNORE INTO plan_history
           (event_id, plan_id, position, stream_revision, revision, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getCheckpoint: this.db.prepare('SELECT position FROM checkpoint WHERE id = 1'),
      advanceCheckpoint: this.db.prepare('UPDATE checkpoint SET position = max(position, ?) WHERE id = 1'),
      history: this.db.prepare(
        `SELECT event_id, position, stream_revision, revision, type, data, metadata, recorded_at
           FROM plan_history WHERE plan_id = ? ORDER BY position`,
      ),
      planExists: this.db.prepare('SELECT 1 AS one FROM plans WHERE id = ?'),
      dataVersion: this.db.prepare('PRAGMA data_version'),
      readLock: this.db.prepare('SELECT owner, expires_at FROM projector_lock WHERE id = 1'),
      writeLock: this.db.prepare(
        `INSERT INTO projector_lock (id, owner, acquired_at, expires_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
           expires_at = excluded.expires_at`,
      ),
      renewLock: this.db.prepare('UPDATE projector_lock SET expires_at = ? WHERE id = 1 AND owner = ?'),
      deleteLock: this.db.prepare('DELETE FROM projector_lock WHERE id = 1 AND owner = ?'),
    };

    const apply = this.db.transaction((events: readonly StoredEvent[]) => {
      const batch = projectBatch(events, (planId) => this.loadPlan(planId));
      // Before the writes: whatever the outcome, no cached detail of a plan this batch touches survives.
      for (const plan of batch.plans) this.forgetDetail(plan.planId);
      for (const plan of batch.plans) this.stmt.upsertPlan.run(...planRowParams(plan));
      const byPosition = new Map<number, StoredEvent>();
      for (const e of events) byPosition.set(e.position, e);
      for (const h of batch.history)
        this.stmt.insertHistory.run(...historyParams(h, storedJsonOf(byPosition.get(h.position)!)));
      if (batch.checkpoint > 0) this.stmt.advanceCheckpoint.run(batch.checkpoint);
    });
    // IMMEDIATE: take the write lock before reading the stored states, so read-modify-write is atomic even
    // when another process projects into the same file.
    this.applyTx = (events) => apply.immediate(events);
    const reset = this.db.transaction(() => {
      this.forgetDetails();
      this.db.exec(
        'DELETE FROM plans; DELETE FROM plan_history; UPDATE checkpoint SET position = 0 WHERE id = 1;',
      );
    });
    this.resetTx = () => reset.immediate();
    const lock = this.db.transaction((now: number) => {
      const row = this.stmt.readLock.get();
      if (row && row.owner !== this.lockOwner && row.expires_at > now) return false;
      if (row && row.owner === this.lockOwner) this.stmt.renewLock.run(now + this.lockTtlMs, this.lockOwner);
      else this.stmt.writeLock.run(this.lockOwner, new Date(now).toISOString(), now + this.lockTtlMs);
      return true;
    });
    this.lockTx = (now) => lock.immediate(now);
  }

  async init(): Promise<void> {
    this.assertOpen();
  }

  async getCheckpoint(): Promise<number> {
    this.assertOpen();
    return this.stmt.getCheckpoint.get()?.position ?? 0;
  }

  async applyEvents(events: StoredEvent[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    this.applyTx(events);
  }

  async reset(): Promise<void> {
    this.assertOpen();
    this.resetTx();
  }

  async listPlans(filter: PlanListFilter = {}): Promise<PlanSummary[]> {
    this.assertOpen();
    const { status, repository, includeArchived, limit, offset } = validateListFilter(filter);
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (!includeArchived) where.push('archived = 0');
    if (status !== undefined) {
      where.push('status = ?');
      params.push(status);
    }
    if (repository !== undefined) {
      where.push('repository = ?');
      params.push(repository);
    }
    params.push(limit ?? -1, offset ?? 0);
    const sql =
      `SELECT ${SUMMARY_COLUMNS}, ${DESCRIPTION} FROM plans ${where.length ? `WHERE ${where.join(' AND ')} ` : ''}` +
      'ORDER BY updated_at DESC, last_position DESC LIMIT ? OFFSET ?';
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<Array<string | number>, SummaryRow>(sql);
      this.listStatements.set(sql, statement);
    }
    return statement.all(...params).map(toSummary);
  }

  async getPlan(id: string): Promise<PlanDetail | null> {
    this.assertOpen();
    const plan = this.loadPlan(id);
    return plan ? detailOf(plan) : null;
  }

  async getPlanJson(id: string): Promise<PlanDetailJson | null> {
    this.assertOpen();
    const version = this.stmt.dataVersion.get()!.data_version;
    if (version !== this.dataVersion) {
      this.forgetDetails();
      this.dataVersion = version;
    }
    const cached = this.details.get(id);
    if (cached) {
      // Most recently used last.
      this.details.delete(id);
      this.details.set(id, cached);
      return cached;
    }
    const plan = this.loadPlan(id);
    if (!plan) return null;
    const detail = detailOf(plan);
    const entry: PlanDetailJson = {
      body: Buffer.from(JSON.stringify(detail)),
      revision: detail.revision,
      streamRevision: detail.streamRevision,
    };
    this.remember(id, entry);
    return entry;
  }

  private forgetDetail(id: string): void {
    const entry = this.details.get(id);
    if (!entry) return;
    this.details.delete(id);
    this.detailBytes -= entry.body.length;
  }

  private forgetDetails(): void {
    this.details.clear();
    this.detailBytes = 0;
  }

  private remember(id: string, entry: PlanDetailJson): void {
    if (entry.body.length > this.detailCacheBytes / 4) return;
    this.details.set(id, entry);
    this.detailBytes += entry.body.length;
    for (const [oldId, old] of this.details) {
      if (this.detailBytes <= this.detailCacheBytes) break;
      this.details.delete(oldId);
      this.detailBytes -= old.body.length;
    }
  }

  async getHistory(id: string): Promise<HistoryEntry[] | null> {
    this.assertOpen();
    const read = this.db.transaction(() => {
      if (!this.stmt.planExists.get(id)) return null;
      return this.stmt.history.all(id).map(toHistoryEntry);
    });
    return read.deferred();
  }

  /**
   * Takes the projector lease if it is free or expired, or renews it if this store already holds it.
   * Returns whether this store holds the lease after the call.
   */
  async tryAcquireProjectorLock(): Promise<boolean> {
    this.assertOpen();
    return this.lockTx(Date.now());
  }

  async releaseProjectorLock(): Promise<void> {
    if (this.closed) return;
    this.stmt.deleteLock.run(this.lockOwner);
  }

  /** The current lease holder, if any lease is live (for diagnostics and tests). */
  projectorLockHolder(): { owner: string; expiresAt: number } | null {
    this.assertOpen();
    const row = this.stmt.readLock.get();
    return row && row.expires_at > Date.now() ? { owner: row.owner, expiresAt: row.expires_at } : null;
  }

  pragmas(): SqliteReadModelPragmas {
    this.assertOpen();
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    };
  }

  /** Releases the projector lease if held and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.stmt.deleteLock.run(this.lockOwner);
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  /**
   * A read model built by an older projection, or stored in an older layout of this file, is dropped (tables
   * recreated), so the projector rebuilds it from zero.
   */
  private migrate(): void {
    const version = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    if (
      version.get('projection_version')?.value === String(PROJECTION_VERSION) &&
      version.get('sqlite_layout')?.value === String(SQLITE_LAYOUT)
    )
      return;
    this.db.exec(
      'DROP TABLE IF EXISTS plans; DROP TABLE IF EXISTS plan_history; UPDATE checkpoint SET position = 0 WHERE id = 1;',
    );
    this.db.exec(SCHEMA);
    const set = this.db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    set.run('projection_version', String(PROJECTION_VERSION));
    set.run('sqlite_layout', String(SQLITE_LAYOUT));
  }

  private loadPlan(planId: string): ProjectedPlan | undefined {
    const row = this.stmt.loadPlan.get(planId);
    if (!row) return undefined;
    return {
      planId: row.id,
      state: JSON.parse(row.state_json) as PlanState,
      streamRevision: row.stream_revision,
      lastPosition: row.last_position,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadModelStoreClosedError();
  }
}

function planRowParams(plan: ProjectedPlan): PlanRowParams {
  const s = summaryOf(plan);
  return [
    s.id,
    s.title,
    s.status,
    s.archived ? 1 : 0,
    s.revision,
    s.finalizedRevision,
    s.repository,
    s.chunkCount,
    s.taskCount,
    s.completedCount,
    s.failedCount,
    s.progress,
    s.createdAt,
    s.updatedAt,
    JSON.stringify(plan.state),
    plan.streamRevision,
    plan.lastPosition,
  ];
}

/** `stored`: the event's JSON text as the event store holds it, when it kept it (saves serializing again). */
function historyParams(
  h: PlanHistoryRow,
  stored: { data: string; metadata: string } | undefined,
): [string, string, number, number, number, string, string, string, string] {
  return [
    h.eventId,
    h.planId,
    h.position,
    h.streamRevision,
    h.revision,
    h.type,
    stored?.data ?? JSON.stringify(h.data ?? null),
    stored?.metadata ?? JSON.stringify(h.metadata ?? {}),
    h.recordedAt,
  ];
}

function toSummary(row: SummaryRow): PlanSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description ?? '',
    status: row.status,
    archived: row.archived !== 0,
    revision: row.revision,
    finalizedRevision: row.finalized_revision,
    repository: row.repository,
    chunkCount: row.chunk_count,
    taskCount: row.task_count,
    completedCount: row.completed_count,
    failedCount: row.failed_count,
    progress: row.progress,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    eventId: row.event_id,
    position: row.position,
    streamRevision: row.stream_revision,
    revision: row.revision,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    recordedAt: row.recorded_at,
  };
}
