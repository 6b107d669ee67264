/**
 * PostgreSQL read-model store (production). Tables live in their own schema (default `chunkwise_read`):
 * `plans` (list columns + the folded state as JSONB), `plan_history` (every event of every plan stream),
 * `checkpoint` (one row) and `meta` (the projection version).
 *
 * Every batch is one transaction that first takes a transaction-scoped advisory lock of the schema, so
 * the read-modify-write of plan states is serialized even if two projectors ever ran at once (a projector
 * that lost its lock without noticing yet, say). On top of that the plan upsert only moves a row forward
 * (`WHERE plans.stream_revision < EXCLUDED.stream_revision`) and the checkpoint only grows.
 *
 * The single-active-projector lock is a session-level `pg_try_advisory_lock` held on a dedicated connection
 * (application_name `chunkwise-projector:<schema>`) for as long as the projector runs. It is released by
 * releaseProjectorLock/close, or by PostgreSQL itself when that connection dies, after which a standby's
 * next attempt succeeds and it carries on from the stored checkpoint.
 *
 * JSONB cannot hold U+0000 in strings; such characters are stored as U+FFFD (the event store keeps the
 * original, so only this read model shows the replacement).
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { PlanState } from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';
import {
  detailOf,
  planIdsOf,
  projectBatch,
  summaryOf,
  type PlanHistoryRow,
  type ProjectedPlan,
} from './plan-projection';
import { PROJECTION_VERSION, ReadModelStoreClosedError, validateListFilter } from './store-support';
import type { HistoryEntry, PlanDetail, PlanListFilter, PlanSummary, ReadModelStore } from './types';
import { destroyClient, quoteIdent } from '@chunkwise/postgres';

export interface PostgresReadModelStoreOptions {
  /** An existing pool (not ended by close()). Either `pool` or `connectionString` is required. */
  pool?: Pool;
  /** Creates (and on close() ends) a pool of its own. */
  connectionString?: string;
  /** Extra settings for the pool created from `connectionString`. */
  poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /** Schema of the read-model tables; created if missing. Default 'chunkwise_read'. */
  schema?: string;
}

export const DEFAULT_READ_MODEL_SCHEMA = 'chunkwise_read';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const SUMMARY_COLUMNS =
  'id, title, status, archived, revision, finalized_revision, repository, chunk_count, task_count, ' +
  'completed_count, failed_count, progress, created_at, updated_at';

interface SummaryRow {
  id: string;
  title: string;
  /** From the folded state (no column, so rows written before it need no migration). */
  description?: string;
  status: PlanSummary['status'];
  archived: boolean;
  revision: number;
  finalized_revision: number | null;
  repository: string | null;
  chunk_count: number;
  task_count: number;
  completed_count: number;
  failed_count: number;
  progress: number;
  created_at: Date;
  updated_at: Date;
}

interface StateRow {
  id: string;
  state: PlanState;
  stream_revision: number;
  last_position: string;
  created_at: Date;
  updated_at: Date;
}

interface HistoryRow {
  event_id: string;
  position: string;
  stream_revision: number;
  revision: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: Date;
}

export class PostgresReadModelStore implements ReadModelStore {
  readonly schema: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly t: { plans: string; history: string; checkpoint: string; meta: string };
  private readonly applyLockKey: string;
  private readonly projectorLockKey: string;
  private initPromise: Promise<void> | undefined;
  private lockClient: PoolClient | undefined;
  private lockPending: Promise<boolean> | undefined;
  /** The lock connection died since the last call of tryAcquireProjectorLock. */
  private lockLost = false;
  private closed = false;

  constructor(options: PostgresReadModelStoreOptions) {
    if (options.pool) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else if (options.connectionString) {
      this.pool = new Pool({ ...options.poolConfig, connectionString: options.connectionString });
      // An idle client losing its connection must not crash the process; the next query reports it.
      this.pool.on('error', () => undefined);
      this.ownsPool = true;
    } else {
      throw new TypeError('PostgresReadModelStore needs a pool or a connectionString');
    }
    this.schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    if (!IDENTIFIER.test(this.schema)) throw new TypeError(`invalid schema name: ${this.schema}`);
    const s = quoteIdent(this.schema);
    this.t = {
      plans: `${s}.plans`,
      history: `${s}.plan_history`,
      checkpoint: `${s}.checkpoint`,
      meta: `${s}.meta`,
    };
    this.applyLockKey = lockKey(`chunkwise.read-models.apply/${this.schema}`);
    this.projectorLockKey = lockKey(`chunkwise.read-models.projector/${this.schema}`);
  }

