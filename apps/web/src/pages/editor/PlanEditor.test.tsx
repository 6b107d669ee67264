import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Chunk, PlanDetail, Task } from '../../api/client';

// openapi-fetch takes globalThis.fetch and Request when the client is created (on import): install the
// stub first. Node's Request needs an absolute URL; the browser resolves '/api/…' against the page.
const fetchMock = vi.hoisted(() => {
  const f = vi.fn<(input: Request) => Promise<Response>>();
  globalThis.fetch = f as unknown as typeof fetch;
  return f;
});

import { PlanEditor } from './PlanEditor';

interface Call {
  method: string;
  path: string;
  ifMatch: string | null;
  body: unknown;
}
type Reply = (call: Call) => Response | undefined;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

let calls: Call[] = [];
let replies: Reply[] = [];
const writes = () => calls.filter((c) => !c.path.endsWith('/validate'));

/** Answers each request with the first reply that takes it; validation finds no problem by default. */
function answer(...r: Reply[]) {
  replies = r;
}

beforeEach(() => {
  calls = [];
  replies = [];
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (input: Request) => {
    const text = await input.text();
    const call: Call = {
      method: input.method,
      path: new URL(input.url).pathname,
      ifMatch: input.headers.get('If-Match'),
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    for (const reply of replies) {
      const response = reply(call);
      if (response) return response;
    }
    if (call.path.endsWith('/validate')) return json(200, { valid: true, issues: [] });
    return json(200, { id: 'p1', revision: 99 });
  });
});

const task = (id: string, title: string, chunk: string, extra: Partial<Task> = {}): Task => ({
  id,
  title,
  chunk,
  description: '',
  acceptance: [],
  dependsOn: [],
  attempts: 0,
  cancelled: false,
  canRunInParallel: false,
  commitSha: null,
  labels: [],
  lastError: null,
  optional: false,
  status: 'pending',
  ...extra,
});

const stats = { byStatus: {}, chunks: 1, progress: 0, tasks: 0 };
const chunk = (key: string, title: string, tasks: Task[], extra: Partial<Chunk> = {}): Chunk => ({
  key,
  title,
  description: '',
  executionMode: 'sequential',
  pauseAfter: false,
  stats,
  tasks,
  ...extra,
});

function makePlan(extra: Partial<PlanDetail> = {}): PlanDetail {
  return {
    id: 'p1',
    title: 'Parser plan',
    description: 'Build a parser',
    status: 'draft',
    revision: 3,
    archived: false,
    chunkCount: 2,
    taskCount: 4,
    completedCount: 0,
    failedCount: 0,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    execution: null,
    feedback: [],
    finalizedRevision: null,
    lastPlanningMode: null,
    planningIterations: 0,
    progress: 0,
    repository: null,
    streamRevision: 3,
    stats,
    usage: {
      byPurpose: {},
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      calls: 0,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
    },
    chunks: [
      chunk('setup', 'Setup', [
        task('t1', 'Write the lexer', 'setup'),
        task('t2', 'Write the parser', 'setup', { dependsOn: ['t1'], acceptance: ['parses JSON'] }),
        task('t3', 'Write the printer', 'setup'),
      ]),
      chunk('polish', 'Polish', [task('t4', 'Document it', 'polish')]),
    ],
    ...extra,
  };
}

function renderEditor(plan = makePlan()) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const ui = (p: PlanDetail) => (
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/plans/p1']}>
        <Routes>
          <Route path="/plans/:id">
            <Route index element={<PlanEditor plan={p} />} />
          </Route>
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>
  );
  const result = render(ui(plan));
  /** The plan as the live stream would deliver it after a change. */
  return { ...result, update: (p: PlanDetail) => result.rerender(ui(p)) };
}

const taskItem = (title: string) => {
  const item = screen.getByRole('button', { name: `Edit task ${title}` }).closest('li');
  if (!item) throw new Error(`no list item for ${title}`);
  return item;
};

