/**
 * Read-model rebuild throughput: `Projector.rebuild()` from a SqliteEventStore holding 100,000 plan events
 * (2,000 plans x 50 events) into a fresh SqliteReadModelStore.
 *
 *   npm run build && node dist/bench/rebuild.bench.js
 *
 * The data set is made of real plan events: every plan's commands go through the domain's `decide` (so
 * every event is valid and folds correctly), and the events are appended directly to the event store,
 * 25 per append, the plans interleaved round by round so that each projector batch touches many plans and
 * has to load stored states, as in a real store. After the rebuild a sample of plans is checked against the
 * fold of their streams.
 *
 * BENCH_PLANS (default 2000) changes the size; BENCH_BATCH_SIZE (default 2000) the projector's replay batch size;
 * BENCH_DIR where the temporary files go (default os.tmpdir()); BENCH_KEEP=1 keeps them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import {
  decide,
  evolve,
  fold,
  initialState,
  planStreamId,
  type PlanCommand,
  type PlanEvent,
  type PlanState,
} from '@chunkwise/domain';
import { SqliteEventStore } from '@chunkwise/event-store';
import { Projector, projectDetail, SqliteReadModelStore } from '@chunkwise/read-models';
import Database from 'better-sqlite3';
import { printResult } from './support';

const PLANS = positiveInt(process.env.BENCH_PLANS, 2000);
const EVENTS_PER_PLAN = 50;
const APPEND_SIZE = 25;
const BATCH_SIZE = positiveInt(process.env.BENCH_BATCH_SIZE, 2000);

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** One plan's life, one event per command: drafting, review, finalize, reopen, more edits, finalize. */
function planCommands(planId: string, n: number): PlanCommand[] {
  const chunks = [
    { key: 'C01_foundation', title: 'Foundation' },
    { key: 'C02_core', title: 'Core' },
    { key: 'C03_polish', title: 'Polish' },
  ];
  const tasks = Array.from({ length: 6 }, (_, t) => ({
    id: `T${t + 1}`,
    chunk: chunks[Math.floor(t / 2)].key,
    title: `Task ${t + 1} of plan ${n}`,
    description: `Implement step ${t + 1}.\nKeep the tests green.`,
    acceptance: [`step ${t + 1} is done`, 'lint passes'],
    ...(t > 0 ? { dependsOn: [`T${t}`] } : {}),
    ...(t < n % 4 ? { status: 'completed' as const } : {}),
  }));
  const chunkOf = (i: number) => chunks[i % 3].key;
  const commands: PlanCommand[] = [
    {
      type: 'CreatePlan',
      planId,
      document: {
        title: `Plan ${n}`,
        description: `Benchmark plan number ${n}`,
        repository: `git@example.com:acme/repo-${n % 20}.git`,
        chunks,
        tasks,
      },
      source: { kind: 'api' },
    },
  ];
  for (let i = 1; i <= 10; i++) {
    commands.push({ type: 'AddTask', task: { id: `N${i}`, chunk: chunkOf(i), title: `New task ${i}` } });
  }
  for (let i = 1; i <= 10; i++) {
    const taskId = i <= 6 ? `T${i}` : `N${i}`;
    commands.push({ type: 'UpdateTask', taskId, changes: { title: `Revised task ${taskId} of plan ${n}` } });
  }
  for (let i = 1; i <= 5; i++)
    commands.push({ type: 'SetTaskDependencies', taskId: `N${i}`, dependsOn: ['T1'] });
  commands.push(
    { type: 'AddChunk', chunk: { key: 'C04_docs', title: 'Docs' } },
    { type: 'AddChunk', chunk: { key: 'C05_release', title: 'Release', pauseAfter: true } },
  );
  for (const key of ['C01_foundation', 'C02_core', 'C04_docs']) {
    commands.push({ type: 'UpdateChunk', key, changes: { title: `${key} (revised)` } });
  }
  for (let i = 1; i <= 3; i++) commands.push({ type: 'MoveTask', taskId: `N${i}`, toChunk: 'C04_docs' });
  commands.push(
    { type: 'UpdatePlanDetails', changes: { description: `Benchmark plan ${n}, reviewed` } },
    { type: 'UpdatePlanDetails', changes: { title: `Plan ${n} (v2)` } },
  );
  for (let i = 1; i <= 5; i++) {
    commands.push({
      type: 'RecordFeedback',
      feedback: `Review note ${i} on plan ${n}`,
      author: `reviewer${i % 2}`,
    });
  }
  commands.push(
    { type: 'SetChunkExecution', key: 'C01_foundation', executionMode: 'parallel' },
    { type: 'FinalizePlan' },
    { type: 'ReopenPlan', reason: 'one more task' },
    { type: 'RemoveTask', taskId: 'N10' },
    {
      type: 'AddTask',
      task: { id: 'N11', chunk: 'C05_release', title: 'Tag the release', dependsOn: ['T6'] },
    },
    { type: 'RecordFeedback', feedback: 'Ship it' },
    { type: 'UpdateTask', taskId: 'N11', changes: { acceptance: ['tag pushed'] } },
    { type: 'FinalizePlan' },
    n % 5 === 0 ? { type: 'ArchivePlan' } : { type: 'RecordFeedback', feedback: 'Finalized and queued' },
  );
  return commands;
}

