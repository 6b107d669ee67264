import { DomainError } from './errors';
import type { ExecutionEvent } from './execution-events';
import type { PlanStatus, Task } from './schemas';
import { sessionBranch, type SessionCore } from './session';
import { repositoryWorktreeKey } from './task-repositories';
import type { PlanState } from './state';
import type { RollbackEvent, RollbackLedger, RollbackTarget, SessionCommitLog } from './rollback-events';

/**
 * Rollback of a session, or of one task's commit (docs/rollback.md): the commands decided on the
 * plan's stream and the one place their events change the plan. The git work is in libs/git
 * (rollback.ts), the orchestration in workflows/rollback.workflow.ts.
 */
export type RollbackCommand =
  | {
      type: 'RequestRollback';
      rollbackId: string;
      workflowId: string;
      /** null: the plan's latest session. */
      sessionId: string | null;
      /** Undo this task's commit only. */
      taskId: string | null;
    }
  | {
      /** What the rollback workflow did (recorded once: a retried record is a no-op). */
      type: 'RecordRollbackResult';
      event: Extract<RollbackEvent, { type: 'RollbackCompleted' | 'RollbackFailed' }>;
    };

const ROLLBACK_COMMANDS: ReadonlySet<string> = new Set<RollbackCommand['type']>([
  'RequestRollback',
  'RecordRollbackResult',
]);

export const isRollbackCommand = (command: { type: string }): command is RollbackCommand =>
  ROLLBACK_COMMANDS.has(command.type);

const emptyLedger = (): RollbackLedger => ({ sessions: {}, pending: null });

/** The session a rollback request names (the latest when none is given); undefined when there is none. */
export function rollbackSession(state: PlanState, sessionId: string | null): string | undefined {
  const id = sessionId ?? state.session?.sessionId;
  return id && state.sessions.includes(id) ? id : undefined;
}

export function decideRollback(command: RollbackCommand, state: PlanState): RollbackEvent[] {
  const ledger = state.rollbacks ?? emptyLedger();
  switch (command.type) {
    case 'RequestRollback': {
      if (state.archived) throw new DomainError('plan_archived', `plan ${state.planId} is archived`);
      const active = state.session?.status === 'running' || state.session?.status === 'paused';
      if (active)
        throw new DomainError(
          'invalid_transition',
          `plan ${state.planId} has an active session (${state.session?.sessionId}, ${state.session?.status}); stop or cancel it before a rollback`,
        );
      if (ledger.pending)
        throw new DomainError(
          'invalid_transition',
          `rollback ${ledger.pending.rollbackId} of plan ${state.planId} is under way; one rollback at a time`,
        );
      const sessionId = rollbackSession(state, command.sessionId);
      if (!sessionId)
        throw new DomainError(
          'invalid_transition',
          command.sessionId
            ? `plan ${state.planId} has no session ${command.sessionId}`
            : `plan ${state.planId} has never been executed`,
        );
      const log = ledger.sessions[sessionId];
      const open = (log?.commits ?? []).filter((c) => !c.reverted);
      // One target per repository (multi-repository plans): the plan's first, then the others.
      const targetsOf = (commits: typeof open): RollbackTarget[] => {
        const repositories = [...new Set(commits.map((c) => c.repository ?? null))].sort((a, b) =>
          a === null ? -1 : b === null ? 1 : 0,
        );
        return repositories.map((repository) => ({
          repository: repository ?? state.content.repository,
          branch: log!.branch,
          start: command.taskId
            ? null
            : ((repository === null ? log!.start : log!.starts?.[repository]) ?? null),
          commits: commits
            .filter((c) => (c.repository ?? null) === repository)
            .map(({ sha, tasks }) => ({ sha, tasks: [...tasks] })),
          ...(repository === null ? {} : { worktreeKey: repositoryWorktreeKey(repository) }),
        }));
      };
      let targets: RollbackTarget[];
      if (command.taskId) {
        const task = state.content.tasks.find((t) => t.id === command.taskId);
        if (!task)
          throw new DomainError('task_not_found', `task ${command.taskId} not found in plan ${state.planId}`);
        const commit = open.find((c) => c.tasks.includes(task.id));
        if (!commit || task.status !== 'completed' || task.commitSha !== commit.sha)
          throw new DomainError(
            'invalid_transition',
            `task ${task.id} has no commit of session ${sessionId} to undo (it is ${task.status}${task.commitSha ? `, commit ${task.commitSha.slice(0, 12)}` : ''})`,
          );
        targets = targetsOf([commit]);
      } else {
        if (open.length === 0)
          throw new DomainError(
            'invalid_transition',
            `session ${sessionId} of plan ${state.planId} has no commits to roll back`,
          );
        targets = targetsOf(open);
      }
      const { rollbackId, workflowId, taskId } = command;
      return [
        {
          type: 'RollbackRequested',
          data: { revision: state.revision, rollbackId, workflowId, sessionId, taskId, targets },
        },
      ];
    }
    case 'RecordRollbackResult':
      // Only the rollback under way ends, and only once.
      return ledger.pending?.rollbackId === command.event.data.rollbackId ? [command.event] : [];
  }
}

