import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setToken } from '../api/token';
import { KNOWN_EVENT_TYPES, streamUrl, usePlanStream } from './plan-stream';

/** The browser's EventSource, as far as the hook uses it (jsdom has none: this is the network boundary). */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: MessageEvent<string>) => void) | null = null;
  closed = false;
  private listeners = new Map<string, Array<(e: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (e: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
  }
  /** A frame `event: <type>` as the API sends it. */
  emit(type: string, data: unknown) {
    const event = new MessageEvent('message', { data: JSON.stringify(data) });
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
}

function Probe({ planId }: { planId: string }) {
  const stream = usePlanStream(planId);
  return (
    <div>
      <p data-testid="state">{stream.state}</p>
      <ul>
        {stream.events.map((e) => (
          <li key={e.position}>
            {e.type} @{e.position}
          </li>
        ))}
      </ul>
    </div>
  );
}

const frame = (type: string, position: number) => ({
  type,
  position,
  streamRevision: position,
  recordedAt: new Date().toISOString(),
  data: {},
});

describe('usePlanStream', () => {
  let client: QueryClient;
  let invalidate: ReturnType<typeof vi.spyOn>;
  const source = () => FakeEventSource.instances.at(-1)!;
  const nextFrame = () => act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));

  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    client = new QueryClient();
    invalidate = vi.spyOn(client, 'invalidateQueries');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  const mount = () =>
    render(
      <QueryClientProvider client={client}>
        <Probe planId="p1" />
      </QueryClientProvider>,
    );

  it('listens to every event type the API sends by name, and refreshes the plan on each', async () => {
    mount();
    expect(source().url).toBe('/api/plans/p1/stream');
    expect(screen.getByTestId('state')).toHaveTextContent('connecting');
    act(() => source().onopen!());
    expect(screen.getByTestId('state')).toHaveTextContent('open');
    await nextFrame();
    invalidate.mockClear();

    expect(KNOWN_EVENT_TYPES).toEqual(
      expect.arrayContaining(['PlanCreated', 'TaskCompleted', 'TurnStarted']),
    );
    act(() => source().emit('TaskCompleted', frame('TaskCompleted', 41)));
    act(() => source().emit('TaskStarted-unknown', frame('TaskStarted-unknown', 42)));
    expect(screen.getByText('TaskCompleted @41')).toBeInTheDocument();
    expect(screen.queryByText(/@42/)).toBeNull();
    await nextFrame();
    expect(
      invalidate.mock.calls.map((call: unknown[]) => (call[0] as { queryKey: unknown }).queryKey),
    ).toEqual([['plan', 'p1'], ['plans']]);
  });

  it('coalesces a burst of events into one refresh', async () => {
    mount();
    act(() => source().onopen!());
    await nextFrame();
    invalidate.mockClear();
    act(() => {
      for (let i = 1; i <= 20; i++) source().emit('TaskCompleted', frame('TaskCompleted', i));
    });
    await nextFrame();
    expect(screen.getAllByRole('listitem')).toHaveLength(20);
    expect(invalidate).toHaveBeenCalledTimes(2); // the plan and the list, once each
  });

  it('shows a lost connection, and refreshes everything when the browser has reconnected', async () => {
    mount();
    act(() => source().onopen!());
    await nextFrame();
    act(() => source().onerror!());
    expect(screen.getByTestId('state')).toHaveTextContent('lost');
    invalidate.mockClear();
    // EventSource reconnects by itself (sending Last-Event-ID); events missed in between are replayed by
    // the server, and the plan is refetched in case anything changed while it was away.
    act(() => source().onopen!());
    expect(screen.getByTestId('state')).toHaveTextContent('open');
    await nextFrame();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['plan', 'p1'] });
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('closes the stream when the page leaves, and carries the token in the URL when there is one', () => {
    const view = mount();
    view.unmount();
    expect(source().closed).toBe(true);
    setToken('s3cret token');
    expect(streamUrl('p 1', 's3cret token')).toBe('/api/plans/p%201/stream?access_token=s3cret%20token');
    expect(streamUrl('p1', null)).toBe('/api/plans/p1/stream');
  });
});