/** The plan's events, decided one command at a time against the evolving state. */
function planEvents(planId: string, n: number): PlanEvent[] {
  let state: PlanState = initialState();
  const events: PlanEvent[] = [];
  for (const command of planCommands(planId, n)) {
    const produced = decide(command, state);
    for (const event of produced) state = evolve(state, event);
    events.push(...produced);
  }
  if (events.length !== EVENTS_PER_PLAN) {
    throw new Error(`plan ${planId}: expected ${EVENTS_PER_PLAN} events, got ${events.length}`);
  }
  return events;
}

/**
 * The raw baseline: a plain better-sqlite3 loop that reads the same events from the event store file (pages of
 * BATCH_SIZE by position) and writes the same rows into a fresh file with the read-model store's pragmas, one
 * transaction per page: one history row per event (the stored data and metadata text as they are) and one
 * upsert per plan touched by the page, with the plan's final row (state JSON included) from the rebuilt read
 * models. No JSON parsing, no folding: the floor of "read every event and write its rows".
 */
function rawBaseline(dir: string): { events: number; ms: number } {
  const events = new Database(join(dir, 'events.db'), { readonly: true });
  const built = new Database(join(dir, 'read-models.db'), { readonly: true });
  const raw = new Database(join(dir, 'raw.db'));
  try {
    raw.pragma('page_size = 16384');
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('wal_autocheckpoint = 8192');
    const schema = built
      .prepare<[], { sql: string }>(
        "SELECT sql FROM sqlite_master WHERE name IN ('plans', 'plan_history') AND type = 'table'",
      )
      .all();
    for (const { sql } of schema) raw.exec(sql);
    type PlanRow = Record<string, unknown> & { id: string };
    const finalRows = new Map<string, unknown[]>();
    let columns: string[] = [];
    for (const row of built.prepare<[], PlanRow>('SELECT * FROM plans').all()) {
      columns = Object.keys(row);
      finalRows.set(row.id, Object.values(row));
    }
    const upsert = raw.prepare(
      `INSERT INTO plans (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    const insertHistory = raw.prepare(
      `INSERT OR IGNORE INTO plan_history
         (event_id, plan_id, position, stream_revision, revision, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    interface EventRow {
      id: string;
      stream_id: string;
      revision: number;
      position: number;
      type: string;
      data: string;
      metadata: string;
      recorded_at: string;
    }
    const page = events.prepare<[number, number], EventRow>(
      'SELECT id, stream_id, revision, position, type, data, metadata, recorded_at FROM events ' +
        'WHERE position > ? ORDER BY position LIMIT ?',
    );
    const write = raw.transaction((rows: EventRow[]) => {
      const touched = new Set<string>();
      for (const r of rows) {
        const planId = r.stream_id.slice('plan-'.length);
        touched.add(planId);
        insertHistory.run(
          r.id,
          planId,
          r.position,
          r.revision,
          r.revision,
          r.type,
          r.data,
          r.metadata,
          r.recorded_at,
        );
      }
      for (const planId of touched) upsert.run(...finalRows.get(planId)!);
    });
    const started = performance.now();
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = page.all(after, BATCH_SIZE);
      if (rows.length === 0) break;
      write.immediate(rows);
      after = rows[rows.length - 1].position;
      count += rows.length;
    }
    return { events: count, ms: performance.now() - started };
  } finally {
    raw.close();
    built.close();
    events.close();
  }
}

function fileMb(file: string): number {
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      // no WAL file
    }
  }
  return bytes / 1e6;
}

