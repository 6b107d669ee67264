import { resolveTemporalBinary, type TemporalBinary } from '@chunkwise/temporal';
import { inCi } from './ci';

/**
 * Runs `define` with the provisioned Temporal CLI. Without one, the suite fails under CI=true
 * (CI must never skip it) and otherwise registers one skipped test and says plainly why.
 */
export function withTemporalCli(suite: string, define: (binary: TemporalBinary) => void): void {
  let binary: TemporalBinary | undefined;
  let unavailable = '';
  try {
    binary = resolveTemporalBinary();
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
  }
  if (binary) return define(binary);
  if (inCi) {
    test('the Temporal CLI is provisioned', () => {
      throw new Error(`CI=true and no Temporal CLI can be resolved: ${unavailable}`);
    });
  } else {
    console.warn(`SKIPPING ${suite}: ${unavailable}`);
    test.skip(`${suite} (no Temporal CLI; run \`npm run setup\`)`, () => undefined);
  }
}
