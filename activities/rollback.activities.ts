import { ApplicationFailure } from '@temporalio/activity';
import { PlanCommandService } from '@chunkwise/application';
import {
  worktreePathFor,
  type RecordRollbackResultInput,
  type RollbackActivities,
  type RollbackRepositoryInput,
  type RollbackRepositoryResult,
} from '@chunkwise/contracts';
import { eventIdFromKey } from '@chunkwise/event-store';
import { BranchMissingError, isGitRepository, rollbackSessionBranch } from '@chunkwise/git';
import { heartbeatMsOf, type SessionActivityDeps } from './deps';
import { heartbeating, isRetry } from './heartbeat';

/** The rollback workflow's activities (docs/rollback.md): the git work, and recording its result. */
export function createRollbackActivities(deps: SessionActivityDeps): RollbackActivities {
  const plans = new PlanCommandService(deps.eventStore);
  const heartbeatMs = heartbeatMsOf(deps);
  return {
    async rollbackRepository(input: RollbackRepositoryInput): Promise<RollbackRepositoryResult> {
      if (!(await isGitRepository(input.repository).catch(() => false)))
        throw ApplicationFailure.nonRetryable(
          `repository ${input.repository} is not a git repository on this worker`,
          'RepositoryNotFound',
        );
      return heartbeating(heartbeatMs, () =>
        rollbackSessionBranch({
          ...input,
          worktreePath: worktreePathFor(deps.dataDir, input.branch, input.repositoryKey),
          retry: isRetry(),
        }).catch((err: unknown) => {
          if (err instanceof BranchMissingError)
            throw ApplicationFailure.nonRetryable(err.message, 'BranchMissing');
          throw err;
        }),
      );
    },

    async recordRollbackResult(input: RecordRollbackResultInput): Promise<void> {
      await plans.execute(
        input.planId,
        { type: 'RecordRollbackResult', event: input.event },
        { eventId: () => eventIdFromKey(input.key), metadata: { source: 'rollback' } },
      );
    },
  };
}
