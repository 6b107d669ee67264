import { apiError, deferred, fetchMock, json, renderWithClient, sentRequests } from './test-support';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { RefineForm } from './RefineForm';

const plan = { id: 'p1', revision: 3 };
const usage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  calls: 0,
  costUsd: 0,
  byPurpose: {},
};
const refineResult = (mode: 'multi' | 'single') => ({
  id: 'p1',
  revision: 4,
  mode,
  planningIterations: 2,
  rationale: mode === 'multi' ? 'Draft 2 kept the order' : null,
  summary: 'Split the migration task',
  usage,
});

beforeEach(() => {
  fetchMock.mockReset();
});

describe('RefineForm', () => {
  it('sends mode, drafts and feedback with the revision (If-Match), shows a status while Claude works', async () => {
    const user = userEvent.setup();
    const onTurn = vi.fn();
    const answer = deferred<Response>();
    fetchMock.mockReturnValueOnce(answer.promise);
    renderWithClient(<RefineForm plan={plan} onTurn={onTurn} />);

    await user.type(screen.getByLabelText('Feedback'), 'Split the migration into schema and backfill');
    await user.selectOptions(screen.getByLabelText('Mode'), 'Continue planning (multi)');
    await user.clear(screen.getByLabelText('Drafts'));
    await user.type(screen.getByLabelText('Drafts'), '4');
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Claude is writing 4 drafts');
    expect(screen.getByRole('button', { name: 'Run planning turn' })).toBeDisabled();
    expect(await sentRequests()).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/refine',
        ifMatch: '"3"',
        body: { feedback: 'Split the migration into schema and backfill', mode: 'multi', drafts: 4 },
      },
    ]);

    answer.resolve(json(200, refineResult('multi')));
    await waitFor(() =>
      expect(onTurn).toHaveBeenCalledWith({ from: 3, to: 4 }, expect.objectContaining({ revision: 4 })),
    );
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Feedback')).toHaveValue('');
  });

  it('quick edit sends mode single and no drafts', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(json(200, refineResult('single')));
    renderWithClient(<RefineForm plan={plan} onTurn={() => {}} />);
    await user.type(screen.getByLabelText('Feedback'), 'Rename task T2');
    await user.selectOptions(screen.getByLabelText('Mode'), 'Quick edit (single)');
    expect(screen.getByLabelText('Drafts')).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect((await sentRequests())[0]).toMatchObject({
      ifMatch: '"3"',
      body: { feedback: 'Rename task T2', mode: 'single' },
    });
    expect((await sentRequests())[0].body).not.toHaveProperty('drafts');
  });

  it('refuses empty feedback or drafts out of range without calling the API', async () => {
    const user = userEvent.setup();
    renderWithClient(<RefineForm plan={plan} onTurn={() => {}} />);
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    expect(screen.getByLabelText('Feedback')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Write what should change in the plan.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Feedback'), 'More tests');
    await user.clear(screen.getByLabelText('Drafts'));
    await user.type(screen.getByLabelText('Drafts'), '9');
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    expect(screen.getByText('Drafts must be a whole number from 2 to 5.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it.each([
    [502, "The model's answer stayed invalid after one repair turn", "the model's answer was invalid"],
    [503, 'LLM is not configured: set ANTHROPIC_API_KEY', 'the service is not available'],
  ])('shows a %i with the API message', async (status, message, title) => {
    const user = userEvent.setup();
    const onTurn = vi.fn();
    fetchMock.mockResolvedValueOnce(apiError(status, message));
    renderWithClient(<RefineForm plan={plan} onTurn={onTurn} />);
    await user.type(screen.getByLabelText('Feedback'), 'More tests');
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent(`HTTP ${status}`);
    expect(onTurn).not.toHaveBeenCalled();
    // The feedback is kept for another try.
    expect(screen.getByLabelText('Feedback')).toHaveValue('More tests');
  });

  it('shows a stale revision (409) as a conflict', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      apiError(409, 'plan p1 is at revision 5, not 3', { code: 'stale_revision', currentRevision: 5 }),
    );
    renderWithClient(<RefineForm plan={plan} onTurn={() => {}} />);
    await user.type(screen.getByLabelText('Feedback'), 'More tests');
    await user.click(screen.getByRole('button', { name: 'Run planning turn' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Conflict: the plan changed since you loaded it.');
    expect(alert).toHaveTextContent('was based on revision 3; the plan is now at revision 5');
  });

  it('records feedback without a turn', async () => {
    const user = userEvent.setup();
    const onTurn = vi.fn();
    fetchMock.mockResolvedValueOnce(json(200, { id: 'p1', revision: 3 }));
    renderWithClient(<RefineForm plan={plan} onTurn={onTurn} />);
    await user.type(screen.getByLabelText('Feedback'), 'Looks good so far');
    await user.click(screen.getByRole('button', { name: 'Record feedback only' }));
    expect(await screen.findByText('Feedback recorded on revision 3.')).toBeInTheDocument();
    expect(await sentRequests()).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/feedback',
        ifMatch: '"3"',
        body: { feedback: 'Looks good so far' },
      },
    ]);
    expect(onTurn).not.toHaveBeenCalled();
  });
});
