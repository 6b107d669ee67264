/**
 * Safe points and pauses: where the runner honours stop, cancel and pause requests and applies the
 * queued decisions (updates).
 */
import { condition } from '@temporalio/workflow';
import { currentChunk, type PauseReason } from '@chunkwise/domain';
import { Stop } from './session-control';
import type { SessionRunner } from './session-runner';
import { applyDecision } from './task-decisions';

export const applyDecisions = (r: SessionRunner) => r.control.applyDecisions((d) => applyDecision(r, d));

/** Between turns: throws Stop on cancel (now) or stop (once no turn runs); pauses when asked to. */
export async function safePoint(r: SessionRunner): Promise<void> {
  const { control } = r;
  if (control.cancelRequested) throw new Stop();
  // A stop is graceful: running turns finish first.
  if (control.stopRequested && r.runningTasks === 0) throw new Stop();
  await applyDecisions(r);
  if (control.pauseRequested && r.runningTasks === 0) await pauseHere(r, 'user', null, () => false);
}

/**
 * Pauses until resumed (or `until` holds), applying decisions meanwhile; throws Stop when stop or
 * cancel is requested.
 */
export async function pauseHere(
  r: SessionRunner,
  reason: PauseReason,
  detail: string | null,
  until: () => boolean,
): Promise<void> {
  const { control } = r;
  const next = currentChunk(r.state);
  // Cleared before the pause becomes visible (query, event), so a resume sent on seeing it is never lost.
  control.resumeRequested = false;
  await r.record({
    type: 'ExecutionPaused',
    data: { ...r.base(), reason, detail, next: next?.key ?? null },
  });
  for (;;) {
    await condition(() => control.hasDecisions || control.resumeRequested || control.stopping || until());
    if (control.stopping) throw new Stop();
    await applyDecisions(r);
    if (control.resumeRequested || until()) break;
  }
  control.resumeRequested = false;
  control.pauseRequested = false;
  await r.record({ type: 'ExecutionResumed', data: r.base() });
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
