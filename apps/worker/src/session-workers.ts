import { hostname } from 'node:os';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { EventStore } from '@chunkwise/event-store';
import { createChunkwiseWorker, type WorkflowSource } from '@chunkwise/temporal';
import { createActivities } from '../../../activities';
import { hostLivenessQueue, hostTaskQueue } from '@chunkwise/contracts';
import { failOrphanedTurns } from './orphaned-turns';
import { createScheduledRuns } from './scheduled-runs';
import type { BudgetDefaults } from '@chunkwise/domain';

export interface SessionWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  eventStore: EventStore;
  dataDir: string;
  /** Identifies this host's work trees; defaults to the machine's host name. */
  hostId?: string;
  workflowSource?: WorkflowSource;
  heartbeatMs?: number;
  /** Default budgets of the sessions schedules start (configuration's). */
  budgets?: BudgetDefaults;
}

/**
 * The two workers of one host: the shared queue (workflows and host-independent activities) and
 * this host's own queue, where every activity that touches a work tree is routed. A third, tiny worker
 * answers pings on the host's liveness queue: its own slots, so a host busy with long turns still
 * answers, and a session finds a host that is gone for good (and moves) by its silence.
 */
export async function createSessionWorkers(
  o: SessionWorkersOptions,
): Promise<{ workers: Worker[]; hostTaskQueue: string }> {
  const hostQueue = hostTaskQueue(o.taskQueue, o.hostId ?? hostname());
  // Turns a dead worker of this host left running are retried now, not at their heartbeat timeout:
  // first thing, before the workflow bundle loads (the retry waits 1 s, by then this host polls).
  void failOrphanedTurns({ connection: o.connection, namespace: o.namespace, dataDir: o.dataDir });
  const activities = createActivities({
    eventStore: o.eventStore,
    dataDir: o.dataDir,
    hostTaskQueue: hostQueue,
    heartbeatMs: o.heartbeatMs,
    scheduledRuns: createScheduledRuns(o),
  });
  const shared = await createChunkwiseWorker({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities,
    workflowSource: o.workflowSource,
  });
  const { Worker } = await import('@temporalio/worker');
  const local = await Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: hostQueue,
    activities,
    shutdownGraceTime: '10 seconds',
    // Heartbeats reach the server within a second (the SDK's default waits up to 80 % of the
    // heartbeat timeout): a short heartbeat timeout then finds dead workers fast and never cuts a
    // live turn short.
    maxHeartbeatThrottleInterval: '1 second',
  });
  const liveness = await Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: hostLivenessQueue(hostQueue),
    activities: { ping: activities.ping },
    maxConcurrentActivityTaskExecutions: 4,
    shutdownGraceTime: '1 second',
  });
  return { workers: [shared, local, liveness], hostTaskQueue: hostQueue };
}
