import { Context } from '@temporalio/activity';
import type { QaGateRun, RunQaGatesInput } from '@chunkwise/contracts';
import { runQaGate } from '@chunkwise/agents';
import { heartbeatMsOf, type SessionActivityDeps } from './deps';
import { startHeartbeat } from './heartbeat';

/** Runs the QA gates in order after a turn; rerunning them on a retry is harmless. */
export function createQaActivities(deps: SessionActivityDeps) {
  const heartbeatMs = heartbeatMsOf(deps);
  return {
    async runQaGates(input: RunQaGatesInput): Promise<{ results: QaGateRun[] }> {
      const results: QaGateRun[] = [];
      const stop = startHeartbeat(heartbeatMs, () => ({ turnId: input.turnId, gates: results.length }));
      try {
        for (const gate of input.gates) {
          results.push(
            await runQaGate(gate, input.worktree, { signal: Context.current().cancellationSignal }),
          );
        }
        return { results };
      } finally {
        stop();
      }
    },
  };
}
