import * as fs from 'node:fs/promises';
import { BadRequestException, Inject, NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PlanNotFoundError, SessionStateError, type SessionRef } from '@chunkwise/application';
import {
  executionSettingsInputSchema,
  planAsSession,
  planStreamId,
  sessionProgress,
  type ExecutionSettingsInput,
  type PlanState,
} from '@chunkwise/domain';
import type { PlanDetail } from '@chunkwise/read-models';
import { turnOutputPath } from '../../../../activities/session-activities';
import type { UpdateAnswer } from '../../../../workflows/messages';
import type { ApiRuntime } from '../projection/api-runtime';
import { ProjectionSync } from '../projection/projection-sync.service';
import { repositoryReference } from '../repositories/repository-service';
import { API_RUNTIME } from '../tokens';
import { UpdateRejectedError } from './session-errors';
import type { ProgressResponse } from './session-schemas';
import { TURN_ID_PATTERN } from './session-schemas';
import {
  ExecutePlanCommand,
  GetProgressQuery,
  GetTurnOutputQuery,
  ResumePlanCommand,
  type ResumeResult,
  SignalSessionCommand,
  type SignalResult,
  TaskActionCommand,
} from './session.commands';
import { TemporalUnavailableError } from './temporal-access';

abstract class SessionHandler {
  constructor(
    @Inject(API_RUNTIME) protected readonly runtime: ApiRuntime,
    protected readonly sync: ProjectionSync,
  ) {}

  protected async plan(planId: string): Promise<PlanState> {
    const { state } = await this.runtime.service.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    return state;
  }

  /** Read-your-writes for what the request appended (ExecutionRequested, …). */
  protected async caughtUp(): Promise<void> {
    await this.sync.waitFor(await this.runtime.eventStore.headPosition());
  }
}

/** Later layers win, key by key (a layer's qaGates replace the earlier list). */
function layered(...layers: Array<ExecutionSettingsInput | null | undefined>): ExecutionSettingsInput {
  const merged: Record<string, unknown> = {};
  for (const layer of layers)
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) merged[k] = v;
  return merged as ExecutionSettingsInput;
}

@CommandHandler(ExecutePlanCommand)
export class ExecutePlanHandler extends SessionHandler implements ICommandHandler<ExecutePlanCommand> {
  async execute({ planId, body }: ExecutePlanCommand): Promise<SessionRef> {
    const state = await this.plan(planId);
    let options: ExecutionSettingsInput | undefined = body.options;
    const repositoryId = repositoryReference(state.content.repository);
    if (repositoryId !== null) {
      const repository = await this.runtime.repositories.find(repositoryId);
      if (!repository) {
        throw new SessionStateError(
          'not_executable',
          `plan ${planId} targets ${state.content.repository}, which is not registered (POST /api/repositories)`,
        );
      }
      // Repository defaults < plan settings < this request's options. An invalid plan block is left
      // for SessionService to report (under `execution`).
      const plan = executionSettingsInputSchema.safeParse(state.content.execution ?? {});
      if (plan.success) options = layered(repository.defaults, plan.data, body.options);
    }
    const { temporal } = this.runtime;
    await temporal.ensureReachable();
    const ref = await temporal.call((s) =>
      s.execute(planId, { from: body.from, target: body.target, chunks: body.chunks, options }),
    );
    await this.caughtUp();
    return ref;
  }
}

@CommandHandler(ResumePlanCommand)
export class ResumePlanHandler extends SessionHandler implements ICommandHandler<ResumePlanCommand> {
  async execute({ planId }: ResumePlanCommand): Promise<ResumeResult> {
    await this.runtime.temporal.ensureReachable();
    const r = await this.runtime.temporal.call((s) => s.resume(planId));
    await this.caughtUp();
    return { action: r.action, planId: r.planId, sessionId: r.sessionId, workflowId: r.workflowId };
  }
}

@CommandHandler(SignalSessionCommand)
export class SignalSessionHandler extends SessionHandler implements ICommandHandler<SignalSessionCommand> {
  async execute({ planId, signal, reason }: SignalSessionCommand): Promise<SignalResult> {
    const r = await this.runtime.temporal.call((s) => s.signal(planId, signal, reason));
    return { planId: r.planId, sessionId: r.sessionId, workflowId: r.workflowId, signal };
  }
}

