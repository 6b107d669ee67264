import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionView } from './ExecutionPage';
import {
  event,
  history,
  json,
  planFixture,
  progressFixture,
  renderWithClient,
  streamedText,
  stubApi,
} from './test-support';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ExecutionView: a running task', () => {
  it('shows the task with its description, attempt n of m, the agent output as it streams, and QA results per gate', async () => {
    const output = streamedText();
    const started = [
      event('ExecutionStarted', { options: { maxAttempts: 3 } }),
      event('TurnStarted', { turnId: 's_1-1', chunk: 'C1', taskId: 'T1', attempt: 1 }),
      event('TurnCompleted', { turnId: 's_1-1', taskId: 'T1', succeeded: true, exitCode: 0 }),
      event('QaGateResult', {
        turnId: 's_1-1',
        taskId: 'T1',
        gate: 'lint',
        passed: false,
        exitCode: 1,
        timedOut: false,
        durationMs: 1200,
        outputTail: 'src/config.ts:3 unexpected any',
      }),
      event('TaskFailed', { taskId: 'T1', attempts: 1, error: 'QA gate lint failed', final: false }),
    ];
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture({ T1: 'running' }, {}, { T1: { attempts: 2 } }),
      'GET /api/plans/p1/history': history(started),
      'GET /api/plans/p1/turns/s_1-1/output/stream': () => new Response('old output', { status: 200 }),
      'GET /api/plans/p1/turns/s_1-2/output/stream': () => output.response,
    });
    // The second attempt's TurnStarted arrives live (after the page opened), its QA results later.
    const live = [event('TurnStarted', { turnId: 's_1-2', chunk: 'C1', taskId: 'T1', attempt: 2 })];
    const view = renderWithClient(<ExecutionView plan={planFixture('running')} events={live} />);

    const chunk = await screen.findByRole('region', { name: 'Chunk one' });
    expect(within(chunk).getByRole('progressbar', { name: 'Chunk one progress' })).toHaveAttribute(
      'aria-valuenow',
      '0',
    );
    expect(screen.getByRole('heading', { level: 2, name: 'Execution' })).toBeInTheDocument();
    expect(await screen.findByText(/^attempt 2 of 3/)).toBeInTheDocument();
    expect(screen.getByText('Read settings from the environment')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 4, name: 'Agent output' })).toBeInTheDocument();

    const pre = screen.getByLabelText('Agent output');
    await waitFor(() =>
      expect(api.calls.some((c) => c.path.endsWith('/turns/s_1-2/output/stream'))).toBe(true),
    );
    await act(async () => output.write('Reading the task…\n'));
    await waitFor(() => expect(pre).toHaveTextContent('Reading the task…'));
    await act(async () => output.write('Writing src/config.ts ✓'));
    await waitFor(() => expect(pre).toHaveTextContent('Reading the task… Writing src/config.ts ✓'));
    expect(screen.getByText(/Live: the agent is writing/)).toBeInTheDocument();
    // The earlier attempt's error is the last error, and its QA results show until this attempt has its own.
    expect(screen.getByText('QA gate lint failed')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 5, name: 'QA results (attempt 1)' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'QA results of Add config' })).toHaveTextContent(
      'src/config.ts:3 unexpected any',
    );

    // The turn completes and its QA results arrive on the stream.
    view.rerender(
      <ExecutionView
        plan={planFixture('running')}
        events={[
          ...live,
          event('TurnCompleted', { turnId: 's_1-2', taskId: 'T1', succeeded: true, exitCode: 0 }),
          event('QaGateResult', {
            turnId: 's_1-2',
            taskId: 'T1',
            gate: 'unit tests',
            passed: true,
            exitCode: 0,
            timedOut: false,
            durationMs: 4000,
            outputTail: '12 passed',
          }),
          event('QaGateResult', {
            turnId: 's_1-2',
            taskId: 'T1',
            gate: 'lint',
            passed: false,
            exitCode: 2,
            timedOut: false,
            durationMs: 900,
            outputTail: 'no-unused-vars',
          }),
        ]}
      />,
    );
    await act(async () => output.end());
    await waitFor(() => expect(screen.getByText(/The turn has ended/)).toBeInTheDocument());
    expect(screen.getByRole('heading', { level: 5, name: 'QA results' })).toBeInTheDocument();
    const qa = screen.getByRole('list', { name: 'QA results of Add config' });
    const items = within(qa).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.qa-gate')?.textContent)).toEqual(['unit tests', 'lint']);
    expect(within(items[0]!).getByText('passed')).toBeInTheDocument();
    expect(within(items[1]!).getByText('failed')).toBeInTheDocument();
    expect(within(items[1]!).getByText('no-unused-vars')).toBeInTheDocument();
    expect(within(items[1]!).getByText(/exit 2/)).toBeInTheDocument();
    // The output was read with the stream route only (no polling of the whole-output route).
    expect(api.calls.filter((c) => c.path.includes('/turns/')).map((c) => c.path)).toEqual([
      '/api/plans/p1/turns/s_1-2/output/stream',
    ]);
  });

  it('shows a turn output error (404) without breaking the view', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture({ T1: 'running' }),
      'GET /api/plans/p1/history': history([
        event('TurnStarted', { turnId: 's_1-5', chunk: 'C1', taskId: 'T1', attempt: 1 }),
      ]),
      'GET /api/plans/p1/turns/s_1-5/output/stream': json(404, {
        statusCode: 404,
        message: 'plan p1 has no turn s_1-5 (unknown, or not started yet)',
      }),
    });
    renderWithClient(<ExecutionView plan={planFixture('running')} events={[]} />);
    expect(await screen.findByText(/has no turn s_1-5/)).toBeInTheDocument();
    expect(screen.getByText(/^attempt 1 of 5/)).toBeInTheDocument(); // the plan's maxAttempts when the session's is unknown
  });
});

