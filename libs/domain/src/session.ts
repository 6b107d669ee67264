import { noSpend, type SessionBudget, type Spend } from './budget';
import type { PauseReason } from './execution-events';
import type { ResolvedExecutionSettings } from './execution-settings';
import type { Chunk, PlanContent, Task, TaskStatus } from './schemas';
import { repositoryProgress, turnScopeRepositoryProblem, type RepositoryProgress } from './task-repositories';

/**
 * The pure model of one execution session (one Temporal workflow execution). The workflow builds a
 * SessionState here, then changes it only by folding the events it records (`evolveSession`), and
 * carries it across continue-as-new and into a resumed session — so completed tasks are never
 * rebuilt from the frozen plan. The plan's read model folds the same events into the same state.
 */

export type SessionStatus = 'running' | 'paused' | 'stopped' | 'completed' | 'failed' | 'cancelled';
export type StartFrom = 'beginning' | 'current' | 'chunk' | 'task';

export interface SessionTask {
  id: string;
  chunk: string;
  title: string;
  description: string;
  acceptance: string[];
  dependsOn: string[];
  canRunInParallel: boolean;
  status: TaskStatus;
  attempts: number;
  lastError: string | null;
  commitSha: string | null;
  /** Outside the requested range: never run, and counts as satisfied for dependencies. */
  outOfScope: boolean;
  startedAt: number | null;
  endedAt: number | null;
  /** The task's own repository (`repo:<id>` or a path) when it is not the plan's; see task-repositories.ts. */
  repository?: string | null;
}

export interface SessionChunk {
  key: string;
  title: string;
  executionMode: Chunk['executionMode'];
  pauseAfter: boolean;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'out_of_scope';
}

/**
 * What a session's events determine: its whole state except the settings it runs with (those are
 * configuration, not history). The plan's fold keeps this part; the workflow keeps a SessionState.
 */
export interface SessionCore {
  planId: string;
  planTitle: string;
  sessionId: string;
  revision: number;
  status: SessionStatus;
  pauseReason: PauseReason | null;
  pauseDetail: string | null;
  chunks: SessionChunk[];
  tasks: SessionTask[];
  /** Counter for deterministic event ids; survives continue-as-new. */
  eventSeq: number;
  turnSeq: number;
  commits: string[];
  /** Tasks of manual chunks approved to start (and not started yet when carried over). */
  approved: string[];
  startedAt: number;
  /** Time spent in earlier runs of this session (continue-as-new, resume after stop). */
  elapsedBeforeMs: number;
  /** Branch and work tree of the session. */
  branch: string;
  /** What this session's turns reported spending (absent in states from before the ledger). */
  spent?: Spend;
  /** What the last turn that reported usage spent: the expected cost of the next one. */
  lastTurnSpend?: Spend | null;
}

export interface SessionState extends SessionCore {
  settings: ResolvedExecutionSettings;
  /** The budget the session checks before each turn; absent: no budget (sessions started before budgets). */
  budget?: SessionBudget | null;
}

export interface SessionStartInput {
  planId: string;
  sessionId: string;
  revision: number;
  content: PlanContent;
  settings: ResolvedExecutionSettings;
  from: StartFrom;
  target?: string | null;
  /** Range of chunk keys such as `C02-C04` (prefix match on the key's part before `_`). */
  chunks?: string | null;
  startedAt: number;
}

export type SessionCoreInput = Omit<SessionStartInput, 'settings'>;

export class SessionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionInputError';
  }
}

export const sessionBranch = (planId: string, sessionId: string) => `chunkwise/${planId}/${sessionId}`;

const keyMatches = (key: string, ref: string) => key === ref || key.split('_')[0] === ref;

