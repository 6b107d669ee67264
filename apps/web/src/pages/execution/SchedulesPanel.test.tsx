import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionView } from './ExecutionPage';
import type { Schedule } from './schedules-api';
import { SchedulesPanel } from './SchedulesPanel';
import {
  event,
  history,
  json,
  planFixture,
  progressFixture,
  renderWithClient,
  stubApi,
} from './test-support';

afterEach(() => {
  vi.unstubAllGlobals();
});

const NEXT = '2030-01-07T03:00:00.000Z';

function schedule(over: Partial<Schedule> = {}): Schedule {
  return {
    planId: 'p1',
    scheduleId: 'sch_1',
    temporalScheduleId: 'chunkwise-p1-sch_1',
    spec: { kind: 'cron', cron: '0 3 * * 1-5' },
    description: 'cron 0 3 * * 1-5 (UTC)',
    overlap: 'refuse',
    from: 'current',
    note: null,
    author: null,
    status: 'active',
    failure: null,
    fired: 4,
    skipped: 2,
    triggered: 0,
    lastFiring: null,
    temporal: {
      paused: false,
      note: null,
      nextRunTimes: [NEXT, '2030-01-08T03:00:00.000Z'],
      recentRuns: [],
      runningWorkflows: [],
      actionsTaken: 6,
      skippedOverlap: 0,
      remainingActions: null,
    },
    ...over,
  };
}

const LIST = 'GET /api/plans/p1/schedules';
const listOf = (...schedules: Schedule[]) => ({ schedules });
const lists = (api: ReturnType<typeof stubApi>) =>
  api.calls.filter((c) => c.method === 'GET' && c.path === '/api/plans/p1/schedules').length;

async function openPanel() {
  await userEvent.click(await screen.findByText('Schedules'));
  return screen.getByRole('region', { name: 'Schedules of this plan' });
}