describe('ExecutionView: a multi-repository plan', () => {
  it('lists the progress of each repository and names a task’s repository', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'running' },
        {
          repositories: [
            { repository: null, tasks: 3, completed: 1, pending: 2, failed: 0, commits: ['t1aaaa'] },
            { repository: 'repo:r_0123456789ab', tasks: 1, completed: 0, pending: 1, failed: 0, commits: [] },
          ],
        },
        { T2: { repository: 'repo:r_0123456789ab' } },
      ),
      'GET /api/plans/p1/history': history([]),
    });
    renderWithClient(<ExecutionView plan={planFixture('running')} events={[]} />);
    const list = await screen.findByRole('list', { name: 'Progress per repository' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      'plan repository: 1 of 3 tasks completed · 1 commit',
      'repo:r_0123456789ab: 0 of 1 tasks completed · 0 commits',
    ]);
    const chunk = screen.getByRole('region', { name: 'Chunk one' });
    expect(within(chunk).getByText('repo:r_0123456789ab')).toBeInTheDocument();
  });

  it('shows no repository list for a plan with one repository', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture({ T1: 'running' }),
      'GET /api/plans/p1/history': history([]),
    });
    renderWithClient(<ExecutionView plan={planFixture('running')} events={[]} />);
    await screen.findByRole('region', { name: 'Chunk one' });
    expect(screen.queryByRole('list', { name: 'Progress per repository' })).toBeNull();
  });
});

