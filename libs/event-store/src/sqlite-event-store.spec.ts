import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { describeEventStoreContract } from '../../../test/contracts/event-store.contract';
import { EventStoreClosedError, EventStoreLimitError, EventIdConflictError, type StoredEvent } from './port';
import { SqliteEventStore } from './sqlite-event-store';

const tempDirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-es-'));
  tempDirs.push(dir);
  return join(dir, 'events.db');
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describeEventStoreContract('SqliteEventStore (file)', async () => {
  const store = new SqliteEventStore(tempFile());
  return { store, cleanup: () => store.close() };
});

describeEventStoreContract('SqliteEventStore (:memory:)', async () => {
  const store = new SqliteEventStore(':memory:');
  return { store, cleanup: () => store.close() };
});

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('SqliteEventStore specifics', () => {
  let file: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    file = tempFile();
    store = new SqliteEventStore(file);
  });
  afterEach(() => store.close());

  it('runs with journal_mode=WAL and synchronous=FULL on its connection', () => {
    expect(store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeout: 10_000 });
    // WAL is a property of the file: another connection sees it too.
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('creates the events table with the documented shape and constraints', () => {
    const db = new Database(file, { readonly: true });
    try {
      const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").get() as { sql: string })
        .sql;
      expect(sql).toMatch(/position\s+INTEGER PRIMARY KEY AUTOINCREMENT/);
      expect(sql).toMatch(/id\s+TEXT\s+NOT NULL UNIQUE/);
      expect(sql).toMatch(/UNIQUE \(stream_id, revision\)/);
    } finally {
      db.close();
    }
  });

  it('headPosition is 0 and readAll is empty on a new store', async () => {
    expect(await store.headPosition()).toBe(0);
    expect(await store.readAll()).toEqual([]);
  });

  it('persists across reopen', async () => {
    await store.append('s', [{ id: randomUUID(), type: 'T', data: { x: 1 } }], {
      expectedRevision: 'no_stream',
    });
    await store.close();
    store = new SqliteEventStore(file);
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ x: 1 }]);
  });

  it('rejects an event above the payload limit with EventStoreLimitError and writes nothing', async () => {
    const small = new SqliteEventStore(tempFile(), { maxEventBytes: 1000 });
    try {
      const ok = { id: randomUUID(), type: 'T', data: { s: 'x'.repeat(900) } };
      const tooBig = { id: randomUUID(), type: 'T', data: { s: 'x'.repeat(1000) } };
      await expect(small.append('s', [ok, tooBig], { expectedRevision: 'any' })).rejects.toThrow(
        EventStoreLimitError,
      );
      expect(await small.readAll()).toEqual([]);
      await small.append('s', [ok], { expectedRevision: 'any' });
      expect(await small.readStream('s')).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('enforces the 4 MiB default limit', async () => {
    const blob = 'x'.repeat(4 * 1024 * 1024);
    await expect(
      store.append('s', [{ id: randomUUID(), type: 'T', data: blob }], { expectedRevision: 'any' }),
    ).rejects.toThrow(/exceeds the limit of 4194304 bytes/);
    expect(await store.headPosition()).toBe(0);
  });

  it('rejects an id stored in another stream, and a batch repeating an id', async () => {
    const id = randomUUID();
    await store.append('a', [{ id, type: 'T', data: {} }], { expectedRevision: 'no_stream' });
    await expect(
      store.append('b', [{ id, type: 'T', data: {} }], { expectedRevision: 'no_stream' }),
    ).rejects.toThrow(EventIdConflictError);
    const dup = randomUUID();
    await expect(
      store.append(
        'c',
        [
          { id: dup, type: 'T', data: {} },
          { id: dup, type: 'T', data: {} },
        ],
        { expectedRevision: 'any' },
      ),
    ).rejects.toThrow(/more than once/);
    expect((await store.readAll()).map((e) => e.streamId)).toEqual(['a']);
  });

  it('accepts -1 as no_stream and an empty batch checks the revision only', async () => {
    expect(await store.append('s', [], { expectedRevision: 'no_stream' })).toEqual({
      nextExpectedRevision: -1,
      position: 0,
    });
    const r = await store.append('s', [{ id: randomUUID(), type: 'T', data: 1 }], { expectedRevision: -1 });
    expect(r.nextExpectedRevision).toBe(0);
    expect(await store.append('s', [], { expectedRevision: 0 })).toEqual(r);
    await expect(store.append('s', [], { expectedRevision: 3 })).rejects.toThrow(
      /expected revision 3, actual 0/,
    );
  });

  it('stores primitive and undefined data as JSON', async () => {
    await store.append(
      's',
      [
        { id: randomUUID(), type: 'T', data: 42 },
        { id: randomUUID(), type: 'T', data: 'text' },
        { id: randomUUID(), type: 'T', data: undefined },
      ],
      { expectedRevision: 'no_stream' },
    );
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([42, 'text', null]);
  });

  it('follow is woken at once by appends through the same instance (no waiting for the poll)', async () => {
    const seen: StoredEvent[] = [];
    const sub = store.follow({ after: 0, pollIntervalMs: 60_000 }, (e) => {
      seen.push(e);
    });
    // Let the loop reach its (long) sleep.
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await store.append('s', [{ id: randomUUID(), type: 'T', data: {} }], { expectedRevision: 'no_stream' });
    await waitFor(() => seen.length === 1, 'the woken delivery', 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    await sub.stop();
  });

  it('follow sees appends made by another connection through polling', async () => {
    const other = new SqliteEventStore(file);
    try {
      const seen: string[] = [];
      const sub = store.follow({ after: 0, pollIntervalMs: 20 }, (e) => {
        seen.push(e.id);
      });
      const id = randomUUID();
      await other.append('s', [{ id, type: 'T', data: {} }], { expectedRevision: 'no_stream' });
      await waitFor(() => seen.length === 1, 'the polled delivery');
      expect(seen).toEqual([id]);
      await sub.stop();
    } finally {
      await other.close();
    }
  });

  it('close() ends subscriptions with EventStoreClosedError and later calls are rejected', async () => {
    const sub = store.follow({ after: 0 }, () => undefined);
    await store.close();
    await sub.done;
    expect(sub.error).toBeInstanceOf(EventStoreClosedError);
    await expect(store.readAll()).rejects.toThrow(EventStoreClosedError);
    await expect(store.append('s', [], { expectedRevision: 'any' })).rejects.toThrow(EventStoreClosedError);
    await store.close(); // idempotent
  });

  it('processes with their own connections append to one stream concurrently without loss or duplicates', async () => {
    const processes = 4;
    const perProcess = 30;
    const storeModule = resolve(__dirname, 'sqlite-event-store.ts');
    const repoRoot = resolve(__dirname, '../../..');
    // Each child compiles the adapter's TypeScript with @swc/core on the fly and opens its own SqliteEventStore.
    const script = `
      const fs = require('node:fs');
      const swc = require('@swc/core');
      require.extensions['.ts'] = (module, filename) => {
        const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
          filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
        });
        module._compile(code, filename);
      };
      const { randomUUID } = require('node:crypto');
      const { SqliteEventStore } = require(process.env.STORE_MODULE);
      const { WrongExpectedRevisionError } = require(process.env.STORE_MODULE.replace(/sqlite-event-store\\.ts$/, 'port.ts'));
      (async () => {
        const store = new SqliteEventStore(process.env.DB_FILE);
        // Start barrier: report ready, then wait for the parent's go so that all children really overlap.
        process.stdout.write('ready\\n');
        await new Promise((go) => process.stdin.once('data', go));
        const worker = Number(process.env.WORKER);
        const start = Date.now();
        let conflicts = 0;
        for (let k = 0; k < ${perProcess}; k++) {
          // A short pause between appends lets the processes' appends interleave in time.
          await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
          const event = { id: randomUUID(), type: 'Raced', data: { worker, k } };
          for (;;) {
            const current = await store.readStream('shared');
            const expected = current.length === 0 ? 'no_stream' : current[current.length - 1].revision;
            try { await store.append('shared', [event], { expectedRevision: expected }); break; }
            catch (e) { if (!(e instanceof WrongExpectedRevisionError)) throw e; conflicts++; }
          }
          await store.append('own-' + worker, [{ id: randomUUID(), type: 'Own', data: { k } }], { expectedRevision: k === 0 ? 'no_stream' : k - 1 });
        }
        const end = Date.now();
        await store.close();
        process.stdout.write(JSON.stringify({ worker, conflicts, start, end }) + '\\n');
        process.stdin.destroy();
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    type ChildResult = { worker: number; conflicts: number; start: number; end: number };
    const children = Array.from({ length: processes }, (_, worker) => {
      const child = spawn(process.execPath, ['-e', script], {
        cwd: repoRoot,
        env: { ...process.env, STORE_MODULE: storeModule, DB_FILE: file, WORKER: String(worker) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let markReady!: () => void;
      const ready = new Promise<void>((r) => (markReady = r));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.startsWith('ready\n')) markReady();
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const result = new Promise<ChildResult>((resolvePromise, reject) => {
        child.on('exit', (code) => {
          clearTimeout(timer);
          markReady();
          if (code === 0) resolvePromise(JSON.parse(out.slice('ready\n'.length)) as ChildResult);
          else reject(new Error(`child ${worker} exited with ${code}: ${err}`));
        });
      });
      return { child, ready, result };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.write('go\n');
    const results = await Promise.all(children.map((c) => c.result));
    expect(results.map((r) => r.worker).sort()).toEqual([0, 1, 2, 3]);

    const shared = await store.readStream('shared');
    expect(shared).toHaveLength(processes * perProcess);
    expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: shared.length }, (_, i) => i));
    expect(new Set(shared.map((e) => e.id)).size).toBe(shared.length);
    for (let w = 0; w < processes; w++) {
      const ks = shared.map((e) => e.data as { worker: number; k: number }).filter((d) => d.worker === w);
      expect(ks.map((d) => d.k)).toEqual(Array.from({ length: perProcess }, (_, i) => i));
      expect((await store.readStream(`own-${w}`)).map((e) => e.revision)).toEqual(
        Array.from({ length: perProcess }, (_, i) => i),
      );
    }
    // The writers really ran at the same time: every process started before any of them finished.
    expect(Math.max(...results.map((r) => r.start))).toBeLessThan(Math.min(...results.map((r) => r.end)));
    const all = await store.readAll();
    expect(all).toHaveLength(processes * perProcess * 2);
    for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
  }, 60_000);
});
