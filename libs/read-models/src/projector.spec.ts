import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { PlanCommandService } from '@chunkwise/application';
import { planStreamId, tasksByChunk } from '@chunkwise/domain';
import { SqliteEventStore, type StoredEvent } from '@chunkwise/event-store';
import { projectDetail } from './plan-projection';
import { PostgresReadModelStore } from './postgres-read-model-store';
import {
  Projector,
  ProjectorLockUnavailableError,
  type ProjectorLogger,
  type ProjectorOptions,
} from './projector';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { inCi as ON_CI } from '../../../test/support/ci';
import {
  probePostgresSync,
  TEST_PG_URL as PG_TEST_URL,
  uniqueSchemaName as uniqueSchema,
} from '../../../test/support/postgres';
import { runPlanningScenario } from '../../../test/support/read-models/scenario';
import { snapshotOf } from '../../../test/support/read-models/snapshot';
import type { ReadModelStore } from './types';

jest.setTimeout(60_000);

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-projector-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A logger that keeps what it is told (and stays quiet). */
function recordingLogger(): ProjectorLogger & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    log: (m) => lines.push(m),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => errors.push(m),
  };
}

const fast: ProjectorOptions = { pollIntervalMs: 10, lockRetryIntervalMs: 50, lockHeartbeatIntervalMs: 50 };

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const simplePlan = (title: string) => ({
  title,
  chunks: [{ key: 'C01_a' }],
  tasks: [{ id: 'T1', chunk: 'C01_a', title: 'first' }],
});

const unreachable = probePostgresSync() ?? undefined;
if (unreachable !== undefined && !ON_CI) {
  console.warn(
    `Projector tests on PostgreSQL SKIPPED: PostgreSQL at ${PG_TEST_URL} is unreachable (${unreachable}). ` +
      'Set CHUNKWISE_TEST_PG_URL to a reachable server; with CI=true these tests fail instead of skipping.',
  );
}
const pgIt: typeof it =
  unreachable === undefined || ON_CI
    ? it
    : (((name: string, fn?: jest.ProvidesCallback, timeout?: number) =>
        it.skip(`${name} (skipped: PostgreSQL unreachable at ${PG_TEST_URL})`, fn, timeout)) as typeof it);

