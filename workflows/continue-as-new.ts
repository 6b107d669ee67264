/**
 * Continue-as-new at a safe boundary (no turn running) once this run has recorded enough events, so
 * the history of a long plan stays small. The state travels whole (approvals included).
 */
import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import { currentChunk } from '@chunkwise/domain';
import { applyDecision } from './task-decisions';
import type { SessionRunner } from './session-runner';

export async function maybeContinueAsNew(r: SessionRunner): Promise<void> {
  if (r.runningTasks > 0 || !currentChunk(r.state)) return;
  if (r.eventsThisRun < r.timeouts.maxEventsBeforeContinue && !workflowInfo().continueAsNewSuggested) return;
  // Queued decisions first: an update handler must never be left waiting across runs.
  await r.control.settle((d) => applyDecision(r, d));
  const { control } = r;
  if (control.stopping || control.pauseRequested) return; // handled at the boundary
  // Typed by name (not the function) so that this module does not import the workflow's.
  await continueAsNew<(input: typeof r.input) => Promise<unknown>>({
    ...r.input,
    state: r.state,
    continued: true,
    // The next run stays on the host that holds the work tree.
    hostQueue: r.worktree.taskQueue,
    relocateFrom: undefined,
  });
}
