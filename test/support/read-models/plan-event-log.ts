/**
 * Test support: an in-memory log of stored events produced by the real plan decider, with global
 * positions, 0-based stream revisions and controllable timestamps, to feed read-model stores without an
 * event store.
 */
import { randomUUID } from 'node:crypto';
import { decide, fold, planStreamId, type PlanCommand, type PlanEvent } from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';

export class PlanEventLog {
  readonly events: StoredEvent[] = [];
  private clock: number;

  /** @param start time of the first event; every later event is `stepMs` later. */
  constructor(
    start = Date.parse('2025-01-01T00:00:00.000Z'),
    private readonly stepMs = 1000,
  ) {
    this.clock = start - stepMs;
  }

  /** Decides `command` against the plan's current state and records the resulting events. */
  execute(planId: string, command: PlanCommand, metadata: Record<string, unknown> = {}): StoredEvent[] {
    const streamId = planStreamId(planId);
    const state = fold(this.stream(streamId));
    const events: PlanEvent[] = decide(command, state);
    return events.map((e) => this.append(streamId, e.type, e.data, { command: command.type, ...metadata }));
  }

  /** Records any event (another stream's, or an event type the domain does not know). */
  append(streamId: string, type: string, data: unknown, metadata: Record<string, unknown> = {}): StoredEvent {
    this.clock += this.stepMs;
    const event: StoredEvent = {
      id: randomUUID(),
      streamId,
      type,
      data,
      metadata,
      revision: this.stream(streamId).length,
      position: this.events.length + 1,
      recordedAt: new Date(this.clock).toISOString(),
    };
    this.events.push(event);
    return event;
  }

  stream(streamId: string): StoredEvent[] {
    return this.events.filter((e) => e.streamId === streamId);
  }

  /** Events after a position (exclusive), like EventStore.readAll. */
  after(position: number): StoredEvent[] {
    return this.events.filter((e) => e.position > position);
  }
}