describe('Projector', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let service: PlanCommandService;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    dir = tempDir();
    eventStore = new SqliteEventStore(join(dir, 'events.db'));
    service = new PlanCommandService(eventStore);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await eventStore.close();
  });

  function sqliteStore(
    name = 'read-models.db',
    options?: ConstructorParameters<typeof SqliteReadModelStore>[1],
  ) {
    const store = new SqliteReadModelStore(join(dir, name), options);
    closers.push(() => store.close());
    return store;
  }

  function projector(store: ReadModelStore, options: ProjectorOptions = {}) {
    const p = new Projector(eventStore, store, { ...fast, logger: recordingLogger(), ...options });
    closers.push(() => p.stop());
    return p;
  }

  it('projects live while commands are issued, and a rebuild from zero gives exactly the same read models', async () => {
    const live = sqliteStore('live.db');
    const liveProjector = projector(live, { batchSize: 7 });
    await liveProjector.start();
    expect(liveProjector.isActive).toBe(true);

    let readYourWrites = 0;
    let seenWhileRunning = 0;
    const results = await runPlanningScenario(
      service,
      { plans: 12, seed: 42 },
      {
        afterCommand: async (planId, result) => {
          // Read-your-writes for every fourth command, as the API does after a write.
          if (result.position > 0 && result.position % 4 === 0) {
            expect(await liveProjector.waitForPosition(result.position, 10_000)).toBe(true);
            expect((await live.getPlan(planId))?.revision).toBeGreaterThanOrEqual(result.revision);
            readYourWrites++;
          }
        },
        pause: async () => {
          seenWhileRunning = Math.max(seenWhileRunning, await live.getCheckpoint());
          await new Promise((r) => setImmediate(r));
        },
      },
    );
    // An execution event and an event of another stream, appended directly.
    const target = results[0].planId;
    const streamEvents = await eventStore.readStream(planStreamId(target));
    await eventStore.append(
      planStreamId(target),
      [
        {
          id: 'exec-1',
          type: 'TurnStarted',
          data: {
            revision: 1,
            sessionId: 's1',
            turnId: 'turn-1',
            chunk: 'C01_part1',
            taskId: 'T1',
            attempt: 1,
          },
        },
      ],
      {
        expectedRevision: streamEvents.length - 1,
      },
    );
    await eventStore.append(
      'session-1',
      [{ id: 'sess-1', type: 'SessionStarted', data: { planId: target } }],
      {
        expectedRevision: 'no_stream',
      },
    );

    const head = await eventStore.headPosition();
    expect(head).toBeGreaterThan(150);
    expect(readYourWrites).toBeGreaterThan(10);
    expect(seenWhileRunning).toBeGreaterThan(0);
    expect(await liveProjector.waitForPosition(head, 10_000)).toBe(true);
    await liveProjector.stop();
    const liveSnapshot = await snapshotOf(live);
    expect(liveSnapshot.checkpoint).toBe(head);

    // Every plan is there, and the detail is what the domain's fold of the event store says.
    const planIds = [...new Set(results.map((r) => r.planId))];
    expect(Object.keys(liveSnapshot.plans).sort()).toEqual(planIds.sort());
    for (const id of planIds) {
      const { state, events } = await service.load(id);
      const detail = liveSnapshot.plans[id].detail!;
      expect(detail).toEqual(
        projectDetail(id, state, {
          createdAt: events[0].recordedAt,
          updatedAt: events[events.length - 1].recordedAt,
          streamRevision: events.length - 1,
        }),
      );
      expect(detail.chunks.map((c) => c.tasks.map((t) => t.id))).toEqual(
        tasksByChunk(state.content).map((c) => c.tasks.map((t) => t.id)),
      );
      expect(liveSnapshot.plans[id].history!.map((h) => h.eventId)).toEqual(
        events.map((e: StoredEvent) => e.id),
      );
    }
    // An execution event is in the history and moves the task's execution status.
    expect(liveSnapshot.plans[target].history!.at(-1)!.type).toBe('TurnStarted');
    expect(liveSnapshot.plans[target].detail!.chunks[0].tasks.find((t) => t.id === 'T1')).toMatchObject({
      status: 'running',
      attempts: 1,
    });

    const rebuilt = sqliteStore('rebuilt.db');
    const rebuild = await projector(rebuilt).rebuild();
    expect(rebuild.events).toBe(head);
    expect(rebuild.toPosition).toBe(head);
    expect(rebuild.eventsPerSecond).toBeGreaterThan(0);
    expect(await snapshotOf(rebuilt)).toEqual(liveSnapshot);

    // Rebuilding over existing read models (reset + replay) gives the same again.
    await projector(live).rebuild();
    expect(await snapshotOf(live)).toEqual(liveSnapshot);

    if (unreachable === undefined) {
      // And the PostgreSQL store, rebuilt from the same event store, serves the very same read models.
      const schema = uniqueSchema('rm_projector');
      const pg = await PostgresReadModelStore.create({
        connectionString: PG_TEST_URL,
        schema,
        poolConfig: { max: 3 },
      });
      closers.push(async () => {
        await pg.close();
        const admin = new Pool({ connectionString: PG_TEST_URL, max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      });
      await projector(pg, { batchSize: 100 }).rebuild();
      expect(await snapshotOf(pg)).toEqual(liveSnapshot);
    }
  });

  it('waitForPosition resolves once the position is projected, and false on timeout', async () => {
    const store = sqliteStore();
    const p = projector(store);
    expect(await p.waitForPosition(0, 10)).toBe(true);
    const created = await service.execute('w1', {
      type: 'CreatePlan',
      planId: 'w1',
      document: simplePlan('W'),
    });
    // Not started: nothing projects it.
    expect(await p.waitForPosition(created.position, 100)).toBe(false);
    await p.start();
    expect(await p.waitForPosition(created.position, 5000)).toBe(true);
    expect((await store.getPlan('w1'))?.title).toBe('W');
    const updated = await service.execute('w1', { type: 'UpdatePlanDetails', changes: { title: 'W2' } });
    const waiting = p.waitForPosition(updated.position, 5000);
    expect(await waiting).toBe(true);
    expect((await store.getPlan('w1'))?.title).toBe('W2');
    expect(p.checkpoint).toBeGreaterThanOrEqual(updated.position);
  });

  it('tells onApplied listeners of every committed batch, contiguous, before the waiters; a rebuild starts at 0', async () => {
    const store = sqliteStore();
    const p = projector(store, { batchSize: 2, replayBatchSize: 2 });
    const batches: Array<{ after: number; checkpoint: number; positions: number[]; stored: number }> = [];
    const unlisten = p.onApplied((b) => {
      batches.push({
        after: b.after,
        checkpoint: b.checkpoint,
        positions: b.events.map((e) => e.position),
        stored: 0,
      });
      void store.getCheckpoint().then((c) => (batches[batches.length - 1].stored = c));
    });
    await service.execute('n1', { type: 'CreatePlan', planId: 'n1', document: simplePlan('N') });
    for (let i = 0; i < 4; i++) await service.execute('n1', { type: 'RecordFeedback', feedback: `f${i}` });
    await p.catchUp();
    expect(batches.map((b) => [b.after, b.checkpoint])).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(batches.flatMap((b) => b.positions)).toEqual([1, 2, 3, 4, 5]);
    for (const b of batches) expect(b.stored).toBe(b.checkpoint);
    batches.length = 0;
    await p.rebuild();
    expect(batches[0].after).toBe(0);
    expect(batches[batches.length - 1].checkpoint).toBe(5);
    unlisten();
    await service.execute('n1', { type: 'RecordFeedback', feedback: 'after' });
    batches.length = 0;
    await p.catchUp();
    expect(batches).toEqual([]);
  });

  it('waitForPosition also sees progress made by the active projector of another process', async () => {
    const active = projector(sqliteStore('shared.db'));
    await active.start();
    // This one never runs; it only waits (like an API instance whose projector is a standby).
    const observer = projector(sqliteStore('shared.db'));
    const created = await service.execute('o1', {
      type: 'CreatePlan',
      planId: 'o1',
      document: simplePlan('O'),
    });
    expect(await observer.waitForPosition(created.position, 5000)).toBe(true);
  });

  it('catchUp applies the backlog standalone, and refuses while another projector holds the lock', async () => {
    for (let i = 0; i < 5; i++) {
      await service.execute(`c${i}`, { type: 'CreatePlan', planId: `c${i}`, document: simplePlan(`C${i}`) });
    }
    const store = sqliteStore('shared.db');
    const p = projector(store, { batchSize: 2, replayBatchSize: 2 });
    const first = await p.catchUp();
    expect(first).toMatchObject({ events: 5, batches: 3, fromPosition: 0, toPosition: 5 });
    expect(await store.listPlans()).toHaveLength(5);
    expect((await p.catchUp()).events).toBe(0);
    // The lock was only held for the catch-up.
    expect(store.projectorLockHolder()).toBeNull();

    const other = projector(sqliteStore('shared.db'));
    await other.start();
    expect(other.isActive).toBe(true);
    await expect(p.catchUp()).rejects.toThrow(ProjectorLockUnavailableError);
    await expect(p.rebuild()).rejects.toThrow(ProjectorLockUnavailableError);
  });

  it('rebuild on a running projector pauses following, replays from zero and carries on', async () => {
    const store = sqliteStore();
    const p = projector(store);
    await p.start();
    const a = await service.execute('r1', { type: 'CreatePlan', planId: 'r1', document: simplePlan('R') });
    expect(await p.waitForPosition(a.position, 5000)).toBe(true);
    const before = await snapshotOf(store);
    const result = await p.rebuild();
    expect(result.events).toBe(a.position);
    expect(await snapshotOf(store)).toEqual(before);
    const b = await service.execute('r1', { type: 'RecordFeedback', feedback: 'after rebuild' });
    expect(await p.waitForPosition(b.position, 5000)).toBe(true);
    expect((await store.getPlan('r1'))?.feedback).toEqual([
      { revision: 1, feedback: 'after rebuild', author: null, mode: null },
    ]);
  });

  it('logs a failing batch, backs off and retries it: no event is skipped', async () => {
    const inner = sqliteStore();
    let failures = 3;
    const flaky: ReadModelStore = Object.assign(Object.create(inner) as SqliteReadModelStore, {
      applyEvents: async (events: StoredEvent[]) => {
        if (failures > 0) {
          failures--;
          throw new Error('disk on fire');
        }
        return inner.applyEvents(events);
      },
    });
    const logger = recordingLogger();
    const p = projector(flaky, { logger, batchSize: 3, maxBackoffMs: 40 });
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await service.execute(`f${i}`, {
          type: 'CreatePlan',
          planId: `f${i}`,
          document: simplePlan(`F${i}`),
        }),
      );
    }
    await p.start();
    expect(await p.waitForPosition(results[3].position, 10_000)).toBe(true);
    expect(logger.errors).toHaveLength(3);
    expect(logger.errors[0]).toMatch(/disk on fire/);
    expect(logger.lines.some((l) => /recovered after 3/.test(l))).toBe(true);
    await p.stop();
    const reference = sqliteStore('reference.db');
    await projector(reference).rebuild();
    expect(await snapshotOf(inner)).toEqual(await snapshotOf(reference));
  });

  it('keeps one active projector per SQLite read-model file; the standby takes over when it stops', async () => {
    const first = projector(sqliteStore('shared.db'));
    const second = projector(sqliteStore('shared.db'));
    await first.start();
    await second.start();
    expect(first.isActive).toBe(true);
    expect(second.isActive).toBe(false);
    const a = await service.execute('s1', { type: 'CreatePlan', planId: 's1', document: simplePlan('S') });
    expect(await first.waitForPosition(a.position, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    expect(second.isActive).toBe(false);

    await first.stop();
    await waitFor(() => second.isActive, 'the standby to take over');
    const b = await service.execute('s1', { type: 'RecordFeedback', feedback: 'by the standby' });
    expect(await second.waitForPosition(b.position, 5000)).toBe(true);
  });

  it('lets a standby take over an expired SQLite lease (holder died without releasing)', async () => {
    const dead = sqliteStore('shared.db', { lockTtlMs: 100 });
    expect(await dead.tryAcquireProjectorLock()).toBe(true);
    const standby = projector(sqliteStore('shared.db'));
    await standby.start();
    expect(standby.isActive).toBe(false);
    await waitFor(() => standby.isActive, 'the lease to expire and the standby to take over');
    // The old holder notices at its next heartbeat.
    expect(await dead.tryAcquireProjectorLock()).toBe(false);
  });

  describe('on PostgreSQL', () => {
    let admin: Pool | undefined;
    const schemas: string[] = [];

    beforeAll(() => {
      if (unreachable !== undefined && ON_CI) {
        throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable under CI=true: ${unreachable}`);
      }
      if (unreachable === undefined) admin = new Pool({ connectionString: PG_TEST_URL, max: 2 });
    });
    afterAll(async () => {
      if (!admin) return;
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    async function pgStore(schema: string): Promise<PostgresReadModelStore> {
      const store = await PostgresReadModelStore.create({
        connectionString: PG_TEST_URL,
        schema,
        poolConfig: { max: 4 },
      });
      closers.push(() => store.close());
      return store;
    }

    pgIt('keeps the second projector on the same store standby until the first stops', async () => {
      const schema = uniqueSchema('rm_lock');
      schemas.push(schema);
      const first = projector(await pgStore(schema));
      const second = projector(await pgStore(schema));
      await first.start();
      await second.start();
      expect(first.isActive).toBe(true);
      expect(second.isActive).toBe(false);

      const a = await service.execute('g1', { type: 'CreatePlan', planId: 'g1', document: simplePlan('G') });
      expect(await first.waitForPosition(a.position, 5000)).toBe(true);
      // The standby's waitForPosition is answered from the store's checkpoint.
      expect(await second.waitForPosition(a.position, 5000)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(second.isActive).toBe(false);

      await first.stop();
      await waitFor(() => second.isActive, 'the standby to take over');
      const b = await service.execute('g1', { type: 'RecordFeedback', feedback: 'standby now active' });
      expect(await second.waitForPosition(b.position, 5000)).toBe(true);
      await expect(first.catchUp()).rejects.toThrow(ProjectorLockUnavailableError);
    });

    pgIt("hands over when the active projector's lock connection dies", async () => {
      const schema = uniqueSchema('rm_kill');
      schemas.push(schema);
      const firstLogger = recordingLogger();
      // After losing the lock the first projector is just another standby; its slow retry lets the other win.
      const first = projector(await pgStore(schema), { logger: firstLogger, lockRetryIntervalMs: 60_000 });
      const second = projector(await pgStore(schema));
      await first.start();
      await second.start();
      expect(first.isActive).toBe(true);
      expect(second.isActive).toBe(false);

      const killed = await admin!.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
        [`chunkwise-projector:${schema}`],
      );
      expect(killed.rows).toEqual([{ ok: true }]);
      await waitFor(
        () => !first.isActive && second.isActive,
        'the standby to take over from the dead holder',
      );
      expect(firstLogger.lines.some((l) => /lost the projector lock/.test(l))).toBe(true);

      const a = await service.execute('k1', { type: 'CreatePlan', planId: 'k1', document: simplePlan('K') });
      expect(await second.waitForPosition(a.position, 5000)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(first.isActive).toBe(false);
    });
  });
});
