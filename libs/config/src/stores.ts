import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type EventStore,
  KurrentDbEventStore,
  PostgresEventStore,
  SqliteEventStore,
} from '@chunkwise/event-store';
import { PostgresReadModelStore, type ReadModelStore, SqliteReadModelStore } from '@chunkwise/read-models';
import type { ChunkwiseConfig } from './config';

type EventStoreConfig = ChunkwiseConfig['eventStore'];
type ReadModelConfig = ChunkwiseConfig['readModels'];

const eventStoreOf = (c: ChunkwiseConfig | EventStoreConfig): EventStoreConfig =>
  'kind' in c ? c : c.eventStore;
const readModelsOf = (c: ChunkwiseConfig | ReadModelConfig): ReadModelConfig =>
  'kind' in c ? c : c.readModels;

/**
 * Opens the event store the configuration names, ready to use: a SQLite file (its folder is
 * created), a PostgreSQL schema (created if missing), or a KurrentDB connection.
 */
export async function createEventStore(config: ChunkwiseConfig | EventStoreConfig): Promise<EventStore> {
  const c = eventStoreOf(config);
  switch (c.kind) {
    case 'sqlite':
      mkdirSync(dirname(c.file), { recursive: true });
      return new SqliteEventStore(c.file);
    case 'postgres':
      return PostgresEventStore.create({ connectionString: c.url, schema: c.schema });
    case 'kurrentdb':
      // The client connects lazily; the first read or append reports an unreachable server.
      return new KurrentDbEventStore({ connectionString: c.url });
  }
}

/** Opens and initialises the read-model store the configuration names (SQLite file or PostgreSQL schema). */
export async function createReadModelStore(
  config: ChunkwiseConfig | ReadModelConfig,
): Promise<ReadModelStore> {
  const c = readModelsOf(config);
  switch (c.kind) {
    case 'sqlite': {
      mkdirSync(dirname(c.file), { recursive: true });
      const store = new SqliteReadModelStore(c.file);
      try {
        await store.init();
      } catch (e) {
        await store.close();
        throw e;
      }
      return store;
    }
    case 'postgres':
      return PostgresReadModelStore.create({ connectionString: c.url, schema: c.schema });
  }
}

/** Both stores; if the second cannot be opened, the first is closed again. */
export async function createStores(
  config: ChunkwiseConfig,
): Promise<{ eventStore: EventStore; readModels: ReadModelStore }> {
  const eventStore = await createEventStore(config);
  try {
    return { eventStore, readModels: await createReadModelStore(config) };
  } catch (e) {
    await eventStore.close().catch(() => undefined);
    throw e;
  }
}