describe('ExecutionView: a failed task', () => {
  const failedProgress = () =>
    progressFixture(
      { T1: 'failed' },
      { status: 'paused', pauseReason: 'task_failed', pauseDetail: 'task T1 failed after 3 attempts: boom' },
      { T1: { attempts: 3, lastError: 'tests failed: 2 of 10' } },
    );
  const setup = (over: Record<string, unknown> = {}) => {
    const api = stubApi({
      'GET /api/plans/p1/progress': failedProgress(),
      'GET /api/plans/p1/history': history([
        event('TurnStarted', { turnId: 's_1-3', chunk: 'C1', taskId: 'T1', attempt: 3 }),
        event('TurnCompleted', { turnId: 's_1-3', taskId: 'T1', succeeded: false, exitCode: 1 }),
      ]),
      'GET /api/plans/p1/turns/s_1-3/output/stream': () =>
        new Response('final attempt output', { status: 200 }),
      'POST /api/plans/p1/tasks/T1/retry': { accepted: true, reason: null },
      'POST /api/plans/p1/tasks/T1/skip': { accepted: true, reason: null },
      'POST /api/plans/p1/tasks/T1/complete': { accepted: true, reason: null },
      'POST /api/plans/p1/cancel': { planId: 'p1', sessionId: 's_1', workflowId: 'w', signal: 'cancel' },
      ...over,
    });
    renderWithClient(<ExecutionView plan={planFixture('paused')} events={[]} />);
    return api;
  };

  it('shows the task, its last error and output, and Retry sends an empty retry', async () => {
    const api = setup();
    const card = await screen.findByRole('region', { name: 'Task failed: Add config' });
    expect(within(card).getByText('tests failed: 2 of 10')).toBeInTheDocument();
    expect(within(card).getByText(/^attempt 3 of 5/)).toBeInTheDocument();
    await waitFor(() =>
      expect(within(card).getByLabelText('Agent output')).toHaveTextContent('final attempt output'),
    );
    await userEvent.click(within(card).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.posts()).toHaveLength(1));
    expect(api.posts()[0]).toMatchObject({ path: '/api/plans/p1/tasks/T1/retry', body: '{}' });
  });

  it('Skip, Mark complete and Cancel plan (after confirming) send their requests', async () => {
    const api = setup();
    const card = await screen.findByRole('region', { name: 'Task failed: Add config' });
    await userEvent.click(within(card).getByRole('button', { name: 'Skip' }));
    await waitFor(() => expect(api.posts('/skip')).toHaveLength(1));
    expect(api.posts('/skip')[0]!.body).toBe('{}');
    await userEvent.click(within(card).getByRole('button', { name: 'Mark complete' }));
    await waitFor(() => expect(api.posts('/complete')).toHaveLength(1));

    await userEvent.click(within(card).getByRole('button', { name: 'Cancel plan' }));
    const dialog = screen.getByRole('dialog', { name: /Cancel this plan/ });
    await userEvent.click(within(dialog).getByRole('button', { name: 'No' }));
    expect(api.posts('/cancel')).toHaveLength(0);
    await userEvent.click(within(card).getByRole('button', { name: 'Cancel plan' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Yes, cancel' }));
    await waitFor(() => expect(api.posts('/cancel')).toHaveLength(1));
  });

  it('Edit and retry sends the changed fields with the retry', async () => {
    const api = setup();
    const card = await screen.findByRole('region', { name: 'Task failed: Add config' });
    await userEvent.click(within(card).getByRole('button', { name: 'Edit and retry' }));
    const title = within(card).getByLabelText('Title');
    expect(title).toHaveValue('Add config');
    await userEvent.clear(title);
    await userEvent.type(title, 'Add config (env only)');
    const acceptance = within(card).getByLabelText('Acceptance criteria (one per line)');
    await userEvent.type(acceptance, '{Enter}no secrets in logs');
    await userEvent.click(within(card).getByRole('button', { name: 'Save and retry' }));
    await waitFor(() => expect(api.posts()).toHaveLength(1));
    expect(api.posts()[0]!.path).toBe('/api/plans/p1/tasks/T1/retry');
    expect(JSON.parse(api.posts()[0]!.body)).toEqual({
      edit: { title: 'Add config (env only)', acceptance: ['config loads', 'no secrets in logs'] },
    });
  });

  it('a refused decision shows the API message', async () => {
    setup({
      'POST /api/plans/p1/tasks/T1/retry': json(409, {
        statusCode: 409,
        code: 'update_rejected',
        message: 'retryTask refused: task T1 is pending, not failed',
      }),
    });
    const card = await screen.findByRole('region', { name: 'Task failed: Add config' });
    await userEvent.click(within(card).getByRole('button', { name: 'Retry' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('task T1 is pending, not failed');
  });
});

describe('ExecutionView: a manual chunk waiting for approval', () => {
  const setup = () => {
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed' },
        {
          status: 'paused',
          pauseReason: 'approval',
          pauseDetail: 'task T3 waits for approval: Login route',
          currentChunk: 'C2',
          nextChunk: null,
        },
      ),
      'GET /api/plans/p1/history': history([]),
      'POST /api/plans/p1/tasks/T3/approve': { accepted: true, reason: null },
      'POST /api/plans/p1/tasks/T4/approve': { accepted: true, reason: null },
    });
    renderWithClient(<ExecutionView plan={planFixture('paused')} events={[]} />);
    return api;
  };

  it('Execute chunk approves its pending tasks, the waiting one last (the paused session answers each at once)', async () => {
    const api = setup();
    const card = await screen.findByRole('region', { name: 'Approval needed: Chunk two' });
    expect(within(card).getByText('The /login route')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Paused' })).not.toBeInTheDocument();
    await userEvent.click(within(card).getByRole('button', { name: 'Execute chunk' }));
    await waitFor(() => expect(api.posts()).toHaveLength(2));
    expect(api.posts().map((c) => [c.path, JSON.parse(c.body)])).toEqual([
      ['/api/plans/p1/tasks/T4/approve', { action: 'execute' }],
      ['/api/plans/p1/tasks/T3/approve', { action: 'execute' }],
    ]);
  });

  it('Skip chunk skips them; Edit approves the waiting task with the edit', async () => {
    const api = setup();
    const card = await screen.findByRole('region', { name: 'Approval needed: Chunk two' });
    await userEvent.click(within(card).getByRole('button', { name: 'Skip chunk' }));
    await waitFor(() => expect(api.posts()).toHaveLength(2));
    expect(api.posts().map((c) => [c.path, JSON.parse(c.body)])).toEqual([
      ['/api/plans/p1/tasks/T4/approve', { action: 'skip' }],
      ['/api/plans/p1/tasks/T3/approve', { action: 'skip' }],
    ]);

    await userEvent.click(within(card).getByRole('button', { name: 'Edit' }));
    const description = within(card).getByLabelText('Description');
    await userEvent.clear(description);
    await userEvent.type(description, 'The /login route with GitHub');
    await userEvent.click(within(card).getByRole('button', { name: 'Save and execute' }));
    await waitFor(() => expect(api.posts()).toHaveLength(3));
    expect(api.posts()[2]!.path).toBe('/api/plans/p1/tasks/T3/approve');
    expect(JSON.parse(api.posts()[2]!.body)).toEqual({
      action: 'execute',
      edit: { description: 'The /login route with GitHub' },
    });
  });
});

describe('ExecutionView: a pause after a chunk', () => {
  it("shows what was done with the chunk's diff, what is next, and Continue / Stop", async () => {
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed' },
        { status: 'paused', pauseReason: 'chunk_completed', currentChunk: null, nextChunk: 'C2' },
      ),
      'GET /api/plans/p1/history': history([]),
      'GET /api/plans/p1/chunks/C1/diff': {
        planId: 'p1',
        chunk: 'C1',
        repository: '/repos/demo',
        commits: [
          {
            sha: 't1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
            subject: 'T1: Add config',
            author: 'a',
            date: 'd',
            taskId: 'T1',
          },
        ],
        missing: [],
        files: [
          { path: 'src/config.ts', status: 'A', additions: 12, deletions: 0 },
          { path: 'README.md', status: 'M', additions: 2, deletions: 1 },
        ],
        diff: 'commit t1aaaa\n\ndiff --git a/src/config.ts b/src/config.ts\n+export const config = {};\n-old line\n',
        truncated: false,
      },
      'POST /api/plans/p1/resume': { action: 'resumed', planId: 'p1', sessionId: 's_1', workflowId: 'w' },
      'POST /api/plans/p1/stop': { planId: 'p1', sessionId: 's_1', workflowId: 'w', signal: 'stop' },
    });
    renderWithClient(<ExecutionView plan={planFixture('paused')} events={[]} />);
    const card = (await screen.findByRole('heading', { name: 'Paused' })).closest('section')!;
    expect(within(card).getByRole('list', { name: 'Done in Chunk one' })).toHaveTextContent('Add config');
    const files = await within(card).findByRole('list', { name: 'Files changed' });
    expect(
      within(files)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('code')?.textContent),
    ).toEqual(['src/config.ts', 'README.md']);
    expect(within(card).getByText('+12')).toBeInTheDocument();
    const diff = within(card).getByLabelText('Diff of Chunk one');
    expect(diff).toHaveTextContent('+export const config = {};');
    expect(within(diff).getByText('+export const config = {};')).toHaveClass('ud-added');
    expect(within(diff).getByText('-old line')).toHaveClass('ud-removed');
    expect(within(card).getByText(/Chunk two: 2 tasks to run/)).toBeInTheDocument();

    await userEvent.click(within(card).getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(api.posts('/resume')).toHaveLength(1));
    await userEvent.click(within(card).getByRole('button', { name: 'Stop' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Yes, stop' }));
    await waitFor(() => expect(api.posts('/stop')).toHaveLength(1));
    expect(api.posts('/stop')[0]!.body).toBe('{}');
  });

  it('shows the API error when the diff cannot be read', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed' },
        { status: 'paused', pauseReason: 'chunk_completed', currentChunk: null, nextChunk: 'C2' },
      ),
      'GET /api/plans/p1/history': history([]),
      'GET /api/plans/p1/chunks/C1/diff': json(404, {
        statusCode: 404,
        message: 'the repository of plan p1 (/repos/demo) is not a directory on this machine',
      }),
    });
    renderWithClient(<ExecutionView plan={planFixture('paused')} events={[]} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('is not a directory on this machine');
  });
});

