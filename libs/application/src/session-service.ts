import { randomBytes } from 'node:crypto';
import {
  DomainError,
  noLimit,
  repositoryReference,
  qaGateSchema,
  resumeSession,
  sessionRepositories,
  SessionInputError,
  sessionSettings,
  sessionBudgetOf,
  hasBudget,
  startSession,
  type BudgetDefaults,
  type Spend,
  type ExecutionSettingsInput,
  type PlanState,
  type Repository,
  type SessionProgress,
  type SessionState,
  type StartFrom,
} from '@chunkwise/domain';
import {
  sessionWorkflowId,
  type SessionOutcome,
  type SessionWorkflowInput,
  type UpdateAnswer,
} from '@chunkwise/contracts';
import { PlanNotFoundError, TemporalUnavailableError } from './errors';
import type { PlanCommandService } from './plan-command-service';
import type { SessionWorkflows } from './session-workflows';

export interface ExecuteRequest {
  from?: StartFrom;
  target?: string | null;
  chunks?: string | null;
  options?: ExecutionSettingsInput;
  /** The new session's id (a scheduled firing derives it from the firing, so that a retry finds it); random by default. */
  sessionId?: string;
  /** Activity timing knobs for this session; the service's own by default. */
  timing?: SessionWorkflowInput['timing'];
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

/** What sessions need of registered repositories (RepositoryService). */
export interface RepositoryLookup {
  find(id: string): Promise<Repository | null>;
}

export interface SessionServiceOptions {
  /** Activity timing knobs given to every session (tests shorten them). */
  timing?: SessionWorkflowInput['timing'];
  /** Registered repositories (`repo:<id>` plans); without it such plans cannot execute. */
  repositories?: RepositoryLookup;
  /** Default budgets from configuration (docs/cost.md); none when absent. */
  budgets?: BudgetDefaults;
  /**
   * The expected spend of a turn from past sessions (the usage ledger), for a session's first turn
   * when its plan has no turn of its own yet. Asked only when a budget is in force.
   */
  turnEstimate?: () => Promise<Spend | null>;
}

/**
 * The registered repository a `repo:<id>` reference names, or null for a path (taken as is); one not
 * registered is refused (409) in the words of `subject` ("plan p_1 targets", "tasks T2 work in").
 */
export async function registeredRepository(
  lookup: RepositoryLookup | undefined,
  reference: string,
  subject: string,
): Promise<Repository | null> {
  const id = repositoryReference(reference);
  if (id === null) return null;
  const repository = (await lookup?.find(id)) ?? null;
  if (!repository)
    throw new SessionStateError(
      'not_executable',
      `${subject} ${reference}, which is not registered (POST /api/repositories)`,
    );
  return repository;
}

/** A plan's progress: the live answer of its active session's workflow, or null; and the plan it was read with. */
export interface PlanProgress {
  plan: PlanState;
  live: SessionProgress | null;
  /** Why there is no live answer although a session is active (the engine cannot be reached). */
  unavailable?: string;
}

const newSessionId = () => `s_${randomBytes(5).toString('hex')}`;

/**
 * Starts and steers plan sessions through the SessionWorkflows port. The start is guarded by the
 * `RequestExecution` command on the plan's stream (the write path), so two concurrent execute
 * calls cannot both start a session; a workflow that cannot be started is recorded as
 * `RecordStartFailure`, so a plan never stays "running" with no workflow behind it.
 */
export class SessionService {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly workflows: SessionWorkflows,
    private readonly options: SessionServiceOptions = {},
  ) {}

  private async plan(planId: string): Promise<PlanState> {
    return (await this.plans.load(planId)).state;
  }