@CommandHandler(TaskActionCommand)
export class TaskActionHandler extends SessionHandler implements ICommandHandler<TaskActionCommand> {
  async execute({ planId, action, args }: TaskActionCommand): Promise<UpdateAnswer> {
    const answer = await this.runtime.temporal.call((s) => s.taskAction(planId, action, args));
    if (!answer.accepted) throw new UpdateRejectedError(action, answer.reason ?? 'refused');
    return answer;
  }
}

@QueryHandler(GetProgressQuery)
export class GetProgressHandler extends SessionHandler implements IQueryHandler<GetProgressQuery> {
  async execute({ planId }: GetProgressQuery): Promise<ProgressResponse> {
    const state = await this.plan(planId);
    let note: string | undefined;
    const active = state.session?.status === 'running' || state.session?.status === 'paused';
    if (active) {
      try {
        const live = await this.runtime.temporal.call((s) => s.progress(planId));
        if (live) return { live: true, planStatus: state.status, ...live };
      } catch (e) {
        // The read models still know every recorded step: answer from them, and say why.
        if (!(e instanceof TemporalUnavailableError)) throw e;
        note = `live progress unavailable: ${e.message}`;
      }
    }
    const detail = await this.runtime.readModels.getPlan(planId);
    if (!detail) throw new PlanNotFoundError(planId);
    return { ...readModelProgress(detail, state), ...(note ? { note } : {}) };
  }
}

/**
 * The progress of a plan as the read models tell it (no workflow to ask): the domain's one progress
 * function over the plan seen as a session of all its tasks.
 */
function readModelProgress(detail: PlanDetail, state: PlanState): ProgressResponse {
  const session = state.session;
  const tasks = detail.chunks.flatMap((c) => c.tasks);
  const view = planAsSession(
    { planId: detail.id, content: { title: detail.title, chunks: detail.chunks, tasks } },
    session,
  );
  const p = sessionProgress(view, 0);
  return {
    live: false,
    planId: detail.id,
    planStatus: detail.status,
    sessionId: session?.sessionId ?? null,
    revision: session?.startedRevision ?? detail.finalizedRevision ?? detail.revision,
    status: detail.status,
    pauseReason: session?.pauseReason ?? null,
    pauseDetail: session?.pauseDetail ?? null,
    currentChunk: p.currentChunk,
    nextChunk: p.nextChunk,
    chunks: p.chunks,
    // What the read models know of a task (no times, every task in scope).
    tasks: p.tasks.map(({ id, chunk, title, status, attempts, lastError, commitSha }) => ({
      id,
      chunk,
      title,
      status,
      attempts,
      lastError,
      commitSha,
    })),
    totals: p.totals,
    commits: p.commits,
    elapsedMs: null,
    branch: null,
  };
}

@QueryHandler(GetTurnOutputQuery)
export class GetTurnOutputHandler extends SessionHandler implements IQueryHandler<GetTurnOutputQuery> {
  async execute({ planId, turnId }: GetTurnOutputQuery): Promise<{ file: string; size: number }> {
    if (!TURN_ID_PATTERN.test(turnId)) {
      throw new BadRequestException(
        `invalid turn id ${JSON.stringify(turnId.slice(0, 60))}: turn ids look like s_0123456789-3 (letters, digits, _ and -)`,
      );
    }
    const first = await this.runtime.eventStore.readStream(planStreamId(planId), { maxCount: 1 });
    if (first.length === 0) throw new PlanNotFoundError(planId);
    const file = turnOutputPath(this.runtime.config.dataDir, planId, turnId);
    try {
      const stat = await fs.stat(file);
      if (stat.isFile()) return { file, size: stat.size };
    } catch {
      // fall through to the 404
    }
    throw new NotFoundException({
      message:
        `turn ${turnId} of plan ${planId} has no kept output here: unknown turn, not started yet, or ` +
        `run by a worker whose data directory is not ${this.runtime.config.dataDir}`,
      code: 'turn_not_found',
    });
  }
}

export const SESSION_HANDLERS = [
  ExecutePlanHandler,
  ResumePlanHandler,
  SignalSessionHandler,
  TaskActionHandler,
  GetProgressHandler,
  GetTurnOutputHandler,
];
