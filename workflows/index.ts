/**
 * Temporal workflow code. Deterministic: no I/O, no Nest, no adapters. Every exported function is
 * registered as a workflow type by the worker (bundled with the SDK's webpack bundler).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PingActivities, PingResult } from '@chunkwise/contracts';

export { planSessionWorkflow } from './session.workflow';
export { planRollbackWorkflow } from './rollback.workflow';
export { scheduledPlanRunWorkflow } from './scheduled-run.workflow';

const { ping } = proxyActivities<PingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Round-trips through an activity: proves the workflow engine, a worker and the task queue work. */
export async function pingWorkflow(name: string): Promise<PingResult> {
  return ping(name);
}

/**
 * Calls the trivial `ping` activity `times` times in sequence: a bare activity round trip, the
 * yardstick the orchestration benchmark compares a session's per-task overhead with.
 */
export async function pingLoopWorkflow(times: number): Promise<number> {
  for (let i = 0; i < times; i++) await ping(`loop ${i}`);
  return times;
}
