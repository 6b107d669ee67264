import * as fs from 'node:fs/promises';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  PlanNotFoundError,
  RepositoryService,
  SessionService,
  UpdateRejectedError,
  type SessionRef,
} from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { planAsSession, planStreamId, sessionProgress, type PlanState } from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import type { PlanDetail, ReadModelStore } from '@chunkwise/read-models';
import { turnOutputPath, type UpdateAnswer } from '@chunkwise/contracts';
import { commitsDiff, type CommitsDiff } from '@chunkwise/git';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { CHUNKWISE_CONFIG, EVENT_STORE, READ_MODEL_STORE } from '../infrastructure/tokens';
import type { ChunkDiffResponse, ProgressResponse } from './session-schemas';
import { TURN_ID_PATTERN } from './session-schemas';
import {
  ExecutePlanCommand,
  FollowTurnOutputQuery,
  GetChunkDiffQuery,
  GetProgressQuery,
  GetTurnOutputQuery,
  ResumePlanCommand,
  type ResumeResult,
  SignalSessionCommand,
  type SignalResult,
  TaskActionCommand,
} from './session.commands';
import { watchTurnEnd } from './turn-end';

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

/** The progress of a plan (live from the workflow, else from the read models) and its state. */
async function progressOf(
  sessions: SessionService,
  readModels: ReadModelStore,
  planId: string,
): Promise<{ progress: ProgressResponse; plan: PlanState }> {
  const { plan, live, unavailable } = await sessions.planProgress(planId);
  if (live) return { plan, progress: { live: true, planStatus: plan.status, ...live } };
  // The read models still know every recorded step: answer from them, and say why when a session is active.
  const detail = await readModels.getPlan(planId);
  if (!detail) throw new PlanNotFoundError(planId);
  const note = unavailable ? `live progress unavailable: ${unavailable}` : undefined;
  return { plan, progress: { ...readModelProgress(detail, plan), ...(note ? { note } : {}) } };
}

@QueryHandler(GetProgressQuery)
export class GetProgressHandler implements IQueryHandler<GetProgressQuery> {
  constructor(
    private readonly sessions: SessionService,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  async execute({ planId }: GetProgressQuery): Promise<ProgressResponse> {
    return (await progressOf(this.sessions, this.readModels, planId)).progress;
  }
}

/** Bound on the diff text of one chunk (the file list is always complete). */
export const CHUNK_DIFF_MAX_BYTES = 1024 * 1024;

@QueryHandler(GetChunkDiffQuery)
export class GetChunkDiffHandler implements IQueryHandler<GetChunkDiffQuery> {
  constructor(
    private readonly sessions: SessionService,
    private readonly repositories: RepositoryService,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  async execute({ planId, chunk }: GetChunkDiffQuery): Promise<ChunkDiffResponse> {
    const { progress, plan } = await progressOf(this.sessions, this.readModels, planId);
    if (!progress.chunks.some((c) => c.key === chunk))
      throw new NotFoundException({
        message: `plan ${planId} has no chunk ${chunk}`,
        code: 'chunk_not_found',
      });
    const taskOf = new Map<string, string>();
    // Commits are read in the repository of their task (multi-repository plans: several).
    const shasIn = new Map<string, string[]>();
    for (const t of progress.tasks) {
      if (t.chunk !== chunk || !t.commitSha) continue;
      taskOf.set(t.commitSha, t.id);
      const reference = t.repository ?? plan.content.repository ?? '';
      shasIn.set(reference, [...(shasIn.get(reference) ?? []), t.commitSha]);
    }
    const empty = { planId, chunk, commits: [], missing: [], files: [], diff: '', truncated: false };
    if (taskOf.size === 0) return { ...empty, repository: null };
    let repository: string | null = null;
    const diffs: CommitsDiff[] = [];
    for (const [reference, shas] of shasIn) {
      const path = await this.repositoryPath(planId, reference);
      repository ??= path;
      diffs.push(await commitsDiff(path, shas, { maxBytes: CHUNK_DIFF_MAX_BYTES }));
    }
    const r = diffs.reduce((a, b) => ({
      commits: [...a.commits, ...b.commits],
      missing: [...a.missing, ...b.missing],
      files: [...a.files, ...b.files],
      diff: a.diff + b.diff,
      truncated: a.truncated || b.truncated,
    }));
    return {
      planId,
      chunk,
      repository,
      commits: r.commits.map((c) => ({
        ...c,
        taskId: taskOf.get(c.sha) ?? [...taskOf].find(([sha]) => c.sha.startsWith(sha))?.[1] ?? null,
      })),
      missing: r.missing,
      files: r.files,
      diff: r.diff,
      truncated: r.truncated,
    };
  }

  /** A repository reference (`repo:<id>` or a path) as a directory on this machine, or a 404. */
  private async repositoryPath(planId: string, reference: string): Promise<string> {
    if (!reference)
      throw new NotFoundException({
        message: `plan ${planId} names no repository`,
        code: 'repository_not_found',
      });
    const repository = await this.repositories.resolvePath(reference);
    const isDir = await fs.stat(repository).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir)
      throw new NotFoundException({
        message: `the repository ${repository} of plan ${planId} is not a directory on this machine`,
        code: 'repository_not_found',
      });
    return repository;
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
    tasks: p.tasks.map(({ id, chunk, title, status, attempts, lastError, commitSha, repository }) => ({
      id,
      chunk,
      title,
      status,
      attempts,
      lastError,
      commitSha,
      ...(repository ? { repository } : {}),
    })),
    totals: p.totals,
    commits: p.commits,
    elapsedMs: null,
    branch: null,
    repositories: p.repositories,
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

@QueryHandler(FollowTurnOutputQuery)
export class FollowTurnOutputHandler implements IQueryHandler<FollowTurnOutputQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
  ) {}

  async execute({ planId, turnId }: FollowTurnOutputQuery) {
    if (!TURN_ID_PATTERN.test(turnId)) {
      throw new BadRequestException(
        `invalid turn id ${JSON.stringify(turnId.slice(0, 60))}: turn ids look like s_0123456789-3 (letters, digits, _ and -)`,
      );
    }
    const first = await this.eventStore.readStream(planStreamId(planId), { maxCount: 1 });
    if (first.length === 0) throw new PlanNotFoundError(planId);
    const watch = await watchTurnEnd(this.eventStore, planId, turnId);
    if (!watch.started) {
      await watch.stop();
      throw new NotFoundException({
        message: `plan ${planId} has no turn ${turnId} (unknown, or not started yet)`,
        code: 'turn_not_found',
      });
    }
    return { file: turnOutputPath(this.config.dataDir, planId, turnId), watch };
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
  FollowTurnOutputHandler,
  GetChunkDiffHandler,
];
