import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  DomainError,
  planStreamId,
  resolveExecutionSettings,
  resumeSession,
  SessionInputError,
  startSession,
  executionSettingsInputSchema,
  zodIssues,
  ValidationError,
  type ExecutionSettingsInput,
  type PlanState,
  type SessionProgress,
  type StartFrom,
} from '@chunkwise/domain';
import { WrongExpectedRevisionError, type EventStore } from '@chunkwise/event-store';
import {
  ChunkwisePlanId,
  ChunkwisePlanTitle,
  ChunkwiseStatus,
  SESSION_WORKFLOW,
  sessionWorkflowId,
  type SessionOutcome,
  type SessionWorkflowInput,
  type UpdateAnswer,
} from '@chunkwise/contracts';
import { PlanNotFoundError, StaleRevisionError } from './errors';
import type { PlanCommandService } from './plan-command-service';

export interface ExecuteRequest {
  from?: StartFrom;
  target?: string | null;
  chunks?: string | null;
  options?: ExecutionSettingsInput;
}

export interface SessionRef {
  planId: string;
  sessionId: string;
  workflowId: string;
  revision: number;
}

export type ControlSignal = 'pause' | 'stop' | 'cancel';
export type TaskAction = 'approveTask' | 'retryTask' | 'skipTask' | 'completeTask' | 'editTask';

/** A session request that does not fit the plan's state (HTTP 409) or names nothing (404). */
export class SessionStateError extends Error {
  constructor(
    readonly code: 'not_executable' | 'no_session' | 'session_not_active' | 'not_resumable',
    message: string,
  ) {
    super(message);
    this.name = 'SessionStateError';
  }
}

const newSessionId = () => `s_${randomBytes(5).toString('hex')}`;

/**
 * Starts and steers plan sessions (Temporal workflows). The start is guarded by an
 * ExecutionRequested event appended with the stream's expected revision, so two concurrent
 * execute calls cannot both start a session.
 */
