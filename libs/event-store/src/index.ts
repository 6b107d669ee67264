export * from './port';
export { classifyStorageError, storageFailureOf } from './storage-errors';
export { DEFAULT_MAX_EVENT_BYTES, DEFAULT_POLL_INTERVAL_MS, storedJsonOf } from './internal';
export { SqliteEventStore, type SqliteEventStoreOptions, type SqlitePragmas } from './sqlite-event-store';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export * from './event-id';
