import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlanDetail } from '../../api/client';
import { SessionControls } from './SessionControls';
import { json, planFixture, progressFixture, renderWithClient, stubApi } from './test-support';

afterEach(() => vi.unstubAllGlobals());

const settings = { temporalUiUrl: 'http://temporal.local:8233/', temporalNamespace: 'default' };
const signal = (s: string) => ({ planId: 'p1', sessionId: 's_1', workflowId: 'w', signal: s });

function setup(status: PlanDetail['status'], sessionStatus: string, routes: Record<string, unknown> = {}) {
  const api = stubApi({
    'GET /api/plans/p1/progress': progressFixture({ T1: 'running' }, { status: sessionStatus }),
    'GET /api/dashboard/settings': settings,
    'POST /api/plans/p1/pause': json(202, signal('pause')),
    'POST /api/plans/p1/stop': json(202, signal('stop')),
    'POST /api/plans/p1/cancel': json(202, signal('cancel')),
    'POST /api/plans/p1/resume': { action: 'resumed', planId: 'p1', sessionId: 's_1', workflowId: 'w' },
    ...routes,
  });
  const view = renderWithClient(<SessionControls plan={planFixture(status)} />);
  return { api, ...view };
}

const buttons = () =>
  within(screen.getByRole('group', { name: 'Session controls' }))
    .queryAllByRole('button')
    .map((b) => b.textContent);

describe('SessionControls', () => {
  it('running: Pause, Stop, Cancel and the Temporal UI link of the session’s workflow', async () => {
    setup('running', 'running');
    const link = await screen.findByRole('link', { name: 'Temporal UI' });
    expect(link).toHaveAttribute(
      'href',
      'http://temporal.local:8233/namespaces/default/workflows/chunkwise-p1-s_1',
    );
    expect(buttons()).toEqual(['Pause', 'Stop', 'Cancel']);
  });

  it('paused: Resume, Stop, Cancel; a stopped session: Resume only', async () => {
    const first = setup('paused', 'paused');
    await screen.findByRole('link', { name: 'Temporal UI' });
    expect(buttons()).toEqual(['Resume', 'Stop', 'Cancel']);
    first.unmount();
    setup('paused', 'stopped');
    await waitFor(() => expect(buttons()).toEqual(['Resume']));
  });

  it('ready or draft: nothing (Execute lives on the Execution tab); completed: only the link', async () => {
    const api = stubApi({});
    const { container, unmount } = renderWithClient(<SessionControls plan={planFixture('ready')} />);
    expect(container).toBeEmptyDOMElement();
    expect(api.calls).toHaveLength(0);
    unmount();
    setup('completed', 'completed');
    await screen.findByRole('link', { name: 'Temporal UI' });
    expect(buttons()).toEqual([]);
  });

  it('Pause and Resume are one click', async () => {
    const { api } = setup('running', 'running');
    await userEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(api.posts('/pause')).toHaveLength(1));
    expect(api.posts('/pause')[0]!.body).toBe('{}');
  });

  it('Stop and Cancel ask first, in a dialog; "No" sends nothing', async () => {
    const { api } = setup('running', 'running');
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    let dialog = screen.getByRole('dialog', { name: 'Stop this session?' });
    expect(within(dialog).getByRole('button', { name: 'Yes, stop' })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole('button', { name: 'No' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.posts()).toHaveLength(0);

    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, stop' }));
    await waitFor(() => expect(api.posts('/stop')).toHaveLength(1));

    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    dialog = screen.getByRole('dialog', { name: /Cancel this plan/ });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Yes, cancel' }));
    await waitFor(() => expect(api.posts('/cancel')).toHaveLength(1));
  });

  it('shows the API error of a refused control', async () => {
    setup('paused', 'paused', {
      'POST /api/plans/p1/resume': json(503, {
        statusCode: 503,
        message: 'Temporal is not reachable at 127.0.0.1:7233',
      }),
    });
    await userEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Temporal is not reachable at 127.0.0.1:7233');
  });

  it('no link when the server does not know the Temporal UI', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture({ T1: 'running' }),
      'GET /api/dashboard/settings': { temporalUiUrl: null, temporalNamespace: 'default' },
    });
    renderWithClient(<SessionControls plan={planFixture('running')} />);
    await screen.findByRole('button', { name: 'Pause' });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('link', { name: 'Temporal UI' })).not.toBeInTheDocument();
  });
});
