import { EXECUTION_EVENT_TYPES, type ExecutionEvent } from './execution-events';
import type { Chunk, PlanContent, PlanStatus, Task } from './schemas';
import {
  resumeSession,
  sessionBranch,
  sessionCore,
  sessionTaskOf,
  SessionInputError,
  type SessionChunk,
  type SessionCore,
  type SessionStatus,
  type SessionTask,
  type StartFrom,
} from './session';
import { evolveSession } from './session-evolve';
import type { PlanSessionInfo, PlanState } from './state';

/**
 * The execution part of the plan's fold. There is no second reducer: the plan keeps its current
 * session's state (`run`), built at ExecutionRequested the way the session service builds the
 * workflow's, and advances it with `evolveSession`. The plan's status, its session info and the
 * execution fields of each task an event touches are read from that state. Tasks the session has not
 * touched yet keep what the plan recorded before (a re-run from the beginning shows a task's earlier
 * result until its first turn). `at` is the stored event's time (see storedEventTime).
 */
export function evolvePlanExecution(plan: PlanState, event: ExecutionEvent, at: number): PlanState {
  const begins = beginsSession(plan, event);
  const before = begins ? newRun(plan, event, at) : (plan.run ?? planAsSession(plan, plan.session, event));
  const run = evolveSession(before, event, at);
  // An event of another session than the plan's current one changes nothing.
  if (!begins && run === before) return plan;
  const content = withTasksFrom(plan.content, run, touchedTasks(event));
  if (begins) {
    const { sessionId, workflowId, revision } = event.data as {
      sessionId: string;
      workflowId: string;
      revision: number;
    };
    return {
      ...plan,
      content,
      run,
      status: planStatusOf(run.status),
      session: { ...sessionInfo(run), sessionId, workflowId, startedRevision: revision },
      sessions: plan.sessions.includes(sessionId) ? plan.sessions : [...plan.sessions, sessionId],
    };
  }
  // Events with no session known (a stream written before sessions were recorded) move tasks only.
  if (!plan.session) return { ...plan, content, run };
  return {
    ...plan,
    content,
    run,
    status: planStatusOf(run.status),
    session: { ...plan.session, ...sessionInfo(run) },
  };
}

/** The time of an event read from the store (its `recordedAt`); 0 for an event that has none. */
export function storedEventTime(event: object): number {
  const at = (event as { recordedAt?: unknown }).recordedAt;
  const t = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

const EXECUTION: ReadonlySet<string> = new Set(EXECUTION_EVENT_TYPES);
export const isExecutionEvent = (e: { type: string }): e is ExecutionEvent => EXECUTION.has(e.type);

function beginsSession(plan: PlanState, event: ExecutionEvent): boolean {
  if (event.type === 'ExecutionRequested') return true;
  // A stream whose ExecutionRequested is missing: the session begins at its start.
  return event.type === 'ExecutionStarted' && plan.run?.sessionId !== event.data.sessionId;
}

/** The new session's state, as the session service built the workflow's from the same plan state. */
function newRun(plan: PlanState, event: ExecutionEvent, at: number): SessionCore {
  const d = event.data as Extract<ExecutionEvent, { type: 'ExecutionRequested' }>['data'];
  const previous = plan.run;
  if (event.type === 'ExecutionRequested' && d.resumedFrom && previous?.sessionId === d.resumedFrom)
    return resumeSession(previous, d.sessionId, at);
  try {
    return sessionCore({
      planId: plan.planId,
      sessionId: d.sessionId,
      revision: d.revision,
      content: plan.content,
      from: START_FROM.has(d.from) ? (d.from as StartFrom) : 'current',
      target: d.target,
      chunks: event.type === 'ExecutionRequested' ? d.chunks : null,
      startedAt: at,
    });
  } catch (e) {
    // The service refuses such requests; a stream that holds one anyway still folds.
    if (!(e instanceof SessionInputError)) throw e;
    return planAsSession(plan, null, event);
  }
}
const START_FROM: ReadonlySet<string> = new Set(['beginning', 'current', 'chunk', 'task']);

const planStatusOf = (status: SessionStatus): PlanStatus => (status === 'stopped' ? 'paused' : status);

const sessionInfo = (run: SessionCore) => ({
  status: run.status,
  pauseReason: run.pauseReason,
  pauseDetail: run.pauseDetail,
  resumable: run.status === 'stopped',
});

/** The tasks whose execution fields an event changes. */
function touchedTasks(event: ExecutionEvent): string[] {
  switch (event.type) {
    case 'TurnStarted':
      return event.data.taskId ? [event.data.taskId] : [];
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'TaskSkipped':
    case 'TaskEdited':
    case 'TaskRetried':
      return [event.data.taskId];
    case 'ChunkTurnFailed':
      return event.data.tasks;
    default:
      return [];
  }
}

function withTasksFrom(content: PlanContent, run: SessionCore, ids: string[]): PlanContent {
  if (ids.length === 0) return content;
  const byId = new Map(run.tasks.filter((t) => ids.includes(t.id)).map((t) => [t.id, t]));
  return {
    ...content,
    tasks: content.tasks.map((t): Task => {
      const s = byId.get(t.id);
      if (!s) return t;
      const { status, attempts, lastError, commitSha, title, description, acceptance } = s;
      return {
        ...t,
        status,
        attempts,
        lastError,
        commitSha,
        title,
        description,
        acceptance: [...acceptance],
      };
    }),
  };
}

/**
 * A plan seen as one session over all its tasks, each as the plan records it; a chunk's status follows
 * its tasks. The read models' progress is this view's `sessionProgress`, and the fold starts from it
 * when a stream has execution events but no session state to apply them to.
 */
export function planAsSession(
  plan: { planId: string; content: Pick<PlanContent, 'title' | 'chunks' | 'tasks'> },
  session: Pick<PlanSessionInfo, 'sessionId' | 'status' | 'pauseReason' | 'pauseDetail'> | null,
  event?: ExecutionEvent,
): SessionCore {
  const { content } = plan;
  const sessionId = session?.sessionId ?? event?.data.sessionId ?? '';
  const tasks = content.tasks.map(sessionTaskOf);
  return {
    planId: plan.planId,
    planTitle: content.title,
    sessionId,
    revision: event?.data.revision ?? 0,
    status: session?.status ?? 'running',
    pauseReason: (session?.pauseReason ?? null) as SessionCore['pauseReason'],
    pauseDetail: session?.pauseDetail ?? null,
    chunks: content.chunks.map((c) => planChunk(c, tasks)),
    tasks,
    eventSeq: 0,
    turnSeq: 0,
    commits: tasks.map((t) => t.commitSha).filter((s): s is string => !!s),
    approved: [],
    startedAt: 0,
    elapsedBeforeMs: 0,
    branch: sessionBranch(plan.planId, sessionId),
  };
}

function planChunk(c: Chunk, all: SessionTask[]): SessionChunk {
  const tasks = all.filter((t) => t.chunk === c.key);
  const done = tasks.every((t) => t.status === 'completed' || t.status === 'skipped');
  const status =
    tasks.length > 0 && done
      ? 'completed'
      : tasks.some((t) => t.status === 'failed')
        ? 'failed'
        : tasks.some((t) => t.status !== 'pending')
          ? 'running'
          : 'pending';
  return { key: c.key, title: c.title, executionMode: c.executionMode, pauseAfter: c.pauseAfter, status };
}
