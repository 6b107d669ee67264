/**
 * Test support for the read-model specs: the one PostgreSQL probe of the project lives in
 * test/support/postgres.ts; these are the names the specs here use.
 */
import { inCi } from '../../../../test/support/ci';
import { probePostgresSync, TEST_PG_URL } from '../../../../test/support/postgres';

export const PG_TEST_URL = TEST_PG_URL;
export const ON_CI = inCi;

/** undefined when PostgreSQL answers, else why not. */
export function probePostgres(url = PG_TEST_URL): string | undefined {
  return probePostgresSync(url) ?? undefined;
}

/** A schema name unique to this process and call. */
let counter = 0;
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}_${counter++}`;
}