describe('ExecutionView: start and end', () => {
  it('Execute on a ready plan sends an empty body (the plan’s own settings)', async () => {
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture({}, { live: false, sessionId: null, status: 'ready' }),
      'GET /api/plans/p1/history': history([]),
      'POST /api/plans/p1/execute': json(202, {
        planId: 'p1',
        sessionId: 's_1',
        workflowId: 'w',
        revision: 4,
      }),
    });
    renderWithClient(<ExecutionView plan={planFixture('ready')} events={[]} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Execute' }));
    await waitFor(() => expect(api.posts('/execute')).toHaveLength(1));
    expect(api.posts('/execute')[0]!.body).toBe('{}');
    // Every chunk is listed with its progress bar before the session starts.
    expect(screen.getByRole('progressbar', { name: 'Chunk two progress' })).toBeInTheDocument();
  });

  it('Execute with an agent override sends it as options', async () => {
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture({}, { live: false, sessionId: null, status: 'ready' }),
      'GET /api/plans/p1/history': history([]),
      'POST /api/plans/p1/execute': json(202, {
        planId: 'p1',
        sessionId: 's_1',
        workflowId: 'w',
        revision: 4,
      }),
    });
    renderWithClient(<ExecutionView plan={planFixture('ready')} events={[]} />);
    await userEvent.click(await screen.findByText('Options'));
    await userEvent.selectOptions(screen.getByLabelText('Agent'), 'claude-code');
    await userEvent.type(screen.getByLabelText('Model (optional)'), 'claude-sonnet-4-5');
    await userEvent.click(screen.getByRole('button', { name: 'Execute' }));
    await waitFor(() => expect(api.posts('/execute')).toHaveLength(1));
    expect(JSON.parse(api.posts('/execute')[0]!.body)).toEqual({
      options: { agent: { type: 'claude-code', model: 'claude-sonnet-4-5' } },
    });
  });

  it('a completed plan shows chunks, tasks, duration and commits', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed', T3: 'completed', T4: 'skipped' },
        { live: false, status: 'completed', currentChunk: null, nextChunk: null },
      ),
      'GET /api/plans/p1/history': history([
        event('ExecutionCompleted', { commits: ['c1', 'c2', 'c3'], durationMs: 125_000 }),
      ]),
    });
    renderWithClient(<ExecutionView plan={planFixture('completed')} events={[]} />);
    const card = (await screen.findByRole('heading', { name: 'Completed' })).closest('section')!;
    expect(card).toHaveTextContent('2 of 2 completed');
    expect(card).toHaveTextContent('3 completed, 1 skipped, 0 failed of 4');
    await waitFor(() => expect(card).toHaveTextContent('2 min 5 s'));
    expect(card).toHaveTextContent(/Commits\s*3/);
    expect(screen.queryByRole('button', { name: 'Execute' })).not.toBeInTheDocument();
  });

  it('Roll back session asks first, then shows what was undone per repository', async () => {
    const api = stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed', T3: 'completed', T4: 'completed' },
        { live: false, status: 'completed', currentChunk: null, nextChunk: null },
      ),
      'GET /api/plans/p1/history': history([]),
      'POST /api/plans/p1/rollback': {
        planId: 'p1',
        rollbackId: 'rb_1',
        workflowId: 'chunkwise-p1-rb_1',
        sessionId: 's_1',
        taskId: null,
        status: 'completed',
        outcome: {
          ok: true,
          tasks: ['T1', 'T2', 'T3', 'T4'],
          results: [
            {
              repository: '/srv/api',
              branch: 'chunkwise/p1/s_1',
              method: 'reset',
              reverted: ['c2', 'c1'],
              revertCommits: [],
              previousHead: 'c2',
              newHead: 'abcdef0123456789',
              pushed: false,
            },
          ],
        },
      },
    });
    renderWithClient(<ExecutionView plan={planFixture('completed')} events={[]} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back session' }));
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Yes, roll back' }));
    const list = await screen.findByRole('list', { name: 'Rolled back per repository' });
    expect(list).toHaveTextContent('/srv/api: reset to abcdef01 (2 commits undone)');
    expect(screen.getByText(/4 tasks are pending again/)).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/api/plans/p1/rollback', '{}'],
    ]);
  });

  it('a rollback conflict shows the API message and changes nothing', async () => {
    stubApi({
      'GET /api/plans/p1/progress': progressFixture(
        { T1: 'completed', T2: 'completed', T3: 'completed', T4: 'completed' },
        { live: false, status: 'completed', currentChunk: null, nextChunk: null },
      ),
      'GET /api/plans/p1/history': history([]),
      'POST /api/plans/p1/rollback': json(409, {
        statusCode: 409,
        code: 'rollback_conflict',
        message: 'reverting c2 conflicts with later changes on chunkwise/p1/s_1 in a.txt',
      }),
    });
    renderWithClient(<ExecutionView plan={planFixture('completed')} events={[]} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back session' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Yes, roll back' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Rollback refused');
    expect(alert).toHaveTextContent('conflicts with later changes on chunkwise/p1/s_1 in a.txt');
    expect(alert).toHaveTextContent('HTTP 409');
  });
});
