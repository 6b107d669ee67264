import {
  Controller,
  Inject,
  Logger,
  type OnApplicationShutdown,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ControlSignal } from '@chunkwise/application';
import { PlanNotFoundError } from '@chunkwise/application';
import { planStreamId } from '@chunkwise/domain';
import type { EventStore, Subscription } from '@chunkwise/event-store';
import { Observable } from 'rxjs';
import { RequestValidationError } from '../common/error-response';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { RollbackAnswers } from '../rollback/rollback-answer';
import { rollbackBodySchema } from '../rollback/rollback-schemas';
import {
  approveTaskBodySchema,
  completeTaskBodySchema,
  controlBodySchema,
  editTaskBodySchema,
  executeBodySchema,
  retryTaskBodySchema,
  skipTaskBodySchema,
} from '../sessions/session-schemas';
import {
  ExecutePlanCommand,
  GetChunkDiffQuery,
  GetProgressQuery,
  ResumePlanCommand,
  SignalSessionCommand,
  TaskActionCommand,
} from '../sessions/session.commands';
import {
  type ApproveTaskRequest,
  type CancelRequest,
  type CompleteTaskRequest,
  type EditTaskRequest,
  type ExecuteRequest,
  type GetChunkDiffRequest,
  type GetProgressRequest,
  type PauseRequest,
  type ResumeRequest,
  type RetryTaskRequest,
  type RollbackRequest,
  type SessionServiceController,
  SessionServiceControllerMethods,
  type SkipTaskRequest,
  type StopRequest,
  type WatchRequest,
  type WatchResponse,
} from './generated/chunkwise/v1/session';
import { GrpcAuthGuard } from './grpc-auth.guard';
import { toGrpcError } from './grpc-errors';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { jsonField, required, validated } from './grpc-request';

const POLL_MS = 200;
const json = (value: unknown) => ({ resultJson: JSON.stringify(value) });

/**
 * gRPC `chunkwise.v1.SessionService`: an adapter over the same commands and queries as the REST
 * execution routes (SessionsController), and `Watch`, which follows the plan's events in the event
 * store like the SSE stream (PlanStreamController). No logic of its own.
 */
