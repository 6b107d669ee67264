import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, renderPage, stubApi, summary, type Call } from './test-support';
import { PlansPage } from './PlansPage';

const PLANS = [
  summary({
    id: 'p-draft',
    title: 'Auth rewrite',
    description: 'Sessions move to signed cookies',
    status: 'draft',
    repository: 'repo:r1',
  }),
  summary({ id: 'p-ready', title: 'Billing export', status: 'ready' }),
  summary({
    id: 'p-run',
    title: 'Search index',
    status: 'running',
    taskCount: 4,
    completedCount: 1,
    progress: 0.25,
    repository: '/srv/search',
  }),
  summary({ id: 'p-paused', title: 'Docs site', status: 'paused', progress: 0.5 }),
  summary({ id: 'p-done', title: 'Old migration', status: 'completed', progress: 1 }),
];
const REPOS = { repositories: [{ id: 'r1', name: 'web-app', path: '/srv/web-app', defaults: {} }] };

/** GET /api/plans honouring the status and repository filters, as the API does. */
const listPlans = (call: Call) => ({
  plans: PLANS.filter(
    (p) =>
      (!call.query.get('status') || p.status === call.query.get('status')) &&
      (!call.query.get('repository') || p.repository === call.query.get('repository')),
  ),
});
const card = (title: string) => screen.getByRole('article', { name: title });

afterEach(() => vi.unstubAllGlobals());

describe('PlansPage', () => {
  it('shows a card per plan: title link, status, counts, progress while running, the action its status calls for', async () => {
    stubApi({ 'GET /api/plans': listPlans, 'GET /api/repositories': REPOS });
    renderPage(<PlansPage />);
    expect(screen.getByRole('heading', { level: 1, name: 'Plans' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'New plan' })).toHaveAttribute('href', '/plans/new');

    await screen.findByRole('article', { name: 'Auth rewrite' });
    expect(screen.getAllByRole('article')).toHaveLength(5);

    const draft = within(card('Auth rewrite'));
    expect(draft.getByRole('link', { name: 'Auth rewrite' })).toHaveAttribute('href', '/plans/p-draft');
    expect(draft.getByText('draft')).toBeInTheDocument();
    expect(draft.getByText(/2 chunks · 5 tasks/)).toBeInTheDocument();
    expect(draft.getByText('Sessions move to signed cookies')).toBeInTheDocument();
    expect(draft.getByRole('link', { name: 'Review' })).toHaveAttribute('href', '/plans/p-draft/planning');
    expect(draft.getByRole('link', { name: 'Edit' })).toHaveAttribute('href', '/plans/p-draft');
    expect(draft.queryByRole('progressbar')).toBeNull();

    expect(within(card('Billing export')).getByRole('link', { name: 'Execute' })).toHaveAttribute(
      'href',
      '/plans/p-ready/run',
    );
    const running = within(card('Search index'));
    expect(running.getByText('1/4 completed')).toBeInTheDocument();
    expect(running.getByRole('progressbar', { name: 'Search index progress' })).toHaveAttribute(
      'aria-valuenow',
      '25',
    );
    expect(running.getByRole('button', { name: 'Pause' })).toBeInTheDocument();
    expect(within(card('Docs site')).getByRole('button', { name: 'Resume' })).toBeInTheDocument();
    expect(within(card('Docs site')).getByRole('progressbar')).toBeInTheDocument();
    expect(within(card('Old migration')).getByRole('link', { name: 'Details' })).toHaveAttribute(
      'href',
      '/plans/p-done/run',
    );
    expect(within(card('Old migration')).queryByRole('button')).toBeNull();
  });

  it('pauses and resumes through the API and shows its error', async () => {
    const { calls } = stubApi({
      'GET /api/plans': listPlans,
      'GET /api/repositories': REPOS,
      'POST /api/plans/p-run/pause': json(202, {
        planId: 'p-run',
        sessionId: 's',
        workflowId: 'w',
        signal: 'pause',
      }),
      'POST /api/plans/p-paused/resume': json(409, {
        statusCode: 409,
        error: 'Conflict',
        message: 'the plan has no paused session',
      }),
    });
    renderPage(<PlansPage />);
    const user = userEvent.setup();
    await user.click(
      await within(await screen.findByRole('article', { name: 'Search index' })).findByRole('button', {
        name: 'Pause',
      }),
    );
    expect(await within(card('Search index')).findByText(/Pause requested/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/plans/p-run/pause')).toBe(true);

    await user.click(within(card('Docs site')).getByRole('button', { name: 'Resume' }));
    const alert = await within(card('Docs site')).findByRole('alert');
    expect(alert).toHaveTextContent('Could not resume');
    expect(alert).toHaveTextContent('the plan has no paused session');
    expect(alert).toHaveTextContent('HTTP 409');
  });

  it('filters by status and repository through the API, and searches titles in the page', async () => {
    const { calls } = stubApi({ 'GET /api/plans': listPlans, 'GET /api/repositories': REPOS });
    renderPage(<PlansPage />);
    const user = userEvent.setup();
    await screen.findByRole('article', { name: 'Auth rewrite' });

    // Repository options: the registered repositories, and those the plans name.
    const repository = screen.getByRole('combobox', { name: 'Repository' });
    expect(within(repository).getByRole('option', { name: 'web-app' })).toHaveValue('repo:r1');
    expect(within(repository).getByRole('option', { name: '/srv/search' })).toBeInTheDocument();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'running');
    await waitFor(() => expect(screen.getAllByRole('article')).toHaveLength(1));
    expect(card('Search index')).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/plans' && c.query.get('status') === 'running')).toBe(true);
    expect(screen.getByTestId('location')).toHaveTextContent('/?status=running');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), '');
    await user.selectOptions(repository, 'repo:r1');
    await waitFor(() => expect(screen.getAllByRole('article')).toHaveLength(1));
    expect(card('Auth rewrite')).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/plans' && c.query.get('repository') === 'repo:r1')).toBe(true);

    await user.selectOptions(repository, '');
    await waitFor(() => expect(screen.getAllByRole('article')).toHaveLength(5));
    await user.type(screen.getByRole('searchbox', { name: 'Search by title' }), 'SEARCH');
    expect(screen.getAllByRole('article')).toHaveLength(1);
    expect(card('Search index')).toBeInTheDocument();

    await user.clear(screen.getByRole('searchbox', { name: 'Search by title' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search by title' }), 'nothing like it');
    expect(screen.queryAllByRole('article')).toHaveLength(0);
    expect(screen.getByText('No plans match these filters.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getAllByRole('article')).toHaveLength(5);
  });

  it('shows an empty state with a way to create a plan, and the API error when the list fails', async () => {
    stubApi({ 'GET /api/plans': { plans: [] }, 'GET /api/repositories': { repositories: [] } });
    const first = renderPage(<PlansPage />);
    expect(await screen.findByText('No plans yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create a plan' })).toHaveAttribute('href', '/plans/new');
    first.unmount();

    stubApi({
      'GET /api/plans': json(503, {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'storage is down',
      }),
      'GET /api/repositories': { repositories: [] },
    });
    renderPage(<PlansPage />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the plans');
    expect(alert).toHaveTextContent('storage is down');
  });
});
