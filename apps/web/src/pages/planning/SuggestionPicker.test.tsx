import { apiError, fetchMock, json, renderWithClient, sentRequests } from './test-support';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SuggestionPicker } from './SuggestionPicker';
import type { SuggestionSet } from './planning-api';

const set: SuggestionSet = {
  planId: 'p1',
  setId: 'set_abc',
  revision: 7,
  reviewType: 'refine_descriptions',
  scope: 'all',
  targetId: null,
  applied: [],
  suggestions: [
    {
      id: 's1',
      kind: 'modify_task',
      taskId: 'T1',
      reasoning: 'The description does not say which table.',
      before: { description: 'Create the table' },
      after: { description: 'Create the orders table with a primary key' },
    },
    {
      id: 's2',
      kind: 'add_task',
      reasoning: 'Nobody writes the migration test.',
      after: { task: { id: 'T5', chunk: 'C01', title: 'Test the migration' } },
    },
    {
      id: 's3',
      kind: 'remove_task',
      taskId: 'T3',
      reasoning: 'T3 duplicates T1.',
      // (the API also sends `after: null` here and `before: null` on add_task; the client type drops them)
      before: { title: 'Make the table' },
    },
  ],
};

const names = { task: (id: string) => ({ T1: 'Create the table', T3: 'Make the table' })[id] };

beforeEach(() => {
  fetchMock.mockReset();
});

describe('SuggestionPicker', () => {
  it('shows each suggestion with its title, reasoning and before/after', () => {
    renderWithClient(<SuggestionPicker planId="p1" revision={7} set={set} names={names} />);
    const change = screen.getByRole('checkbox', { name: 'Change task: Create the table (description)' });
    const item = change.closest('li')!;
    expect(item).toHaveTextContent('Why: The description does not say which table.');
    expect(item).toHaveTextContent('Before: Create the table');
    expect(item).toHaveTextContent('After: Create the orders table with a primary key');

    const add = screen.getByRole('checkbox', { name: 'Add task: Test the migration' }).closest('li')!;
    expect(add).toHaveTextContent('Nothing yet (new task)');
    expect(within(add).getByText('After').parentElement).toHaveTextContent('Test the migration');

    const remove = screen.getByRole('checkbox', { name: 'Remove task: Make the table' }).closest('li')!;
    expect(remove).toHaveTextContent('T3 duplicates T1.');
    expect(remove).toHaveTextContent('The task is removed.');
    // Nothing is chosen until the user chooses.
    for (const box of screen.getAllByRole('checkbox')) expect(box).not.toBeChecked();
  });

  it('sends only the checked suggestions, with the revision on screen as If-Match', async () => {
    const user = userEvent.setup();
    const onApplied = vi.fn();
    fetchMock.mockResolvedValueOnce(json(200, { id: 'p1', revision: 8 }));
    renderWithClient(
      <SuggestionPicker planId="p1" revision={7} set={set} names={names} onApplied={onApplied} />,
    );
    await user.click(screen.getByRole('checkbox', { name: 'Remove task: Make the table' }));
    await user.click(screen.getByRole('checkbox', { name: 'Add task: Test the migration' }));
    await user.click(screen.getByRole('checkbox', { name: 'Change task: Create the table (description)' }));
    await user.click(screen.getByRole('checkbox', { name: 'Add task: Test the migration' })); // unchecked again
    await user.click(screen.getByRole('button', { name: 'Apply selected suggestions' }));

    await waitFor(() => expect(onApplied).toHaveBeenCalledWith({ from: 7, to: 8 }));
    expect(await sentRequests()).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/suggestions/set_abc/apply',
        ifMatch: '"7"',
        // In the set's order, whatever order they were checked in.
        body: { ids: ['s1', 's3'] },
      },
    ]);
    expect(
      await screen.findByText(/Applied 2 suggestion\(s\): the plan is now at revision 8/),
    ).toBeInTheDocument();
  });

  it('sends nothing when no suggestion is checked', async () => {
    const user = userEvent.setup();
    renderWithClient(<SuggestionPicker planId="p1" revision={7} set={set} names={names} />);
    await user.click(screen.getByRole('button', { name: 'Apply selected suggestions' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose at least one suggestion to apply.');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('cannot choose a suggestion already applied', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(json(200, { id: 'p1', revision: 9 }));
    renderWithClient(
      <SuggestionPicker planId="p1" revision={8} set={{ ...set, applied: ['s1'] }} names={names} />,
    );
    const done = screen.getByRole('checkbox', { name: 'Change task: Create the table (description)' });
    expect(done).toBeDisabled();
    expect(within(done.closest('li')!).getByText('Applied')).toBeInTheDocument();
    // The set was made against revision 7, the plan is at 8: the page says what that means.
    expect(screen.getByText(/The plan is now at revision 8/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Select all' }));
    await user.click(screen.getByRole('button', { name: 'Apply selected suggestions' }));
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect((await sentRequests())[0]).toMatchObject({ ifMatch: '"8"', body: { ids: ['s2', 's3'] } });
  });

  it('shows a stale revision (409) as a conflict, nothing applied', async () => {
    const user = userEvent.setup();
    const onApplied = vi.fn();
    fetchMock.mockResolvedValueOnce(
      apiError(409, 'plan p1 is at revision 9, not 7', { code: 'stale_revision', currentRevision: 9 }),
    );
    renderWithClient(
      <SuggestionPicker planId="p1" revision={7} set={set} names={names} onApplied={onApplied} />,
    );
    await user.click(screen.getByRole('checkbox', { name: 'Add task: Test the migration' }));
    await user.click(screen.getByRole('button', { name: 'Apply selected suggestions' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Conflict: the plan changed since you loaded it.');
    expect(alert).toHaveTextContent('based on revision 7');
    expect(alert).toHaveTextContent('the plan is now at revision 9');
    expect(within(alert).getByRole('button', { name: 'Reload the plan' })).toBeInTheDocument();
    expect(onApplied).not.toHaveBeenCalled();
  });

  it('shows why stale suggestions were refused (409 without a revision)', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      apiError(409, 'some suggestions no longer apply: s3 (task T3 no longer exists)', {
        code: 'stale_suggestions',
      }),
    );
    renderWithClient(<SuggestionPicker planId="p1" revision={8} set={set} names={names} />);
    await user.click(screen.getByRole('checkbox', { name: 'Remove task: Make the table' }));
    await user.click(screen.getByRole('button', { name: 'Apply selected suggestions' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('task T3 no longer exists');
    expect(alert).toHaveTextContent('HTTP 409');
  });
});