  /** Creates the store and its schema. */
  static async create(options: PostgresReadModelStoreOptions): Promise<PostgresReadModelStore> {
    const store = new PostgresReadModelStore(options);
    try {
      await store.init();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Creates the schema and tables if missing (idempotent; also called lazily by every operation). */
  init(): Promise<void> {
    if (this.closed) return Promise.reject(new ReadModelStoreClosedError());
    this.initPromise ??= this.createSchema().catch((error: unknown) => {
      this.initPromise = undefined;
      throw error;
    });
    return this.initPromise;
  }

  async getCheckpoint(): Promise<number> {
    await this.init();
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM ${this.t.checkpoint} WHERE id = 1`,
    );
    return Number(rows[0]?.position ?? 0);
  }

  async applyEvents(events: StoredEvent[]): Promise<void> {
    await this.init();
    if (events.length === 0) return;
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.applyLockKey]);
      const ids = planIdsOf(events);
      const loaded = new Map<string, ProjectedPlan>();
      if (ids.length > 0) {
        const { rows } = await client.query<StateRow>(
          `SELECT id, state, stream_revision, last_position, created_at, updated_at
             FROM ${this.t.plans} WHERE id = ANY($1::text[])`,
          [ids],
        );
        for (const row of rows) loaded.set(row.id, toProjectedPlan(row));
      }
      const batch = projectBatch(events, (planId) => loaded.get(planId));
      if (batch.plans.length > 0) {
        await client.query(
          `INSERT INTO ${this.t.plans} (${SUMMARY_COLUMNS}, state, stream_revision, last_position)
           SELECT ${SUMMARY_COLUMNS}, state, stream_revision, last_position
             FROM jsonb_to_recordset($1::jsonb) AS r(
               id text, title text, status text, archived boolean, revision integer, finalized_revision integer,
               repository text, chunk_count integer, task_count integer, completed_count integer,
               failed_count integer, progress double precision, created_at timestamptz, updated_at timestamptz,
               state jsonb, stream_revision integer, last_position bigint)
           ON CONFLICT (id) DO UPDATE SET
             title = EXCLUDED.title, status = EXCLUDED.status, archived = EXCLUDED.archived,
             revision = EXCLUDED.revision, finalized_revision = EXCLUDED.finalized_revision,
             repository = EXCLUDED.repository, chunk_count = EXCLUDED.chunk_count,
             task_count = EXCLUDED.task_count, completed_count = EXCLUDED.completed_count,
             failed_count = EXCLUDED.failed_count, progress = EXCLUDED.progress, state = EXCLUDED.state,
             stream_revision = EXCLUDED.stream_revision, last_position = EXCLUDED.last_position,
             created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
           WHERE ${this.t.plans}.stream_revision < EXCLUDED.stream_revision`,
          [jsonbText(batch.plans.map(planRecord))],
        );
      }
      if (batch.history.length > 0) {
        await client.query(
          `INSERT INTO ${this.t.history}
             (event_id, plan_id, position, stream_revision, revision, type, data, metadata, recorded_at)
           SELECT event_id, plan_id, position, stream_revision, revision, type,
                  coalesce(data, 'null'::jsonb), coalesce(metadata, '{}'::jsonb), recorded_at
             FROM jsonb_to_recordset($1::jsonb) AS r(
               event_id text, plan_id text, position bigint, stream_revision integer, revision integer,
               type text, data jsonb, metadata jsonb, recorded_at timestamptz)
           ON CONFLICT (event_id) DO NOTHING`,
          [jsonbText(batch.history.map(historyRecord))],
        );
      }
      if (batch.checkpoint > 0) {
        await client.query(
          `UPDATE ${this.t.checkpoint} SET position = greatest(position, $1::bigint) WHERE id = 1`,
          [batch.checkpoint],
        );
      }
    });
  }

  async reset(): Promise<void> {
    await this.init();
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.applyLockKey]);
      await client.query(`TRUNCATE ${this.t.plans}, ${this.t.history}`);
      await client.query(`UPDATE ${this.t.checkpoint} SET position = 0 WHERE id = 1`);
    });
  }

  async listPlans(filter: PlanListFilter = {}): Promise<PlanSummary[]> {
    const { status, repository, includeArchived, limit, offset } = validateListFilter(filter);
    await this.init();
    const where: string[] = [];
    const params: unknown[] = [];
    if (!includeArchived) where.push('NOT archived');
    if (status !== undefined) {
      params.push(status);
      where.push(`status = $${params.length}`);
    }
    if (repository !== undefined) {
      params.push(repository);
      where.push(`repository = $${params.length}`);
    }
    params.push(limit ?? null, offset ?? 0);
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS}, coalesce(state->'content'->>'description', '') AS description FROM ${this.t.plans} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY updated_at DESC, last_position DESC LIMIT $${params.length - 1}::bigint OFFSET $${params.length}::bigint`,
      params,
    );
    return rows.map(toSummary);
  }

  async getPlan(id: string): Promise<PlanDetail | null> {
    await this.init();
    const { rows } = await this.pool.query<StateRow>(
      `SELECT id, state, stream_revision, last_position, created_at, updated_at FROM ${this.t.plans} WHERE id = $1`,
      [id],
    );
    return rows[0] ? detailOf(toProjectedPlan(rows[0])) : null;
  }

  async getHistory(id: string): Promise<HistoryEntry[] | null> {
    await this.init();
    // One statement, one snapshot: the plan's existence and its history agree.
    const { rows } = await this.pool.query<HistoryRow & { found: boolean }>(
      `SELECT true AS found, h.event_id, h.position, h.stream_revision, h.revision, h.type, h.data, h.metadata,
              h.recorded_at
         FROM ${this.t.plans} p LEFT JOIN ${this.t.history} h ON h.plan_id = p.id
        WHERE p.id = $1
        ORDER BY h.position`,
      [id],
    );
    if (rows.length === 0) return null;
    return rows.filter((r) => r.event_id !== null).map(toHistoryEntry);
  }

  /**
   * Takes the session-level advisory lock on a dedicated connection, or, when this store already holds it,
   * checks that the connection is still alive. Returns whether this store holds the lock after the call. When
   * the lock connection died since the previous call, this call returns false (the holder must stand down);
   * the next one tries to take the lock afresh.
   */
  tryAcquireProjectorLock(): Promise<boolean> {
    if (this.closed) return Promise.reject(new ReadModelStoreClosedError());
    this.lockPending ??= this.acquireOrCheck().finally(() => {
      this.lockPending = undefined;
    });
    return this.lockPending;
  }

  async releaseProjectorLock(): Promise<void> {
    await this.lockPending?.catch(() => undefined);
    const client = this.lockClient;
    this.lockClient = undefined;
    this.lockLost = false;
    if (!client) return;
    try {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [this.projectorLockKey]);
    } catch {
      // The connection is gone, and the lock with it.
    } finally {
      // Never return a session that held a lock to the pool: destroying it is the surest release.
      destroyClient(client);
    }
  }

