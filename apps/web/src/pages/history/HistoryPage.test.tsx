import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, renderPage, stubApi, type Call } from '../plans/test-support';
import { PlanHistory } from './HistoryPage';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const entry = (position: number, type: string, revision: number, data: unknown) => ({
  position,
  streamRevision: position,
  revision,
  type,
  data,
  metadata: { actor: 'test' },
  recordedAt: at(60 - position),
  eventId: `e${position}`,
});
const HISTORY = {
  planId: 'p1',
  entries: [
    entry(1, 'PlanCreated', 1, { title: 'Auth rewrite', source: { kind: 'api' } }),
    entry(2, 'TaskAdded', 2, { taskId: 'T3', title: 'Write the login form' }),
    entry(3, 'TaskUpdated', 3, { taskId: 'T1', changes: { title: 'Add sessions table' } }),
    entry(4, 'PlanFinalized', 3, {}),
    entry(5, 'TaskAdded', 4, { taskId: 'T4', title: 'Logout button' }),
  ],
  feedback: [{ revision: 2, feedback: 'Split the form task', author: 'ana', mode: 'multi' }],
};

const task = (id: string, title: string, over: Record<string, unknown> = {}) => ({
  id,
  chunk: 'C01',
  title,
  description: '',
  dependsOn: [],
  canRunInParallel: false,
  acceptance: [],
  status: 'pending',
  attempts: 0,
  lastError: null,
  commitSha: null,
  labels: [],
  optional: false,
  cancelled: false,
  ...over,
});
const stats = { chunks: 1, tasks: 2, byStatus: {}, progress: 0 };
const planAt = (revision: number) => ({
  id: 'p1',
  title: 'Auth rewrite',
  status: 'draft',
  revision,
  description: `as of ${revision}`,
  chunks: [
    {
      key: 'C01',
      title: 'Backend',
      description: '',
      executionMode: 'sequential',
      pauseAfter: false,
      stats,
      tasks:
        revision < 2
          ? [task('T1', 'Add a table')]
          : [task('T1', 'Add a table'), task('T3', 'Write the login form', { dependsOn: ['T1'] })],
    },
  ],
  stats,
});

afterEach(() => vi.unstubAllGlobals());

const rows = () =>
  within(screen.getByRole('table', { name: 'Events' }))
    .getAllByRole('row')
    .slice(1);

describe('History', () => {
  it('lists the events in a table and filters them by type and by text', async () => {
    stubApi({ 'GET /api/plans/p1/history': HISTORY });
    renderPage(<PlanHistory planId="p1" />, { url: '/plans/p1/history', path: '/plans/:id/history' });
    const table = await screen.findByRole('table', { name: 'Events' });
    expect(screen.getByRole('heading', { level: 2, name: 'History' })).toBeInTheDocument();
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Type', 'Revision', 'Time', 'Data']);
    expect(rows()).toHaveLength(5);
    // The data is collapsed: its JSON is inside a closed <details>.
    const created = rows()[0];
    expect(within(created).getByText('PlanCreated')).toBeInTheDocument();
    expect(created.querySelector('details')).not.toHaveAttribute('open');
    expect(created.querySelector('details pre')).toHaveTextContent('"title": "Auth rewrite"');

    const user = userEvent.setup();
    const typeSelect = screen.getByRole('combobox', { name: 'Event type' });
    expect(
      within(typeSelect)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['All event types', 'PlanCreated', 'PlanFinalized', 'TaskAdded', 'TaskUpdated']);
    await user.selectOptions(typeSelect, 'TaskAdded');
    expect(rows()).toHaveLength(2);
    expect(rows().every((r) => within(r).queryByText('TaskAdded'))).toBe(true);
    expect(screen.getByText('2 of 5 events')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Filter' }), 'logout');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('Logout button');

    await user.selectOptions(typeSelect, '');
    await user.clear(screen.getByRole('textbox', { name: 'Filter' }));
    await user.type(screen.getByRole('textbox', { name: 'Filter' }), 'no such thing');
    expect(screen.getByText('No events match these filters.')).toBeInTheDocument();

    expect(screen.getByText('Split the form task')).toBeInTheDocument();
  });

  it('shows the plan as it stood at a revision, read-only', async () => {
    const { calls } = stubApi({
      'GET /api/plans/p1/history': HISTORY,
      'GET /api/plans/p1': (call: Call) => {
        return planAt(Number(call.query.get('revision')));
      },
    });
    renderPage(<PlanHistory planId="p1" />);
    await screen.findByRole('table', { name: 'Events' });
    const user = userEvent.setup();

    // One button per revision (revision 3 has two events).
    expect(screen.getAllByRole('button', { name: /^Show the plan as of revision/ })).toHaveLength(4);
    await user.click(screen.getByRole('button', { name: 'Show the plan as of revision 1' }));
    const snapshot = await screen.findByRole('region', { name: 'The plan as of revision 1' });
    expect(await within(snapshot).findByRole('heading', { name: 'Backend' })).toBeInTheDocument();
    expect(within(snapshot).getByText('Add a table')).toBeInTheDocument();
    expect(within(snapshot).queryByText('Write the login form')).toBeNull();
    expect(within(snapshot).queryByRole('textbox')).toBeNull();
    expect(calls.some((c) => c.path === '/api/plans/p1' && c.query.get('revision') === '1')).toBe(true);

    await user.selectOptions(screen.getByRole('combobox', { name: 'As of revision' }), '2');
    const later = await screen.findByRole('region', { name: 'The plan as of revision 2' });
    expect(await within(later).findByText('Write the login form')).toBeInTheDocument();
    expect(within(later).getByText(/after T1/)).toBeInTheDocument();

    await user.click(within(later).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: /The plan as of/ })).toBeNull());
  });

  it('shows the API error when the history cannot be read', async () => {
    stubApi({
      'GET /api/plans/p1/history': json(404, {
        statusCode: 404,
        error: 'Not Found',
        message: 'plan p1 not found',
      }),
    });
    renderPage(<PlanHistory planId="p1" />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the history');
    expect(alert).toHaveTextContent('plan p1 not found');
  });
});
