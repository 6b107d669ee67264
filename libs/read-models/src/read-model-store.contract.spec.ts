/**
 * The behaviour every ReadModelStore must have, written once (describeReadModelContract) and run against
 * SQLite (temp files) and PostgreSQL (a fresh schema per test, dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { planStreamId } from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';
import { ProjectionError } from './plan-projection';
import { PostgresReadModelStore } from './postgres-read-model-store';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { PlanEventLog } from '../../../test/support/read-models/plan-event-log';
import { snapshotOf } from '../../../test/support/read-models/snapshot';
import { inCi as ON_CI } from '../../../test/support/ci';
import {
  probePostgresSync,
  TEST_PG_URL as PG_TEST_URL,
  uniqueSchemaName as uniqueSchema,
} from '../../../test/support/postgres';
import type { ReadModelStore } from './types';

interface ReadModelFixture {
  store: ReadModelStore;
  /** Another store instance on the same backing storage (another process, as far as locks go). */
  openAnother(): Promise<ReadModelStore>;
  cleanup(): Promise<void>;
}

const doc = {
  title: 'Auth',
  description: 'Login and sessions',
  repository: 'git@example.com:acme/app.git',
  chunks: [{ key: 'C01_base' }, { key: 'C02_api', title: 'API', executionMode: 'parallel' as const }],
  tasks: [
    { id: 'T1', chunk: 'C01_base', title: 'schema', status: 'completed' as const },
    { id: 'T2', chunk: 'C01_base', title: 'models', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_api', title: 'routes', dependsOn: ['T2'], status: 'skipped' as const },
    { id: 'T4', chunk: 'C02_api', title: 'tests', status: 'failed' as const },
  ],
};

function describeReadModelContract(name: string, factory: () => Promise<ReadModelFixture>): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelFixture | undefined;
    let store: ReadModelStore;
    const extra: ReadModelStore[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      await store.init();
    });

    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      const f = fixture;
      fixture = undefined;
      await f?.cleanup();
    });

    /** Plan p1: created, feedback, details edited, a task added, feedback, finalized. */
    function authPlan(log = new PlanEventLog()): PlanEventLog {
      log.execute(
        'p1',
        { type: 'CreatePlan', planId: 'p1', document: doc, source: { kind: 'cli' } },
        { actor: 'ana' },
      );
      log.execute('p1', { type: 'RecordFeedback', feedback: 'split the models task', author: 'bob' });
      log.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Auth v2' } });
      log.execute('p1', {
        type: 'AddTask',
        task: { id: 'T5', chunk: 'C01_base', title: 'seed data', dependsOn: ['T2'] },
      });
      log.execute('p1', { type: 'RecordFeedback', feedback: 'looks good' });
      log.execute('p1', { type: 'FinalizePlan' });
      return log;
    }

    it('starts empty', async () => {
      expect(await store.getCheckpoint()).toBe(0);
      expect(await store.listPlans()).toEqual([]);
      expect(await store.getPlan('nope')).toBeNull();
      expect(await store.getHistory('nope')).toBeNull();
    });

    it('projects create, update, feedback and finalize into the list row', async () => {
      const log = authPlan();
      await store.applyEvents(log.events);
      const times = log.events.map((e) => e.recordedAt);
      expect(await store.listPlans()).toEqual([
        {
          id: 'p1',
          title: 'Auth v2',
          description: 'Login and sessions',
          status: 'ready',
          archived: false,
          revision: 3,
          finalizedRevision: 3,
          repository: 'git@example.com:acme/app.git',
          chunkCount: 2,
          taskCount: 5,
          completedCount: 1,
          failedCount: 1,
          progress: 0.4,
          createdAt: times[0],
          updatedAt: times[5],
        },
      ]);
      expect(await store.getCheckpoint()).toBe(6);
    });

    it('serves the detail: chunks in order with their tasks, stats, progress and feedback per revision', async () => {
      await store.applyEvents(authPlan().events);
      const detail = await store.getPlan('p1');
      expect(detail).not.toBeNull();
      expect(detail!.title).toBe('Auth v2');
      expect(detail!.description).toBe('Login and sessions');
      expect(detail!.execution).toBeNull();
      expect(detail!.streamRevision).toBe(5);
      expect(
        detail!.chunks.map((c) => ({ key: c.key, mode: c.executionMode, tasks: c.tasks.map((t) => t.id) })),
      ).toEqual([
        { key: 'C01_base', mode: 'sequential', tasks: ['T1', 'T2', 'T5'] },
        { key: 'C02_api', mode: 'parallel', tasks: ['T3', 'T4'] },
      ]);
      expect(detail!.chunks[0].tasks[2]).toEqual({
        id: 'T5',
        chunk: 'C01_base',
        title: 'seed data',
        description: '',
        dependsOn: ['T2'],
        canRunInParallel: false,
        acceptance: [],
        status: 'pending',
        attempts: 0,
        lastError: null,
        commitSha: null,
        labels: [],
        optional: false,
        cancelled: false,
      });
      expect(detail!.chunks[0].stats).toEqual({
        chunks: 1,
        tasks: 3,
        byStatus: { pending: 2, running: 0, completed: 1, failed: 0, skipped: 0 },
        progress: 1 / 3,
      });
      expect(detail!.chunks[1].stats.byStatus).toEqual({
        pending: 0,
        running: 0,
        completed: 0,
        failed: 1,
        skipped: 1,
      });
      expect(detail!.chunks[1].stats.progress).toBe(0.5);
      expect(detail!.stats).toEqual({
        chunks: 2,
        tasks: 5,
        byStatus: { pending: 2, running: 0, completed: 1, failed: 1, skipped: 1 },
        progress: 0.4,
      });
      expect(detail!.progress).toBe(0.4);
      expect(detail!.feedback).toEqual([
        { revision: 1, feedback: 'split the models task', author: 'bob', mode: null },
        { revision: 3, feedback: 'looks good', author: null, mode: null },
      ]);
    });

    it('keeps every event in the history with its revisions, time, data and metadata', async () => {
      const log = authPlan();
      await store.applyEvents(log.events);
      const history = await store.getHistory('p1');
      expect(history).toEqual(
        log.events.map((e, i) => ({
          eventId: e.id,
          position: i + 1,
          streamRevision: i,
          revision: [1, 1, 2, 3, 3, 3][i],
          type: e.type,
          data: e.data,
          metadata: e.metadata,
          recordedAt: e.recordedAt,
        })),
      );
      expect(history!.map((h) => h.type)).toEqual([
        'PlanCreated',
        'FeedbackRecorded',
        'PlanDetailsUpdated',
        'TaskAdded',
        'FeedbackRecorded',
        'PlanFinalized',
      ]);
      expect(history![0].metadata).toEqual({ command: 'CreatePlan', actor: 'ana' });
    });

    it('is idempotent: the same batch twice, overlapping batches and one-by-one batches give the same result', async () => {
      const log = authPlan();
      log.execute('p2', { type: 'CreatePlan', planId: 'p2', document: { ...doc, title: 'Other' } });
      log.execute('p1', { type: 'ReopenPlan', reason: 'more work' });
      log.execute('p1', { type: 'RemoveTask', taskId: 'T5' });
      await store.applyEvents(log.events);
      const once = await snapshotOf(store);
      await store.applyEvents(log.events);
      expect(await snapshotOf(store)).toEqual(once);
      await store.applyEvents(log.events.slice(2, 7));
      expect(await snapshotOf(store)).toEqual(once);

      const other = await fixture!.openAnother();
      extra.push(other);
      await other.reset();
      for (let i = 0; i < log.events.length; i += 3)
        await other.applyEvents(log.events.slice(Math.max(0, i - 1), i + 3));
      expect(await snapshotOf(other)).toEqual(once);
      expect(once.checkpoint).toBe(log.events.length);
      expect(once.plans.p1.detail).toMatchObject({
        status: 'draft',
        revision: 5,
        finalizedRevision: null,
      });
    });

    it('follows structural edits: reorder, move and remove', async () => {
      const log = new PlanEventLog();
      log.execute('p1', { type: 'CreatePlan', planId: 'p1', document: doc });
      log.execute('p1', { type: 'AddChunk', chunk: { key: 'C03_docs', title: 'Docs' } });
      log.execute('p1', { type: 'AddTask', task: { id: 'T6', chunk: 'C03_docs', title: 'readme' } });
      log.execute('p1', { type: 'MoveTask', taskId: 'T4', toChunk: 'C01_base', beforeTaskId: 'T2' });
      log.execute('p1', { type: 'ReorderChunks', order: ['C01_base', 'C03_docs', 'C02_api'] });
      log.execute('p1', { type: 'RemoveTask', taskId: 'T6' });
      log.execute('p1', { type: 'SetChunkExecution', key: 'C03_docs', pauseAfter: true });
      await store.applyEvents(log.events);
      const detail = await store.getPlan('p1');
      expect(detail!.chunks.map((c) => [c.key, c.pauseAfter, c.tasks.map((t) => t.id)])).toEqual([
        ['C01_base', false, ['T1', 'T4', 'T2']],
        ['C03_docs', true, []],
        ['C02_api', false, ['T3']],
      ]);
      expect(detail!.revision).toBe(7);
      expect(detail!.chunkCount).toBe(3);
      expect(detail!.taskCount).toBe(4);
    });

    it('records events of types the domain does not know yet, and lets other streams only move the checkpoint', async () => {
      const log = authPlan();
      const before = (await (async () => {
        await store.applyEvents(log.events);
        return store.getPlan('p1');
      })())!;
      log.append('session-42', 'SessionStarted', { planId: 'p1' });
      const started = log.append(planStreamId('p1'), 'TaskExecutionStarted', { taskId: 'T2', revision: 3 });
      log.append('other-stream', 'Whatever', null);
      await store.applyEvents(log.events.slice(6));
      expect(await store.getCheckpoint()).toBe(9);
      const after = await store.getPlan('p1');
      expect(after).toEqual({ ...before, streamRevision: 6, updatedAt: started.recordedAt });
      const history = await store.getHistory('p1');
      expect(history).toHaveLength(7);
      expect(history![6]).toEqual({
        eventId: started.id,
        position: 8,
        streamRevision: 6,
        revision: 3,
        type: 'TaskExecutionStarted',
        data: { taskId: 'T2', revision: 3 },
        metadata: {},
        recordedAt: started.recordedAt,
      });
      expect(await store.getHistory('42')).toBeNull();
      expect((await store.listPlans()).map((p) => p.id)).toEqual(['p1']);
    });

    it('filters, orders and pages the list; archived plans only on request', async () => {
      const log = new PlanEventLog();
      const repoA = 'git@example.com:acme/a.git';
      const repoB = 'git@example.com:acme/b.git';
      log.execute('a1', {
        type: 'CreatePlan',
        planId: 'a1',
        document: { ...doc, title: 'A1', repository: repoA },
      });
      log.execute('b1', {
        type: 'CreatePlan',
        planId: 'b1',
        document: { ...doc, title: 'B1', repository: repoB },
      });
      log.execute('a2', {
        type: 'CreatePlan',
        planId: 'a2',
        document: { ...doc, title: 'A2', repository: repoA },
      });
      log.execute('n1', { type: 'CreatePlan', planId: 'n1', document: { title: 'N1', tasks: [] } });
      log.execute('a1', { type: 'FinalizePlan' });
      log.execute('b1', { type: 'FinalizePlan' });
      log.execute('b1', { type: 'ArchivePlan' });
      log.execute('a2', { type: 'RecordFeedback', feedback: 'bump' });
      await store.applyEvents(log.events);

      const ids = async (filter?: Parameters<ReadModelStore['listPlans']>[0]) =>
        (await store.listPlans(filter)).map((p) => p.id);
      // Most recently updated first.
      expect(await ids()).toEqual(['a2', 'a1', 'n1']);
      expect(await ids({ includeArchived: true })).toEqual(['a2', 'b1', 'a1', 'n1']);
      expect(await ids({ status: 'ready' })).toEqual(['a1']);
      expect(await ids({ status: 'ready', includeArchived: true })).toEqual(['b1', 'a1']);
      expect(await ids({ status: 'draft' })).toEqual(['a2', 'n1']);
      expect(await ids({ repository: repoA })).toEqual(['a2', 'a1']);
      expect(await ids({ repository: repoB })).toEqual([]);
      expect(await ids({ repository: repoB, includeArchived: true })).toEqual(['b1']);
      expect(await ids({ limit: 2 })).toEqual(['a2', 'a1']);
      expect(await ids({ limit: 2, offset: 2 })).toEqual(['n1']);
      expect(await ids({ offset: 1 })).toEqual(['a1', 'n1']);
      expect(await ids({ limit: 0 })).toEqual([]);
      await expect(store.listPlans({ limit: -1 })).rejects.toThrow(TypeError);
      await expect(store.listPlans({ status: 'bogus' as never })).rejects.toThrow(TypeError);

      const archived = await store.getPlan('b1');
      expect(archived).toMatchObject({ archived: true, status: 'ready' });
      const n1 = (await store.listPlans()).find((p) => p.id === 'n1');
      expect(n1).toMatchObject({ repository: null, taskCount: 0, chunkCount: 0, progress: 0 });
    });

    it('applies a batch atomically: a batch with a gap changes nothing', async () => {
      const log = authPlan();
      await store.applyEvents(log.events.slice(0, 2));
      const before = await snapshotOf(store);
      log.execute('p2', { type: 'CreatePlan', planId: 'p2', document: doc });
      // p2's creation is fine but p1 jumps from stream revision 1 to 3.
      await expect(store.applyEvents([log.events[6], log.events[3]])).rejects.toThrow(ProjectionError);
      expect(await snapshotOf(store)).toEqual(before);
    });

    it('reset drops every read model and the checkpoint; replay restores them', async () => {
      const log = authPlan();
      await store.applyEvents(log.events);
      const full = await snapshotOf(store);
      await store.reset();
      expect(await store.getCheckpoint()).toBe(0);
      expect(await store.listPlans({ includeArchived: true })).toEqual([]);
      expect(await store.getPlan('p1')).toBeNull();
      expect(await store.getHistory('p1')).toBeNull();
      await store.applyEvents(log.events);
      expect(await snapshotOf(store)).toEqual(full);
    });

    it('survives reopening: state, checkpoint and history are persistent', async () => {
      const log = authPlan();
      await store.applyEvents(log.events);
      const full = await snapshotOf(store);
      const other = await fixture!.openAnother();
      extra.push(other);
      expect(await snapshotOf(other)).toEqual(full);
      // Continue from the other instance: it folds on from the stored state.
      log.execute('p1', { type: 'ReopenPlan' });
      log.execute('p1', { type: 'UpdateTask', taskId: 'T2', changes: { title: 'models and migrations' } });
      await other.applyEvents(log.events.slice(6));
      const detail = await store.getPlan('p1');
      expect(detail!.chunks[0].tasks[1].title).toBe('models and migrations');
      expect(detail).toMatchObject({ revision: 5, status: 'draft', streamRevision: 7 });
    });

    it('grants the projector lock to one store at a time', async () => {
      const other = await fixture!.openAnother();
      extra.push(other);
      expect(await store.tryAcquireProjectorLock()).toBe(true);
      // Re-entrant for the holder (it is also the heartbeat).
      expect(await store.tryAcquireProjectorLock()).toBe(true);
      expect(await other.tryAcquireProjectorLock()).toBe(false);
      await store.releaseProjectorLock();
      expect(await other.tryAcquireProjectorLock()).toBe(true);
      expect(await store.tryAcquireProjectorLock()).toBe(false);
      await other.close();
      expect(await store.tryAcquireProjectorLock()).toBe(true);
    });

    it('keeps unusual text intact (quotes, unicode) in state and history', async () => {
      const log = new PlanEventLog();
      const title = `O'Brien "quoted" — ünïcødé 🚀 \\ back`;
      log.execute('p-1', { type: 'CreatePlan', planId: 'p-1', document: { ...doc, title } });
      await store.applyEvents(log.events);
      expect((await store.getPlan('p-1'))!.title).toBe(title);
      const [entry] = (await store.getHistory('p-1'))!;
      expect((entry.data as { content: { title: string } }).content.title).toBe(title);
    });

    it('ignores an empty batch', async () => {
      await store.applyEvents([] as StoredEvent[]);
      expect(await store.getCheckpoint()).toBe(0);
    });
  });
}

