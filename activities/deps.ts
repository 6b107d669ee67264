import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '@chunkwise/contracts';
import type { EventStore } from '@chunkwise/event-store';
import type { ScheduledRuns } from '@chunkwise/application';

export interface SessionActivityDeps {
  eventStore: EventStore;
  /** Work trees and turn outputs live here. */
  dataDir: string;
  /** The task queue of this host (activities that touch a work tree are routed to it). */
  hostTaskQueue: string;
  /** Heartbeat interval while a long activity runs; default 1000 ms (never over a quarter of the timeout). */
  heartbeatMs?: number;
  /** What a schedule's firing does (starts the plan's session); firings fail without it. */
  scheduledRuns?: Pick<ScheduledRuns, 'fire' | 'awaitSession'>;
}

export const heartbeatMsOf = (deps: Pick<SessionActivityDeps, 'heartbeatMs'>) =>
  deps.heartbeatMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
