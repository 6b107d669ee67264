import { Context } from '@temporalio/activity';

/**
 * The interval to heartbeat at: `ms`, but never more than a quarter of the activity's heartbeat
 * timeout, so a short timeout (fast recovery after a worker dies) never cuts a live activity short.
 */
export function heartbeatInterval(ms: number, heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs || heartbeatTimeoutMs <= 0) return ms;
  return Math.max(100, Math.min(ms, Math.floor(heartbeatTimeoutMs / 4)));
}

/** Keeps a long activity alive in Temporal's eyes and lets it learn of cancellation. */
export function startHeartbeat(ms: number, details: () => unknown): () => void {
  const ctx = Context.current();
  ctx.heartbeat(details());
  const timer = setInterval(
    () => ctx.heartbeat(details()),
    heartbeatInterval(ms, ctx.info.heartbeatTimeoutMs),
  );
  return () => clearInterval(timer);
}

/** Runs `work` while heartbeating: a worker that dies during it is noticed at the heartbeat timeout. */
export async function heartbeating<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const stop = startHeartbeat(ms, () => null);
  try {
    return await work();
  } finally {
    stop();
  }
}

/** True when an earlier attempt of this activity ran (and may have died half-way, e.g. with its worker). */
export const isRetry = () => Context.current().info.attempt > 1;
