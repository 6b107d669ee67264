import { apiError, fetchMock, json, routeApi, sentRequests } from './test-support';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PlanStatus } from '../../api/client';
import { PlanActions } from './PlanActions';

function renderActions(status: PlanStatus, revision = 5) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={['/plans/p1/planning']}>
        <Routes>
          <Route path="/plans/:id/planning" element={<PlanActions plan={{ id: 'p1', revision, status }} />} />
          <Route path="/plans/:id/run" element={<h2>Execution</h2>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  fetchMock.mockReset();
});

describe('PlanActions', () => {
  it('a draft offers Finalize and Finalize and execute, not Reopen', () => {
    renderActions('draft');
    expect(screen.getByRole('button', { name: 'Finalize' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Finalize and execute' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reopen' })).not.toBeInTheDocument();
  });

  it('Finalize and execute: finalizes the revision, starts a session with an empty body, goes to the run tab', async () => {
    const user = userEvent.setup();
    routeApi({
      'POST /api/plans/p1/finalize': json(200, { id: 'p1', revision: 5 }),
      'POST /api/plans/p1/execute': json(202, {
        planId: 'p1',
        sessionId: 's1',
        workflowId: 'w1',
        revision: 5,
      }),
      'GET /api/plans/p1': json(200, { id: 'p1', revision: 5, status: 'running' }),
    });
    renderActions('draft');
    await user.click(screen.getByRole('button', { name: 'Finalize and execute' }));
    expect(await screen.findByRole('heading', { name: 'Execution' })).toBeInTheDocument();
    const writes = (await sentRequests()).filter((r) => r.method === 'POST');
    expect(writes.map((r) => [r.path, r.ifMatch, r.body])).toEqual([
      ['/api/plans/p1/finalize', '"5"', {}],
      ['/api/plans/p1/execute', '"5"', {}],
    ]);
    // The status changed but not the revision (the ETag): the plan is read past the HTTP cache.
  });

  it('says the plan is finalized when execution does not start, and stays', async () => {
    const user = userEvent.setup();
    routeApi({
      'POST /api/plans/p1/finalize': json(200, { id: 'p1', revision: 5 }),
      'POST /api/plans/p1/execute': apiError(503, 'Temporal is not reachable'),
      'GET /api/plans/p1': json(200, { id: 'p1', revision: 5, status: 'ready' }),
    });
    renderActions('draft');
    await user.click(screen.getByRole('button', { name: 'Finalize and execute' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The plan is finalized, but execution did not start');
    expect(alert).toHaveTextContent('Temporal is not reachable');
    expect(screen.queryByRole('heading', { name: 'Execution' })).not.toBeInTheDocument();
  });

  it('does not execute when finalizing fails (validation issues shown)', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      apiError(400, 'plan cannot be finalized', {
        issues: [{ code: 'empty_chunk', message: 'chunk C02 has no tasks', chunkKey: 'C02' }],
      }),
    );
    renderActions('draft');
    await user.click(screen.getByRole('button', { name: 'Finalize and execute' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('plan cannot be finalized');
    expect(alert).toHaveTextContent('chunk C02 has no tasks');
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('shows a stale revision on Finalize as a conflict', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      apiError(409, 'plan p1 is at revision 6, not 5', { code: 'stale_revision', currentRevision: 6 }),
    );
    renderActions('draft');
    await user.click(screen.getByRole('button', { name: 'Finalize' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Conflict: the plan changed since you loaded it. Finalizing was based on revision 5; the plan is now at revision 6.',
    );
  });

  it('a finalized plan offers Reopen, sent with its revision and the reason', async () => {
    const user = userEvent.setup();
    routeApi({
      'POST /api/plans/p1/reopen': json(200, { id: 'p1', revision: 6 }),
      'GET /api/plans/p1': json(200, { id: 'p1', revision: 6, status: 'draft' }),
    });
    renderActions('ready');
    expect(screen.queryByRole('button', { name: 'Finalize' })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Reason for reopening (optional)'), 'Missed the rollback');
    await user.click(screen.getByRole('button', { name: 'Reopen' }));
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect((await sentRequests()).filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/reopen',
        ifMatch: '"5"',
        body: { reason: 'Missed the rollback' },
      },
    ]);
  });

  it('a running plan offers none of them', () => {
    renderActions('running');
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.getByText(/planning is closed while it executes/)).toBeInTheDocument();
  });
});
