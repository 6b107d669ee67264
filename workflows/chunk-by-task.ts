/**
 * A chunk executed task by task: sequential (one at a time, in order), parallel (independent tasks
 * together, each in its own work tree, merged back one at a time) or manual (each task waits for an
 * approval). A task that runs out of attempts pauses the session until the user decides.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import {
  chunkTasks,
  dependenciesDone,
  runnableTasks,
  taskRepository,
  type SessionChunk,
  type SessionTask,
} from '@chunkwise/domain';
import { completeTask } from './commit-and-complete';
import { pauseHere, truncate } from './pausing';
import { Stop } from './session-control';
import type { SessionRunner } from './session-runner';
import { runRecordedTurn } from './turns';

export async function runChunkByTask(r: SessionRunner, chunk: SessionChunk): Promise<void> {
  const { control } = r;
  const inFlight = new Map<string, Promise<void>>();
  const tasksIn = (status: SessionTask['status']) =>
    chunkTasks(r.state, chunk.key).filter((t) => t.status === status);
  for (;;) {
    await r.boundary();
    const pending = tasksIn('pending');
    const failed = tasksIn('failed');
    if (pending.length === 0 && failed.length === 0 && inFlight.size === 0) return;

    if (failed.length > 0 && inFlight.size === 0) {
      const f = failed[0];
      await pauseHere(
        r,
        'task_failed',
        `task ${f.id} failed after ${f.attempts} attempts: ${truncate(f.lastError ?? '', 500)}`,
        () => tasksIn('failed').length === 0,
      );
      continue;
    }

    if (chunk.executionMode === 'manual' && inFlight.size === 0) {
      const next = pending[0];
      if (next && !r.state.approved.includes(next.id)) {
        await pauseHere(
          r,
          'approval',
          `task ${next.id} waits for approval: ${next.title}`,
          () => r.state.approved.includes(next.id) || r.findTask(next.id)!.status !== 'pending',
        );
        continue;
      }
    }

    const slots = chunk.executionMode === 'parallel' ? r.state.settings.maxParallel : 1;
    const startable =
      failed.length > 0
        ? []
        : runnableTasks(r.state, chunk, inFlight.size, slots).filter((t) => !inFlight.has(t.id));
    // While pausing or stopping, running turns finish and nothing new starts.
    if (!control.pauseRequested && !control.stopping) {
      for (const t of startable) {
        r.runningTasks++;
        const p = executeTask(r, t, chunk).finally(() => {
          r.runningTasks--;
          inFlight.delete(t.id);
        });
        inFlight.set(t.id, p);
      }
    }
    if (inFlight.size === 0) {
      if (startable.length === 0 && pending.length > 0 && !control.pauseRequested) {
        const blocked = pending.filter((t) => !dependenciesDone(r.state, t)).map((t) => t.id);
        throw ApplicationFailure.nonRetryable(
          `chunk ${chunk.key}: tasks ${blocked.join(', ')} wait on dependencies that cannot complete`,
        );
      }
      continue;
    }
    await Promise.race(inFlight.values());
  }
}

/** Runs a task's turns until it passes its QA gates (then commits) or runs out of attempts. */
async function executeTask(r: SessionRunner, task: SessionTask, chunk: SessionChunk): Promise<void> {
  const parallel = chunk.executionMode === 'parallel';
  const repository = taskRepository(task);
  const home = r.worktreeOf(repository);
  const where = parallel
    ? await r.acts.git.prepareTaskWorktree({
        sessionWorktree: home.path,
        branch: home.branch,
        taskId: task.id,
      })
    : home;
  const { maxAttempts } = r.state.settings;
  let t = task;
  while (t.attempts < maxAttempts) {
    const attempt = t.attempts + 1;
    const { turnId, turn } = await runRecordedTurn(r, {
      chunk,
      task: t,
      attempt,
      worktree: where.path,
      previousError: t.lastError,
    });
    let error = turn.succeeded ? null : turn.error;
    if (error === null) {
      const done = await completeTask(r, {
        tasks: [t],
        turnId,
        gatesFor: t.id,
        worktree: where,
        commit: { taskId: t.id, title: r.findTask(t.id)!.title },
        merge: parallel,
        manual: false,
        repository,
      });
      if (done.ok) return;
      // A merge conflict fails the task outright: retrying the same change would conflict again.
      if (done.conflict) return failTask(r, t.id, attempt, done.error, true);
      error = done.error;
    }
    await failTask(r, t.id, attempt, error ?? 'unknown error', attempt >= maxAttempts);
    t = r.findTask(t.id)!;
    if (r.control.cancelRequested) throw new Stop();
  }
}

function failTask(r: SessionRunner, taskId: string, attempts: number, error: string, final: boolean) {
  return r.record({ type: 'TaskFailed', data: { ...r.base(), taskId, attempts, error, final } });
}
