/**
 * A session's work tree lives on one host, and every activity that touches it runs on that host's
 * task queue. Such an activity may wait at most the host grace to start. When it waits longer, the
 * host is asked whether it is alive: a ping on its liveness queue (a worker of its own there, so a
 * host busy with long turns still answers), which must start within the same grace. An answer means
 * the host is only busy, and the activity is scheduled again; silence means the host is lost, and
 * `HostLost` unwinds the run so that the runner moves the session to a live host.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { hostLivenessQueue, type PingActivities } from '@chunkwise/contracts';

/** Thrown (never recorded as a failure) when the host that holds the work tree is gone. */
export class HostLost extends Error {
  constructor(
    readonly taskQueue: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'HostLost';
  }
}

/** The failure an activity reports when no worker took it within its schedule-to-start timeout. */
export function isScheduleToStartTimeout(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

/** A prepareWorktree that could not rebuild the work tree because the repository has no remote. */
export function isNoRemoteToRecover(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'NoRemoteToRecover'
  );
}

/** Whether the host of `taskQueue` answers a ping within `graceMs`. */
export async function hostAnswers(taskQueue: string, graceMs: number): Promise<boolean> {
  const probe = proxyActivities<PingActivities>({
    taskQueue: hostLivenessQueue(taskQueue),
    scheduleToStartTimeout: graceMs,
    startToCloseTimeout: '10 seconds',
    retry: { maximumAttempts: 1 },
  });
  try {
    await probe.ping('liveness');
    return true;
  } catch {
    return false;
  }
}

/**
 * Wraps the activity stubs of a host: a call that times out waiting to start asks the host; a busy
 * host gets the call again, a silent one throws HostLost.
 */
export function guardHost<T extends object>(stubs: T, taskQueue: string, graceMs: number): T {
  return new Proxy(stubs, {
    get(target, name) {
      const fn = Reflect.get(target, name) as unknown;
      if (typeof fn !== 'function') return fn;
      return async (...args: unknown[]) => {
        for (;;) {
          try {
            return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch (err) {
            if (!isScheduleToStartTimeout(err)) throw err;
            if (!(await hostAnswers(taskQueue, graceMs)))
              throw new HostLost(
                taskQueue,
                `host ${taskQueue} did not take ${String(name)} nor answer a ping within ${graceMs / 1000} s`,
              );
            log.info('the host is busy, not lost: scheduling the activity again', {
              taskQueue,
              activity: String(name),
            });
          }
        }
      };
    },
  });
}
