import type { PoolClient } from 'pg';

/** Helpers shared by the PostgreSQL adapters (event store, read models). */

const destroyed = new WeakSet<PoolClient>();

/** Releases a client with an error so the pool discards it (once, however many paths ask). */
export function destroyClient(client: PoolClient): void {
  if (destroyed.has(client)) return;
  destroyed.add(client);
  client.release(true);
}

/** Quotes an SQL identifier (schema and table names come from configuration, never from users). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
