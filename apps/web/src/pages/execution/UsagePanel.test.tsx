import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionView } from './ExecutionPage';
import { history, planFixture, progressFixture, renderWithClient, stubApi } from './test-support';

afterEach(() => {
  vi.unstubAllGlobals();
});

const totals = (o: Record<string, number>) => ({
  calls: 0,
  turns: 0,
  unreported: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  tokens: 0,
  costUsd: 0,
  unpriced: 0,
  durationMs: 0,
  ...o,
});
const limit = (usd: number | null) => ({ usd, tokens: null });

describe('UsagePanel on the execution page', () => {
  it('opens by itself on a budget pause: spend per task, the budget, the estimate; sets a new budget', async () => {
    let budgetUsd = 0.25;
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'pending' },
        {
          status: 'paused',
          pauseReason: 'budget_exceeded',
          pauseDetail: 'plan budget of $0.2500 would be crossed',
        },
      ),
      'GET /api/plans/p1/history': history([]),
      'GET /api/usage': {
        by: 'task',
        filter: { plan: 'p1' },
        priceTableDate: '2026-10-07',
        totals: totals({ turns: 3, tokens: 3300, costUsd: 0.2, unreported: 1 }),
        rows: [
          { key: 'T1', planId: 'p1', ...totals({ turns: 2, tokens: 3300, costUsd: 0.2 }) },
          { key: 'T2', planId: 'p1', ...totals({ turns: 1, unreported: 1 }) },
        ],
      },
      'GET /api/plans/p1/budget': () => ({
        planId: 'p1',
        limits: { plan: limit(budgetUsd), session: limit(null) },
        spent: { plan: { usd: 0.2, tokens: 3300 }, session: { usd: 0.2, tokens: 3300 } },
        remaining: { plan: limit(budgetUsd - 0.2), session: limit(null) },
        sessionId: 's_1',
      }),
      'GET /api/plans/p1/estimate': {
        planId: 'p1',
        history: true,
        basedOn: 12,
        tasks: 1,
        durationMs: { low: 60000, expected: 120000, high: 300000 },
        costUsd: { low: 0.05, expected: 0.1, high: 0.3 },
        perTask: [],
      },
      'PUT /api/plans/p1/budget': () => {
        budgetUsd = 1;
        return { id: 'p1', revision: 3, budget: {} };
      },
    });
    renderWithClient(<ExecutionView plan={planFixture('paused')} events={[]} />);
    const panel = await screen.findByRole('region', { name: 'Usage' });
    expect(
      await within(panel).findByText(
        /\$0\.2000 · 3,300 tokens · 0 planning calls · 3 turns \(1 reported no usage\)/,
      ),
    ).toBeInTheDocument();
    const rows = within(panel).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'taskturnstokenscost',
      'T123,300$0.2000',
      'T21unknownunknown',
    ]);
    expect(await within(panel).findByText(/Budget: \$0\.2500 · remaining \$0\.0500/)).toBeInTheDocument();
    expect(
      within(panel).getByText(/from 12 past tasks: \$0\.1000 \(\$0\.0500 – \$0\.3000\), 2 min of work/),
    ).toBeInTheDocument();

    await userEvent.type(within(panel).getByLabelText('Plan budget in USD'), '1');
    await userEvent.click(within(panel).getByRole('button', { name: 'Set budget' }));
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(1));
    expect(JSON.parse(api.calls.find((c) => c.method === 'PUT')!.body)).toEqual({ usd: 1 });
    expect(await within(panel).findByText(/Budget: \$1\.00/)).toBeInTheDocument();
  });
});