// ---- SQLite ----

describeReadModelContract('SqliteReadModelStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-rm-'));
  const file = join(dir, 'read-models.db');
  const opened: SqliteReadModelStore[] = [];
  const open = (): SqliteReadModelStore => {
    const s = new SqliteReadModelStore(file);
    opened.push(s);
    return s;
  };
  return {
    store: open(),
    openAnother: async () => open(),
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// ---- PostgreSQL ----

const unreachable = probePostgresSync() ?? undefined;

if (unreachable !== undefined && !ON_CI) {
  console.warn(
    `PostgresReadModelStore contract tests SKIPPED: PostgreSQL at ${PG_TEST_URL} is unreachable (${unreachable}). ` +
      'Set CHUNKWISE_TEST_PG_URL to a reachable server; with CI=true these tests fail instead of skipping.',
  );
  describe('ReadModelStore contract: PostgresReadModelStore', () => {
    it.skip(`skipped: PostgreSQL unreachable at ${PG_TEST_URL}`, () => undefined);
  });
} else if (unreachable !== undefined) {
  describe('ReadModelStore contract: PostgresReadModelStore', () => {
    it('needs a reachable PostgreSQL under CI=true', () => {
      throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable under CI=true: ${unreachable}`);
    });
  });
} else {
  const prefix = uniqueSchema('rm_contract');
  let admin: Pool;
  let counter = 0;

  beforeAll(() => {
    admin = new Pool({ connectionString: PG_TEST_URL, max: 2 });
  });
  afterAll(async () => {
    const left = await admin.query<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE nspname LIKE $1',
      [`${prefix}%`],
    );
    for (const row of left.rows) await admin.query(`DROP SCHEMA IF EXISTS "${row.nspname}" CASCADE`);
    await admin.end();
    expect(left.rows).toEqual([]);
  });

  describeReadModelContract('PostgresReadModelStore', async () => {
    const schema = `${prefix}_${counter++}`;
    const opened: PostgresReadModelStore[] = [];
    const open = async (): Promise<PostgresReadModelStore> => {
      const s = await PostgresReadModelStore.create({
        connectionString: PG_TEST_URL,
        schema,
        poolConfig: { max: 4 },
      });
      opened.push(s);
      return s;
    };
    return {
      store: await open(),
      openAnother: open,
      cleanup: async () => {
        for (const s of opened) await s.close();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  });
}