/** Resolves a `C02-C04` (or single `C03`) range to chunk keys, in plan order. */
export function chunkRange(chunks: readonly Chunk[], range: string): string[] {
  const [a, b = a] = range.split('-').map((s) => s.trim());
  const from = chunks.findIndex((c) => keyMatches(c.key, a));
  const to = chunks.findIndex((c) => keyMatches(c.key, b));
  if (from < 0)
    throw new SessionInputError(`chunk ${a} not found (known: ${chunks.map((c) => c.key).join(', ')})`);
  if (to < 0)
    throw new SessionInputError(`chunk ${b} not found (known: ${chunks.map((c) => c.key).join(', ')})`);
  if (to < from) throw new SessionInputError(`chunk range ${range} is reversed`);
  return chunks.slice(from, to + 1).map((c) => c.key);
}

/** Builds the state of a new session from a frozen plan and the execute request. */
export function startSession(input: SessionStartInput): SessionState {
  const core = sessionCore(input);
  const problem = turnScopeRepositoryProblem(core, input.settings.turnScope);
  if (problem) throw new SessionInputError(problem);
  return { ...core, settings: input.settings };
}

/** The event-determined part of a new session (what the plan's fold builds at ExecutionRequested). */
export function sessionCore(input: SessionCoreInput): SessionCore {
  const { content } = input;
  let scope = input.chunks ? chunkRange(content.chunks, input.chunks) : content.chunks.map((c) => c.key);
  let skipBefore: string | null = null; // tasks before this one in its chunk are out of scope

  switch (input.from) {
    case 'beginning':
    case 'current':
      break;
    case 'chunk': {
      if (!input.target) throw new SessionInputError('from=chunk needs a target chunk');
      const start = content.chunks.findIndex((c) => keyMatches(c.key, input.target!));
      if (start < 0) throw new SessionInputError(`chunk ${input.target} not found`);
      const after = new Set(content.chunks.slice(start).map((c) => c.key));
      scope = scope.filter((k) => after.has(k));
      break;
    }
    case 'task': {
      const task = content.tasks.find((t) => t.id === input.target);
      if (!task) throw new SessionInputError(`task ${input.target ?? '(none)'} not found`);
      const start = content.chunks.findIndex((c) => c.key === task.chunk);
      const after = new Set(content.chunks.slice(start).map((c) => c.key));
      scope = scope.filter((k) => after.has(k));
      skipBefore = task.id;
      break;
    }
  }
  if (scope.length === 0) throw new SessionInputError('the requested range holds no chunk');

  const inScope = new Set(scope);
  const tasks: SessionTask[] = [];
  const beforeTarget = new Set<string>();
  if (skipBefore) {
    const target = content.tasks.find((t) => t.id === skipBefore)!;
    for (const t of content.tasks.filter((x) => x.chunk === target.chunk)) {
      if (t.id === skipBefore) break;
      beforeTarget.add(t.id);
    }
  }
  for (const t of content.tasks) {
    const outOfScope = !inScope.has(t.chunk) || beforeTarget.has(t.id);
    // `beginning` runs everything again; otherwise tasks already done stay done. Tasks that arrived
    // done (imported as completed, never run here) and cancelled ones are never executed.
    const arrivedDone = t.status === 'completed' && t.attempts === 0 && t.commitSha === null;
    const keep =
      t.cancelled ||
      arrivedDone ||
      (input.from !== 'beginning' && (t.status === 'completed' || t.status === 'skipped'));
    tasks.push(sessionTask(t, outOfScope, keep));
  }
  return {
    planId: input.planId,
    planTitle: content.title,
    sessionId: input.sessionId,
    revision: input.revision,
    status: 'running',
    pauseReason: null,
    pauseDetail: null,
    chunks: content.chunks.map((c) => ({
      key: c.key,
      title: c.title,
      executionMode: c.executionMode,
      pauseAfter: c.pauseAfter,
      status: inScope.has(c.key) ? 'pending' : 'out_of_scope',
    })),
    tasks,
    eventSeq: 0,
    turnSeq: 0,
    commits: [],
    approved: [],
    startedAt: input.startedAt,
    elapsedBeforeMs: 0,
    branch: sessionBranch(input.planId, input.sessionId),
  };
}