  /** Whether this store currently believes it holds the projector lock (no round trip). */
  get holdsProjectorLock(): boolean {
    return this.lockClient !== undefined;
  }

  /** Releases the projector lock and ends the pool if the store created it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.releaseProjectorLock();
    await this.initPromise?.catch(() => undefined);
    if (this.ownsPool) await this.pool.end();
  }

  private async acquireOrCheck(): Promise<boolean> {
    if (this.lockLost) {
      // Report the loss once (the holder must stand down) rather than silently taking the lock again.
      this.lockLost = false;
      return false;
    }
    const held = this.lockClient;
    if (held) {
      try {
        await held.query('SELECT 1');
        return true;
      } catch {
        if (this.lockClient === held) this.lockClient = undefined;
        destroyClient(held);
        return false;
      }
    }
    await this.init();
    const client = await this.pool.connect();
    client.on('error', () => {
      // The connection died (server restart, pg_terminate_backend, network): the lock is gone with it.
      if (this.lockClient === client) {
        this.lockClient = undefined;
        this.lockLost = true;
      }
      destroyClient(client);
    });
    try {
      await client.query(`SET application_name = '${`chunkwise-projector:${this.schema}`.slice(0, 63)}'`);
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS locked',
        [this.projectorLockKey],
      );
      if (rows[0]?.locked && !this.closed) {
        this.lockClient = client;
        return true;
      }
      if (rows[0]?.locked)
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [this.projectorLockKey]);
      destroyClient(client);
      return false;
    } catch (error) {
      destroyClient(client);
      throw error;
    }
  }

  private async createSchema(): Promise<void> {
    await this.transaction(async (client) => {
      // Concurrent CREATE ... IF NOT EXISTS can collide; the apply lock serializes initializers.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.applyLockKey]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.t.plans} (
          id                 text             PRIMARY KEY,
          title              text             NOT NULL,
          status             text             NOT NULL,
          archived           boolean          NOT NULL,
          revision           integer          NOT NULL,
          finalized_revision integer,
          repository         text,
          chunk_count        integer          NOT NULL,
          task_count         integer          NOT NULL,
          completed_count    integer          NOT NULL,
          failed_count       integer          NOT NULL,
          progress           double precision NOT NULL,
          state              jsonb            NOT NULL,
          stream_revision    integer          NOT NULL,
          last_position      bigint           NOT NULL,
          created_at         timestamptz      NOT NULL,
          updated_at         timestamptz      NOT NULL
        )`);
      await client.query(
        `CREATE INDEX IF NOT EXISTS plans_by_update ON ${this.t.plans} (updated_at DESC, last_position DESC)`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS plans_by_status ON ${this.t.plans} (status, updated_at DESC)`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS plans_by_repository ON ${this.t.plans} (repository, updated_at DESC)`,
      );
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.t.history} (
          event_id        text        PRIMARY KEY,
          plan_id         text        NOT NULL,
          position        bigint      NOT NULL,
          stream_revision integer     NOT NULL,
          revision        integer     NOT NULL,
          type            text        NOT NULL,
          data            jsonb       NOT NULL,
          metadata        jsonb       NOT NULL,
          recorded_at     timestamptz NOT NULL
        )`);
      await client.query(
        `CREATE INDEX IF NOT EXISTS plan_history_by_plan ON ${this.t.history} (plan_id, position)`,
      );
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.t.checkpoint} (
          id       integer PRIMARY KEY CHECK (id = 1),
          position bigint  NOT NULL
        )`);
      await client.query(
        `INSERT INTO ${this.t.checkpoint} (id, position) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
      );
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.t.meta} (key text PRIMARY KEY, value text NOT NULL)`,
      );
      const { rows } = await client.query<{ value: string }>(
        `SELECT value FROM ${this.t.meta} WHERE key = 'projection_version'`,
      );
      if (rows[0]?.value !== String(PROJECTION_VERSION)) {
        // Read models of another projection version are dropped; the projector rebuilds them from zero.
        await client.query(`TRUNCATE ${this.t.plans}, ${this.t.history}`);
        await client.query(`UPDATE ${this.t.checkpoint} SET position = 0 WHERE id = 1`);
        await client.query(
          `INSERT INTO ${this.t.meta} (key, value) VALUES ('projection_version', $1)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [String(PROJECTION_VERSION)],
        );
      }
    });
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadModelStoreClosedError();
  }
}

function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/** JSON text for a jsonb parameter; U+0000 (which jsonb rejects) becomes U+FFFD. */
function jsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll('\u0000', '\uFFFD') : v,
  );
}

