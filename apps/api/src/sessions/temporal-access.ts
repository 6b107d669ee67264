import { Logger } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { PlanCommandService, SessionService } from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import type { SessionWorkflowInput } from '@chunkwise/contracts';

/** Temporal cannot be reached (connect failed, or a call answered UNAVAILABLE): HTTP 503. */
export class TemporalUnavailableError extends Error {
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`Temporal is not reachable at ${address}; is \`chunkwise up\` running? (${detail})`);
    this.name = 'TemporalUnavailableError';
  }
}

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

/** Rewrites the plan's repository reference (`repo:<id>`) to a path when a session starts. */
export type RepositoryPathResolver = (reference: string) => Promise<string>;

export interface TemporalAccessOptions {
  /** A client owned by the caller (tests): used as is and never closed here. */
  client?: Client;
  /** How long connecting may take before execution routes answer 503. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Activity timing knobs passed to every session (tests shorten them). */
  timing?: SessionWorkflowInput['timing'];
}

/**
 * The API's access to Temporal: a Client created lazily on the first execution request (plan
 * routes never need it), re-created after a failed attempt, closed with the app. Execution routes
 * get a SessionService over it; when Temporal cannot be reached they fail with
 * TemporalUnavailableError (503) instead of hanging.
 */
export class TemporalAccess {
  private connecting: Promise<Client> | undefined;
  private owned: Connection | undefined;
  private service: SessionService | undefined;
  private closed = false;
  private readonly logger = new Logger('Temporal');

  constructor(
    private readonly config: ChunkwiseConfig['temporal'],
    private readonly plans: PlanCommandService,
    private readonly eventStore: EventStore,
    private readonly resolveRepository: RepositoryPathResolver,
    private readonly options: TemporalAccessOptions = {},
  ) {}

  get address(): string {
    return this.config.address;
  }

  /** The connected client; TemporalUnavailableError when it cannot connect. */
  async client(): Promise<Client> {
    if (this.closed) throw new TemporalUnavailableError(this.address, 'the API is shutting down');
    if (this.options.client) return this.options.client;
    this.connecting ??= this.connect();
    try {
      return await this.connecting;
    } catch (e) {
      this.connecting = undefined; // try again on the next request
      throw e;
    }
  }

  private async connect(): Promise<Client> {
    try {
      const connection = await Connection.connect({
        address: this.config.address,
        connectTimeout: this.options.connectTimeoutMs ?? 3000,
      });
      if (this.closed) {
        await connection.close();
        throw new Error('the API is shutting down');
      }
      this.owned = connection;
      this.logger.log(`connected to Temporal at ${this.config.address} (namespace ${this.config.namespace})`);
      return new Client({ connection, namespace: this.config.namespace });
    } catch (e) {
      throw new TemporalUnavailableError(this.address, e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Checks that the server answers (a cheap system-info call with a short deadline). Used before a
   * session is started, so that a down server never leaves a requested-but-unstarted session behind.
   */
  async ensureReachable(): Promise<void> {
    const client = await this.client();
    try {
      await client.connection.withDeadline(Date.now() + (this.options.connectTimeoutMs ?? 3000), () =>
        client.workflowService.getSystemInfo({}),
      );
    } catch (e) {
      throw new TemporalUnavailableError(this.address, e instanceof Error ? e.message : String(e));
    }
  }

  /** The SessionService over the (lazily connected) client. */
  async sessions(): Promise<SessionService> {
    const client = await this.client();
    this.service ??= new SessionService(
      this.plans,
      this.eventStore,
      client,
      this.config.taskQueue,
      this.options.timing,
      this.resolveRepository,
    );
    return this.service;
  }

  /** Runs a Temporal call, turning "server unreachable" failures into TemporalUnavailableError. */
  async call<T>(fn: (sessions: SessionService) => Promise<T>): Promise<T> {
    const sessions = await this.sessions();
    try {
      return await fn(sessions);
    } catch (e) {
      if (isTemporalUnreachable(e))
        throw new TemporalUnavailableError(this.address, e instanceof Error ? e.message : String(e));
      throw e;
    }
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