/** A plan task as a session task, exactly as the plan records it (in scope, no times). */
export function sessionTaskOf(t: Task): SessionTask {
  return {
    id: t.id,
    chunk: t.chunk,
    title: t.title,
    description: t.description,
    acceptance: [...t.acceptance],
    dependsOn: [...t.dependsOn],
    canRunInParallel: t.canRunInParallel,
    status: t.status,
    attempts: t.attempts,
    lastError: t.lastError,
    commitSha: t.commitSha,
    outOfScope: false,
    startedAt: null,
    endedAt: null,
    ...(t.repository ? { repository: t.repository } : {}),
  };
}

function sessionTask(t: Task, outOfScope: boolean, keep: boolean): SessionTask {
  return {
    ...sessionTaskOf(t),
    status: t.cancelled ? 'skipped' : keep ? t.status : 'pending',
    attempts: keep ? t.attempts : 0,
    lastError: null,
    commitSha: keep ? t.commitSha : null,
    outOfScope,
  };
}

/**
 * The state of a session resumed after a stop: same tasks and statuses (completed ones kept),
 * a running task goes back to pending, a failed one is retried with its attempts reset.
 */
export function resumeSession<S extends SessionCore>(previous: S, sessionId: string, now: number): S {
  return {
    ...previous,
    sessionId,
    status: 'running',
    pauseReason: null,
    pauseDetail: null,
    eventSeq: 0,
    turnSeq: 0,
    // Approvals are asked again in the new session.
    approved: [],
    // A new session has its own budget.
    spent: noSpend(),
    startedAt: now,
    elapsedBeforeMs: previous.elapsedBeforeMs + (now - previous.startedAt),
    chunks: previous.chunks.map((c) =>
      c.status === 'running' || c.status === 'failed' ? { ...c, status: 'pending' } : c,
    ),
    tasks: previous.tasks.map((t) =>
      t.status === 'running' || t.status === 'failed'
        ? { ...t, status: 'pending', attempts: t.status === 'failed' ? 0 : t.attempts }
        : t,
    ),
  };
}

const DONE: ReadonlySet<TaskStatus> = new Set(['completed', 'skipped']);

export const isTaskDone = (t: SessionTask) => t.outOfScope || DONE.has(t.status);

export function chunkTasks(state: SessionCore, chunk: string): SessionTask[] {
  return state.tasks.filter((t) => t.chunk === chunk && !t.outOfScope);
}

/** The first in-scope chunk that still has work, or null when the session is done. */
export function currentChunk(state: SessionCore): SessionChunk | null {
  return state.chunks.find((c) => c.status !== 'out_of_scope' && c.status !== 'completed') ?? null;
}

export function nextChunkAfter(state: SessionCore, key: string): SessionChunk | null {
  const i = state.chunks.findIndex((c) => c.key === key);
  return (
    state.chunks.slice(i + 1).find((c) => c.status !== 'out_of_scope' && c.status !== 'completed') ?? null
  );
}

/** Whether every dependency of the task is done (completed, skipped or out of scope). */
export function dependenciesDone(state: SessionCore, task: SessionTask): boolean {
  return task.dependsOn.every((d) => {
    const dep = state.tasks.find((t) => t.id === d);
    return !dep || isTaskDone(dep);
  });
}

/**
 * Tasks of a chunk that may start now. Sequential and manual chunks: the first pending task, in
 * order. Parallel chunks: every pending task whose dependencies are done and that may run in
 * parallel, up to `slots`; a task that may not run in parallel starts only when nothing else runs.
 */
