/**
 * The one way tasks get completed, whoever did the work (a task turn, a chunk-scope turn, or the user
 * by hand): the QA gates pass in the work tree, one commit holds the work (merged into the session
 * branch when the task ran in its own work tree), and each task is recorded completed with its sha.
 */
import type { ExecutionEvent, SessionTask } from '@chunkwise/domain';
import type { SessionRunner } from './session-runner';

export interface Completion {
  /** The tasks one commit completes (several for a chunk-scope turn). */
  tasks: SessionTask[];
  /** The turn the QA results belong to. */
  turnId: string;
  /** The task the QA results name; null for a whole chunk. */
  gatesFor: string | null;
  worktree: { path: string; branch: string };
  /** The commit's task trailer and subject. */
  commit: { taskId: string; title: string };
  /** The work tree is the task's own (parallel chunk): merge its branch into the session's. */
  merge: boolean;
  /** The repository the tasks work in (null: the plan's): its gates run, its session branch takes the merge. */
  repository: string | null;
  /** Completed by the user rather than by a turn. */
  manual: boolean;
}

export type Completed = { ok: true } | { ok: false; error: string; conflict: boolean };

export async function completeTask(r: SessionRunner, c: Completion): Promise<Completed> {
  const qa = await runGates(r, c.gatesFor, c.turnId, c.worktree.path, r.gatesOf(c.repository));
  if (!qa.passed) return { ok: false, error: qa.summary, conflict: false };
  const commit = await r.acts.git.commitTask({
    worktree: c.worktree.path,
    sessionId: r.state.sessionId,
    taskId: c.commit.taskId,
    title: c.commit.title,
    branch: c.worktree.branch,
  });
  let { sha, files }: { sha: string | null; files: string[] } = commit;
  if (c.merge) {
    const merged = await mergeInTurn(r, r.worktreeOf(c.repository).path, c.worktree.path, c.commit.taskId);
    if (!merged.ok) {
      // The task's branch stays for inspection while the session pauses on it; it goes when the session ends.
      const kept = `the task's branch ${c.worktree.branch} (work tree ${c.worktree.path}) is kept until the session ends`;
      return { ok: false, error: `merge conflict: ${merged.conflict}\n${kept}`, conflict: true };
    }
    ({ sha, files } = merged);
  }
  for (const t of c.tasks) {
    const attempts = r.findTask(t.id)!.attempts;
    await r.record({
      type: 'TaskCompleted',
      data: { ...r.base(), taskId: t.id, sha, attempts, files, manual: c.manual },
    });
  }
  return { ok: true };
}

/** Merged in the order tasks finish; dependents start only after their dependencies merged. */
async function mergeInTurn(r: SessionRunner, sessionWorktree: string, taskWorktree: string, taskId: string) {
  const merging = r.integration.then(() =>
    r.acts.git.integrateTask({
      sessionWorktree,
      taskWorktree,
      sessionId: r.state.sessionId,
      taskId,
      branch: r.state.branch,
    }),
  );
  r.integration = merging.catch(() => undefined);
  return merging;
}

/** Runs the QA gates in a work tree and records each result; `summary` tells what failed. */
export async function runGates(
  r: SessionRunner,
  taskId: string | null,
  turnId: string,
  worktree: string,
  gates = r.state.settings.qaGates,
): Promise<{ passed: boolean; summary: string }> {
  if (gates.length === 0) return { passed: true, summary: '' };
  const qa = await r.acts.qa.runQaGates({ worktree, gates, turnId });
  await r.record(
    ...qa.results.map((g): ExecutionEvent => ({
      type: 'QaGateResult',
      data: {
        ...r.base(),
        turnId,
        taskId,
        gate: g.gate,
        passed: g.passed,
        exitCode: g.exitCode,
        timedOut: g.timedOut,
        durationMs: g.durationMs,
        outputTail: g.outputTail,
      },
    })),
  );
  const failed = qa.results.filter((g) => !g.passed);
  return {
    passed: failed.length === 0,
    summary: failed
      .map(
        (g) =>
          `QA gate "${g.gate}" failed (${g.timedOut ? 'timed out' : `exit ${g.exitCode}`}):\n${g.outputTail}`,
      )
      .join('\n\n'),
  };
}