function rate(count: number, ms: number): string {
  return Math.round((count * 1000) / ms).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'chunkwise-rebuild-bench-'));
  const eventStore = new SqliteEventStore(join(dir, 'events.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  const total = PLANS * EVENTS_PER_PLAN;
  console.log(
    `rebuild bench: ${PLANS} plans x ${EVENTS_PER_PLAN} events = ${total.toLocaleString('en-US')} events`,
  );
  console.log(`  files in ${dir}`);
  try {
    // ---- the data set ----
    let started = performance.now();
    const ids = Array.from({ length: PLANS }, (_, i) => `bench-${String(i + 1).padStart(5, '0')}`);
    const perPlan: PlanEvent[][] = [];
    for (let i = 0; i < PLANS; i++) {
      perPlan.push(planEvents(ids[i], i + 1));
      if ((i + 1) % 500 === 0 || i + 1 === PLANS) {
        console.log(`  deciding: ${i + 1}/${PLANS} plans (${Math.round(performance.now() - started)} ms)`);
      }
    }
    const decideMs = performance.now() - started;

    started = performance.now();
    let appended = 0;
    let lastReport = 0;
    for (let offset = 0; offset < EVENTS_PER_PLAN; offset += APPEND_SIZE) {
      for (let i = 0; i < PLANS; i++) {
        const slice = perPlan[i].slice(offset, offset + APPEND_SIZE);
        await eventStore.append(
          planStreamId(ids[i]),
          slice.map((e) => ({
            id: randomUUID(),
            type: e.type,
            data: e.data,
            metadata: { command: 'bench' },
          })),
          { expectedRevision: offset === 0 ? 'no_stream' : offset - 1 },
        );
        appended += slice.length;
        if (appended - lastReport >= 20_000 || appended === total) {
          lastReport = appended;
          const ms = performance.now() - started;
          console.log(
            `  appending: ${appended.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events (${Math.round(ms)} ms)`,
          );
        }
      }
    }
    const appendMs = performance.now() - started;
    const head = await eventStore.headPosition();
    if (head !== total) throw new Error(`event store head is ${head}, expected ${total}`);
    console.log(
      `data set ready: decided in ${Math.round(decideMs)} ms, appended in ${Math.round(appendMs)} ms ` +
        `(${rate(total, appendMs)} events/s, ${(statSync(join(dir, 'events.db')).size / 1e6).toFixed(1)} MB)`,
    );

    // ---- the rebuild ----
    const projector = new Projector(eventStore, readModels, {
      replayBatchSize: BATCH_SIZE,
      logger: { log: () => undefined, warn: (m) => console.warn(m), error: (m, e) => console.error(m, e) },
    });
    let nextReport = 20_000;
    const cpu0 = process.cpuUsage();
    const result = await projector.rebuild({
      onProgress: ({ events }) => {
        if (events >= nextReport) {
          nextReport += 20_000;
          console.log(
            `  rebuilding: ${events.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events`,
          );
        }
      },
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (result.events !== total)
      throw new Error(`rebuild applied ${result.events} events, expected ${total}`);

    // ---- sanity: counts and a sample of plans against the fold of their streams ----
    const listed = await readModels.listPlans({ includeArchived: true });
    if (listed.length !== PLANS)
      throw new Error(`read model lists ${listed.length} plans, expected ${PLANS}`);
    for (const id of [ids[0], ids[Math.floor(PLANS / 2)], ids[PLANS - 1]]) {
      const stream = await eventStore.readStream(planStreamId(id));
      const expected = projectDetail(id, fold(stream), {
        createdAt: stream[0].recordedAt,
        updatedAt: stream[stream.length - 1].recordedAt,
        streamRevision: stream.length - 1,
      });
      const actual = await readModels.getPlan(id);
      if (!isDeepStrictEqual(actual, expected))
        throw new Error(`plan ${id}: read model differs from the fold`);
    }

    console.log(
      `rebuild: ${result.events.toLocaleString('en-US')} events in ${result.batches} batches of ${BATCH_SIZE}, ` +
        `${(result.durationMs / 1000).toFixed(2)} s, ${rate(result.events, result.durationMs)} events/s ` +
        `(read models ${fileMb(join(dir, 'read-models.db')).toFixed(1)} MB with the WAL)`,
    );
    const rawCpu0 = process.cpuUsage();
    const raw = rawBaseline(dir);
    const rawCpu = process.cpuUsage(rawCpu0);
    const rawCpuMs = (rawCpu.user + rawCpu.system) / 1000;
    const rawRate = (raw.events * 1000) / raw.ms;
    console.log(
      `raw baseline (better-sqlite3: read the events, write the same rows, no folding): ` +
        `${raw.events.toLocaleString('en-US')} events in ${(raw.ms / 1000).toFixed(2)} s, ${rate(raw.events, raw.ms)} events/s`,
    );
    console.log(
      `CPU time (user + system, this process): rebuild ${Math.round(cpuMs)} ms (${rate(result.events, cpuMs)} events per CPU-second), ` +
        `raw ${Math.round(rawCpuMs)} ms (${rate(raw.events, rawCpuMs)}); on a busy machine these move less than the wall time`,
    );
    printResult(
      'rebuild',
      {
        eventsPerSecond: Math.round(result.eventsPerSecond),
        plans: PLANS,
        events: result.events,
        batchSize: BATCH_SIZE,
        durationMs: Math.round(result.durationMs),
        cpuMs: Math.round(cpuMs),
        rawCpuMs: Math.round(rawCpuMs),
      },
      Math.round(rawRate),
      { value: result.eventsPerSecond / rawRate, of: 'eventsPerSecond/baseline' },
    );
  } finally {
    await readModels.close();
    await eventStore.close();
    if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