/** Applies a rollback event: the one place a rollback changes the plan (its tasks, run, status). */
export function evolveRollback(state: PlanState, event: RollbackEvent): PlanState {
  const ledger = state.rollbacks ?? emptyLedger();
  if (event.type === 'RollbackRequested') {
    const { rollbackId, workflowId, sessionId, taskId } = event.data;
    return { ...state, rollbacks: { ...ledger, pending: { rollbackId, workflowId, sessionId, taskId } } };
  }
  const { rollbackId, sessionId, results, tasks } = event.data;
  const reverted = new Set(results.flatMap((r) => r.reverted));
  const log = ledger.sessions[sessionId];
  const sessions = log
    ? {
        ...ledger.sessions,
        [sessionId]: {
          ...log,
          commits: log.commits.map((c) => (reverted.has(c.sha) ? { ...c, reverted: true } : c)),
        },
      }
    : ledger.sessions;
  const pending = ledger.pending?.rollbackId === rollbackId ? null : ledger.pending;
  const next: PlanState = { ...state, rollbacks: { sessions, pending } };
  // A task goes back to pending when the commit it is credited with was undone.
  const undone = (t: { id: string; commitSha: string | null }) =>
    tasks.includes(t.id) && !!t.commitSha && reverted.has(t.commitSha);
  if (!state.content.tasks.some(undone)) return next;
  return {
    ...next,
    content: {
      ...state.content,
      tasks: state.content.tasks.map((t): Task => (undone(t) ? { ...t, ...PENDING } : t)),
    },
    run: state.run ? rolledBackRun(state.run, undone, reverted) : state.run,
    status: AGAIN.has(state.status) ? 'ready' : state.status,
    // The stopped session's checkpoint holds the undone commits: execute again instead of resuming.
    session: state.session ? { ...state.session, resumable: false } : state.session,
  };
}

const PENDING = { status: 'pending', commitSha: null, attempts: 0, lastError: null } as const;
/** Plan statuses from which a rollback makes the plan ready to execute its pending tasks again. */
const AGAIN: ReadonlySet<PlanStatus> = new Set<PlanStatus>(['completed', 'failed', 'cancelled', 'paused']);

function rolledBackRun(
  run: SessionCore,
  undone: (t: { id: string; commitSha: string | null }) => boolean,
  reverted: Set<string>,
): SessionCore {
  const reset = new Set(run.tasks.filter(undone).map((t) => t.id));
  const chunks = new Set(run.tasks.filter((t) => reset.has(t.id)).map((t) => t.chunk));
  return {
    ...run,
    tasks: run.tasks.map((t) => (reset.has(t.id) ? { ...t, ...PENDING, startedAt: null, endedAt: null } : t)),
    chunks: run.chunks.map((c) =>
      chunks.has(c.key) && c.status === 'completed' ? { ...c, status: 'pending' } : c,
    ),
    commits: run.commits.filter((sha) => !reverted.has(sha)),
  };
}

/**
 * Keeps each session's branch, start and commits as its execution events tell them (called by the
 * plan's fold after each execution event), so that a rollback knows what to undo.
 */
export function trackSessionCommits(state: PlanState, event: ExecutionEvent): PlanState {
  if (
    event.type !== 'ExecutionRequested' &&
    event.type !== 'ExecutionStarted' &&
    event.type !== 'TaskCompleted'
  )
    return state;
  const ledger = state.rollbacks ?? emptyLedger();
  const { sessionId } = event.data;
  const log: SessionCommitLog = ledger.sessions[sessionId] ?? {
    branch: state.run?.sessionId === sessionId ? state.run.branch : sessionBranch(state.planId, sessionId),
    start: null,
    commits: [],
  };
  let next = log;
  if (event.type === 'ExecutionStarted' && !log.start && event.data.head)
    next = { ...log, start: event.data.head };
  if (event.type === 'ExecutionStarted' && event.data.repositoryHeads && !log.starts)
    next = { ...next, starts: { ...event.data.repositoryHeads } };
  if (event.type === 'TaskCompleted' && event.data.sha) {
    const { sha, taskId } = event.data;
    const known = log.commits.find((c) => c.sha === sha);
    const own = state.content.tasks.find((t) => t.id === taskId)?.repository;
    // The plan's own repository named on a task is the plan's (one work tree).
    const repository = own && own !== state.content.repository ? own : undefined;
    next = {
      ...log,
      commits: known
        ? log.commits.map((c) =>
            c.sha === sha && !c.tasks.includes(taskId) ? { ...c, tasks: [...c.tasks, taskId] } : c,
          )
        : [...log.commits, { sha, tasks: [taskId], reverted: false, ...(repository ? { repository } : {}) }],
    };
  }
  if (next === log && ledger.sessions[sessionId]) return state;
  return { ...state, rollbacks: { ...ledger, sessions: { ...ledger.sessions, [sessionId]: next } } };
}
