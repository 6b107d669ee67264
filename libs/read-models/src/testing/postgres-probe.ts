/**
 * Test support (no jest here): which PostgreSQL the tests use, and a synchronous reachability probe
 * (jest cannot skip asynchronously, so it runs in a child process).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const PG_TEST_URL = process.env.CHUNKWISE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ON_CI = process.env.CI === 'true';

/** undefined when PostgreSQL answers, else why not. */
export function probePostgres(url = PG_TEST_URL): string | undefined {
  const script = `
    const { Client } = require('pg');
    const client = new Client({ connectionString: process.env.PG_URL, connectionTimeoutMillis: 3000 });
    client.connect().then(() => client.query('SELECT 1')).then(() => client.end())
      .then(() => process.exit(0), (e) => { process.stderr.write(String((e && e.message) || e)); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: resolve(__dirname, '../../../..'),
    env: { ...process.env, PG_URL: url },
    timeout: 10_000,
    encoding: 'utf8',
  });
  if (result.status === 0) return undefined;
  return result.stderr?.trim() || result.error?.message || `probe exited with ${String(result.status)}`;
}

/** A schema name unique to this process and call. */
let counter = 0;
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}_${counter++}`;
}
