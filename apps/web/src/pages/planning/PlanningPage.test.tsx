import { fetchMock, json, sentRequests } from './test-support';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Outlet, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PlanDetail } from '../../api/client';
import { planQuery } from '../../api/queries';
import type { PlanContext } from '../../app/plan-context';
import { PlanningPage } from './PlanningPage';

const task = (id: string, chunk: string, title: string) => ({
  id,
  chunk,
  title,
  description: '',
  dependsOn: [],
  canRunInParallel: false,
  acceptance: [],
  status: 'pending' as const,
  attempts: 0,
  lastError: null,
  commitSha: null,
  labels: [],
  optional: false,
  cancelled: false,
});
const usage = {
  inputTokens: 12000,
  outputTokens: 3400,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 500,
  calls: 3,
  costUsd: 0.1234,
  byPurpose: {
    generate: {
      inputTokens: 4000,
      outputTokens: 2000,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      calls: 1,
      costUsd: 0.05,
    },
    'refine-judge': {
      inputTokens: 8000,
      outputTokens: 1400,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 500,
      calls: 2,
      costUsd: 0.0734,
    },
  },
};

let current: PlanDetail;
function makePlan(revision: number): PlanDetail {
  return {
    id: 'p1',
    title: 'Orders service',
    status: 'draft',
    archived: false,
    revision,
    finalizedRevision: null,
    repository: null,
    chunkCount: 1,
    taskCount: 2,
    completedCount: 0,
    failedCount: 0,
    progress: 0,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    description: 'An orders service',
    execution: null,
    chunks: [
      {
        key: 'C01',
        title: 'Schema',
        description: '',
        executionMode: 'sequential',
        pauseAfter: false,
        tasks: [task('T1', 'C01', 'Create the table'), task('T2', 'C01', 'Add the column')],
      },
    ],
    feedback: [
      { revision: 1, feedback: 'First draft please', author: null, mode: 'generate' },
      { revision: 2, feedback: 'Add tests for the migration', author: 'ana', mode: 'multi' },
    ],
    planningIterations: 2,
    lastPlanningMode: 'multi',
    usage,
  } as unknown as PlanDetail;
}

const diffOf = (from: number, to: number) => ({
  planId: 'p1',
  from,
  to,
  diff: {
    details: {},
    chunks: { added: [], removed: [], changed: [], reordered: false },
    tasks: {
      added: [],
      removed: [],
      changed: [{ id: 'T2', changes: { description: { from: `text at ${from}`, to: `text at ${to}` } } }],
    },
  },
});

