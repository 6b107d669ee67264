import * as fs from 'node:fs/promises';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  PlanNotFoundError,
  SessionService,
  UpdateRejectedError,
  type SessionRef,
} from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { planAsSession, planStreamId, sessionProgress, type PlanState } from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import type { PlanDetail, ReadModelStore } from '@chunkwise/read-models';
import { turnOutputPath, type UpdateAnswer } from '@chunkwise/contracts';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { CHUNKWISE_CONFIG, EVENT_STORE, READ_MODEL_STORE } from '../infrastructure/tokens';
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

/** Read-your-writes for what a session request appended (ExecutionRequested, …). */
@Injectable()
export class SessionWrites {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly sync: ProjectionSync,
  ) {}

  async caughtUp(): Promise<void> {
    await this.sync.waitFor(await this.eventStore.headPosition());
  }
}

@CommandHandler(ExecutePlanCommand)
export class ExecutePlanHandler implements ICommandHandler<ExecutePlanCommand> {
  constructor(
    private readonly sessions: SessionService,
    private readonly writes: SessionWrites,
  ) {}

  async execute({ planId, body }: ExecutePlanCommand): Promise<SessionRef> {
    const ref = await this.sessions.execute(planId, body);
    await this.writes.caughtUp();
    return ref;
  }
}

@CommandHandler(ResumePlanCommand)
export class ResumePlanHandler implements ICommandHandler<ResumePlanCommand> {
  constructor(
    private readonly sessions: SessionService,
    private readonly writes: SessionWrites,
  ) {}

  async execute({ planId }: ResumePlanCommand): Promise<ResumeResult> {
    const r = await this.sessions.resume(planId);
    await this.writes.caughtUp();
    return { action: r.action, planId: r.planId, sessionId: r.sessionId, workflowId: r.workflowId };
  }
}

@CommandHandler(SignalSessionCommand)
export class SignalSessionHandler implements ICommandHandler<SignalSessionCommand> {
  constructor(private readonly sessions: SessionService) {}

  async execute({ planId, signal, reason }: SignalSessionCommand): Promise<SignalResult> {
    const r = await this.sessions.signal(planId, signal, reason);
    return { planId: r.planId, sessionId: r.sessionId, workflowId: r.workflowId, signal };
  }
}

@CommandHandler(TaskActionCommand)
export class TaskActionHandler implements ICommandHandler<TaskActionCommand> {
  constructor(private readonly sessions: SessionService) {}

  async execute({ planId, action, args }: TaskActionCommand): Promise<UpdateAnswer> {
    const answer = await this.sessions.taskAction(planId, action, args);
    if (!answer.accepted) throw new UpdateRejectedError(action, answer.reason ?? 'refused');
    return answer;
  }
}

@QueryHandler(GetProgressQuery)
export class GetProgressHandler implements IQueryHandler<GetProgressQuery> {
  constructor(
    private readonly sessions: SessionService,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  async execute({ planId }: GetProgressQuery): Promise<ProgressResponse> {
    const { plan, live, unavailable } = await this.sessions.planProgress(planId);
    if (live) return { live: true, planStatus: plan.status, ...live };
    // The read models still know every recorded step: answer from them, and say why when a session is active.
    const detail = await this.readModels.getPlan(planId);
    if (!detail) throw new PlanNotFoundError(planId);
    const note = unavailable ? `live progress unavailable: ${unavailable}` : undefined;
    return { ...readModelProgress(detail, plan), ...(note ? { note } : {}) };
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
export class GetTurnOutputHandler implements IQueryHandler<GetTurnOutputQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
  ) {}

  async execute({ planId, turnId }: GetTurnOutputQuery): Promise<{ file: string; size: number }> {
    if (!TURN_ID_PATTERN.test(turnId)) {
      throw new BadRequestException(
        `invalid turn id ${JSON.stringify(turnId.slice(0, 60))}: turn ids look like s_0123456789-3 (letters, digits, _ and -)`,
      );
    }
    const first = await this.eventStore.readStream(planStreamId(planId), { maxCount: 1 });
    if (first.length === 0) throw new PlanNotFoundError(planId);
    const file = turnOutputPath(this.config.dataDir, planId, turnId);
    try {
      const stat = await fs.stat(file);
      if (stat.isFile()) return { file, size: stat.size };
    } catch {
      // fall through to the 404
    }
    throw new NotFoundException({
      message:
        `turn ${turnId} of plan ${planId} has no kept output here: unknown turn, not started yet, or ` +
        `run by a worker whose data directory is not ${this.config.dataDir}`,
      code: 'turn_not_found',
    });
  }
}

export const SESSION_HANDLERS = [
  SessionWrites,
  ExecutePlanHandler,
  ResumePlanHandler,
  SignalSessionHandler,
  TaskActionHandler,
  GetProgressHandler,
  GetTurnOutputHandler,
];