export class SessionService {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly store: EventStore,
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly timing?: SessionWorkflowInput['timing'],
    /** Turns a plan's repository reference (e.g. `repo:<id>`) into a path on the worker's machine. */
    private readonly resolveRepository: (reference: string) => Promise<string> = async (r) => r,
  ) {}

  private async loadExisting(planId: string) {
    const loaded = await this.plans.load(planId);
    if (!loaded.state.exists) throw new PlanNotFoundError(planId);
    return loaded;
  }

  async execute(planId: string, request: ExecuteRequest = {}): Promise<SessionRef> {
    const { state, streamRevision } = await this.loadExisting(planId);
    if (state.status === 'draft')
      throw new SessionStateError(
        'not_executable',
        `plan ${planId} is a draft; finalize it before executing`,
      );
    if (state.status === 'running' || state.status === 'paused') {
      throw new SessionStateError(
        'not_executable',
        `plan ${planId} already has an active session (${state.session?.sessionId}, ${state.session?.status}); pause, stop, resume or cancel it`,
      );
    }
    if (!state.content.repository)
      throw new SessionStateError(
        'not_executable',
        `plan ${planId} names no repository; set "repository" and finalize again`,
      );
    const parsedOptions = executionSettingsInputSchema.safeParse(request.options ?? {});
    if (!parsedOptions.success)
      throw new ValidationError(zodIssues(parsedOptions.error, 'options'), 'invalid execute options');
    const planSettings = executionSettingsInputSchema.safeParse(state.content.execution ?? {});
    if (!planSettings.success)
      throw new ValidationError(
        zodIssues(planSettings.error, 'execution'),
        'invalid execution settings in the plan',
      );
    if (!planSettings.data.agent && !parsedOptions.data.agent) {
      throw new ValidationError(
        [
          {
            code: 'schema',
            path: 'execution.agent',
            message: 'execution.agent: no agent configured for this plan',
          },
        ],
        'cannot execute',
      );
    }
    const settings = resolveExecutionSettings(planSettings.data, parsedOptions.data);
    const sessionId = newSessionId();
    const revision = state.finalizedRevision ?? state.revision;
    let session;
    try {
      session = startSession({
        planId,
        sessionId,
        revision,
        content: state.content,
        settings,
        from: request.from ?? 'current',
        target: request.target ?? null,
        chunks: request.chunks ?? null,
        startedAt: Date.now(),
      });
    } catch (e) {
      if (e instanceof SessionInputError) throw new DomainError('invalid_command', e.message);
      throw e;
    }
    return this.start(
      state,
      streamRevision,
      {
        state: session,
        repository: state.content.repository,
        continued: false,
        resumedFrom: null,
        from: request.from ?? 'current',
        target: request.target ?? null,
        timing: this.timing,
      },
      request.chunks ?? null,
    );
  }

  private async start(
    plan: PlanState,
    streamRevision: number,
    input: SessionWorkflowInput,
    chunks: string | null,
  ): Promise<SessionRef> {
    const { planId, sessionId, revision } = input.state;
    const workflowId = sessionWorkflowId(planId, sessionId);
    input = { ...input, repository: await this.resolveRepository(input.repository) };
    try {
      await this.store.append(
        planStreamId(planId),
        [
          {
            id: `${workflowId}-requested`,
            type: 'ExecutionRequested',
            data: {
              revision,
              sessionId,
              workflowId,
              from: input.from,
              target: input.target,
              chunks,
              resumedFrom: input.resumedFrom,
            },
          },
        ],
        { expectedRevision: streamRevision },
      );
    } catch (e) {
      if (e instanceof WrongExpectedRevisionError)
        throw new StaleRevisionError(planId, plan.revision, plan.revision);
      throw e;
    }
    try {
      await this.client.workflow.start(SESSION_WORKFLOW, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: ChunkwisePlanId, value: planId },
          { key: ChunkwisePlanTitle, value: plan.content.title.slice(0, 200) },
          { key: ChunkwiseStatus, value: 'running' },
        ],
      });
    } catch (e) {
      // Never leave a plan "running" with no workflow behind it: record why the start failed.
      const reason = `the session workflow could not be started: ${e instanceof Error ? e.message : String(e)}`;
      await this.store.append(
        planStreamId(planId),
        [
          {
            id: `${workflowId}-start-failed`,
            type: 'ExecutionFailed',
            data: { revision, sessionId, reason },
          },
        ],
        {
          expectedRevision: 'any',
        },
      );
      throw e;
    }
    return { planId, sessionId, workflowId, revision };
  }

  private async activeHandle(planId: string) {
    const { state } = await this.loadExisting(planId);
    const s = state.session;
    if (!s) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    if (s.status !== 'running' && s.status !== 'paused') {
      throw new SessionStateError(
        'session_not_active',
        `plan ${planId}'s session ${s.sessionId} is ${s.status}`,
      );
    }
    return { state, handle: this.client.workflow.getHandle(s.workflowId) };
  }

  async signal(planId: string, signal: ControlSignal, reason?: string): Promise<SessionRef> {
    const { state, handle } = await this.activeHandle(planId);
    if (signal === 'cancel') await handle.signal('cancel', { reason });
    else if (signal === 'pause') await handle.signal('pause', { reason });
    else await handle.signal('stop');
    return this.ref(state);
  }

  /** Continues a paused session, or starts a new one from a stopped session's checkpoint. */
  async resume(planId: string): Promise<SessionRef & { action: 'resumed' | 'restarted' }> {
    const { state, streamRevision } = await this.loadExisting(planId);
    const s = state.session;
    if (!s) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    if (s.status === 'paused' || s.status === 'running') {
      await this.client.workflow.getHandle(s.workflowId).signal('resume');
      return { ...this.ref(state), action: 'resumed' };
    }
    if (s.status !== 'stopped' || !s.resumable)
      throw new SessionStateError(
        'not_resumable',
        `plan ${planId}'s session ${s.sessionId} is ${s.status}; execute it again instead`,
      );
    const outcome = (await this.client.workflow.getHandle(s.workflowId).result()) as SessionOutcome;
    const next = resumeSession(outcome.state, newSessionId(), Date.now());
    const ref = await this.start(
      state,
      streamRevision,
      {
        state: next,
        repository: state.content.repository!,
        continued: false,
        resumedFrom: s.sessionId,
        from: 'current',
        target: null,
        timing: this.timing,
      },
      null,
    );
    return { ...ref, action: 'restarted' };
  }

  async taskAction(planId: string, action: TaskAction, args: Record<string, unknown>): Promise<UpdateAnswer> {
    const { handle } = await this.activeHandle(planId);
    try {
      return await handle.executeUpdate<UpdateAnswer, [Record<string, unknown>]>(action, { args: [args] });
    } catch (e) {
      // A validator's refusal comes back as a failed update: answer it as a rejection with its reason.
      const message =
        e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      return { accepted: false, reason: message };
    }
  }

  async progress(planId: string): Promise<SessionProgress | null> {
    const { state } = await this.loadExisting(planId);
    if (!state.session || (state.session.status !== 'running' && state.session.status !== 'paused'))
      return null;
    return this.client.workflow.getHandle(state.session.workflowId).query<SessionProgress>('progress');
  }

  /** Waits for the session's workflow to end (tests, scripts). */
  async result(planId: string): Promise<SessionOutcome> {
    const { state } = await this.loadExisting(planId);
    if (!state.session) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    return (await this.client.workflow.getHandle(state.session.workflowId).result()) as SessionOutcome;
  }

  private ref(state: PlanState): SessionRef {
    return {
      planId: state.planId,
      sessionId: state.session!.sessionId,
      workflowId: state.session!.workflowId,
      revision: state.session!.startedRevision,
    };
  }
}
