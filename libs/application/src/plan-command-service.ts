import { randomUUID } from 'node:crypto';
import {
  decide,
  evolve,
  fold,
  planStreamId,
  type PlanCommand,
  type PlanEvent,
  type PlanState,
} from '@chunkwise/domain';
import { WrongExpectedRevisionError, type EventStore, type StoredEvent } from '@chunkwise/event-store';
import { PlanNotFoundError, StaleRevisionError } from './errors';

export interface ExecuteOptions {
  /** The plan revision the caller based the write on; a different current revision is refused (409). */
  expectedRevision?: number;
  /** Who or what issued the command, recorded in event metadata. Never put secrets here. */
  actor?: string;
  /** Correlates the events of one request. */
  correlationId?: string;
  /** Supplies event ids (deterministic ids make retried appends idempotent). Defaults to random UUIDs. */
  eventId?: (event: PlanEvent, index: number) => string;
}

export interface ExecuteResult {
  planId: string;
  revision: number;
  events: PlanEvent[];
  /** Global position of the last appended event (0 when the command produced no events). */
  position: number;
  state: PlanState;
}

/**
 * Runs plan commands: load the stream, fold, decide, append with the stream's expected revision.
 * Concurrent writers are safe because the append fails when the stream moved on; that is reported
 * as a stale revision, and nothing is written.
 */
export class PlanCommandService {
  constructor(private readonly store: EventStore) {}

  async load(planId: string): Promise<{ state: PlanState; streamRevision: number; events: StoredEvent[] }> {
    const events = await this.store.readStream(planStreamId(planId));
    return {
      state: fold(events),
      streamRevision: events.length ? events[events.length - 1].revision : -1,
      events,
    };
  }

  async execute(planId: string, command: PlanCommand, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const { state, streamRevision } = await this.load(planId);
    if (command.type !== 'CreatePlan' && !state.exists) throw new PlanNotFoundError(planId);
    if (
      options.expectedRevision !== undefined &&
      state.exists &&
      options.expectedRevision !== state.revision
    ) {
      throw new StaleRevisionError(planId, options.expectedRevision, state.revision);
    }
    const events = decide(command, state);
    const next = events.reduce(evolve, state);
    if (events.length === 0) return { planId, revision: state.revision, events, position: 0, state };

    const metadata: Record<string, unknown> = { command: command.type };
    if (options.actor) metadata.actor = options.actor;
    if (options.correlationId) metadata.correlationId = options.correlationId;
    try {
      const result = await this.store.append(
        planStreamId(planId),
        events.map((e, i) => ({
          id: options.eventId?.(e, i) ?? randomUUID(),
          type: e.type,
          data: e.data,
          metadata,
        })),
        { expectedRevision: streamRevision < 0 ? 'no_stream' : streamRevision },
      );
      return { planId, revision: next.revision, events, position: result.position, state: next };
    } catch (e) {
      if (e instanceof WrongExpectedRevisionError) {
        const current = fold(await this.store.readStream(planStreamId(planId)));
        throw new StaleRevisionError(planId, options.expectedRevision ?? state.revision, current.revision);
      }
      throw e;
    }
  }
}
