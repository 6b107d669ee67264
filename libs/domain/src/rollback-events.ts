/**
 * Rollback events on the plan's stream (docs/rollback.md). A rollback undoes one session's commits
 * (or one task's commit) on the session's branch, per repository; its tasks go back to pending.
 * They are plan events about a session, not a session's own events: a finished session is rolled
 * back by its own workflow, so they are kept apart from ExecutionEvent.
 */

/** One commit of a session and the tasks it completed (a chunk-scope turn completes several). */
export interface SessionCommit {
  sha: string;
  tasks: string[];
}

/** What a rollback undoes in one repository. */
export interface RollbackTarget {
  /** The repository as the plan names it (a path or `repo:<id>`). */
  repository: string | null;
  branch: string;
  /** The branch's commit when the session began; null when not recorded (older sessions). */
  start: string | null;
  /** The commits to undo, oldest first. */
  commits: SessionCommit[];
  /** A task repository other than the plan's (multi-repository plans): the key of its work tree. */
  worktreeKey?: string;
}

/** What a rollback did in one repository. */
export interface RepositoryRollback {
  repository: string | null;
  branch: string;
  /** `reset`: the branch was moved back to its start; `revert`: one revert commit per undone commit. */
  method: 'reset' | 'revert';
  /** The session's commits undone, newest first. */
  reverted: string[];
  /** The revert commits made (empty for a reset). */
  revertCommits: string[];
  previousHead: string;
  newHead: string;
  /** Whether the branch was pushed to the repository's remote. */
  pushed: boolean;
}

/** A revert that does not apply: the commit and the files in conflict. Nothing was changed. */
export interface RollbackConflict {
  repository: string | null;
  branch: string;
  commit: string;
  files: string[];
}

interface RollbackBase {
  revision: number;
  rollbackId: string;
  /** The session rolled back. */
  sessionId: string;
  /** The task whose commit is undone; null: the whole session. */
  taskId: string | null;
}

export type RollbackEvent =
  | { type: 'RollbackRequested'; data: RollbackBase & { workflowId: string; targets: RollbackTarget[] } }
  | { type: 'RollbackCompleted'; data: RollbackBase & { results: RepositoryRollback[]; tasks: string[] } }
  | {
      type: 'RollbackFailed';
      data: RollbackBase & {
        reason: string;
        conflict: RollbackConflict | null;
        /** Repositories rolled back before the failure (several repositories), and their tasks. */
        results: RepositoryRollback[];
        tasks: string[];
      };
    };

export type RollbackEventType = RollbackEvent['type'];

export const ROLLBACK_EVENT_TYPES: readonly RollbackEventType[] = [
  'RollbackRequested',
  'RollbackCompleted',
  'RollbackFailed',
];

const ROLLBACK: ReadonlySet<string> = new Set(ROLLBACK_EVENT_TYPES);
export const isRollbackEvent = (e: { type: string }): e is RollbackEvent => ROLLBACK.has(e.type);

/** A session's commits as its events tell them: what a rollback of it may undo. */
export interface SessionCommitLog {
  branch: string;
  start: string | null;
  /** Where the branch began in each of the tasks' other repositories (multi-repository plans). */
  starts?: Record<string, string>;
  /** `repository`: the task repository the commit is in, absent for the plan's. */
  commits: Array<SessionCommit & { reverted: boolean; repository?: string }>;
}

/** The plan's rollback bookkeeping: every session's commits, and the rollback under way (one at a time). */
export interface RollbackLedger {
  sessions: Record<string, SessionCommitLog>;
  pending: { rollbackId: string; workflowId: string; sessionId: string; taskId: string | null } | null;
}
