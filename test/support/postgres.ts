import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server tests use: CHUNKWISE_TEST_PG_URL, default the local one. */
export const TEST_PG_URL = process.env.CHUNKWISE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Hides a password in a URL before it is printed. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * Checks synchronously (in a child process, so that it can run while jest collects tests) whether
 * the server answers. Returns null when it does, else the reason it does not.
 */
export function probePostgresSync(url = TEST_PG_URL, timeoutMs = 5000): string | null {
  const script = `
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: ${timeoutMs} });
    c.connect().then(() => c.query('select 1')).then(() => c.end()).then(
      () => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, url], {
    cwd: process.cwd(),
    timeout: timeoutMs + 2000,
    encoding: 'utf8',
  });
  if (r.status === 0) return null;
  return (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim();
}

/** A schema name no other run uses: `<prefix>_<time>_<random>` (lower case, valid identifier). */
export function uniqueSchemaName(prefix = 'cw_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Drops schemas (and everything in them). */
export async function dropSchemas(schemas: string[], url = TEST_PG_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) {
      if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`refusing to drop odd schema name ${s}`);
      await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/** Drops databases (the Temporal server's, made fresh by a test or a bench), their connections first. */
export async function dropDatabases(names: string[], url = TEST_PG_URL): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const n of names) {
      if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new Error(`refusing to drop odd database name ${n}`);
      await client.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
