import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@chunkwise/event-store';
import { SqliteReadModelStore } from '@chunkwise/read-models';
import { loadConfig } from './config';
import { createEventStore, createReadModelStore, createStores } from './stores';

describe('stores from configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chunkwise-stores-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens SQLite stores, creating their folders', async () => {
    const config = loadConfig({ CHUNKWISE_DATA_DIR: join(dir, 'deep', 'data') });
    const { eventStore, readModels } = await createStores(config);
    try {
      expect(eventStore).toBeInstanceOf(SqliteEventStore);
      expect(readModels).toBeInstanceOf(SqliteReadModelStore);
      expect(existsSync(join(dir, 'deep', 'data', 'events.db'))).toBe(true);
      expect(existsSync(join(dir, 'deep', 'data', 'read-models.db'))).toBe(true);
      await eventStore.append('s-1', [{ id: '00000000-0000-4000-8000-000000000001', type: 'T', data: {} }], {
        expectedRevision: 'no_stream',
      });
      expect(await eventStore.headPosition()).toBe(1);
      expect(await readModels.getCheckpoint()).toBe(0);
    } finally {
      await eventStore.close();
      await readModels.close();
    }
  });

  it('accepts the store sections alone', async () => {
    const es = await createEventStore({ kind: 'sqlite', file: join(dir, 'a', 'e.db') });
    const rm = await createReadModelStore({ kind: 'sqlite', file: join(dir, 'b', 'r.db') });
    await es.close();
    await rm.close();
    expect(existsSync(join(dir, 'a', 'e.db'))).toBe(true);
    expect(existsSync(join(dir, 'b', 'r.db'))).toBe(true);
  });

  it('reports an unreachable PostgreSQL server instead of hanging', async () => {
    await expect(
      createEventStore({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', schema: 'x' }),
    ).rejects.toThrow();
  });
});
