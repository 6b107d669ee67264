/**
 * One agent turn, recorded: TurnStarted, the turn activity, TurnCompleted. Shared by task turns and
 * chunk-scope turns.
 */
import type { SessionChunk, SessionTask } from '@chunkwise/domain';
import { budgetGate } from './budget-gate';
import type { SessionRunner } from './session-runner';

export interface TurnRequest {
  chunk: SessionChunk;
  /** null: one turn over the whole chunk. */
  task: SessionTask | null;
  attempt: number;
  worktree: string;
  previousError: string | null;
}

export async function runRecordedTurn(r: SessionRunner, req: TurnRequest) {
  await budgetGate(
    r,
    req.task ? `task ${req.task.id} (attempt ${req.attempt})` : `a turn over chunk ${req.chunk.key}`,
  );
  const turnId = r.nextTurnId();
  const taskId = req.task?.id ?? null;
  await r.record({
    type: 'TurnStarted',
    data: { ...r.base(), turnId, chunk: req.chunk.key, taskId, attempt: req.attempt },
  });
  const s = r.state;
  const turn = await r.acts.agent.runTurn({
    planId: s.planId,
    sessionId: s.sessionId,
    turnId,
    worktree: req.worktree,
    chunk: req.chunk,
    // The task as the state holds it now (running, this attempt).
    task: taskId ? r.findTask(taskId)! : null,
    state: s,
    attempt: req.attempt,
    previousError: req.previousError,
    agent: s.settings.agent,
  });
  await r.record({
    type: 'TurnCompleted',
    data: {
      ...r.base(),
      turnId,
      taskId,
      exitCode: turn.exitCode,
      timedOut: turn.timedOut,
      durationMs: turn.durationMs,
      succeeded: turn.succeeded,
      error: turn.error,
      usage: turn.usage ?? null,
      ...(turn.agentSessionId ? { agentSessionId: turn.agentSessionId } : {}),
    },
  });
  return { turnId, turn };
}
