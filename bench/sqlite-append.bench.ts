/**
 * SQLite append throughput: the SqliteEventStore adapter against raw better-sqlite3 inserts into a table of
 * the same shape, with the same durability (WAL + synchronous=FULL, a file in a temporary directory, one
 * fresh database per scenario).
 *
 *   npm run build && node dist/bench/sqlite-append.bench.js
 *
 * Sizes can be changed with BENCH_SINGLE (single-event appends, default 2000), BENCH_BATCHES (batches of
 * 100, default 200) and BENCH_ROUNDS (default 3: the four scenarios run interleaved, round after round, and
 * the median is reported, which evens out disk noise); BENCH_DIR chooses where the temporary files go
 * (default os.tmpdir()). The raw loops also JSON.stringify the payload, so the ratio shows what the adapter's
 * own work costs: validation, the idempotency lookup per event id, the expected-revision check.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteEventStore, type NewEvent } from '@chunkwise/event-store';
import { printResult } from './support';

const SINGLE = positiveInt(process.env.BENCH_SINGLE, 2000);
const BATCHES = positiveInt(process.env.BENCH_BATCHES, 200);
const BATCH_SIZE = 100;
const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 3);
const STREAMS = 20;

/** Same table shape as SqliteEventStore's. */
const RAW_SCHEMA = `
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
);`;

interface Row {
  name: string;
  kind: 'single' | 'batch';
  events: number;
  seconds: number;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

function payload(i: number): { data: unknown; metadata: Record<string, unknown> } {
  return {
    data: {
      taskId: `T${i % 97}`,
      title: `Task number ${i}`,
      status: 'completed',
      attempts: i % 3,
      note: 'x'.repeat(120),
    },
    metadata: { actor: 'bench', correlationId: `c-${i}` },
  };
}

function newEvent(i: number): NewEvent {
  return { id: randomUUID(), type: 'TaskCompleted', ...payload(i) };
}

async function benchAdapterSingle(file: string): Promise<Row> {
  const store = new SqliteEventStore(file);
  const revisions = new Array<number>(STREAMS).fill(-1);
  const start = performance.now();
  for (let i = 0; i < SINGLE; i++) {
    const s = i % STREAMS;
    const r = await store.append(`stream-${s}`, [newEvent(i)], { expectedRevision: revisions[s] });
    revisions[s] = r.nextExpectedRevision;
  }
  const seconds = (performance.now() - start) / 1000;
  await verify(store, SINGLE);
  await store.close();
  return { name: 'SqliteEventStore.append, 1 event per call', kind: 'single', events: SINGLE, seconds };
}

async function benchAdapterBatch(file: string): Promise<Row> {
  const store = new SqliteEventStore(file);
  const revisions = new Array<number>(STREAMS).fill(-1);
  let n = 0;
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const s = b % STREAMS;
    const batch = Array.from({ length: BATCH_SIZE }, () => newEvent(n++));
    const r = await store.append(`stream-${s}`, batch, { expectedRevision: revisions[s] });
    revisions[s] = r.nextExpectedRevision;
  }
  const seconds = (performance.now() - start) / 1000;
  await verify(store, BATCHES * BATCH_SIZE);
  await store.close();
  return {
    name: `SqliteEventStore.append, ${BATCH_SIZE} events per call`,
    kind: 'batch',
    events: n,
    seconds,
  };
}

function openRaw(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(RAW_SCHEMA);
  return db;
}

function rawInsert(
  db: Database.Database,
): (rows: Array<{ stream: string; revision: number; i: number }>) => void {
  const insert = db.prepare(
    'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const tx = db.transaction((rows: Array<{ stream: string; revision: number; i: number }>) => {
    const recordedAt = new Date().toISOString();
    for (const row of rows) {
      const p = payload(row.i);
      insert.run(
        randomUUID(),
        row.stream,
        row.revision,
        'TaskCompleted',
        JSON.stringify(p.data),
        JSON.stringify(p.metadata),
        recordedAt,
      );
    }
  });
  return (rows) => tx.immediate(rows);
}

