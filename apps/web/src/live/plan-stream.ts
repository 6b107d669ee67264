import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { currentToken } from '../api/token';
import { planKeys } from '../api/queries';
import { STREAM_EVENT_TYPES } from '../api/generated/stream-event-types';

/** One event of `GET /api/plans/:id/stream` (frame data). */
export interface StreamEvent {
  type: string;
  position: number;
  streamRevision: number;
  recordedAt: string;
  data: Record<string, unknown>;
}

export type StreamState = 'connecting' | 'open' | 'lost';

export interface PlanStream {
  state: StreamState;
  /** The events received since the page opened the stream (newest last, at most `keep`). */
  events: StreamEvent[];
  /** Time the newest event arrived (ms since epoch), for "updated n s ago". */
  lastEventAt: number | null;
}

export function streamUrl(planId: string, token: string | null): string {
  const url = `/api/plans/${encodeURIComponent(planId)}/stream`;
  // EventSource cannot send an Authorization header; the API takes the token as a query parameter on this route only.
  return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
}

/**
 * Follows a plan's events live. EventSource reconnects by itself and sends Last-Event-ID, so the
 * server resumes after the last event this page saw: a dropped connection loses nothing. Every event
 * (and every (re)connection, which may follow missed writes) refreshes the plan's queries — no polling.
 */
export function usePlanStream(planId: string | undefined, options: { keep?: number } = {}): PlanStream {
  const keep = options.keep ?? 500;
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState>('connecting');
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [lastEventAt, setLastEventAt] = useState<number | null>(null);
  const pending = useRef<number | null>(null);

  useEffect(() => {
    // Mount one stream per plan (key the component by plan id): state starts fresh with it.
    if (!planId) return;
    const source = new EventSource(streamUrl(planId, currentToken()));
    const refresh = () => {
      // Coalesce bursts (a batch of events) into one refetch per frame.
      if (pending.current !== null) return;
      pending.current = requestAnimationFrame(() => {
        pending.current = null;
        void queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) });
        void queryClient.invalidateQueries({ queryKey: planKeys.lists() });
      });
    };
    const onMessage = (e: MessageEvent<string>) => {
      let event: StreamEvent;
      try {
        event = JSON.parse(e.data) as StreamEvent;
      } catch {
        return;
      }
      setEvents((list) =>
        list.length >= keep ? [...list.slice(list.length - keep + 1), event] : [...list, event],
      );
      setLastEventAt(Date.now());
      refresh();
    };
    // Named events (`event: <type>`) do not reach onmessage; listen to every frame through a proxy of addEventListener.
    const types = new Set<string>();
    const listenTo = (type: string) => {
      if (types.has(type)) return;
      types.add(type);
      source.addEventListener(type, onMessage as EventListener);
    };
    for (const type of KNOWN_EVENT_TYPES) listenTo(type);
    source.onmessage = onMessage;
    source.onopen = () => {
      setState('open');
      refresh();
    };
    source.onerror = () => {
      // CONNECTING: the browser retries by itself (retry: 2000); CLOSED: it gave up (e.g. 401/404).
      setState('lost');
    };
    return () => {
      source.close();
      if (pending.current !== null) cancelAnimationFrame(pending.current);
      pending.current = null;
    };
  }, [planId, keep, queryClient]);

  return { state, events, lastEventAt };
}

/**
 * Every event type the stream sends as `event: <type>` (from the OpenAPI document of the build).
 * EventSource delivers a named event only to listeners of that name.
 */
export const KNOWN_EVENT_TYPES: readonly string[] = STREAM_EVENT_TYPES;
