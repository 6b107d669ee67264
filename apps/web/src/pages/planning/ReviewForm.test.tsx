import { apiError, fetchMock, json, renderWithClient, sentRequests } from './test-support';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlanDetail } from '../../api/client';
import { ReviewForm } from './ReviewForm';

const task = (id: string, title: string) => ({ id, title }) as PlanDetail['chunks'][number]['tasks'][number];
const plan = {
  id: 'p1',
  revision: 4,
  chunks: [
    { key: 'C01', title: 'Schema', tasks: [task('T1', 'Create the table')] },
    { key: 'C02', title: 'API', tasks: [task('T2', 'List orders'), task('T3', 'Get one order')] },
  ] as PlanDetail['chunks'],
};
const setOf = (scope: string, targetId: string | null) => ({
  planId: 'p1',
  setId: 'set_1',
  revision: 4,
  reviewType: 'break_down',
  scope,
  targetId,
  suggestions: [],
  applied: [],
});

beforeEach(() => {
  fetchMock.mockReset();
});

describe('ReviewForm', () => {
  it('offers the four review types of the API', () => {
    renderWithClient(<ReviewForm plan={plan} onSet={() => {}} />);
    const options = within(screen.getByLabelText('Review type')).getAllByRole('option');
    expect(options.map((o) => (o as HTMLOptionElement).value)).toEqual([
      'refine_descriptions',
      'add_missing',
      'optimize_order',
      'break_down',
    ]);
  });

  it('reviews the whole plan without a target', async () => {
    const user = userEvent.setup();
    const onSet = vi.fn();
    fetchMock.mockResolvedValueOnce(json(201, setOf('all', null)));
    renderWithClient(<ReviewForm plan={plan} onSet={onSet} />);
    await user.selectOptions(screen.getByLabelText('Review type'), 'add_missing');
    await user.click(screen.getByRole('button', { name: 'Request review' }));
    await waitFor(() => expect(onSet).toHaveBeenCalledWith(expect.objectContaining({ setId: 'set_1' })));
    expect(await sentRequests()).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/review',
        ifMatch: '"4"',
        body: { type: 'add_missing', scope: 'all' },
      },
    ]);
  });

  it('reviews one task, chosen by title', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(json(201, setOf('task', 'T3')));
    renderWithClient(<ReviewForm plan={plan} onSet={() => {}} />);
    await user.selectOptions(screen.getByLabelText('Review type'), 'Break down large tasks');
    await user.selectOptions(screen.getByLabelText('Scope'), 'A task');
    await user.selectOptions(screen.getByLabelText('Task'), 'Get one order');
    await user.click(screen.getByRole('button', { name: 'Request review' }));
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect((await sentRequests())[0].body).toEqual({ type: 'break_down', scope: 'task', targetId: 'T3' });
  });

  it('reviews one chunk and shows a status while Claude reviews', async () => {
    const user = userEvent.setup();
    let release!: (r: Response) => void;
    fetchMock.mockReturnValueOnce(new Promise<Response>((r) => (release = r)));
    renderWithClient(<ReviewForm plan={plan} onSet={() => {}} />);
    await user.selectOptions(screen.getByLabelText('Scope'), 'A chunk');
    await user.selectOptions(screen.getByLabelText('Chunk'), 'API');
    await user.click(screen.getByRole('button', { name: 'Request review' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Claude is reviewing the plan…');
    expect((await sentRequests())[0].body).toEqual({
      type: 'refine_descriptions',
      scope: 'chunk',
      targetId: 'C02',
    });
    release(json(201, setOf('chunk', 'C02')));
    await waitFor(() => expect(screen.queryByRole('status')).not.toBeInTheDocument());
  });

  it('shows 503 (LLM not configured) with its message', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(apiError(503, 'the LLM is not configured'));
    renderWithClient(<ReviewForm plan={plan} onSet={() => {}} />);
    await user.click(screen.getByRole('button', { name: 'Request review' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the LLM is not configured');
  });
});
