/**
 * A chunk executed in agent turns over the whole chunk (turnScope `chunk`): each turn marks the tasks
 * it finished in the chunk's plan file; those are committed together. Turns that make no progress
 * are retried within the no-progress budget, then the chunk fails and the session pauses.
 */
import { chunkTasks, taskRepository, type SessionChunk } from '@chunkwise/domain';
import { completeTask } from './commit-and-complete';
import { pauseHere, truncate } from './pausing';
import type { SessionRunner } from './session-runner';
import { runRecordedTurn } from './turns';

export async function runChunkAsOneTurn(r: SessionRunner, chunk: SessionChunk): Promise<void> {
  let noProgress = 0;
  for (;;) {
    await r.boundary();
    const open = chunkTasks(r.state, chunk.key).filter(
      (t) => t.status === 'pending' || t.status === 'failed',
    );
    if (open.length === 0) return;
    // A chunk's tasks share one repository in this scope (checked when the session starts).
    const repository = taskRepository(open[0]);
    const home = r.worktreeOf(repository);
    const { turnId, turn } = await runRecordedTurn(r, {
      chunk,
      task: null,
      attempt: noProgress + 1,
      worktree: home.path,
      previousError: noProgress > 0 ? (open[0].lastError ?? null) : null,
    });
    // A timed-out or failed turn never counts as progress, whatever it marked.
    const marked = turn.succeeded ? open.filter((t) => turn.markedDone.includes(t.id)) : [];
    let error = turn.succeeded ? null : turn.error;
    if (marked.length > 0) {
      const done = await completeTask(r, {
        tasks: marked,
        turnId,
        gatesFor: null,
        worktree: home,
        commit: {
          taskId: marked.map((t) => t.id).join('+'),
          title: `${chunk.title}: ${marked.map((t) => t.title).join('; ')}`,
        },
        merge: false,
        manual: false,
        repository,
      });
      if (done.ok) {
        noProgress = 0;
        continue;
      }
      error = done.error;
    }
    noProgress++;
    const final = noProgress > r.state.settings.noProgressBudget;
    const reason = error ?? 'the turn marked no task done';
    await r.record({
      type: 'ChunkTurnFailed',
      data: {
        ...r.base(),
        chunk: chunk.key,
        turnId,
        tasks: open.map((t) => t.id),
        error: reason,
        turns: noProgress,
        final,
      },
    });
    if (final) {
      await pauseHere(
        r,
        'chunk_failed',
        `chunk ${chunk.key} made no progress in ${noProgress} turns: ${truncate(error ?? 'no task marked done', 500)}`,
        () => false,
      );
      noProgress = 0;
    }
  }
}