/** A tiny API: the plan, its diff between any two revisions, usage, and a refine turn. */
function answer(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = `${req.method} ${url.pathname}`;
  if (path === 'GET /api/plans/p1') return Promise.resolve(json(200, current));
  if (path === 'GET /api/plans/p1/usage') return Promise.resolve(json(200, { planId: 'p1', ...usage }));
  if (path === 'GET /api/plans/p1/diff') {
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    return Promise.resolve(json(200, diffOf(from, to)));
  }
  if (path === 'GET /api/plans/p1/history') {
    const call = (revision: number, purpose: string, costUsd: number) => ({
      type: 'LlmCallRecorded',
      revision,
      recordedAt: '2026-12-01T10:00:00Z',
      data: {
        revision,
        callId: `c-${revision}-${purpose}`,
        purpose,
        model: 'claude-test',
        usage: { inputTokens: 4000, outputTokens: 700, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        costUsd,
        durationMs: 2500,
        repaired: purpose === 'refine-judge',
      },
    });
    return Promise.resolve(
      json(200, {
        planId: 'p1',
        feedback: [],
        entries: [
          { type: 'PlanCreated', revision: 1, recordedAt: '2026-12-01T10:00:00Z', data: {} },
          call(1, 'generate', 0.05),
          call(2, 'refine-judge', 0.0734),
        ],
      }),
    );
  }
  if (path === 'POST /api/plans/p1/refine') {
    current = makePlan(current.revision + 1);
    return Promise.resolve(
      json(200, {
        id: 'p1',
        revision: current.revision,
        mode: 'single',
        planningIterations: 3,
        rationale: null,
        summary: 'Clarified the column',
        usage,
      }),
    );
  }
  return Promise.resolve(json(404, { statusCode: 404, error: 'Not Found', message: `no route ${path}` }));
}

/** What PlanLayout does: load the plan and hand it to the page. */
function Frame() {
  const plan = useQuery(planQuery('p1'));
  if (!plan.data) return null;
  const context = { plan: plan.data, stream: { state: 'open', events: [], lastEventAt: null } };
  return <Outlet context={context as unknown as PlanContext} />;
}

function renderPage() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={['/plans/p1/planning']}>
        <Routes>
          <Route path="/plans/:id" element={<Frame />}>
            <Route path="planning" element={<PlanningPage />} />
          </Route>
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const diffRequests = async () =>
  (await sentRequests()).filter((r) => r.path.startsWith('/api/plans/p1/diff')).map((r) => r.path);

beforeEach(() => {
  fetchMock.mockReset();
  fetchMock.mockImplementation(answer);
  current = makePlan(5);
});

describe('PlanningPage', () => {
  it('opens on the latest revision against the one before, with feedback history and usage', async () => {
    renderPage();
    expect(await screen.findByRole('heading', { level: 2, name: 'Planning' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 3, name: 'Changes in revision 5' })).toBeInTheDocument();
    expect(await screen.findByText('text at 4')).toBeInTheDocument();
    expect(await diffRequests()).toEqual(['/api/plans/p1/diff?from=4&to=5']);
    expect(screen.getByLabelText('From revision')).toHaveValue('4');
    expect(screen.getByLabelText('To revision')).toHaveValue('5');

    const history = screen.getByRole('heading', { name: 'Feedback history' }).closest('section')!;
    const items = within(history).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Revision 2 · continue planning (multi) · ana');
    expect(items[0]).toHaveTextContent('Add tests for the migration');
    expect(items[1]).toHaveTextContent('First draft please');

    const usagePanel = screen.getByRole('heading', { name: 'Usage' }).closest('section')!;
    expect(await within(usagePanel).findByText('$0.1234')).toBeInTheDocument();
    const table = within(usagePanel).getByRole('table', { name: 'Usage by call purpose' });
    expect(
      within(table)
        .getByRole('rowheader', { name: /Judge the drafts/ })
        .closest('tr'),
    ).toHaveTextContent('Judge the drafts28,000 / 1,400$0.0734');
  });

  it('lists every LLM call when asked (read from the plan events only then)', async () => {
    const user = userEvent.setup();
    renderPage();
    const usagePanel = (await screen.findByRole('heading', { name: 'Usage' })).closest('section')!;
    await within(usagePanel).findByText('$0.1234');
    const history = async () => (await sentRequests()).filter((r) => r.path === '/api/plans/p1/history');
    expect(await history()).toEqual([]);
    await user.click(within(usagePanel).getByText('Every call (3)'));
    const table = await within(usagePanel).findByRole('table', { name: 'LLM calls' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([
      '1Generate the planclaude-test4,000700$0.052.5 s',
      '2Judge the drafts (repaired)claude-test4,000700$0.07342.5 s',
    ]);
    expect(await history()).toHaveLength(1);
  });

  it('compares any two revisions', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText('text at 4');
    await user.selectOptions(screen.getByLabelText('From revision'), '2');
    expect(await screen.findByText('text at 2')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('To revision'), '3');
    expect(await screen.findByText('text at 3')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 3, name: 'Changes in revision 3' })).toBeInTheDocument();
    expect(await diffRequests()).toEqual([
      '/api/plans/p1/diff?from=4&to=5',
      '/api/plans/p1/diff?from=2&to=5',
      '/api/plans/p1/diff?from=2&to=3',
    ]);
  });

  it('opens the new revision with its diff after a planning turn', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText('text at 4');
    await user.type(screen.getByLabelText('Feedback'), 'Say which column');
    await user.selectOptions(screen.getByLabelText('Mode'), 'Quick edit (single)');
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    expect(
      await screen.findByRole('heading', { level: 3, name: 'Changes in revision 6' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('text at 6')).toBeInTheDocument();
    expect(screen.getByText(/Quick edit done: revision 6\./).closest('p')).toHaveTextContent(
      'Clarified the column',
    );
    await waitFor(async () => expect(await diffRequests()).toContain('/api/plans/p1/diff?from=5&to=6'));
    const refine = (await sentRequests()).find((r) => r.path === '/api/plans/p1/refine');
    expect(refine).toMatchObject({ ifMatch: '"5"', body: { feedback: 'Say which column', mode: 'single' } });
  });
});