function benchRawSingle(file: string): Row {
  const db = openRaw(file);
  const insert = rawInsert(db);
  const revisions = new Array<number>(STREAMS).fill(-1);
  const start = performance.now();
  for (let i = 0; i < SINGLE; i++) {
    const s = i % STREAMS;
    insert([{ stream: `stream-${s}`, revision: ++revisions[s], i }]);
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return { name: 'raw better-sqlite3, 1 row per transaction', kind: 'single', events: SINGLE, seconds };
}

function benchRawBatch(file: string): Row {
  const db = openRaw(file);
  const insert = rawInsert(db);
  const revisions = new Array<number>(STREAMS).fill(-1);
  let n = 0;
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const s = b % STREAMS;
    insert(
      Array.from({ length: BATCH_SIZE }, () => ({ stream: `stream-${s}`, revision: ++revisions[s], i: n++ })),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return {
    name: `raw better-sqlite3, ${BATCH_SIZE} rows per transaction`,
    kind: 'batch',
    events: n,
    seconds,
  };
}

async function verify(store: SqliteEventStore, expected: number): Promise<void> {
  const head = await store.headPosition();
  const pragmas = store.pragmas();
  if (head !== expected) throw new Error(`bench stored ${head} events, expected ${expected}`);
  if (pragmas.journalMode !== 'wal' || pragmas.synchronous !== 2) {
    throw new Error(`unexpected pragmas ${JSON.stringify(pragmas)}`);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'chunkwise-sqlite-bench-'));
  try {
    // Warm up code paths (and the file system) on a throwaway database.
    const warm = new SqliteEventStore(join(dir, 'warmup.db'));
    for (let i = 0; i < 50; i++) await warm.append('w', [newEvent(i)], { expectedRevision: i - 1 });
    await warm.close();

    const scenarios: Array<(file: string) => Row | Promise<Row>> = [
      benchAdapterSingle,
      benchRawSingle,
      benchAdapterBatch,
      benchRawBatch,
    ];
    const runs: Row[][] = scenarios.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, scenario] of scenarios.entries()) {
        const file = join(dir, `round${round}-scenario${i}.db`);
        runs[i].push(await scenario(file));
        rmSync(file, { force: true });
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
      }
    }
    print(runs.map(median), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)];
}

function print(rows: Row[], dir: string): void {
  const rate = (r: Row): number => r.events / r.seconds;
  const raw = (kind: Row['kind']): Row => rows.find((r) => r.kind === kind && r.name.startsWith('raw'))!;
  const header = ['scenario', 'events', 'seconds', 'events/s', 'adapter/raw'];
  const table = rows.map((r) => [
    r.name,
    String(r.events),
    r.seconds.toFixed(2),
    Math.round(rate(r)).toLocaleString('en-US'),
    r.name.startsWith('raw') ? '' : `${(rate(r) / rate(raw(r.kind))).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`SQLite append benchmark (journal_mode=WAL, synchronous=FULL, files under ${dir})`);
  console.log(
    `node ${process.version}, ${STREAMS} streams, median of ${ROUNDS} interleaved rounds, ` +
      'expected revision and event ids checked on every adapter append',
  );
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  const adapter = (kind: Row['kind']): Row => rows.find((r) => r.kind === kind && !r.name.startsWith('raw'))!;
  printResult(
    'sqlite-append',
    {
      singleEventsPerSecond: Math.round(rate(adapter('single'))),
      batchEventsPerSecond: Math.round(rate(adapter('batch'))),
      rawBatchEventsPerSecond: Math.round(rate(raw('batch'))),
      batchRatio: Math.round((rate(adapter('batch')) / rate(raw('batch'))) * 1000) / 1000,
    },
    Math.round(rate(raw('single'))),
    { value: rate(adapter('single')) / rate(raw('single')), of: 'singleEventsPerSecond/baseline' },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
