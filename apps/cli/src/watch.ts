import {
  isLive,
  type ApiClient,
  type NoLiveSession,
  type ProgressAnswer,
  type SessionProgress,
  type SseEvent,
} from './api-client';
import { CliError } from './errors';
import type { Io } from './output';
import { describeChanges, ENDED, endLine, renderLive, type SessionEnd } from './session-view';

export interface EndState {
  state: SessionEnd | 'none' | null;
  /** e.g. `6/6 tasks done` (the plan's counts once the session is over). */
  detail?: string;
  /** Why the state is unknown (shown once). */
  note?: string;
}

/** Where a watcher reads a session from (the API, or an in-process session service). */
export interface SessionSource {
  progress(): Promise<ProgressAnswer>;
  /**
   * How the plan's last session ended, once no session is live: an end state, `none` (the plan was
   * never executed) or null (not known yet: the read model is catching up).
   */
  endState(answer: NoLiveSession): Promise<EndState>;
  /** Follows the plan's events until aborted; rejects when the stream cannot be followed. */
  stream?(onEvent: (e: SseEvent) => void, signal: AbortSignal): Promise<void>;
}

/** Reads an end state from a plan status (no session is live). */
export function endOfPlanStatus(status: string | undefined): EndState['state'] {
  switch (status) {
    case 'completed':
    case 'failed':
    case 'cancelled':
      return status;
    case 'paused':
      // No live session while the plan is paused: its session was stopped (resumable).
      return 'stopped';
    case 'running':
    case undefined:
      return null;
    default:
      return 'none';
  }
}

/**
 * The API as a session source: the progress route (live from the workflow, else `live: false` with
 * the plan's status from the read models) and the SSE stream.
 */
export function apiSource(client: ApiClient, planId: string): SessionSource {
  return {
    progress: () => client.progress(planId),
    endState: async (answer) => {
      // `note`: the workflow could not be asked (Temporal unavailable); the session may well be live.
      if (answer.note) return { state: null, note: String(answer.note) };
      const totals = answer.totals as SessionProgress['totals'] | undefined;
      const status = typeof answer.planStatus === 'string' ? answer.planStatus : answer.status;
      const detail = totals ? totalsLine(totals) : undefined;
      return { state: endOfPlanStatus(status), detail };
    },
    stream: (onEvent, signal) => client.stream(planId, onEvent, signal),
  };
}

export interface WatchOptions {
  planId: string;
  io: Io;
  /** Redraw in place (a terminal) or append lines (a pipe, a log file). */
  tty: boolean;
  width?: number;
  title?: string;
  /** How often to poll the progress when the event stream is down (when it is up: a slower safety net). */
  pollMs?: number;
  /** How long to wait for a session to appear (right after `execute`). */
  startTimeoutMs?: number;
  /** How long the API may stay unreachable before the watch gives up. */
  unreachableTimeoutMs?: number;
  /** A session was just started: an earlier session's end state does not count for a few seconds. */
  fresh?: boolean;
  /** Called once per pause (the demo resumes from here). The display is redrawn afterwards. */
  onPause?: (p: SessionProgress) => Promise<void>;
}

