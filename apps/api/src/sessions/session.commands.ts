import { Command, Query } from '@nestjs/cqrs';
import type { ControlSignal, SessionRef, TaskAction } from '@chunkwise/application';
import type { z } from 'zod';
import type { UpdateAnswer } from '@chunkwise/contracts';
import type { ChunkDiffResponse, executeBodySchema, ProgressResponse } from './session-schemas';
import type { TurnEndWatch } from './turn-end';

export type ExecuteBody = z.output<typeof executeBodySchema>;

export class ExecutePlanCommand extends Command<SessionRef> {
  constructor(
    readonly planId: string,
    readonly body: ExecuteBody,
  ) {
    super();
  }
}

export interface ResumeResult {
  action: 'resumed' | 'restarted';
  planId: string;
  sessionId: string;
  workflowId: string;
}

export class ResumePlanCommand extends Command<ResumeResult> {
  constructor(readonly planId: string) {
    super();
  }
}

export interface SignalResult {
  planId: string;
  sessionId: string;
  workflowId: string;
  signal: ControlSignal;
}

export class SignalSessionCommand extends Command<SignalResult> {
  constructor(
    readonly planId: string,
    readonly signal: ControlSignal,
    readonly reason: string | undefined,
  ) {
    super();
  }
}

/** A task update; a refusal comes back as UpdateRejectedError (409 with the reason). */
export class TaskActionCommand extends Command<UpdateAnswer> {
  constructor(
    readonly planId: string,
    readonly action: TaskAction,
    readonly args: { taskId: string } & Record<string, unknown>,
  ) {
    super();
  }
}

/** The workflow's progress while a session is active, else the read models' (live: false). */
export class GetProgressQuery extends Query<ProgressResponse> {
  constructor(readonly planId: string) {
    super();
  }
}

/** Where a turn's kept output is (404 when unknown). */
export class GetTurnOutputQuery extends Query<{ file: string; size: number }> {
  constructor(
    readonly planId: string,
    readonly turnId: string,
  ) {
    super();
  }
}

/** A turn's output file and a watch on the end of the turn (404 when the turn never started). */
export class FollowTurnOutputQuery extends Query<{ file: string; watch: TurnEndWatch }> {
  constructor(
    readonly planId: string,
    readonly turnId: string,
  ) {
    super();
  }
}

/** What the commits of one chunk changed (files and unified diff). */
export class GetChunkDiffQuery extends Query<ChunkDiffResponse> {
  constructor(
    readonly planId: string,
    readonly chunk: string,
  ) {
    super();
  }
}
