import { addSpend, noSpend, turnSpend } from './budget';
import type { ExecutionEvent } from './execution-events';
import { updateChunk, updateTask, type SessionCore, type SessionStatus } from './session';

/**
 * The session decider's evolve: the ONLY way a session's state changes once it is built. The
 * workflow folds every event it records through it; the plan's fold (read models) folds the same
 * events through it. Pure and total: events of another session, and unknown tasks or chunks, leave
 * the state unchanged apart from the event counter.
 *
 * `at` is the event's time in ms: the workflow passes its (deterministic) clock, the plan's fold the
 * stored event's time. It only feeds start and end times, never a decision.
 */
export function evolveSession<S extends SessionCore>(state: S, event: ExecutionEvent, at: number): S {
  // ExecutionRequested is appended before the workflow runs: it builds a session, it is not one of its events.
  if (event.type === 'ExecutionRequested' || event.data.sessionId !== state.sessionId) return state;
  // Event ids derive from (session, eventSeq): the count of the session's folded events.
  return apply({ ...state, eventSeq: state.eventSeq + 1 }, event, at);
}

function apply<S extends SessionCore>(state: S, event: ExecutionEvent, at: number): S {
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionResumed':
      return status(state, 'running');
    case 'ChunkStarted':
      return updateChunk(state, event.data.chunk, { status: 'running' });
    case 'TurnStarted': {
      const counted = { ...state, turnSeq: state.turnSeq + 1 };
      const { taskId, attempt } = event.data;
      if (!taskId) return counted;
      const task = state.tasks.find((t) => t.id === taskId);
      return updateTask(counted, taskId, {
        status: 'running',
        attempts: attempt,
        startedAt: task?.startedAt ?? at,
      });
    }
    case 'TaskCompleted': {
      const { taskId, sha, attempts } = event.data;
      const done = updateTask(state, taskId, {
        status: 'completed',
        commitSha: sha,
        attempts,
        lastError: null,
        endedAt: at,
      });
      // One commit may complete several tasks (a chunk-scope turn): listed once.
      return sha && !done.commits.includes(sha) ? { ...done, commits: [...done.commits, sha] } : done;
    }
    case 'TaskFailed': {
      const { taskId, attempts, error, final } = event.data;
      return updateTask(state, taskId, {
        status: final ? 'failed' : 'pending',
        attempts,
        lastError: error,
        endedAt: final ? at : null,
      });
    }
    case 'TaskSkipped':
      return updateTask(state, event.data.taskId, { status: 'skipped', endedAt: at });
    case 'TaskEdited': {
      const { title, description, acceptance } = event.data.changes;
      return updateTask(state, event.data.taskId, {
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(acceptance !== undefined ? { acceptance: [...acceptance] } : {}),
      });
    }
    case 'TaskRetried':
      return updateTask(state, event.data.taskId, { status: 'pending', attempts: 0 });
    case 'TaskApproved': {
      // States carried over from before approvals were recorded have no list.
      const approved = state.approved ?? [];
      return approved.includes(event.data.taskId)
        ? state
        : { ...state, approved: [...approved, event.data.taskId] };
    }
    case 'ChunkTurnFailed': {
      const { chunk, tasks, error, final } = event.data;
      let next = state;
      for (const id of tasks) next = updateTask(next, id, { lastError: error });
      return final ? updateChunk(next, chunk, { status: 'failed' }) : next;
    }
    case 'ChunkCompleted':
      return updateChunk(state, event.data.chunk, { status: 'completed' });
    case 'ExecutionPaused':
      return { ...state, status: 'paused', pauseReason: event.data.reason, pauseDetail: event.data.detail };
    case 'ExecutionStopped':
      return status(state, 'stopped');
    case 'ExecutionCompleted':
      return status(state, 'completed');
    case 'ExecutionFailed':
      // The reason stays readable where a pause's detail is.
      return { ...status(state, 'failed'), pauseDetail: event.data.reason };
    case 'ExecutionCancelled':
      return status(state, 'cancelled');
    case 'HostLost':
      // The lost turns never finished: their tasks wait again, and the attempt does not count.
      return event.data.tasks.reduce((s, taskId) => {
        const task = s.tasks.find((t) => t.id === taskId);
        if (!task || task.status !== 'running') return s;
        return updateTask(s, taskId, {
          status: 'pending',
          attempts: Math.max(0, task.attempts - 1),
          lastError: event.data.detail,
        });
      }, state);
    case 'SessionMoved':
      return state;
    case 'TurnCompleted': {
      const { usage } = event.data;
      if (!usage) return state;
      const spend = turnSpend(usage);
      return { ...state, spent: addSpend(state.spent ?? noSpend(), spend), lastTurnSpend: spend };
    }
    case 'QaGateResult':
    default:
      return state;
  }
}

const status = <S extends SessionCore>(state: S, to: SessionStatus): S => ({
  ...state,
  status: to,
  pauseReason: null,
  pauseDetail: null,
});

/** Folds events in order (each at its time) into a session state. */
export function foldSession<S extends SessionCore>(
  state: S,
  events: Iterable<{ event: ExecutionEvent; at: number }>,
): S {
  let s = state;
  for (const { event, at } of events) s = evolveSession(s, event, at);
  return s;
}
