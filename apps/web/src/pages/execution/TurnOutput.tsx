import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, messageOf, unwrap } from '../../api/errors';

/** The output kept on screen: its tail (a long turn can write megabytes). */
export const OUTPUT_KEEP_CHARS = 200_000;

type OutputState =
  | { phase: 'connecting'; text: string }
  | { phase: 'streaming'; text: string }
  | { phase: 'ended'; text: string }
  | { phase: 'error'; text: string; error: unknown };

const keepTail = (text: string) =>
  text.length > OUTPUT_KEEP_CHARS ? `…\n${text.slice(text.length - OUTPUT_KEEP_CHARS)}` : text;

/**
 * Follows a turn's output: `GET /api/plans/:id/turns/:turnId/output/stream` answers what is kept so
 * far, then each piece as the agent writes it, and ends with the turn (a finished turn's output comes
 * whole). Read with fetch and a stream reader (the client's middleware adds the token) — no polling.
 * Mount one per turn (key it by the turn id): its state starts fresh with it.
 */
export function useTurnOutput(planId: string, turnId: string): OutputState {
  const [state, setState] = useState<OutputState>({ phase: 'connecting', text: '' });
  useEffect(() => {
    const abort = new AbortController();
    const run = async () => {
      const result = await api.GET('/api/plans/{id}/turns/{turnId}/output/stream', {
        params: { path: { id: planId, turnId } },
        parseAs: 'stream',
        signal: abort.signal,
      });
      const body = unwrap(result) as ReadableStream<Uint8Array> | null;
      if (!body) {
        setState({ phase: 'ended', text: '' });
        return;
      }
      const reader = body.getReader();
      const decoder = new TextDecoder();
      setState((s) => ({ phase: 'streaming', text: s.text }));
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const piece = decoder.decode(value, { stream: true });
        if (piece) setState((s) => ({ phase: 'streaming', text: keepTail(s.text + piece) }));
      }
      const rest = decoder.decode();
      setState((s) => ({ phase: 'ended', text: keepTail(s.text + rest) }));
    };
    run().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      setState((s) => ({ phase: 'error', text: s.text, error }));
    });
    return () => abort.abort();
  }, [planId, turnId]);
  return state;
}

const PHASE_LABEL = {
  connecting: 'Connecting to the output…',
  streaming: 'Live: the agent is writing',
  ended: 'The turn has ended',
  error: 'The output could not be read',
};

/** h4 "Agent output" and a scrolling <pre> that follows the output live (stays at the bottom unless scrolled up). */
export function TurnOutput({ planId, turnId }: { planId: string; turnId: string }) {
  // "Read it again" after a lost connection mounts a fresh reader (the route sends the output from its start).
  const [reads, setReads] = useState(0);
  return <OutputReader key={reads} planId={planId} turnId={turnId} onReload={() => setReads((n) => n + 1)} />;
}

function OutputReader({
  planId,
  turnId,
  onReload,
}: {
  planId: string;
  turnId: string;
  onReload: () => void;
}) {
  const output = useTurnOutput(planId, turnId);
  const headingId = useId();
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = pre.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [output.text]);
  const notFound =
    output.phase === 'error' && output.error instanceof ApiError && output.error.status === 404;
  return (
    <div className="turn-output">
      <h4 id={headingId}>Agent output</h4>
      <p className="muted turn-output-state" role="status" aria-live="polite">
        {PHASE_LABEL[output.phase]} <span className="muted">(turn {turnId})</span>
      </p>
      {output.phase === 'error' ? (
        <div className={notFound ? 'muted' : 'error'} role={notFound ? undefined : 'alert'}>
          <p>{messageOf(output.error)}</p>
          <button type="button" onClick={onReload}>
            Read the output again
          </button>
        </div>
      ) : null}
      <pre
        ref={pre}
        className="agent-output"
        aria-labelledby={headingId}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {output.text || (output.phase === 'ended' ? '(no output)' : '')}
      </pre>
    </div>
  );
}
