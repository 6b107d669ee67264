import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { ReadModelStoreClosedError } from './store-support';
import { PlanEventLog } from '../../../test/support/read-models/plan-event-log';

const doc = { title: 'P', chunks: [{ key: 'C01_a' }], tasks: [{ id: 'T1', chunk: 'C01_a', title: 'one' }] };

describe('SqliteReadModelStore specifics', () => {
  let dir: string;
  let file: string;
  const open: SqliteReadModelStore[] = [];
  const store = (options?: ConstructorParameters<typeof SqliteReadModelStore>[1], name = file) => {
    const s = new SqliteReadModelStore(name, options);
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chunkwise-rm-sqlite-'));
    file = join(dir, 'nested', 'read-models.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses WAL with synchronous=NORMAL in its own file (parent directories created)', () => {
    expect(store().pragmas()).toEqual({ journalMode: 'wal', synchronous: 1 });
  });

  it('works in memory', async () => {
    const s = store(undefined, ':memory:');
    const log = new PlanEventLog();
    log.execute('m1', { type: 'CreatePlan', planId: 'm1', document: doc });
    await s.applyEvents(log.events);
    expect((await s.listPlans()).map((p) => p.id)).toEqual(['m1']);
  });

  it('drops read models built by another projection version, so that they are rebuilt', async () => {
    const s = store();
    const log = new PlanEventLog();
    log.execute('v1', { type: 'CreatePlan', planId: 'v1', document: doc });
    await s.applyEvents(log.events);
    await s.close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = '0' WHERE key = 'projection_version'").run();
    raw.close();
    const reopened = store();
    expect(await reopened.getCheckpoint()).toBe(0);
    expect(await reopened.listPlans({ includeArchived: true })).toEqual([]);
    // Same version: kept.
    await reopened.applyEvents(log.events);
    await reopened.close();
    expect(await store().getCheckpoint()).toBe(1);
  });

  it('drops a file of the previous layout (history keyed by event id) and rebuilds it in the new one', async () => {
    const s = store();
    const log = new PlanEventLog();
    log.execute('l1', { type: 'CreatePlan', planId: 'l1', document: doc });
    await s.applyEvents(log.events);
    await s.close();
    const raw = new Database(file);
    raw.exec(`DROP TABLE plan_history;
      CREATE TABLE plan_history (event_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, position INTEGER NOT NULL,
        stream_revision INTEGER NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
        metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
      DELETE FROM meta WHERE key = 'sqlite_layout';`);
    raw.close();
    const reopened = store();
    expect(await reopened.getCheckpoint()).toBe(0);
    expect(await reopened.listPlans({ includeArchived: true })).toEqual([]);
    await reopened.applyEvents(log.events);
    expect((await reopened.getHistory('l1'))!.map((h) => h.type)).toEqual(['PlanCreated']);
    await reopened.close();
    const check = new Database(file, { readonly: true });
    const pk = check
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('plan_history') WHERE pk = 1")
      .all();
    check.close();
    expect(pk.map((c) => c.name)).toEqual(['position']);
  });

  describe('getPlanJson (the serialized detail, kept per plan)', () => {
    const json = async (s: SqliteReadModelStore, id: string) => {
      const got = await s.getPlanJson(id);
      return got && { ...got, body: JSON.parse(got.body.toString('utf8')) as unknown };
    };

    it('is the JSON of getPlan, and follows every event this store applies', async () => {
      const s = store();
      const log = new PlanEventLog();
      expect(await s.getPlanJson('j1')).toBeNull();
      log.execute('j1', { type: 'CreatePlan', planId: 'j1', document: doc });
      await s.applyEvents(log.events);
      expect(await json(s, 'j1')).toEqual({ body: await s.getPlan('j1'), revision: 1, streamRevision: 0 });
      // A second read is the same bytes (kept), a new event is seen at once.
      expect((await s.getPlanJson('j1'))!.body).toBe((await s.getPlanJson('j1'))!.body);
      const before = log.events.length;
      log.execute('j1', { type: 'UpdatePlanDetails', changes: { title: 'renamed' } });
      await s.applyEvents(log.events.slice(before));
      const after = await json(s, 'j1');
      expect(after).toEqual({ body: await s.getPlan('j1'), revision: 2, streamRevision: 1 });
      expect((after!.body as { title: string }).title).toBe('renamed');
      await s.reset();
      expect(await s.getPlanJson('j1')).toBeNull();
    });

    it('is never staler than the file when another connection (another process) projects into it', async () => {
      const reader = store();
      const writer = store();
      const log = new PlanEventLog();
      log.execute('j2', { type: 'CreatePlan', planId: 'j2', document: doc });
      await writer.applyEvents(log.events);
      expect((await json(reader, 'j2'))!.revision).toBe(1);
      const before = log.events.length;
      log.execute('j2', { type: 'UpdatePlanDetails', changes: { title: 'from elsewhere' } });
      await writer.applyEvents(log.events.slice(before));
      const seen = await json(reader, 'j2');
      expect(seen).toEqual({ body: await writer.getPlan('j2'), revision: 2, streamRevision: 1 });
      await writer.reset();
      expect(await reader.getPlanJson('j2')).toBeNull();
    });

    it('keeps at most detailCacheBytes', async () => {
      const s = store({ detailCacheBytes: 8192 });
      const log = new PlanEventLog();
      for (let i = 0; i < 20; i++)
        log.execute(`k${i}`, { type: 'CreatePlan', planId: `k${i}`, document: doc });
      await s.applyEvents(log.events);
      for (let i = 0; i < 20; i++) expect((await json(s, `k${i}`))!.body).toEqual(await s.getPlan(`k${i}`));
      const kept = (s as unknown as { detailBytes: number }).detailBytes;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThanOrEqual(8192);
    });
  });

  it('renews the lease of its holder and lets nobody else in before it expires', async () => {
    const a = store({ lockTtlMs: 60_000 });
    const b = store();
    expect(a.projectorLockHolder()).toBeNull();
    expect(await a.tryAcquireProjectorLock()).toBe(true);
    const first = a.projectorLockHolder()!;
    expect(first.owner).toBe(a.lockOwner);
    await new Promise((r) => setTimeout(r, 5));
    expect(await a.tryAcquireProjectorLock()).toBe(true);
    expect(a.projectorLockHolder()!.expiresAt).toBeGreaterThan(first.expiresAt);
    expect(await b.tryAcquireProjectorLock()).toBe(false);
    // Releasing someone else's lease does nothing.
    await b.releaseProjectorLock();
    expect(b.projectorLockHolder()!.owner).toBe(a.lockOwner);
  });

  it('refuses calls after close (close is idempotent and releases the lease)', async () => {
    const a = store();
    expect(await a.tryAcquireProjectorLock()).toBe(true);
    await a.close();
    await a.close();
    await expect(a.getCheckpoint()).rejects.toThrow(ReadModelStoreClosedError);
    await expect(a.listPlans()).rejects.toThrow(ReadModelStoreClosedError);
    await expect(a.releaseProjectorLock()).resolves.toBeUndefined();
    expect(await store().tryAcquireProjectorLock()).toBe(true);
  });
});
