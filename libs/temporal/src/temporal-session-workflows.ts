import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  TemporalUnavailableError,
  type RollbackWorkflows,
  type SessionSignal,
  type SessionUpdate,
  type SessionWorkflows,
} from '@chunkwise/application';
import type { SessionProgress } from '@chunkwise/domain';
import {
  ChunkwisePlanId,
  ChunkwisePlanTitle,
  ChunkwiseStatus,
  ROLLBACK_WORKFLOW,
  SESSION_WORKFLOW,
  type RollbackOutcome,
  type RollbackWorkflowInput,
  type SessionOutcome,
  type SessionWorkflowInput,
  type UpdateAnswer,
} from '@chunkwise/contracts';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Whether an error (or one of its causes) says the Temporal server could not be reached. */
export function isTemporalUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
    const message = e instanceof Error ? e.message : '';
    if (/Failed to connect before the deadline|ECONNREFUSED|No connection established/i.test(message))
      return true;
  }
  return false;
}

export interface TemporalSessionWorkflowsOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** A client owned by the caller (tests): used as is and never closed here. */
  client?: Client;
  /** How long connecting may take before calls fail with TemporalUnavailableError. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Told once a connection is made. */
  onConnected?: (message: string) => void;
}

/**
 * The SessionWorkflows port on @temporalio/client. The client is created lazily on first use (a
 * process that never executes a plan never connects), created again after a failed attempt, and
 * closed by `close()`; when the server cannot be reached every call fails with
 * TemporalUnavailableError instead of hanging.
 */
export class TemporalSessionWorkflows implements SessionWorkflows, RollbackWorkflows {
  private connecting: Promise<Client> | undefined;
  private owned: Connection | undefined;
  private closed = false;

  constructor(private readonly options: TemporalSessionWorkflowsOptions) {}

  private get address(): string {
    return this.options.address;
  }

  private unavailable(e: unknown): TemporalUnavailableError {
    return new TemporalUnavailableError(this.address, e instanceof Error ? e.message : String(e));
  }

  /** The connected client; TemporalUnavailableError when it cannot connect. */
  async client(): Promise<Client> {
    if (this.closed) throw new TemporalUnavailableError(this.address, 'the API is shutting down');
    if (this.options.client) return this.options.client;
    this.connecting ??= this.open();
    try {
      return await this.connecting;
    } catch (e) {
      this.connecting = undefined; // try again on the next request
      throw e;
    }
  }

  private async open(): Promise<Client> {
    try {
      const connection = await Connection.connect({
        address: this.address,
        connectTimeout: this.options.connectTimeoutMs ?? 3000,
      });
      if (this.closed) {
        await connection.close();
        throw new Error('the API is shutting down');
      }
      this.owned = connection;
      this.options.onConnected?.(
        `connected to Temporal at ${this.address} (namespace ${this.options.namespace})`,
      );
      return new Client({ connection, namespace: this.options.namespace });
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  /** Runs a Temporal call, turning "server unreachable" failures into TemporalUnavailableError. */
  private async call<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await fn(client);
    } catch (e) {
      if (isTemporalUnreachable(e)) throw this.unavailable(e);
      throw e;
    }
  }

  async connect(): Promise<void> {
    await this.client();
  }

  async ensureReachable(): Promise<void> {
    const client = await this.client();
    try {
      await client.connection.withDeadline(Date.now() + (this.options.connectTimeoutMs ?? 3000), () =>
        client.workflowService.getSystemInfo({}),
      );
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  start(workflowId: string, input: SessionWorkflowInput, planTitle: string): Promise<void> {
    return this.call(async (client) => {
      await client.workflow.start(SESSION_WORKFLOW, {
        taskQueue: this.options.taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: ChunkwisePlanId, value: input.state.planId },
          { key: ChunkwisePlanTitle, value: planTitle.slice(0, 200) },
          { key: ChunkwiseStatus, value: 'running' },
        ],
      });
    });
  }

  signal(workflowId: string, signal: SessionSignal, reason?: string): Promise<void> {
    return this.call(async (client) => {
      const handle = client.workflow.getHandle(workflowId);
      if (signal === 'pause' || signal === 'cancel') await handle.signal(signal, { reason });
      else await handle.signal(signal);
    });
  }

  update(workflowId: string, update: SessionUpdate, args: Record<string, unknown>): Promise<UpdateAnswer> {
    return this.call(async (client) => {
      try {
        return await client.workflow
          .getHandle(workflowId)
          .executeUpdate<UpdateAnswer, [Record<string, unknown>]>(update, { args: [args] });
      } catch (e) {
        if (isTemporalUnreachable(e)) throw e;
        // A validator's refusal comes back as a failed update: answer it as a rejection with its reason.
        const message =
          e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        return { accepted: false, reason: message };
      }
    });
  }

  progress(workflowId: string): Promise<SessionProgress> {
    return this.call((client) => client.workflow.getHandle(workflowId).query<SessionProgress>('progress'));
  }

  result(workflowId: string): Promise<SessionOutcome> {
    return this.call(
      async (client) => (await client.workflow.getHandle(workflowId).result()) as SessionOutcome,
    );
  }

  startRollback(workflowId: string, input: RollbackWorkflowInput): Promise<void> {
    return this.call(async (client) => {
      await client.workflow.start(ROLLBACK_WORKFLOW, {
        taskQueue: this.options.taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [{ key: ChunkwisePlanId, value: input.planId }],
      });
    });
  }

  rollbackResult(workflowId: string, timeoutMs: number): Promise<RollbackOutcome | null> {
    return this.call(async (client) => {
      const result = client.workflow.getHandle(workflowId).result() as Promise<RollbackOutcome>;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      try {
        return await Promise.race([result, timeout]);
      } finally {
        clearTimeout(timer);
        result.catch(() => undefined);
      }
    });
  }

  rollbackStatus(workflowId: string): Promise<'running' | 'completed' | 'ended' | 'not_found'> {
    return this.call(async (client) => {
      try {
        const { status } = await client.workflow.getHandle(workflowId).describe();
        return status.name === 'RUNNING' ? 'running' : status.name === 'COMPLETED' ? 'completed' : 'ended';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'not_found';
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    this.connecting = undefined;
    await pending?.catch(() => undefined);
    await this.owned?.close();
    this.owned = undefined;
  }
}
