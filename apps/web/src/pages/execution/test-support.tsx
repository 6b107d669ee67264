/**
 * Test support for the execution view (imported by tests only): a fetch stub answering API routes,
 * fixtures of a plan and its progress, and a render with a fresh QueryClient.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import type { PlanDetail, Progress } from '../../api/client';
import type { StreamEvent } from '../../live/plan-stream';

export { json, stubApi, type Call } from '../../test/api-stub';

/** A text/plain response whose body the test writes piece by piece. */
export function streamedText() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>{children}</MemoryRouter>
    </QueryClientProvider>
  );
  return { client, ...render(ui, { wrapper }) };
}

const planTask = (id: string, chunk: string, title: string, description = '', acceptance: string[] = []) => ({
  id,
  chunk,
  title,
  description,
  dependsOn: [],
  canRunInParallel: false,
  acceptance,
  status: 'pending',
  attempts: 0,
  lastError: null,
  commitSha: null,
  labels: [],
  optional: false,
  cancelled: false,
});

/** A plan of two chunks: C1 "Chunk one" (T1, T2), C2 "Chunk two" (manual: T3, T4). */
export function planFixture(status: PlanDetail['status']): PlanDetail {
  return {
    id: 'p1',
    title: 'Demo plan',
    status,
    archived: false,
    revision: 4,
    finalizedRevision: 4,
    repository: '/repos/demo',
    chunkCount: 2,
    taskCount: 4,
    completedCount: 0,
    failedCount: 0,
    progress: 0,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    description: '',
    execution: { maxAttempts: 5 },
    chunks: [
      {
        key: 'C1',
        title: 'Chunk one',
        description: '',
        executionMode: 'sequential',
        pauseAfter: true,
        tasks: [
          planTask('T1', 'C1', 'Add config', 'Read settings from the environment', ['config loads']),
          planTask('T2', 'C1', 'Add client'),
        ],
        stats: {},
      },
      {
        key: 'C2',
        title: 'Chunk two',
        description: '',
        executionMode: 'manual',
        pauseAfter: false,
        tasks: [
          planTask('T3', 'C2', 'Login route', 'The /login route'),
          planTask('T4', 'C2', 'Logout route'),
        ],
        stats: {},
      },
    ],
    stats: {},
    feedback: [],
    planningIterations: 0,
    lastPlanningMode: null,
    usage: {},
    streamRevision: 10,
  } as unknown as PlanDetail;
}

type TaskStatus = Progress['tasks'][number]['status'];

/** Progress of the fixture plan: task statuses by id, session fields overridden. */
export function progressFixture(
  statuses: Record<string, TaskStatus>,
  over: Partial<Progress> = {},
  extra: Record<string, Partial<Progress['tasks'][number]>> = {},
): Progress {
  const titles: Record<string, [string, string]> = {
    T1: ['C1', 'Add config'],
    T2: ['C1', 'Add client'],
    T3: ['C2', 'Login route'],
    T4: ['C2', 'Logout route'],
  };
  const tasks = Object.entries(titles).map(([id, [chunk, title]]) => ({
    id,
    chunk,
    title,
    status: statuses[id] ?? 'pending',
    attempts: statuses[id] && statuses[id] !== 'pending' ? 1 : 0,
    lastError: null,
    commitSha:
      statuses[id] === 'completed'
        ? `${id.toLowerCase()}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`.slice(0, 40)
        : null,
    ...extra[id],
  }));
  const count = (chunk: string, s: TaskStatus) =>
    tasks.filter((t) => t.chunk === chunk && t.status === s).length;
  const chunk = (key: string, title: string, mode: 'sequential' | 'manual') => {
    const total = tasks.filter((t) => t.chunk === key).length;
    const completed = count(key, 'completed');
    const skipped = count(key, 'skipped');
    return {
      key,
      title,
      executionMode: mode,
      pauseAfter: key === 'C1',
      status:
        completed + skipped === total ? 'completed' : count(key, 'pending') === total ? 'pending' : 'running',
      total,
      completed,
      skipped,
      failed: count(key, 'failed'),
      running: count(key, 'running'),
    };
  };
  const all = (s: TaskStatus) => tasks.filter((t) => t.status === s).length;
  return {
    live: true,
    planId: 'p1',
    planStatus: 'running',
    sessionId: 's_1',
    revision: 4,
    status: 'running',
    pauseReason: null,
    pauseDetail: null,
    currentChunk: 'C1',
    nextChunk: 'C2',
    chunks: [chunk('C1', 'Chunk one', 'sequential'), chunk('C2', 'Chunk two', 'manual')],
    tasks,
    totals: {
      tasks: tasks.length,
      completed: all('completed'),
      skipped: all('skipped'),
      failed: all('failed'),
      running: all('running'),
      pending: all('pending'),
    },
    commits: tasks.flatMap((t) => (t.commitSha ? [t.commitSha] : [])),
    elapsedMs: 65_000,
    branch: 'chunkwise/p1/s_1',
    ...over,
  };
}

let position = 100;
/** A stream event of session s_1. */
export function event(type: string, data: Record<string, unknown>): StreamEvent {
  position += 1;
  return {
    type,
    position,
    streamRevision: position,
    recordedAt: '2026-12-01T10:00:00.000Z',
    data: { revision: 4, sessionId: 's_1', ...data },
  };
}

/** GET /history answering these events. */
export const history = (events: StreamEvent[]) => ({
  planId: 'p1',
  entries: events.map((e) => ({ ...e, revision: 4, metadata: {}, eventId: `e${e.position}` })),
  feedback: [],
});