describe('PlanEditor', () => {
  it('saves a task edit based on the revision shown (If-Match)', async () => {
    const user = userEvent.setup();
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the parser' }));
    const title = screen.getByLabelText('Title');
    await user.clear(title);
    await user.type(title, 'Write the JSON parser');
    await user.type(screen.getByLabelText('Acceptance criteria (one per line)'), '\nrejects junk');
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: 'PATCH',
      path: '/api/plans/p1/tasks/t2',
      ifMatch: '"3"',
      body: { title: 'Write the JSON parser', acceptance: ['parses JSON', 'rejects junk'] },
    });
    // Saved: the form closes.
    await waitFor(() => expect(screen.queryByLabelText('Title')).not.toBeInTheDocument());
  });

  it('shows a stale save as a conflict; "Re-apply my edit" resends it on the current revision', async () => {
    const user = userEvent.setup();
    let first = true;
    answer((c) => {
      if (c.method !== 'PATCH' || !first) return undefined;
      first = false;
      return json(409, {
        statusCode: 409,
        error: 'Conflict',
        code: 'stale_revision',
        message: 'plan p1 is at revision 7, not 3; reload and retry',
        currentRevision: 7,
      });
    });
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the lexer' }));
    await user.type(screen.getByLabelText('Description'), 'Tokens first');
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('changed since you loaded it');
    // Not applied, not retried behind the user's back; the edit is still in the form.
    expect(writes()).toHaveLength(1);
    expect(screen.getByLabelText('Description')).toHaveValue('Tokens first');

    await user.click(within(alert).getByRole('button', { name: 'Re-apply my edit' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    expect(writes()[1]).toEqual({
      method: 'PATCH',
      path: '/api/plans/p1/tasks/t1',
      ifMatch: '"7"',
      body: { description: 'Tokens first' },
    });
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
  });

  it('bases a form’s save on the revision it was opened at, not on a change made elsewhere meanwhile', async () => {
    const user = userEvent.setup();
    const { update } = renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the lexer' }));
    // Somebody else changes the plan while the form is open; the stream brings revision 4.
    update(makePlan({ revision: 4 }));
    expect(screen.getByText(/The plan changed since you opened this form/)).toHaveTextContent('revision 4');
    await user.type(screen.getByLabelText('Description'), 'Mine');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toMatchObject({ path: '/api/plans/p1/tasks/t1', ifMatch: '"3"' });
    // A click on what is shown now is based on what is shown.
    await user.click(screen.getByRole('button', { name: 'Move task Write the lexer down' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    expect(writes()[1]).toMatchObject({ path: '/api/plans/p1/tasks/t1/move', ifMatch: '"4"' });
  });

  it('"Reload" drops the stale edit without writing it', async () => {
    const user = userEvent.setup();
    answer((c) =>
      c.method === 'PATCH'
        ? json(409, {
            statusCode: 409,
            error: 'Conflict',
            code: 'stale_revision',
            message: 'stale',
            currentRevision: 5,
          })
        : undefined,
    );
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the lexer' }));
    await user.type(screen.getByLabelText('Description'), 'Mine');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await user.click(within(await screen.findByRole('alert')).getByRole('button', { name: 'Reload' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Description')).not.toBeInTheDocument();
    expect(writes()).toHaveLength(1);
  });

  it('shows every validation problem inside the task or chunk it names', async () => {
    answer((c) =>
      c.path === '/api/plans/p1/validate'
        ? json(200, {
            valid: false,
            issues: [
              {
                code: 'unknown_dependency',
                taskId: 't3',
                path: 'tasks[2].dependsOn',
                message: 'task t3: depends on unknown task zz',
              },
              {
                code: 'dependency_on_later_chunk',
                taskId: 't1',
                chunkKey: 'setup',
                message: 'task t1: depends on t4 in later chunk polish',
              },
              { code: 'duplicate_chunk_key', path: 'chunks[1].key', message: 'chunk polish: something odd' },
              { code: 'dependency_cycle', taskId: 'gone', message: 'dependency cycle: gone → gone' },
            ],
          })
        : undefined,
    );
    renderEditor();
    expect(
      await within(taskItem('Write the printer')).findByText('task t3: depends on unknown task zz'),
    ).toBeVisible();
    expect(
      within(taskItem('Write the lexer')).getByText('task t1: depends on t4 in later chunk polish'),
    ).toBeVisible();
    expect(within(taskItem('Write the lexer')).queryByText(/unknown task zz/)).not.toBeInTheDocument();
    expect(
      within(taskItem('Write the parser')).queryByRole('list', { name: /Problems/ }),
    ).not.toBeInTheDocument();
    const polish = screen.getByRole('region', { name: 'Polish' });
    expect(within(polish).getByText('chunk polish: something odd')).toBeVisible();
    // An issue that names nothing in the plan is shown with the plan, not dropped.
    const details = screen.getByRole('region', { name: 'Details' });
    expect(within(details).getByText('dependency cycle: gone → gone')).toBeVisible();
    expect(screen.getByText(/4 problems to fix before the plan can be finalized/)).toBeInTheDocument();
  });

  it('shows the problems of a refused write (400) next to the task, all at once', async () => {
    const user = userEvent.setup();
    answer((c) =>
      c.method === 'PATCH'
        ? json(400, {
            statusCode: 400,
            error: 'Bad Request',
            message: 'invalid request body',
            issues: [
              { code: 'schema', path: 'body.title', message: 'body.title: Too long' },
              { code: 'schema', path: 'body.description', message: 'body.description: Too long' },
            ],
          })
        : undefined,
    );
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the printer' }));
    await user.type(screen.getByLabelText('Title'), '!');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    const item = taskItem('Write the printer');
    expect(await within(item).findByText('body.title: Too long')).toBeVisible();
    expect(within(item).getByText('body.description: Too long')).toBeVisible();
    expect(within(taskItem('Write the lexer')).queryByText(/Too long/)).not.toBeInTheDocument();
  });

  it('"Move task … down" moves the task before the one after its new place', async () => {
    const user = userEvent.setup();
    renderEditor();
    screen.getByRole('button', { name: 'Move task Write the lexer down' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: 'POST',
      path: '/api/plans/p1/tasks/t1/move',
      ifMatch: '"3"',
      body: { toChunk: 'setup', beforeTaskId: 't3' },
    });
  });

  it('moving the last-but-one task down puts it last; the first cannot move up', async () => {
    const user = userEvent.setup();
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Move task Write the lexer up' }));
    await user.click(screen.getByRole('button', { name: 'Move task Write the parser down' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toMatchObject({ path: '/api/plans/p1/tasks/t2/move', body: { toChunk: 'setup' } });
    expect(writes()[0].body).not.toHaveProperty('beforeTaskId');
  });

  it('"Move chunk … up" sends the new chunk order', async () => {
    const user = userEvent.setup();
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Move chunk Polish up' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: 'PUT',
      path: '/api/plans/p1/chunks/order',
      ifMatch: '"3"',
      body: { order: ['polish', 'setup'] },
    });
  });

  it('picks dependencies with checkboxes labelled by task title', async () => {
    const user = userEvent.setup();
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the printer' }));
    const picker = screen.getByRole('group', { name: 'Depends on' });
    expect(within(picker).queryByRole('checkbox', { name: 'Write the printer' })).not.toBeInTheDocument();
    await user.click(within(picker).getByRole('checkbox', { name: 'Write the parser' }));
    await user.click(within(picker).getByRole('checkbox', { name: 'Write the lexer' }));
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: 'PUT',
      path: '/api/plans/p1/tasks/t3/dependencies',
      ifMatch: '"3"',
      body: { dependsOn: ['t2', 't1'] },
    });
  });

  it('chains the writes of one save, each on the revision the one before produced', async () => {
    const user = userEvent.setup();
    let revision = 3;
    answer((c) =>
      c.method === 'GET' || c.path.endsWith('/validate')
        ? undefined
        : json(200, { id: 'p1', revision: ++revision }),
    );
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Edit task Write the parser' }));
    await user.type(screen.getByLabelText('Title'), ' v2');
    await user.click(
      within(screen.getByRole('group', { name: 'Depends on' })).getByRole('checkbox', {
        name: 'Write the lexer',
      }),
    );
    await user.selectOptions(screen.getByLabelText('Move to chunk'), 'polish');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(writes()).toHaveLength(3));
    expect(writes().map((c) => [c.method, c.path, c.ifMatch])).toEqual([
      ['PATCH', '/api/plans/p1/tasks/t2', '"3"'],
      ['PUT', '/api/plans/p1/tasks/t2/dependencies', '"4"'],
      ['POST', '/api/plans/p1/tasks/t2/move', '"5"'],
    ]);
    expect(writes()[1].body).toEqual({ dependsOn: [] });
    expect(writes()[2].body).toEqual({ toChunk: 'polish' });
  });

  it('adds a task with an id of its own to the chunk', async () => {
    const user = userEvent.setup();
    renderEditor();
    const polish = screen.getByRole('region', { name: 'Polish' });
    await user.click(within(polish).getByRole('button', { name: 'Add task' }));
    await user.type(within(polish).getByLabelText('Title'), 'Write the README');
    await user.click(within(polish).getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toMatchObject({
      method: 'POST',
      path: '/api/plans/p1/tasks',
      ifMatch: '"3"',
      body: { id: 'write-the-readme', chunk: 'polish', title: 'Write the README', dependsOn: [] },
    });
  });

  it('sets a chunk’s execution mode and pause-after', async () => {
    const user = userEvent.setup();
    renderEditor();
    const setup = screen.getByRole('region', { name: 'Setup' });
    await user.selectOptions(within(setup).getByLabelText('Execution mode'), 'manual');
    await waitFor(() => expect(writes()).toHaveLength(1));
    await user.click(within(setup).getByRole('checkbox', { name: 'Pause after this chunk' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    expect(writes()).toEqual([
      {
        method: 'PATCH',
        path: '/api/plans/p1/chunks/setup',
        ifMatch: '"3"',
        body: { executionMode: 'manual' },
      },
      // Based on the revision the first write produced.
      { method: 'PATCH', path: '/api/plans/p1/chunks/setup', ifMatch: '"99"', body: { pauseAfter: true } },
    ]);
  });

  it('removes a task based on the revision shown', async () => {
    const user = userEvent.setup();
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Remove task Write the printer' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: 'DELETE',
      path: '/api/plans/p1/tasks/t3',
      ifMatch: '"3"',
      body: undefined,
    });
  });

  it('shows a refused write with the API’s message', async () => {
    const user = userEvent.setup();
    answer((c) =>
      c.method === 'DELETE'
        ? json(409, {
            statusCode: 409,
            error: 'Conflict',
            code: 'chunk_not_empty',
            message: 'chunk setup still holds tasks t1, t2, t3; move or remove them first',
          })
        : undefined,
    );
    renderEditor();
    await user.click(screen.getByRole('button', { name: 'Remove chunk Setup' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not remove chunk Setup: chunk setup still holds tasks');
    // Not a stale revision: no conflict to resolve.
    expect(alert).not.toHaveTextContent('changed since you loaded it');
  });

  it('shows a finalized plan read-only, with the way to reopen it', () => {
    renderEditor(makePlan({ status: 'ready', finalizedRevision: 3 }));
    expect(screen.getByText(/Read-only:/).closest('p')).toHaveTextContent(
      /finalized \(revision 3\); only a draft can be edited/,
    );
    expect(screen.getByRole('link', { name: 'Planning → Reopen' })).toHaveAttribute(
      'href',
      '/plans/p1/planning',
    );
    expect(screen.getByRole('heading', { level: 2, name: 'Chunks' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 3, name: 'Setup' })).toBeInTheDocument();
    expect(screen.getByText('Write the lexer')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Edit task/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add chunk' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Execution mode')).not.toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });
});
