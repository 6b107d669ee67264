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

/**
 * Creates the database a URL names when it does not exist (connecting to the server's `postgres`
 * database with the same credentials). The production profile's first start needs no manual step.
 */
export async function ensureDatabase(url: string): Promise<{ created: boolean }> {
  const { Client } = await import('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`the PostgreSQL URL names no database: ${target.origin}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false };
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created meanwhile by another process
    });
    return { created: true };
  } finally {
    await client.end();
  }
}

/** host, port, user and password of a PostgreSQL URL (for tools that take them apart). */
export function postgresEndpoint(url: string): {
  host: string;
  port: number;
  user: string;
  password?: string;
} {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}