export function runnableTasks(
  state: SessionCore,
  chunk: SessionChunk,
  running: number,
  slots: number,
): SessionTask[] {
  const tasks = chunkTasks(state, chunk.key);
  const pending = tasks.filter((t) => t.status === 'pending');
  if (chunk.executionMode !== 'parallel') {
    if (running > 0) return [];
    const first = pending[0];
    return first ? [first] : [];
  }
  const out: SessionTask[] = [];
  for (const t of pending) {
    if (running + out.length >= slots) break;
    if (!dependenciesDone(state, t)) continue;
    if (!t.canRunInParallel) {
      if (running === 0 && out.length === 0) return [t];
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Changes one task. Only `evolveSession` (and tests building states) should call it. */
export function updateTask<S extends SessionCore>(state: S, taskId: string, change: Partial<SessionTask>): S {
  return { ...state, tasks: state.tasks.map((t) => (t.id === taskId ? { ...t, ...change } : t)) };
}

/** Changes one chunk. Only `evolveSession` (and tests building states) should call it. */
export function updateChunk<S extends SessionCore>(state: S, key: string, change: Partial<SessionChunk>): S {
  return { ...state, chunks: state.chunks.map((c) => (c.key === key ? { ...c, ...change } : c)) };
}

export interface SessionProgress {
  planId: string;
  sessionId: string;
  revision: number;
  status: SessionStatus;
  pauseReason: PauseReason | null;
  pauseDetail: string | null;
  currentChunk: string | null;
  nextChunk: string | null;
  chunks: Array<
    SessionChunk & { total: number; completed: number; skipped: number; failed: number; running: number }
  >;
  tasks: Array<
    Pick<
      SessionTask,
      | 'id'
      | 'chunk'
      | 'title'
      | 'status'
      | 'attempts'
      | 'lastError'
      | 'commitSha'
      | 'outOfScope'
      | 'startedAt'
      | 'endedAt'
      | 'repository'
    >
  >;
  totals: {
    tasks: number;
    completed: number;
    skipped: number;
    failed: number;
    running: number;
    pending: number;
  };
  commits: string[];
  elapsedMs: number;
  branch: string;
  /** Per repository (the plan's first, null): its tasks and commits; the same branch name in each. */
  repositories?: RepositoryProgress[];
}

/** The progress query's answer: current and next chunk, per-chunk and per-task status, commits, time. */
export function sessionProgress(state: SessionCore, now: number): SessionProgress {
  const current = currentChunk(state);
  const count = (ts: SessionTask[], s: TaskStatus) => ts.filter((t) => t.status === s).length;
  const scoped = state.tasks.filter((t) => !t.outOfScope);
  return {
    planId: state.planId,
    sessionId: state.sessionId,
    revision: state.revision,
    status: state.status,
    pauseReason: state.pauseReason,
    pauseDetail: state.pauseDetail,
    currentChunk: current?.key ?? null,
    nextChunk: current ? (nextChunkAfter(state, current.key)?.key ?? null) : null,
    chunks: state.chunks.map((c) => {
      const ts = chunkTasks(state, c.key);
      return {
        ...c,
        total: ts.length,
        completed: count(ts, 'completed'),
        skipped: count(ts, 'skipped'),
        failed: count(ts, 'failed'),
        running: count(ts, 'running'),
      };
    }),
    tasks: state.tasks.map(
      ({
        id,
        chunk,
        title,
        status,
        attempts,
        lastError,
        commitSha,
        outOfScope,
        startedAt,
        endedAt,
        repository,
      }) => ({
        id,
        chunk,
        title,
        status,
        attempts,
        lastError,
        commitSha,
        outOfScope,
        startedAt,
        endedAt,
        ...(repository ? { repository } : {}),
      }),
    ),
    totals: {
      tasks: scoped.length,
      completed: count(scoped, 'completed'),
      skipped: count(scoped, 'skipped'),
      failed: count(scoped, 'failed'),
      running: count(scoped, 'running'),
      pending: count(scoped, 'pending'),
    },
    commits: [...state.commits],
    elapsedMs: state.elapsedBeforeMs + Math.max(0, now - state.startedAt),
    branch: state.branch,
    repositories: repositoryProgress(state),
  };
}
