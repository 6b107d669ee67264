import { planStreamId } from '@chunkwise/domain';
import type { EventStore, StoredEvent } from '@chunkwise/event-store';

/** How often the store is read for new events (adapters without push notifications). */
const FOLLOW_POLL_MS = 200;
/** Session endings: a turn still running then has ended too (cancelled, or its worker is gone). */
const SESSION_ENDINGS = new Set([
  'ExecutionStopped',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionCancelled',
]);

/** The session a turn id belongs to: turn ids are `<sessionId>-<n>`. */
export const sessionOfTurn = (turnId: string) => turnId.replace(/-\d+$/, '');

const dataOf = (e: StoredEvent) => (e.data ?? {}) as Record<string, unknown>;

/** True when `event` ends the turn: its TurnCompleted, or the end of its session. */
export function endsTurn(event: Pick<StoredEvent, 'type' | 'data'>, turnId: string): boolean {
  const data = dataOf(event as StoredEvent);
  if (event.type === 'TurnCompleted') return data.turnId === turnId;
  return SESSION_ENDINGS.has(event.type) && data.sessionId === sessionOfTurn(turnId);
}

export interface TurnEndWatch {
  /** The plan's stream has the turn's TurnStarted (false: unknown turn, or not started yet). */
  started: boolean;
  /** Resolves when the turn has ended (at once when it already had). */
  ended: Promise<void>;
  /** Stops following the store. */
  stop(): Promise<void>;
}

/**
 * Watches a plan's events for the end of one turn: what the stream already holds, then what is
 * appended (followed from the head position read before the stream, so nothing falls in between).
 */
export async function watchTurnEnd(store: EventStore, planId: string, turnId: string): Promise<TurnEndWatch> {
  const streamId = planStreamId(planId);
  const head = await store.headPosition();
  const events = await store.readStream(streamId);
  const started = events.some((e) => e.type === 'TurnStarted' && dataOf(e).turnId === turnId);
  if (events.some((e) => endsTurn(e, turnId)))
    return { started, ended: Promise.resolve(), stop: () => Promise.resolve() };
  let resolve!: () => void;
  const ended = new Promise<void>((r) => (resolve = r));
  const subscription = store.follow({ after: head, pollIntervalMs: FOLLOW_POLL_MS }, (event) => {
    if (event.streamId === streamId && endsTurn(event, turnId)) resolve();
  });
  // A store that stops (closed, failing) cannot tell the end any more: end the follow too.
  void subscription.done.then(() => resolve());
  return {
    started,
    ended,
    stop: async () => {
      resolve();
      await subscription.stop();
    },
  };
}
