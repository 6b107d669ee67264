import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DiffView } from './DiffView';
import type { DiffBody } from './planning-api';

const task = (id: string, chunk: string, title: string, description = '') => ({
  id,
  chunk,
  title,
  description,
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
const chunk = (key: string, title: string) => ({
  key,
  title,
  description: '',
  executionMode: 'sequential' as const,
  pauseAfter: false,
});

const diff: DiffBody = {
  details: {},
  chunks: {
    added: [chunk('C03', 'Rollout')],
    removed: [chunk('C09', 'Old cleanup')],
    changed: [{ key: 'C01', changes: { executionMode: { from: 'sequential', to: 'parallel' } } }],
    reordered: true,
  },
  tasks: {
    added: [task('T7', 'C03', 'Write the rollout guide', 'Steps for operators')],
    removed: [task('T9', 'C09', 'Delete the legacy flag')],
    changed: [
      {
        id: 'T2',
        changes: {
          description: { from: 'Add a column', to: 'Add a nullable column, then backfill' },
          acceptance: { from: [], to: ['migration runs twice without error'] },
          dependsOn: { from: [], to: ['T1'] },
        },
      },
    ],
  },
};

const names = {
  chunk: (k: string) => ({ C01: 'Schema' })[k],
  task: (id: string) => ({ T1: 'Create the table', T2: 'Add the column' })[id],
};

const entry = (text: string) => screen.getByText(text, { selector: 'strong' }).closest('li')!;

describe('DiffView', () => {
  it('says in words which chunks and tasks were added and removed', () => {
    render(<DiffView diff={diff} names={names} />);
    const added = entry('Write the rollout guide');
    expect(within(added).getByText('Added task')).toBeInTheDocument();
    // The chunk an added task belongs to is named, even though the chunk is new too.
    expect(added).toHaveTextContent('in Rollout');
    expect(added).toHaveTextContent('Steps for operators');
    expect(within(entry('Delete the legacy flag')).getByText('Removed task')).toBeInTheDocument();
    expect(within(entry('Rollout')).getByText('Added chunk')).toBeInTheDocument();
    expect(within(entry('Old cleanup')).getByText('Removed chunk')).toBeInTheDocument();
    expect(screen.getByText('Reordered')).toBeInTheDocument();
  });

  it('shows a changed task field by field, before and after, with task ids as titles', () => {
    render(<DiffView diff={diff} names={names} />);
    const changed = entry('Add the column');
    expect(within(changed).getByText('Changed task')).toBeInTheDocument();
    const description = within(changed).getByText('Description').closest('.field-change') as HTMLElement;
    expect(within(description).getByText('Before:').parentElement).toHaveTextContent('Before: Add a column');
    expect(within(description).getByText('After:').parentElement).toHaveTextContent(
      'After: Add a nullable column, then backfill',
    );
    const acceptance = within(changed)
      .getByText('Acceptance criteria')
      .closest('.field-change') as HTMLElement;
    expect(acceptance).toHaveTextContent('Before: (none)');
    expect(within(acceptance).getByRole('listitem')).toHaveTextContent('migration runs twice without error');
    const deps = within(changed).getByText('Depends on').closest('.field-change') as HTMLElement;
    expect(deps).toHaveTextContent('After: Create the table');
    // Only the changed fields are listed.
    expect(within(changed).queryByText('Title')).not.toBeInTheDocument();
  });

  it('shows a changed chunk with its field change', () => {
    render(<DiffView diff={diff} names={names} />);
    const changed = entry('Schema');
    expect(within(changed).getByText('Changed chunk')).toBeInTheDocument();
    expect(changed).toHaveTextContent('Execution mode');
    expect(changed).toHaveTextContent('Before: sequential');
    expect(changed).toHaveTextContent('After: parallel');
  });

  it('summarises the counts and says so when nothing changed', () => {
    const { unmount } = render(<DiffView diff={diff} names={names} />);
    expect(
      screen.getByText(/1 task\(s\) added, 1 task\(s\) removed, 1 task\(s\) changed/),
    ).toBeInTheDocument();
    unmount();
    render(
      <DiffView
        diff={{
          details: {},
          chunks: { added: [], removed: [], changed: [], reordered: false },
          tasks: { added: [], removed: [], changed: [] },
        }}
      />,
    );
    expect(screen.getByText('No changes between these revisions.')).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });
});
