/**
 * The plan session workflow: executes a frozen plan revision chunk by chunk. This file only wires
 * the messages (signals, updates, the progress query) to the deterministic SessionRunner. Workflow
 * code imports only the pure domain, the message definitions and the Temporal workflow API;
 * everything that touches the world is an activity.
 */
import { setHandler } from '@temporalio/workflow';
import { sessionProgress, type SessionTask } from '@chunkwise/domain';
import {
  approveTaskUpdate,
  cancelSignal,
  completeTaskUpdate,
  editTaskUpdate,
  pauseSignal,
  progressQuery,
  resumeSignal,
  retryTaskUpdate,
  skipTaskUpdate,
  stopSignal,
  type SessionOutcome,
  type SessionWorkflowInput,
} from '@chunkwise/contracts';
import { SessionRunner } from './session-runner';

export async function planSessionWorkflow(input: SessionWorkflowInput): Promise<SessionOutcome> {
  const runner = new SessionRunner(input);
  const { control } = runner;

  setHandler(progressQuery, () => sessionProgress(runner.state, Date.now()));
  setHandler(pauseSignal, () => control.pause());
  setHandler(resumeSignal, () => control.resume());
  setHandler(stopSignal, () => control.stop());
  setHandler(cancelSignal, (arg) => control.cancel(arg?.reason ?? null));

  // Validators refuse at once what can never apply; the runner re-checks at the safe point it applies them.
  const inStatus = (allowed: SessionTask['status'][]) => (arg: { taskId: string }) => {
    const t = runner.findTask(arg.taskId);
    if (!t) throw new Error(`task ${arg.taskId} is not part of this session`);
    if (!allowed.includes(t.status))
      throw new Error(`task ${arg.taskId} is ${t.status}; expected ${allowed.join(' or ')}`);
  };
  setHandler(approveTaskUpdate, (a) => control.decide({ kind: 'approve', ...a }), {
    validator: inStatus(['pending']),
  });
  setHandler(retryTaskUpdate, (a) => control.decide({ kind: 'retry', ...a }), {
    validator: inStatus(['failed']),
  });
  setHandler(skipTaskUpdate, (a) => control.decide({ kind: 'skip', ...a }), {
    validator: inStatus(['pending', 'failed']),
  });
  setHandler(completeTaskUpdate, (a) => control.decide({ kind: 'complete', ...a }), {
    validator: inStatus(['pending', 'failed']),
  });
  setHandler(editTaskUpdate, (a) => control.decide({ kind: 'edit', ...a }), {
    validator: inStatus(['pending', 'failed']),
  });

  return runner.run();
}
