/**
 * The rollback workflow's contract (docs/rollback.md): its type and id, input and outcome, and its
 * activities. Pure types and string helpers (workflow code imports this library).
 */
import type { RepositoryRollback, RollbackConflict, RollbackEvent, RollbackTarget } from '@chunkwise/domain';

/** Workflow type of the rollback workflow (the exported function's name). */
export const ROLLBACK_WORKFLOW = 'planRollbackWorkflow';

/** One workflow execution per rollback. */
export const rollbackWorkflowId = (planId: string, rollbackId: string) => `chunkwise-${planId}-${rollbackId}`;

export interface RollbackWorkflowInput {
  planId: string;
  rollbackId: string;
  sessionId: string;
  taskId: string | null;
  /** The plan's revision when the rollback was requested (carried by the events). */
  revision: number;
  /** Per repository, in order; `path`: where the repository is on the workers' hosts. */
  targets: Array<RollbackTarget & { path: string }>;
  timing?: { heartbeatTimeoutSec?: number };
}

export type RollbackOutcome =
  | { ok: true; results: RepositoryRollback[]; tasks: string[] }
  | {
      ok: false;
      reason: string;
      conflict: RollbackConflict | null;
      results: RepositoryRollback[];
      tasks: string[];
    };

export interface RollbackRepositoryInput {
  planId: string;
  rollbackId: string;
  /** The repository's path on the host. */
  repository: string;
  branch: string;
  start: string | null;
  commits: string[];
  /** A task repository other than the plan's: its work tree's key (multi-repository plans). */
  repositoryKey?: string;
  /** Only check that the rollback applies, changing nothing (several repositories: all or none). */
  dryRun?: boolean;
}

/** A conflict (or a dirty work tree, or commits no longer on the branch) is an answer, not an error. */
export type RollbackRepositoryResult =
  | ({ ok: true } & Omit<RepositoryRollback, 'repository' | 'branch'>)
  | {
      ok: false;
      reason: 'conflict' | 'dirty' | 'not_on_branch';
      message: string;
      conflict: { commit: string; files: string[] } | null;
      head: string;
    };

/** What the result events of a rollback carry besides its outcome. */
export interface RollbackIdentity {
  revision: number;
  rollbackId: string;
  sessionId: string;
  taskId: string | null;
}

export type RollbackResultEvent = Extract<RollbackEvent, { type: 'RollbackCompleted' | 'RollbackFailed' }>;

/**
 * The event that records a rollback's outcome: one mapping for the workflow, for a workflow that
 * could not start and for settling one that was lost.
 */
export function rollbackResultEvent(
  identity: RollbackIdentity,
  outcome: RollbackOutcome,
): RollbackResultEvent {
  if (outcome.ok)
    return {
      type: 'RollbackCompleted',
      data: { ...identity, results: outcome.results, tasks: outcome.tasks },
    };
  const { ok: _ok, ...failure } = outcome;
  return { type: 'RollbackFailed', data: { ...identity, ...failure } };
}

/** The outcome of a rollback that undid nothing, and why. */
export const rollbackFailure = (reason: string): RollbackOutcome => ({
  ok: false,
  reason,
  conflict: null,
  results: [],
  tasks: [],
});

export interface RecordRollbackResultInput {
  planId: string;
  /** The event id derives from it: a retried record is a no-op. */
  key: string;
  event: RollbackResultEvent;
}

export interface RollbackActivities {
  /** Undoes the commits on the session branch in the session's work tree (any host holding the repository). */
  rollbackRepository(input: RollbackRepositoryInput): Promise<RollbackRepositoryResult>;
  recordRollbackResult(input: RecordRollbackResultInput): Promise<void>;
}
