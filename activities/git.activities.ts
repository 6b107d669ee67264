import { ApplicationFailure, log } from '@temporalio/activity';
import {
  worktreePathFor,
  type CommitTaskInput,
  type CommitTaskResult,
  type FilesChangedInput,
  type IntegrateTaskInput,
  type IntegrateTaskResult,
  type PreparedTaskWorktree,
  type PreparedWorktree,
  type PrepareTaskWorktreeInput,
  type PrepareWorktreeInput,
  type RemovedTaskWorktrees,
  type RemoveTaskWorktreesInput,
} from '@chunkwise/contracts';
import { killLeftoverAgents, turnFiles } from '@chunkwise/agents';
import {
  abandonInterruptedCherryPick,
  cleanWorktree,
  clearStaleGitLocks,
  commitTask,
  ensureWorktree,
  filesOfCommits,
  hasOrigin,
  integrateTaskCommit,
  isGitRepository,
  NoRemoteError,
  prepareTaskWorktree,
  pushIfRemote,
  removeTaskBranch,
  removeTaskWorktrees,
  resetBranchToRemote,
  TaskCommitMissingError,
} from '@chunkwise/git';
import { heartbeatMsOf, type SessionActivityDeps } from './deps';
import { heartbeating, isRetry } from './heartbeat';

/** Work tree, commit and merge activities; each runs on the host that holds the work tree. */
export function createGitActivities(deps: SessionActivityDeps) {
  const heartbeatMs = heartbeatMsOf(deps);
  // A push is a copy for other hosts: an unreachable remote must not fail the task.
  const push = (cwd: string, branch: string, origin?: Promise<boolean>) =>
    pushIfRemote(cwd, branch, origin).catch(() => false);

  return {
    async prepareWorktree(input: PrepareWorktreeInput): Promise<PreparedWorktree> {
      if (!(await isGitRepository(input.repository).catch(() => false))) {
        throw ApplicationFailure.nonRetryable(
          `repository ${input.repository} is not a git repository on this worker`,
          'RepositoryNotFound',
        );
      }
      return heartbeating(heartbeatMs, async () => {
        // The "lost" host itself took the preparation: it was slow, not gone; its work tree stands.
        const recover = input.recoverFromRemote === true && input.lostTaskQueue !== deps.hostTaskQueue;
        if (recover) {
          await resetBranchToRemote(input.repository, input.branch).catch((err: unknown) => {
            if (err instanceof NoRemoteError)
              throw ApplicationFailure.nonRetryable(err.message, 'NoRemoteToRecover');
            throw err;
          });
        }
        const wt = await ensureWorktree({
          repository: input.repository,
          path: worktreePathFor(deps.dataDir, input.branch, input.repositoryKey),
          branch: input.branch,
          force: recover,
        });
        // A work tree this host kept from an earlier stay may hold a lost turn's leftovers.
        if (recover && !wt.created) await cleanWorktree(wt.path);
        return { path: wt.path, taskQueue: deps.hostTaskQueue, head: wt.head };
      });
    },

    async prepareTaskWorktree(input: PrepareTaskWorktreeInput): Promise<PreparedTaskWorktree> {
      return heartbeating(heartbeatMs, () =>
        prepareTaskWorktree({
          sessionWorktree: input.sessionWorktree,
          sessionBranch: input.branch,
          taskId: input.taskId,
        }),
      );
    },

    async commitTask(input: CommitTaskInput): Promise<CommitTaskResult> {
      return heartbeating(heartbeatMs, async () => {
        if (isRetry()) await clearStaleGitLocks(input.worktree);
        // Whether there is a remote to push to is asked alongside the commit (one git run less in line).
        const origin = hasOrigin(input.worktree);
        origin.catch(() => undefined);
        const c = await commitTask(input.worktree, input);
        return { ...c, pushed: await push(input.worktree, input.branch, origin) };
      });
    },

    /**
     * Cherry-picks a parallel task's commit onto the session branch, then removes the task's
     * branch and work tree. Idempotent; a conflict is reported, not thrown (the task's branch is
     * kept for inspection).
     */
    async integrateTask(input: IntegrateTaskInput): Promise<IntegrateTaskResult> {
      return heartbeating(heartbeatMs, async () => {
        if (isRetry()) {
          await clearStaleGitLocks(input.sessionWorktree);
          // A cherry-pick interrupted by a crash is abandoned; it is redone (or found done) below.
          await abandonInterruptedCherryPick(input.sessionWorktree);
        }
        const r = await integrateTaskCommit(input).catch((err: unknown) => {
          if (err instanceof TaskCommitMissingError) throw ApplicationFailure.nonRetryable(err.message);
          throw err;
        });
        if (!r.ok) return { ok: false, sha: null, files: [], conflict: r.conflict };
        await push(input.sessionWorktree, input.branch);
        // Cleanup must not turn an integrated task into a failed one: a leftover branch is only untidy.
        await removeTaskBranch({
          sessionWorktree: input.sessionWorktree,
          sessionBranch: input.branch,
          taskId: input.taskId,
          taskWorktree: input.taskWorktree,
        }).catch((err: unknown) =>
          log.warn('could not remove an integrated task branch', {
            taskId: input.taskId,
            error: String(err),
          }),
        );
        return { ok: true, sha: r.sha, files: r.files, conflict: null };
      });
    },

    async filesChanged(input: FilesChangedInput): Promise<string[]> {
      return filesOfCommits(input.worktree, input.shas);
    },

    /**
     * When a session ends: every task work tree and task branch goes (a failed or conflicting
     * task's too); the session's branch and work tree stay. A turn cancelled with the session may
     * still be running in a task work tree: its agent is stopped first.
     */
    async removeTaskWorktrees(input: RemoveTaskWorktreesInput): Promise<RemovedTaskWorktrees> {
      return heartbeating(heartbeatMs, async () => {
        if (isRetry()) await clearStaleGitLocks(input.sessionWorktree);
        const r = await removeTaskWorktrees({
          sessionWorktree: input.sessionWorktree,
          sessionBranch: input.branch,
          beforeRemove: (wt) => killLeftoverAgents(turnFiles(wt).planFile),
        });
        if (r.worktrees.length || r.branches.length)
          log.info('removed task work trees and branches of the ended session', { ...r });
        return r;
      });
    },
  };
}