@Controller()
@UseGuards(GrpcAuthGuard)
@UseFilters(GrpcExceptionFilter)
@SessionServiceControllerMethods()
export class SessionGrpcController implements SessionServiceController, OnApplicationShutdown {
  private readonly logger = new Logger('GrpcWatch');
  /** Open Watch calls, ended on app.close() so that the server can close. */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly sync: ProjectionSync,
    private readonly rollbacks: RollbackAnswers,
  ) {}

  onApplicationShutdown(): void {
    for (const end of [...this.open]) end();
  }

  async execute(request: ExecuteRequest) {
    const body = validated(executeBodySchema, jsonField(request.bodyJson, 'body_json', {}));
    return json(
      await this.commands.execute(new ExecutePlanCommand(required(request.planId, 'plan_id'), body)),
    );
  }

  async resume(request: ResumeRequest) {
    return json(await this.commands.execute(new ResumePlanCommand(required(request.planId, 'plan_id'))));
  }

  pause(request: PauseRequest) {
    return this.signal(request, 'pause');
  }

  stop(request: StopRequest) {
    return this.signal(request, 'stop');
  }

  cancel(request: CancelRequest) {
    return this.signal(request, 'cancel');
  }

  async rollback(request: RollbackRequest) {
    const body = validated(rollbackBodySchema, jsonField(request.bodyJson, 'body_json', {}));
    return json(await this.rollbacks.rollback(required(request.planId, 'plan_id'), body));
  }

  private async signal(request: { planId: string; reason: string }, signal: ControlSignal) {
    const body = validated(controlBodySchema, request.reason ? { reason: request.reason } : {});
    return json(
      await this.commands.execute(
        new SignalSessionCommand(required(request.planId, 'plan_id'), signal, body.reason),
      ),
    );
  }

  async approveTask(request: ApproveTaskRequest) {
    const body = validated(approveTaskBodySchema, jsonField(request.bodyJson, 'body_json', {}));
    return this.taskAction(request, 'approveTask', body);
  }

  async retryTask(request: RetryTaskRequest) {
    const body = validated(retryTaskBodySchema, jsonField(request.bodyJson, 'body_json', {}));
    return this.taskAction(request, 'retryTask', body);
  }

  async skipTask(request: SkipTaskRequest) {
    const body = validated(skipTaskBodySchema, jsonField(request.bodyJson, 'body_json', {}));
    return this.taskAction(request, 'skipTask', body);
  }

  async completeTask(request: CompleteTaskRequest) {
    validated(completeTaskBodySchema, {});
    return this.taskAction(request, 'completeTask', {});
  }

  async editTask(request: EditTaskRequest) {
    const edit = validated(editTaskBodySchema, jsonField(request.editJson, 'edit_json'));
    return this.taskAction(request, 'editTask', { edit });
  }

  private async taskAction(
    request: { planId: string; taskId: string },
    action: TaskActionCommand['action'],
    body: Record<string, unknown>,
  ) {
    const planId = required(request.planId, 'plan_id');
    const taskId = required(request.taskId, 'task_id');
    return json(await this.commands.execute(new TaskActionCommand(planId, action, { taskId, ...body })));
  }

  async getProgress(request: GetProgressRequest) {
    const progress = await this.queries.execute(new GetProgressQuery(required(request.planId, 'plan_id')));
    return { progressJson: JSON.stringify(progress) };
  }

  async getChunkDiff(request: GetChunkDiffRequest) {
    const diff = await this.queries.execute(
      new GetChunkDiffQuery(required(request.planId, 'plan_id'), required(request.chunkKey, 'chunk_key')),
    );
    return { diffJson: JSON.stringify(diff) };
  }

  /**
   * The plan's events after `after_position` (default: the store's current end), in order, each sent
   * once the read models hold it (a client that reads the plan on it sees what it announces). Ends
   * when the client cancels; errors (no such plan, invalid position) end it with their status.
   */
  watch(request: WatchRequest): Observable<WatchResponse> {
    return new Observable<WatchResponse>((subscriber) => {
      let ended = false;
      let subscription: Subscription | undefined;
      const end = () => {
        if (ended) return;
        ended = true;
        this.open.delete(end);
        void subscription?.stop();
        if (!subscriber.closed) subscriber.complete();
      };
      const fail = (e: unknown) => {
        if (ended) return;
        ended = true;
        this.open.delete(end);
        void subscription?.stop();
        subscriber.error(toGrpcError(e).error);
      };
      this.open.add(end);
      const start = async () => {
        const planId = required(request.planId, 'plan_id');
        const after = request.afterPosition;
        if (after !== undefined && (!Number.isSafeInteger(after) || after < 0))
          throw new RequestValidationError([
            { code: 'schema', path: 'after_position', message: 'after_position must be an event position' },
          ]);
        const streamId = planStreamId(planId);
        if ((await this.eventStore.readStream(streamId, { maxCount: 1 })).length === 0)
          throw new PlanNotFoundError(planId);
        const from = after ?? (await this.eventStore.headPosition());
        if (ended) return;
        let chain = Promise.resolve();
        subscription = this.eventStore.follow({ after: from, pollIntervalMs: POLL_MS }, (event) => {
          if (ended || event.streamId !== streamId) return;
          chain = chain.then(async () => {
            await this.sync.waitFor(event.position);
            if (ended) return;
            subscriber.next({
              type: event.type,
              position: event.position,
              streamRevision: event.revision,
              recordedAt: event.recordedAt,
              dataJson: JSON.stringify(event.data),
            });
          });
        });
        const followed = subscription;
        void followed.done.then(() => {
          if (!ended && followed.error) {
            const why = followed.error instanceof Error ? followed.error.message : String(followed.error);
            this.logger.warn(`watch of plan ${planId} ended: ${why}`);
            fail(followed.error);
          } else end();
        });
      };
      start().catch(fail);
      return () => {
        if (ended) return;
        ended = true;
        this.open.delete(end);
        void subscription?.stop();
      };
    });
  }
}