  private async existing(planId: string): Promise<PlanState> {
    const state = await this.plan(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    return state;
  }

  async execute(planId: string, request: ExecuteRequest = {}): Promise<SessionRef> {
    const state = await this.existing(planId);
    const repository = await this.repositoryOf(state);
    await this.workflows.ensureReachable();
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
    const settings = sessionSettings({
      repository: repository?.defaults,
      plan: state.content.execution,
      request: request.options,
    });
    const sessionId = request.sessionId ?? newSessionId();
    const revision = state.finalizedRevision ?? state.revision;
    const from = request.from ?? 'current';
    let session: SessionState;
    try {
      session = startSession({
        planId,
        sessionId,
        revision,
        content: state.content,
        settings,
        from,
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
      {
        state: await this.withBudget(session, state),
        repository: repository?.path ?? state.content.repository,
        ...(await this.taskRepositories(session)),
        continued: false,
        resumedFrom: null,
        from,
        target: request.target ?? null,
        timing: request.timing ?? this.options.timing,
      },
      request.chunks ?? null,
    );
  }

  /** The registered repository a `repo:<id>` plan targets; null when the plan names a path. */
  private repositoryOf(plan: PlanState): Promise<Repository | null> {
    const reference = plan.content.repository;
    return reference
      ? registeredRepository(this.options.repositories, reference, `plan ${plan.planId} targets`)
      : Promise.resolve(null);
  }

  /**
   * Where the tasks' other repositories are, and their QA gates (multi-repository plans): a
   * `repo:<id>` must be registered, its defaults' gates apply to its tasks; a path is taken as is,
   * with the session's gates. Nothing when every task works in the plan's repository.
   */
  private async taskRepositories(session: SessionState): Promise<Pick<SessionWorkflowInput, 'repositories'>> {
    const references = sessionRepositories(session);
    if (references.length === 0) return {};
    const repositories: NonNullable<SessionWorkflowInput['repositories']> = {};
    for (const reference of references) {
      const tasks = session.tasks.filter((t) => t.repository === reference).map((t) => t.id);
      const registered = await registeredRepository(
        this.options.repositories,
        reference,
        `tasks ${tasks.join(', ')} work in`,
      );
      if (!registered) {
        repositories[reference] = { path: reference, qaGates: session.settings.qaGates };
        continue;
      }
      const own = registered.defaults.qaGates;
      const gates = own ? own.map((g) => qaGateSchema.parse(g)) : session.settings.qaGates;
      repositories[reference] = { path: registered.path, qaGates: gates };
    }
    return { repositories };
  }

  private async start(
    plan: PlanState,
    input: SessionWorkflowInput,
    chunks: string | null,
  ): Promise<SessionRef> {
    const { planId, sessionId, revision } = input.state;
    const workflowId = sessionWorkflowId(planId, sessionId);
    try {
      await this.plans.execute(
        planId,
        {
          type: 'RequestExecution',
          revision,
          sessionId,
          workflowId,
          from: input.from,
          target: input.target,
          chunks,
          resumedFrom: input.resumedFrom,
        },
        { eventId: () => `${workflowId}-requested` },
      );
    } catch (e) {
      // Another request started a session first.
      if (e instanceof DomainError && e.code === 'invalid_transition')
        throw new SessionStateError('not_executable', e.message);
      throw e;
    }
    try {
      await this.workflows.start(workflowId, input, plan.content.title);
    } catch (e) {
      const reason = `the session workflow could not be started: ${e instanceof Error ? e.message : String(e)}`;
      await this.plans.execute(
        planId,
        { type: 'RecordStartFailure', revision, sessionId, reason },
        { eventId: () => `${workflowId}-start-failed` },
      );
      throw e;
    }
    return { planId, sessionId, workflowId, revision };
  }

  private async active(planId: string): Promise<PlanState & { session: NonNullable<PlanState['session']> }> {
    const state = await this.existing(planId);
    const s = state.session;
    if (!s) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    if (s.status !== 'running' && s.status !== 'paused') {
      throw new SessionStateError(
        'session_not_active',
        `plan ${planId}'s session ${s.sessionId} is ${s.status}`,
      );
    }
    return { ...state, session: s };
  }

  async signal(planId: string, signal: ControlSignal, reason?: string): Promise<SessionRef> {
    await this.workflows.connect();
    const state = await this.active(planId);
    await this.workflows.signal(state.session.workflowId, signal, signal === 'stop' ? undefined : reason);
    return this.ref(state);
  }

  /** Continues a paused session, or starts a new one from a stopped session's checkpoint. */
  async resume(planId: string): Promise<SessionRef & { action: 'resumed' | 'restarted' }> {
    await this.workflows.ensureReachable();
    const state = await this.existing(planId);
    const s = state.session;
    if (!s) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    if (s.status === 'paused' || s.status === 'running') {
      await this.workflows.signal(s.workflowId, 'resume');
      return { ...this.ref(state), action: 'resumed' };
    }
    if (s.status !== 'stopped' || !s.resumable)
      throw new SessionStateError(
        'not_resumable',
        `plan ${planId}'s session ${s.sessionId} is ${s.status}; execute it again instead`,
      );
    const outcome = await this.workflows.result(s.workflowId);
    const next = await this.withBudget(resumeSession(outcome.state, newSessionId(), Date.now()), state);
    const repository = await this.repositoryOf(state);
    const ref = await this.start(
      state,
      {
        state: next,
        repository: repository?.path ?? state.content.repository!,
        ...(await this.taskRepositories(next)),
        continued: false,
        resumedFrom: s.sessionId,
        from: 'current',
        target: null,
        timing: this.options.timing,
      },
      null,
    );
    return { ...ref, action: 'restarted' };
  }

  async taskAction(planId: string, action: TaskAction, args: Record<string, unknown>): Promise<UpdateAnswer> {
    await this.workflows.connect();
    const state = await this.active(planId);
    return this.workflows.update(state.session.workflowId, action, args);
  }

  /** The live progress of the plan's active session; null when none is active. */
  async progress(planId: string): Promise<SessionProgress | null> {
    const plan = await this.existing(planId);
    const active = plan.session?.status === 'running' || plan.session?.status === 'paused';
    return active ? this.workflows.progress(plan.session!.workflowId) : null;
  }

  /** The plan (read once) and, while a session is active, its workflow's live progress. */
  async planProgress(planId: string): Promise<PlanProgress> {
    const plan = await this.existing(planId);
    const active = plan.session?.status === 'running' || plan.session?.status === 'paused';
    if (!active) return { plan, live: null };
    try {
      return { plan, live: await this.workflows.progress(plan.session!.workflowId) };
    } catch (e) {
      // The read models still know every recorded step: the caller answers from them, saying why.
      if (e instanceof TemporalUnavailableError) return { plan, live: null, unavailable: e.message };
      throw e;
    }
  }

  /** Waits for the session's workflow to end (tests, scripts). */
  async result(planId: string): Promise<SessionOutcome> {
    const state = await this.existing(planId);
    if (!state.session) throw new SessionStateError('no_session', `plan ${planId} has never been executed`);
    return this.workflows.result(state.session.workflowId);
  }

  /** The budget a new session carries: the plan's, the configured defaults, what the plan spent so far. */
  private async withBudget(session: SessionState, plan: PlanState): Promise<SessionState> {
    const defaults = this.options.budgets ?? { plan: noLimit(), session: noLimit() };
    const budget = sessionBudgetOf(plan, defaults, session.sessionId, plan.run?.lastTurnSpend ?? null);
    if (!budget.turnEstimate && hasBudget(budget) && this.options.turnEstimate) {
      // A hint only: the session goes on without it.
      budget.turnEstimate = await this.options.turnEstimate().catch(() => null);
    }
    return { ...session, budget };
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
