import { fakeApi, type Recorded } from '../../../../test/support/cli-fakes';
import { executionState, planDetail, reviewState } from '../../../../test/support/tui-fixtures';
import { ApiClient } from '../api-client';
import { PlanningApi } from '../plan-api';
import { TuiController } from './controller';
import type { TuiState } from './state';
import { createStore } from './store';

type Answer = { status: number; body?: unknown };

/** The controller against a real HTTP server answering by route; returns the store and the requests. */
async function setup(state: TuiState, routes: Record<string, (req: Recorded) => Answer>) {
  const api = await fakeApi((req) => {
    const route = `${req.method} ${req.url.split('?')[0]}`;
    const answer = routes[route];
    return answer ? answer(req) : { status: 404, body: { statusCode: 404, message: `no route ${route}` } };
  });
  const store = createStore(state);
  const controller = new TuiController({
    api: new PlanningApi(new ApiClient({ url: api.url }), null),
    dispatch: store.dispatch,
    getState: store.get,
    exit: () => undefined,
    agent: 'claude-code',
    drafts: 2,
    pollMs: 60_000,
  });
  return { api, store, controller, routes: () => api.requests.map((r) => `${r.method} ${r.url}`) };
}

const summary = (id: string, status: string, updatedAt: string) => ({ id, title: id, status, updatedAt });

describe('the terminal UI controller (over a real HTTP server)', () => {
  it('lists the plans with the latest resumable first, then by last update', async () => {
    const { api, store, controller } = await setup(reviewState(), {
      'GET /api/plans': () => ({
        status: 200,
        body: {
          plans: [
            summary('p_old', 'draft', '2026-01-01T00:00:00Z'),
            summary('p_paused1', 'paused', '2026-01-02T00:00:00Z'),
            summary('p_new', 'ready', '2026-01-05T00:00:00Z'),
            summary('p_paused2', 'paused', '2026-01-03T00:00:00Z'),
          ],
        },
      }),
    });
    try {
      await controller.start();
      expect(store.get().plans.map((p) => p.id)).toEqual(['p_paused2', 'p_paused1', 'p_new', 'p_old']);
    } finally {
      await api.close();
    }
  });

  it('a continue-planning turn: refine (multi, with the drafts), then the new revision with what changed', async () => {
    const diff = {
      details: {},
      chunks: { added: [], removed: [], changed: [], reordered: false },
      tasks: { added: [{ id: 'T6' }], removed: [], changed: [{ id: 'T2', changes: {} }] },
    };
    const { api, store, controller, routes } = await setup(reviewState(), {
      'POST /api/plans/p_test1/refine': () => ({ status: 200, body: { id: 'p_test1', revision: 4 } }),
      'GET /api/plans/p_test1': () => ({ status: 200, body: planDetail({ revision: 4 }) }),
      'GET /api/plans/p_test1/diff': () => ({
        status: 200,
        body: { planId: 'p_test1', from: 3, to: 4, diff },
      }),
    });
    try {
      await controller.run({ type: 'refine', mode: 'multi', feedback: 'add docs' });
      expect(routes()).toEqual([
        'POST /api/plans/p_test1/refine',
        'GET /api/plans/p_test1',
        'GET /api/plans/p_test1/diff?from=3&to=4',
      ]);
      expect(JSON.parse(api.requests[0].body)).toEqual({ feedback: 'add docs', mode: 'multi', drafts: 2 });
      expect(store.get()).toMatchObject({
        mode: 'plan_review_ready',
        busy: null,
        changes: { from: 3, to: 4, tasks: ['T6', 'T2'] },
      });
    } finally {
      await api.close();
    }
  });

  it('a refused turn is an error in place, in the server’s words made plain; the review stays', async () => {
    const { api, store, controller } = await setup(reviewState(), {
      'POST /api/plans/p_test1/refine': () => ({
        status: 409,
        body: {
          statusCode: 409,
          code: 'stale_revision',
          message: 'revision 3 is not the current revision 5',
        },
      }),
    });
    try {
      await controller.run({ type: 'refine', mode: 'single', feedback: 'x' });
      expect(store.get().mode).toBe('plan_review_ready');
      expect(store.get().error).toMatch(
        /^error: the plan changed while the model was working; nothing was written/,
      );
    } finally {
      await api.close();
    }
  });

  it('execute sends the selection as the chunk range, with the agent given on the command line', async () => {
    const { api, store, controller } = await setup(executionState(), {
      'POST /api/plans/p_test1/execute': () => ({
        status: 201,
        body: { planId: 'p_test1', sessionId: 's_1', workflowId: 'w', revision: 3 },
      }),
      'GET /api/plans/p_test1/progress': () => ({ status: 200, body: { live: false, status: 'running' } }),
      'GET /api/plans/p_test1': () => ({ status: 200, body: planDetail({ status: 'running' }) }),
    });
    try {
      await controller.run({ type: 'execute', chunks: 'C01-C02' });
      expect(JSON.parse(api.requests[0].body)).toEqual({
        chunks: 'C01-C02',
        options: { agent: { type: 'claude-code' } },
      });
      expect(store.get().notice).toBe('started session s_1 (revision 3)');
    } finally {
      controller.close();
      await api.close();
    }
  });
});
