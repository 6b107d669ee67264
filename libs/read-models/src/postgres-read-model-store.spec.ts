import { Pool } from 'pg';
import { DEFAULT_READ_MODEL_SCHEMA, PostgresReadModelStore } from './postgres-read-model-store';
import { ReadModelStoreClosedError } from './store-support';
import { PlanEventLog } from '../../../test/support/read-models/plan-event-log';
import { inCi as ON_CI } from '../../../test/support/ci';
import {
  probePostgresSync,
  TEST_PG_URL as PG_TEST_URL,
  uniqueSchemaName as uniqueSchema,
} from '../../../test/support/postgres';
import { snapshotOf } from '../../../test/support/read-models/snapshot';

const doc = { title: 'P', chunks: [{ key: 'C01_a' }], tasks: [{ id: 'T1', chunk: 'C01_a', title: 'one' }] };

describe('PostgresReadModelStore options', () => {
  it('defaults to the chunkwise_read schema and checks its arguments', async () => {
    const store = new PostgresReadModelStore({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    expect(store.schema).toBe(DEFAULT_READ_MODEL_SCHEMA);
    expect(DEFAULT_READ_MODEL_SCHEMA).toBe('chunkwise_read');
    await store.close();
    expect(() => new PostgresReadModelStore({})).toThrow(TypeError);
    expect(
      () => new PostgresReadModelStore({ connectionString: 'postgres://x', schema: 'bad"; drop' }),
    ).toThrow(/invalid schema/);
  });
});

const unreachable = probePostgresSync() ?? undefined;

if (unreachable !== undefined && !ON_CI) {
  console.warn(
    `PostgresReadModelStore tests SKIPPED: PostgreSQL at ${PG_TEST_URL} is unreachable (${unreachable}). ` +
      'Set CHUNKWISE_TEST_PG_URL to a reachable server; with CI=true these tests fail instead of skipping.',
  );
  describe('PostgresReadModelStore specifics', () => {
    it.skip(`skipped: PostgreSQL unreachable at ${PG_TEST_URL}`, () => undefined);
  });
} else if (unreachable !== undefined) {
  describe('PostgresReadModelStore specifics', () => {
    it('needs a reachable PostgreSQL under CI=true', () => {
      throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable under CI=true: ${unreachable}`);
    });
  });
} else {
  describe('PostgresReadModelStore specifics', () => {
    let admin: Pool;
    let schema: string;
    const open: PostgresReadModelStore[] = [];
    const store = async (extra: { pool?: Pool } = {}) => {
      const s = await PostgresReadModelStore.create(
        extra.pool
          ? { pool: extra.pool, schema }
          : { connectionString: PG_TEST_URL, schema, poolConfig: { max: 4 } },
      );
      open.push(s);
      return s;
    };

    beforeAll(() => {
      admin = new Pool({ connectionString: PG_TEST_URL, max: 2 });
    });
    afterAll(async () => {
      await admin.end();
    });
    beforeEach(() => {
      schema = uniqueSchema('rm_pg');
    });
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });

    it('creates its tables in the schema, with JSONB state and history data', async () => {
      await store();
      const { rows } = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_schema = $1 AND column_name IN ('state', 'data', 'metadata') ORDER BY table_name, column_name`,
        [schema],
      );
      expect(rows).toEqual([
        { table_name: 'plan_history', column_name: 'data', data_type: 'jsonb' },
        { table_name: 'plan_history', column_name: 'metadata', data_type: 'jsonb' },
        { table_name: 'plans', column_name: 'state', data_type: 'jsonb' },
      ]);
    });

    it('uses a supplied pool without ending it', async () => {
      const pool = new Pool({ connectionString: PG_TEST_URL, max: 2 });
      try {
        const s = await store({ pool });
        await s.close();
        expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await pool.end();
      }
    });

    it('stores U+0000 (which JSONB rejects) as U+FFFD instead of getting stuck', async () => {
      const s = await store();
      const log = new PlanEventLog();
      log.execute('z1', {
        type: 'CreatePlan',
        planId: 'z1',
        document: { ...doc, description: 'nul\u0000here' },
      });
      await s.applyEvents(log.events);
      expect((await s.getPlan('z1'))!.description).toBe('nul\uFFFDhere');
      expect(await s.getCheckpoint()).toBe(1);
    });

    it('serializes concurrent batches from several instances (no lost or regressed plan state)', async () => {
      const a = await store();
      const b = await store();
      const log = new PlanEventLog();
      log.execute('c1', { type: 'CreatePlan', planId: 'c1', document: doc });
      for (let i = 0; i < 30; i++) log.execute('c1', { type: 'RecordFeedback', feedback: `note ${i}` });
      log.append('elsewhere', 'Other', {});
      // Two projectors racing over the same events, each in order, with overlapping batches.
      const race = async (s: PostgresReadModelStore, size: number) => {
        for (let i = 0; i < log.events.length; i += size)
          await s.applyEvents(log.events.slice(i, i + size + 2));
      };
      await Promise.all([race(a, 3), race(b, 5), race(a, 4)]);
      const detail = await a.getPlan('c1');
      expect(detail!.feedback).toHaveLength(30);
      expect(detail!.streamRevision).toBe(30);
      expect((await a.getHistory('c1'))!.map((h) => h.streamRevision)).toEqual(
        Array.from({ length: 31 }, (_, i) => i),
      );
      expect(await a.getCheckpoint()).toBe(log.events.length);
      expect(await snapshotOf(b)).toEqual(await snapshotOf(a));
    });

    it('drops read models of another projection version on init', async () => {
      const s = await store();
      const log = new PlanEventLog();
      log.execute('v1', { type: 'CreatePlan', planId: 'v1', document: doc });
      await s.applyEvents(log.events);
      await admin.query(`UPDATE "${schema}".meta SET value = '0' WHERE key = 'projection_version'`);
      const fresh = await store();
      expect(await fresh.getCheckpoint()).toBe(0);
      expect(await fresh.getPlan('v1')).toBeNull();
      const again = await store();
      await fresh.applyEvents(log.events);
      expect(await again.getCheckpoint()).toBe(1);
    });

    it('notices a dead lock connection and can take the lock again', async () => {
      const s = await store();
      expect(await s.tryAcquireProjectorLock()).toBe(true);
      expect(s.holdsProjectorLock).toBe(true);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`chunkwise-projector:${schema}`],
      );
      expect(await s.tryAcquireProjectorLock()).toBe(false);
      expect(s.holdsProjectorLock).toBe(false);
      expect(await s.tryAcquireProjectorLock()).toBe(true);
      await s.releaseProjectorLock();
      const other = await store();
      expect(await other.tryAcquireProjectorLock()).toBe(true);
    });

    it('refuses calls after close', async () => {
      const s = await store();
      await s.close();
      await s.close();
      await expect(s.getCheckpoint()).rejects.toThrow(ReadModelStoreClosedError);
      await expect(s.tryAcquireProjectorLock()).rejects.toThrow(ReadModelStoreClosedError);
    });
  });
}