describe('SchedulesPanel', () => {
  it('is on the execution page of a finalized plan, not of a draft', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture({}, { status: 'completed' }),
      'GET /api/plans/p1/history': history([]),
      [LIST]: listOf(schedule()),
    });
    const { unmount } = renderWithClient(<ExecutionView plan={planFixture('draft')} events={[]} />);
    expect(screen.queryByText('Schedules')).not.toBeInTheDocument();
    unmount();
    renderWithClient(<ExecutionView plan={planFixture('completed')} events={[]} />);
    const panel = await openPanel();
    expect(await within(panel).findByText('cron 0 3 * * 1-5 (UTC)')).toBeInTheDocument();
  });

  it('says a draft cannot be scheduled, and asks nothing', async () => {
    const api = stubApi({});
    renderWithClient(<SchedulesPanel plan={planFixture('draft')} openAtStart />);
    expect(screen.getByText(/A draft cannot be scheduled/)).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });

  it('lists each schedule: description, status, overlap, next run, counts', async () => {
    stubApi({
      [LIST]: listOf(
        schedule(),
        schedule({
          scheduleId: 'sch_2',
          spec: { kind: 'every', every: '1h', everyMs: 3_600_000 },
          description: 'every 1h',
          overlap: 'queue',
          from: 'beginning',
          status: 'paused',
          fired: 0,
          skipped: 0,
          temporal: null,
          temporalNote: 'Temporal is not reachable',
        }),
      ),
    });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} />);
    const panel = await openPanel();
    const items = await within(panel).findAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [cron, every] = items as [HTMLElement, HTMLElement];
    expect(cron).toHaveTextContent('cron 0 3 * * 1-5 (UTC)');
    expect(cron).toHaveTextContent('active');
    expect(cron).toHaveTextContent('skipped while a session is active');
    expect(cron).toHaveTextContent('fired 4 · skipped 2');
    expect(cron.querySelector('time')).toHaveAttribute('dateTime', NEXT);
    expect(within(cron).getByText(/Next run:/)).toBeInTheDocument();
    expect(every).toHaveTextContent('every 1h');
    expect(every).toHaveTextContent('paused');
    expect(every).toHaveTextContent('queues behind an active session');
    expect(every).toHaveTextContent('from the beginning');
    expect(every).toHaveTextContent('Temporal is not reachable');
    // What each status allows.
    expect(within(cron).getByRole('button', { name: 'Pause cron 0 3 * * 1-5 (UTC)' })).toBeInTheDocument();
    expect(within(cron).getByRole('button', { name: 'Run now cron 0 3 * * 1-5 (UTC)' })).toBeInTheDocument();
    expect(within(cron).queryByRole('button', { name: /^Resume/ })).not.toBeInTheDocument();
    expect(within(every).getByRole('button', { name: 'Resume every 1h' })).toBeInTheDocument();
    expect(within(every).queryByRole('button', { name: /^(Pause|Run now)/ })).not.toBeInTheDocument();
    expect(within(every).getByRole('button', { name: 'Delete every 1h' })).toBeInTheDocument();
  });

  it('with no schedule, says what a schedule is', async () => {
    stubApi({ [LIST]: listOf() });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} openAtStart />);
    expect(await screen.findByText(/A schedule runs this plan by itself/)).toBeInTheDocument();
  });

  it('creates a schedule with the chosen kind, overlap and start, then reads the list again', async () => {
    let created: Schedule[] = [];
    const api = stubApi({
      [LIST]: () => listOf(...created),
      'POST /api/plans/p1/schedules': () => {
        created = [
          schedule({ description: 'every 1h', spec: { kind: 'every', every: '1h', everyMs: 3_600_000 } }),
        ];
        return json(201, created[0]);
      },
    });
    renderWithClient(<SchedulesPanel plan={planFixture('completed')} openAtStart />);
    await screen.findByText(/A schedule runs this plan by itself/);
    await userEvent.selectOptions(screen.getByLabelText('Runs'), 'every');
    await userEvent.type(screen.getByLabelText('Interval'), ' 1h ');
    await userEvent.selectOptions(screen.getByLabelText('If a session is running'), 'queue');
    await userEvent.selectOptions(screen.getByLabelText('Each run starts'), 'beginning');
    await userEvent.click(screen.getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(api.posts('/schedules')).toHaveLength(1));
    expect(JSON.parse(api.posts('/schedules')[0]!.body)).toEqual({
      every: '1h',
      overlap: 'queue',
      from: 'beginning',
    });
    expect(await screen.findByRole('listitem')).toHaveTextContent('every 1h');
    expect(screen.getByRole('status')).toHaveTextContent('Created: every 1h.');
    expect(screen.getByLabelText('Interval')).toHaveValue('');
    expect(lists(api)).toBe(2);
  });

  it('a refused spec (400) shows the API message and keeps the input', async () => {
    stubApi({
      [LIST]: listOf(),
      'POST /api/plans/p1/schedules': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'cron: the minute field: 61 is out of range 0-59',
        issues: [{ path: 'cron', message: 'the minute field: 61 is out of range 0-59' }],
      }),
    });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} openAtStart />);
    await screen.findByText(/A schedule runs this plan by itself/);
    // cron is the default kind.
    await userEvent.type(screen.getByLabelText('Cron expression'), '61 * * * *');
    await userEvent.click(screen.getByRole('button', { name: 'Create schedule' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not create the schedule');
    expect(alert).toHaveTextContent('cron: the minute field: 61 is out of range 0-59');
    expect(alert).toHaveTextContent('(HTTP 400)');
    expect(screen.getByLabelText('Cron expression')).toHaveValue('61 * * * *');
  });

  it('pause, run now and resume post to the schedule, then read the list again', async () => {
    let current = schedule();
    const act = (status: Schedule['status']) => () => {
      current = schedule({ status });
      return current;
    };
    const api = stubApi({
      [LIST]: () => listOf(current),
      'POST /api/plans/p1/schedules/sch_1/pause': act('paused'),
      'POST /api/plans/p1/schedules/sch_1/resume': act('active'),
      'POST /api/plans/p1/schedules/sch_1/trigger': act('active'),
    });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} openAtStart />);
    const name = 'cron 0 3 * * 1-5 (UTC)';

    await userEvent.click(await screen.findByRole('button', { name: `Run now ${name}` }));
    await waitFor(() => expect(api.posts('/trigger')).toHaveLength(1));
    expect(api.posts('/trigger')[0]!.body).toBe('{}');
    expect(await screen.findByText(`Triggered: ${name}.`)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: `Pause ${name}` }));
    await waitFor(() => expect(api.posts('/pause')).toHaveLength(1));
    expect(await screen.findByRole('button', { name: `Resume ${name}` })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(`Paused: ${name}.`);

    await userEvent.click(screen.getByRole('button', { name: `Resume ${name}` }));
    await waitFor(() => expect(api.posts('/resume')).toHaveLength(1));
    expect(await screen.findByRole('button', { name: `Pause ${name}` })).toBeInTheDocument();
    expect(lists(api)).toBe(4);
  });

  it('delete asks first; "No" sends nothing; confirming sends DELETE', async () => {
    let all = [schedule()];
    const api = stubApi({
      [LIST]: () => listOf(...all),
      'DELETE /api/plans/p1/schedules/sch_1': () => {
        const deleted = schedule({ status: 'deleted' });
        all = [];
        return deleted;
      },
    });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} openAtStart />);
    const name = 'cron 0 3 * * 1-5 (UTC)';
    await userEvent.click(await screen.findByRole('button', { name: `Delete ${name}` }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'No' }));
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    await userEvent.click(screen.getByRole('button', { name: `Delete ${name}` }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent(`Delete the schedule “${name}”?`);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
    expect(await screen.findByText(/A schedule runs this plan by itself/)).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(`Deleted: ${name}.`);
  });

  it('a refused action (409) shows the API message', async () => {
    stubApi({
      [LIST]: listOf(schedule()),
      'POST /api/plans/p1/schedules/sch_1/pause': json(409, {
        statusCode: 409,
        error: 'Conflict',
        message: 'schedule sch_1 is already paused',
      }),
    });
    renderWithClient(<SchedulesPanel plan={planFixture('ready')} openAtStart />);
    await userEvent.click(await screen.findByRole('button', { name: 'Pause cron 0 3 * * 1-5 (UTC)' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('schedule sch_1 is already paused');
  });

  it('a schedule event on the stream reads the list again', async () => {
    const api = stubApi({ [LIST]: listOf(schedule()) });
    const plan = planFixture('ready');
    const { rerender } = renderWithClient(<SchedulesPanel plan={plan} events={[]} openAtStart />);
    await screen.findByRole('listitem');
    const before = lists(api);
    rerender(<SchedulesPanel plan={plan} events={[event('TurnStarted', {})]} openAtStart />);
    rerender(
      <SchedulesPanel
        plan={plan}
        events={[event('TurnStarted', {}), event('ScheduleFired', { scheduleId: 'sch_1' })]}
        openAtStart
      />,
    );
    await waitFor(() => expect(lists(api)).toBe(before + 1));
  });
});