export interface WatchResult {
  end: SessionEnd;
  last: SessionProgress | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Watches a plan's session until it completes, fails, is cancelled or stopped. Driven by the event
 * stream (each event triggers a progress read), with polling as the fallback and safety net.
 */
export async function watchSession(source: SessionSource, o: WatchOptions): Promise<WatchResult> {
  const pollMs = o.pollMs ?? 500;
  const startTimeout = o.startTimeoutMs ?? 15_000;
  const unreachableTimeout = o.unreachableTimeoutMs ?? 30_000;
  const abort = new AbortController();
  let streamUp = false;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();

  // The event stream: each event is a reason to read the progress now. Reconnects after a failure.
  const streaming = (async () => {
    if (!source.stream) return;
    while (!abort.signal.aborted) {
      try {
        streamUp = true;
        await source.stream(() => poke(), abort.signal);
      } catch {
        // fall back to polling for a while
      }
      streamUp = false;
      if (abort.signal.aborted) break;
      await sleep(2_000);
    }
  })();

  let drawn = 0;
  const draw = (lines: string[]) => {
    if (!o.tty) return;
    let text = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    text += lines.map((l) => `${l}\n`).join('');
    o.io.write(text);
    drawn = lines.length;
  };

  let last: SessionProgress | null = null;
  let sawLive = false;
  const started = Date.now();
  let failingSince: number | null = null;
  let unknownSince: number | null = null;
  const handledPauses = new Set<string>();
  let lastNote: string | undefined;

  try {
    for (;;) {
      let answer: ProgressAnswer | null = null;
      try {
        answer = await source.progress();
        failingSince = null;
      } catch (err) {
        failingSince ??= Date.now();
        if (Date.now() - failingSince > unreachableTimeout) throw err;
        if (!o.tty) o.io.out(`(progress unavailable: ${(err as Error).message}; retrying)`);
      }

      if (answer && isLive(answer)) {
        sawLive = true;
        unknownSince = null;
        if (o.tty)
          draw(renderLive(answer, { planId: o.planId, title: o.title, width: o.width, polling: !streamUp }));
        else for (const line of describeChanges(last, answer, o.planId)) o.io.out(line);
        last = answer;
        // The workflow may answer its final state before the read models catch up: count from it.
        if (ENDED.has(answer.status)) return finish(answer.status as SessionEnd, totalsLine(answer.totals));
        const key = `${answer.sessionId}|${answer.pauseReason}|${answer.currentChunk}|${answer.commits.length}`;
        if (answer.status === 'paused' && o.onPause && !handledPauses.has(key)) {
          handledPauses.add(key);
          drawn = 0; // whatever onPause prints stays above the next drawing
          await o.onPause(answer);
          continue;
        }
      } else if (answer) {
        const {
          state: end,
          detail,
          note,
        } = await source
          .endState(answer)
          .catch((err: unknown): EndState => ({ state: null, note: (err as Error).message }));
        if (note && note !== lastNote) o.io.err(`note: ${note}`);
        lastNote = note;
        const settled = sawLive || !o.fresh || Date.now() - started > 3_000;
        if (
          end &&
          end !== 'none' &&
          settled &&
          (sawLive || end !== 'stopped' || Date.now() - started > 2_000)
        ) {
          return finish(end, detail);
        }
        if (end === 'none' && !sawLive && Date.now() - started > startTimeout) {
          throw new CliError(`plan ${o.planId} has no session to watch`, [
            `start one with: chunkwise execute ${o.planId}`,
          ]);
        }
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince > startTimeout) {
          throw new CliError(
            `plan ${o.planId}: no live session and no final state after ${startTimeout / 1000} s`,
          );
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, streamUp ? Math.max(pollMs, 1_000) : pollMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        // A burst of events becomes one read, a moment after the first.
        wake = () => {
          wake = null;
          setTimeout(done, 50);
        };
      });
    }
  } finally {
    abort.abort();
    await streaming;
  }

  function finish(end: SessionEnd, detail: string | undefined): WatchResult {
    o.io.out(endLine(end, detail, o.planId));
    return { end, last };
  }
}

/** The end-of-session counts, e.g. `2/3 tasks completed, 1 skipped`. */
export function totalsLine(totals: SessionProgress['totals']): string {
  return (
    `${totals.completed}/${totals.tasks} tasks completed` +
    (totals.skipped ? `, ${totals.skipped} skipped` : '') +
    (totals.failed ? `, ${totals.failed} failed` : '')
  );
}

/** 0 when the session completed, 1 otherwise (failed, cancelled, stopped). */
export const exitCodeOf = (end: SessionEnd): number => (end === 'completed' ? 0 : 1);
