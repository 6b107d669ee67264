/**
 * The session workflow's activity stubs, with the timeouts and retries each kind of work needs.
 * The activities' type is the only thing taken from activities/ (type-only: nothing is bundled).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ResolvedExecutionSettings } from '@chunkwise/domain';
import type { SessionActivities } from '@chunkwise/contracts';
import { DEFAULT_TIMING, type SessionWorkflowInput } from '@chunkwise/contracts';

export type { SessionActivities };

export interface SessionTimeouts {
  heartbeatMs: number;
  shortMs: number;
  /** How long an activity may wait on the work tree's host before the host is asked if it is alive. */
  hostGraceMs: number;
  maxEventsBeforeContinue: number;
}

export function sessionTimeouts(timing: SessionWorkflowInput['timing']): SessionTimeouts {
  return {
    heartbeatMs: (timing?.heartbeatTimeoutSec ?? DEFAULT_TIMING.heartbeatTimeoutSec) * 1000,
    shortMs: (timing?.shortActivityTimeoutSec ?? DEFAULT_TIMING.shortActivityTimeoutSec) * 1000,
    hostGraceMs: (timing?.hostGraceSec ?? DEFAULT_TIMING.hostGraceSec) * 1000,
    maxEventsBeforeContinue: timing?.continueAsNewAfterEvents ?? DEFAULT_TIMING.continueAsNewAfterEvents,
  };
}

/** Activities on the shared task queue: recording events and preparing the session's work tree. */
export function sharedActivities(t: SessionTimeouts) {
  return {
    // Recording events is quick bookkeeping on the workflow's own worker: a local activity (no task
    // queue round trip, one marker in the history instead of an activity's events). Idempotent by its
    // deterministic event ids, so a re-run after a crash is harmless. Retried until it lands.
    bookkeeping: proxyLocalActivities<SessionActivities>({
      startToCloseTimeout: t.shortMs,
      localRetryThreshold: '10 seconds',
      retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
    }),
    // Creating a work tree may take long on a big repository: it heartbeats instead.
    setup: proxyActivities<SessionActivities>({
      startToCloseTimeout: '30 minutes',
      heartbeatTimeout: t.heartbeatMs,
      retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
    }),
  };
}

/**
 * Activities that touch the work tree, routed to the queue of the host that holds it. Each may wait
 * the host grace to start; longer, and the host is asked whether it is alive (see host-failover.ts).
 */
export function worktreeActivities(
  taskQueue: string,
  settings: ResolvedExecutionSettings,
  t: SessionTimeouts,
) {
  const gatesSec = settings.qaGates.reduce((s, g) => s + g.timeoutSec, 0) + 120;
  const scheduleToStartTimeout = t.hostGraceMs;
  return {
    agent: proxyActivities<SessionActivities>({
      taskQueue,
      scheduleToStartTimeout,
      startToCloseTimeout: Math.max(60, settings.agent.timeoutSec + 120) * 1000,
      heartbeatTimeout: t.heartbeatMs,
      retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
    }),
    qa: proxyActivities<SessionActivities>({
      taskQueue,
      scheduleToStartTimeout,
      startToCloseTimeout: gatesSec * 1000,
      heartbeatTimeout: t.heartbeatMs,
      retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
    }),
    git: proxyActivities<SessionActivities>({
      taskQueue,
      scheduleToStartTimeout,
      startToCloseTimeout: '30 minutes',
      // Heartbeats (not the start-to-close timeout) notice a worker that died during a commit.
      heartbeatTimeout: t.heartbeatMs,
      retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
    }),
    // Tidying up at the end of a session: bounded, so a host that is gone never holds the end back.
    cleanup: proxyActivities<SessionActivities>({
      taskQueue,
      scheduleToCloseTimeout: '2 minutes',
      heartbeatTimeout: t.heartbeatMs,
      retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
    }),
  };
}

export type WorktreeActivities = ReturnType<typeof worktreeActivities>;

/** The work tree's preparation on one given host (a lost host that came back keeps its session). */
export function hostSetupActivities(taskQueue: string, t: SessionTimeouts) {
  return proxyActivities<SessionActivities>({
    taskQueue,
    scheduleToStartTimeout: t.hostGraceMs,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: t.heartbeatMs,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
}
