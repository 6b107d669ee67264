/**
 * The rollback of a session, or of one task's commit (docs/rollback.md). Per repository, in order:
 * the git activity undoes the commits on the session's branch (reset or revert) or answers with a
 * conflict having changed nothing; the first failure ends the rollback. The result is recorded once
 * on the plan's stream (RollbackCompleted or RollbackFailed, an id derived from the rollback's).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { RepositoryRollback, RollbackConflict } from '@chunkwise/domain';
import {
  rollbackResultEvent,
  type RollbackActivities,
  type RollbackOutcome,
  type RollbackWorkflowInput,
} from '@chunkwise/contracts';

export async function planRollbackWorkflow(input: RollbackWorkflowInput): Promise<RollbackOutcome> {
  const git = proxyActivities<RollbackActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: (input.timing?.heartbeatTimeoutSec ?? 30) * 1000,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
  const bookkeeping = proxyLocalActivities<RollbackActivities>({
    startToCloseTimeout: '30 seconds',
    localRetryThreshold: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });

  const results: RepositoryRollback[] = [];
  const tasks: string[] = [];
  // Typed by `as`: set inside `undo`, which the compiler does not follow.
  let failure = null as { reason: string; conflict: RollbackConflict | null } | null;
  const undo = async (target: RollbackWorkflowInput['targets'][number], dryRun: boolean) => {
    const { repository, branch } = target;
    try {
      const r = await git.rollbackRepository({
        planId: input.planId,
        rollbackId: input.rollbackId,
        repository: target.path,
        branch,
        start: target.start,
        commits: target.commits.map((c) => c.sha),
        ...(target.worktreeKey ? { repositoryKey: target.worktreeKey } : {}),
        ...(dryRun ? { dryRun } : {}),
      });
      if (r.ok) return r;
      failure = { reason: r.message, conflict: r.conflict ? { repository, branch, ...r.conflict } : null };
    } catch (err) {
      failure = { reason: `rollback of ${branch} failed: ${causeOf(err)}`, conflict: null };
    }
    return null;
  };
  // Several repositories: every one is checked first, so that a conflict in one changes none.
  if (input.targets.length > 1) for (const target of input.targets) if (!(await undo(target, true))) break;
  for (const target of failure ? [] : input.targets) {
    const { repository, branch } = target;
    const r = await undo(target, false);
    if (!r) break;
    const { ok: _ok, ...done } = r;
    results.push({ repository, branch, ...done });
    for (const c of target.commits)
      if (r.reverted.includes(c.sha)) for (const t of c.tasks) if (!tasks.includes(t)) tasks.push(t);
  }

  const outcome: RollbackOutcome = failure
    ? { ok: false, ...failure, results, tasks }
    : { ok: true, results, tasks };
  const { revision, rollbackId, sessionId, taskId } = input;
  await bookkeeping.recordRollbackResult({
    planId: input.planId,
    key: `${rollbackId}/result`,
    event: rollbackResultEvent({ revision, rollbackId, sessionId, taskId }, outcome),
  });
  return outcome;
}

function causeOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}