function planRecord(plan: ProjectedPlan): Record<string, unknown> {
  const s = summaryOf(plan);
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    archived: s.archived,
    revision: s.revision,
    finalized_revision: s.finalizedRevision,
    repository: s.repository,
    chunk_count: s.chunkCount,
    task_count: s.taskCount,
    completed_count: s.completedCount,
    failed_count: s.failedCount,
    progress: s.progress,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    state: plan.state,
    stream_revision: plan.streamRevision,
    last_position: plan.lastPosition,
  };
}

function historyRecord(h: PlanHistoryRow): Record<string, unknown> {
  return {
    event_id: h.eventId,
    plan_id: h.planId,
    position: h.position,
    stream_revision: h.streamRevision,
    revision: h.revision,
    type: h.type,
    data: h.data ?? null,
    metadata: h.metadata ?? {},
    recorded_at: h.recordedAt,
  };
}

function toProjectedPlan(row: StateRow): ProjectedPlan {
  return {
    planId: row.id,
    state: row.state,
    streamRevision: row.stream_revision,
    lastPosition: Number(row.last_position),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toSummary(row: SummaryRow): PlanSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description ?? '',
    status: row.status,
    archived: row.archived,
    revision: row.revision,
    finalizedRevision: row.finalized_revision,
    repository: row.repository,
    chunkCount: row.chunk_count,
    taskCount: row.task_count,
    completedCount: row.completed_count,
    failedCount: row.failed_count,
    progress: row.progress,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    eventId: row.event_id,
    position: Number(row.position),
    streamRevision: row.stream_revision,
    revision: row.revision,
    type: row.type,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at.toISOString(),
  };
}
