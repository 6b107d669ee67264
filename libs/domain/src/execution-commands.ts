import { DomainError } from './errors';
import { EXECUTION_EVENT_TYPES, type ExecutionEvent } from './execution-events';
import type { PlanState } from './state';

/**
 * Commands about a plan's execution, decided on the plan's stream like every other plan command.
 * `RequestExecution` guards the start of a session (two concurrent requests cannot both pass: the
 * loser is re-decided on the fresh state and refused); `RecordStartFailure` records why a
 * requested session never started; `RecordExecutionEvents` records what the session workflow
 * decided (the workflow is the decider of a running session, the plan stream its log).
 */
export type ExecutionCommand =
  | {
      type: 'RequestExecution';
      sessionId: string;
      workflowId: string;
      revision: number;
      from: string;
      target: string | null;
      chunks: string | null;
      resumedFrom: string | null;
    }
  | { type: 'RecordStartFailure'; sessionId: string; revision: number; reason: string }
  | { type: 'RecordExecutionEvents'; events: ExecutionEvent[] };

const EXECUTION_COMMANDS: ReadonlySet<string> = new Set<ExecutionCommand['type']>([
  'RequestExecution',
  'RecordStartFailure',
  'RecordExecutionEvents',
]);

export const isExecutionCommand = (command: { type: string }): command is ExecutionCommand =>
  EXECUTION_COMMANDS.has(command.type);

const EXECUTION_EVENTS: ReadonlySet<string> = new Set(EXECUTION_EVENT_TYPES);

/** The events of an execution command (the plan exists: the write path checks that first). */
export function decideExecution(command: ExecutionCommand, state: PlanState): ExecutionEvent[] {
  switch (command.type) {
    case 'RequestExecution': {
      if (state.archived) throw new DomainError('plan_archived', `plan ${state.planId} is archived`);
      if (state.status === 'draft')
        throw new DomainError(
          'invalid_transition',
          `plan ${state.planId} is a draft; finalize it before executing`,
        );
      const active = state.session?.status === 'running' || state.session?.status === 'paused';
      if (active)
        throw new DomainError(
          'invalid_transition',
          `plan ${state.planId} already has an active session (${state.session?.sessionId}, ${state.session?.status})`,
        );
      if (state.rollbacks?.pending)
        throw new DomainError(
          'invalid_transition',
          `plan ${state.planId} is being rolled back (${state.rollbacks.pending.rollbackId}); execute it when that ends (a rollback whose workflow is gone is settled by the next rollback request)`,
        );
      const { type: _t, ...data } = command;
      return [{ type: 'ExecutionRequested', data }];
    }
    case 'RecordStartFailure': {
      // Only the session that was requested and never started can fail to start.
      if (state.session?.sessionId !== command.sessionId) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ExecutionFailed', data }];
    }
    case 'RecordExecutionEvents': {
      const unknown = command.events.filter((e) => !EXECUTION_EVENTS.has(e.type)).map((e) => e.type);
      if (unknown.length)
        throw new DomainError('invalid_command', `not execution events: ${unknown.join(', ')}`);
      return command.events;
    }
  }
}
