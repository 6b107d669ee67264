/**
 * Temporal workflow code. Deterministic: no I/O, no Nest, no adapters. Every exported function is
 * registered as a workflow type by the worker (bundled with the SDK's webpack bundler).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ping as pingActivity } from '../activities';
import type { PingResult } from './messages';

export { planSessionWorkflow } from './session.workflow';

const { ping } = proxyActivities<{ ping: typeof pingActivity }>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Round-trips through an activity: proves the workflow engine, a worker and the task queue work. */
export async function pingWorkflow(name: string): Promise<PingResult> {
  return ping(name);
}
