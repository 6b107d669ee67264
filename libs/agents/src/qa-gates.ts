import type { QaGateRun } from '@chunkwise/contracts';
import type { QaGate } from '@chunkwise/domain';
import { runProcess } from './process-runner';
import { outputTail } from './turn-outcome';

/**
 * Runs one QA gate (lint, typecheck, tests…) in the work tree. The gate sees only PATH, HOME,
 * LANG and CI=true: not the worker's secrets, and tools behave as in CI (no prompts, no colours).
 * A gate that cannot start or times out fails.
 */
export async function runQaGate(
  gate: QaGate,
  cwd: string,
  options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<QaGateRun> {
  const env = options.env ?? process.env;
  const r = await runProcess({
    argv: gate.argv,
    cwd,
    env: { PATH: env.PATH ?? '', HOME: env.HOME ?? '', LANG: env.LANG ?? 'C.UTF-8', CI: 'true' },
    timeoutMs: gate.timeoutSec * 1000,
    signal: options.signal,
  });
  return {
    gate: gate.name,
    passed: r.exitCode === 0 && !r.timedOut && r.startError === null,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    outputTail: outputTail(r.startError ? `could not start: ${r.startError}` : r.output),
  };
}
