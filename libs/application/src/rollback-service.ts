import { randomBytes } from 'node:crypto';
import { rollbackSession, type PlanState, type RollbackEvent, type RollbackTarget } from '@chunkwise/domain';
import {
  rollbackFailure,
  rollbackResultEvent,
  rollbackWorkflowId,
  type RollbackOutcome,
  type RollbackWorkflowInput,
  type SessionWorkflowInput,
} from '@chunkwise/contracts';
import { PlanNotFoundError } from './errors';
import type { PlanCommandService } from './plan-command-service';
import { registeredRepository, SessionStateError, type RepositoryLookup } from './session-service';

/** The port through which the application starts rollback workflows and waits for them. */
export interface RollbackWorkflows {
  ensureReachable(): Promise<void>;
  startRollback(workflowId: string, input: RollbackWorkflowInput): Promise<void>;
  /** The workflow's outcome, or null when it has not ended within `timeoutMs`. */
  rollbackResult(workflowId: string, timeoutMs: number): Promise<RollbackOutcome | null>;
  /** Whether the workflow still runs, ended (how), or is unknown to Temporal. */
  rollbackStatus(workflowId: string): Promise<'running' | 'completed' | 'ended' | 'not_found'>;
}

export interface RollbackRequest {
  /** Default: the plan's latest session. */
  sessionId?: string | null;
  /** Undo only this task's commit. */
  taskId?: string | null;
}

export interface RollbackAnswer {
  planId: string;
  rollbackId: string;
  workflowId: string;
  sessionId: string;
  taskId: string | null;
  /** `running`: the workflow had not ended within the wait; its result will be recorded on the plan. */
  status: 'completed' | 'failed' | 'running';
  outcome: RollbackOutcome | null;
}

export interface RollbackServiceOptions {
  repositories?: RepositoryLookup;
  /** How long `rollback` waits for the workflow's result (default 120 s). */
  waitMs?: number;
  timing?: SessionWorkflowInput['timing'];
}

/**
 * Rollback of a session or of one task's commit (docs/rollback.md). The request is decided on the
 * plan's stream (`RequestRollback`: no active session, one rollback at a time, something to undo),
 * then a workflow does the git work and records the result; this waits for it.
 */
export class RollbackService {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly workflows: RollbackWorkflows,
    private readonly options: RollbackServiceOptions = {},
  ) {}

  async rollback(planId: string, request: RollbackRequest = {}): Promise<RollbackAnswer> {
    const state = (await this.plans.load(planId)).state;
    if (!state.exists) throw new PlanNotFoundError(planId);
    const named = request.sessionId ?? null;
    if (!rollbackSession(state, named))
      throw new SessionStateError(
        'no_session',
        named ? `plan ${planId} has no session ${named}` : `plan ${planId} has never been executed`,
      );
    const paths = await this.repositoryPaths(state);
    await this.workflows.ensureReachable();
    await this.settleLostRollback(state);
    const rollbackId = `rb_${randomBytes(5).toString('hex')}`;
    const workflowId = rollbackWorkflowId(planId, rollbackId);
    const taskId = request.taskId ?? null;
    const written = await this.plans.execute(
      planId,
      { type: 'RequestRollback', rollbackId, workflowId, sessionId: named, taskId },
      { eventId: () => `${workflowId}-requested` },
    );
    const requested = written.events[0] as Extract<RollbackEvent, { type: 'RollbackRequested' }>;
    const { sessionId, revision, targets } = requested.data;
    const primary = paths({ repository: null, branch: '', start: null, commits: [] });
    const input: RollbackWorkflowInput = {
      planId,
      rollbackId,
      sessionId,
      taskId,
      revision,
      targets: targets.map((t) => {
        const path = paths(t);
        // A task repository that is the plan's own under another name shares its work tree.
        if (t.worktreeKey && path === primary) {
          const { worktreeKey: _key, ...rest } = t;
          return { ...rest, path };
        }
        return { ...t, path };
      }),
      timing: this.options.timing,
    };
    try {
      await this.workflows.startRollback(workflowId, input);
    } catch (e) {
      const reason = `the rollback workflow could not be started: ${e instanceof Error ? e.message : String(e)}`;
      await this.plans.execute(
        planId,
        {
          type: 'RecordRollbackResult',
          event: rollbackResultEvent({ revision, rollbackId, sessionId, taskId }, rollbackFailure(reason)),
        },
        { eventId: () => `${workflowId}-start-failed` },
      );
      throw e;
    }
    const outcome = await this.workflows.rollbackResult(workflowId, this.options.waitMs ?? 120_000);
    const status = !outcome ? 'running' : outcome.ok ? 'completed' : 'failed';
    return { planId, rollbackId, workflowId, sessionId, taskId, status, outcome };
  }

  /**
   * A rollback recorded as under way whose workflow is gone (never started after a crash, terminated,
   * or ended without its result landing) would block rollbacks and executes for ever: its end is
   * recorded now — the workflow's own outcome when it completed, else a failure saying why. A
   * rollback whose workflow still runs is left alone (the request is then refused: one at a time).
   */
  private async settleLostRollback(state: PlanState): Promise<void> {
    const pending = state.rollbacks?.pending;
    if (!pending) return;
    const status = await this.workflows.rollbackStatus(pending.workflowId);
    if (status === 'running') return;
    const identity = {
      revision: state.revision,
      rollbackId: pending.rollbackId,
      sessionId: pending.sessionId,
      taskId: pending.taskId,
    };
    const outcome =
      status === 'completed' ? await this.workflows.rollbackResult(pending.workflowId, 10_000) : null;
    const event = rollbackResultEvent(
      identity,
      outcome ??
        rollbackFailure(
          status === 'not_found'
            ? `the rollback workflow ${pending.workflowId} does not exist (it was never started, or is past retention)`
            : `the rollback workflow ${pending.workflowId} ended without recording its result`,
        ),
    );
    // The workflow's own record, if it lands later, is the same rollback's result: decided once.
    await this.plans.execute(
      state.planId,
      { type: 'RecordRollbackResult', event },
      { eventId: () => `${pending.workflowId}-settled` },
    );
  }

  /**
   * Where each target's repository is on the workers' hosts: a registered repository's path, else the
   * path the plan names. Checked before anything is written, so a refusal leaves no rollback pending.
   */
  private async repositoryPaths(plan: PlanState): Promise<(t: RollbackTarget) => string> {
    const ref = plan.content.repository;
    if (!ref) throw new SessionStateError('not_executable', `plan ${plan.planId} names no repository`);
    // The plan's repository and every task's own (multi-repository plans).
    const references = new Set([
      ref,
      ...plan.content.tasks.flatMap((t) => (t.repository ? [t.repository] : [])),
    ]);
    const paths = new Map<string, string>();
    for (const reference of references) {
      const registered = await registeredRepository(
        this.options.repositories,
        reference,
        `plan ${plan.planId} targets`,
      );
      paths.set(reference, registered?.path ?? reference);
    }
    return (t) => paths.get(t.repository ?? ref) ?? t.repository ?? ref;
  }
}
