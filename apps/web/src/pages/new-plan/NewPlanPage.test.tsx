import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, renderPage, stubApi } from '../plans/test-support';
import { NewPlanPage } from './NewPlanPage';

const REPOS = { repositories: [{ id: 'r1', name: 'web-app', path: '/srv/web-app', defaults: {} }] };
const section = (name: string) => screen.getByRole('region', { name });

afterEach(() => vi.unstubAllGlobals());

const render = () => renderPage(<NewPlanPage />, { url: '/plans/new', path: '/plans/new' });

describe('NewPlanPage', () => {
  it('has the three ways to a new plan', () => {
    stubApi({ 'GET /api/repositories': REPOS });
    render();
    expect(screen.getByRole('heading', { level: 1, name: 'New plan' })).toBeInTheDocument();
    for (const name of ['Generate with Claude', 'Create by hand', 'Import a file'])
      expect(screen.getByRole('heading', { level: 2, name })).toBeInTheDocument();
  });

  it('creates by hand: sends YAML as written and shows every validation issue the API names', async () => {
    const yaml = 'title: Broken\nchunks:\n  - key: C01\ntasks:\n  - id: T1\n    chunk: C09\n';
    const { calls } = stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'the plan document is invalid',
        issues: [
          {
            code: 'unknown_chunk',
            message: 'task T1 names chunk C09, which does not exist',
            path: 'tasks[0].chunk',
          },
          { code: 'empty_chunk', message: 'chunk C01 has no tasks', chunkKey: 'C01' },
        ],
      }),
    });
    render();
    const user = userEvent.setup();
    const byHand = within(section('Create by hand'));
    await user.click(byHand.getByRole('textbox', { name: 'Plan document (YAML or JSON)' }));
    await user.paste(yaml);
    await user.click(byHand.getByRole('button', { name: 'Create plan' }));

    const alert = await byHand.findByRole('alert');
    expect(alert).toHaveTextContent('the plan document is invalid');
    expect(alert).toHaveTextContent('task T1 names chunk C09, which does not exist');
    expect(alert).toHaveTextContent('chunk C01 has no tasks');
    expect(within(alert).getAllByRole('listitem')).toHaveLength(2);

    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/plans');
    expect(post?.contentType).toBe('application/yaml');
    expect(post?.body).toBe(yaml);
    expect(screen.getByTestId('location')).toHaveTextContent('/plans/new');
  });

  it('creates by hand from a loaded JSON file and opens the new plan', async () => {
    const doc = { title: 'From a file', chunks: [{ key: 'C01', title: 'One' }], tasks: [] };
    const { calls } = stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans': json(201, { id: 'new-plan-1', revision: 1 }),
    });
    render();
    const user = userEvent.setup();
    const byHand = within(section('Create by hand'));
    await user.upload(
      byHand.getByLabelText('Load from a file'),
      new File([JSON.stringify(doc)], 'plan.json', { type: 'application/json' }),
    );
    await waitFor(() =>
      expect(byHand.getByRole('textbox', { name: 'Plan document (YAML or JSON)' })).toHaveValue(
        JSON.stringify(doc),
      ),
    );
    await user.click(byHand.getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/plans/new-plan-1'));
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/plans');
    expect(post?.contentType).toBe('application/json');
    expect(JSON.parse(post!.body)).toEqual(doc);
  });

  it('previews an import (chunks, tasks, warnings) before storing anything, then imports it', async () => {
    const tasksMd = '## 1. Setup\n- [ ] 1.1 Add the table\n- [ ] 1.2 Seed it (Depends on: 3.1)\n';
    const preview = {
      format: 'openspec',
      filename: 'tasks.md',
      sha256: 'abc',
      chunks: 1,
      tasks: 2,
      stats: {},
      warnings: [
        {
          code: 'textual_dependency',
          message: 'task 1.2 mentions 3.1, which is not in the plan',
          file: 'tasks.md',
          line: 3,
        },
      ],
      document: {
        title: 'Add a table',
        chunks: [{ key: 'C01_setup', title: 'Setup' }],
        tasks: [
          { id: '1.1', chunk: 'C01_setup', title: 'Add the table' },
          { id: '1.2', chunk: 'C01_setup', title: 'Seed it' },
        ],
      },
    };
    const { calls } = stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans/import': (call: { body: string }) => {
        const body = JSON.parse(call.body) as { dryRun?: boolean };
        return body.dryRun
          ? json(200, preview)
          : json(201, { ...preview, document: undefined, id: 'imported-1', revision: 1 });
      },
    });
    render();
    const user = userEvent.setup();
    const imp = within(section('Import a file'));
    await user.upload(
      imp.getByLabelText('Plan file'),
      new File([tasksMd], 'tasks.md', { type: 'text/markdown' }),
    );
    expect(imp.getByRole('combobox', { name: 'Format' })).toHaveValue('auto');
    await user.selectOptions(imp.getByRole('combobox', { name: 'Format' }), 'openspec');
    await user.click(imp.getByRole('button', { name: 'Preview import' }));

    expect(await imp.findByRole('heading', { name: 'Preview: Add a table' })).toBeInTheDocument();
    expect(imp.getByRole('heading', { name: /Setup/ })).toBeInTheDocument();
    expect(imp.getByText('Add the table')).toBeInTheDocument();
    expect(imp.getByText('Seed it')).toBeInTheDocument();
    expect(imp.getByText(/1 chunk, 2 tasks/)).toBeInTheDocument();
    expect(imp.getByRole('heading', { name: 'Warnings (1)' })).toBeInTheDocument();
    expect(imp.getByText(/task 1.2 mentions 3.1/)).toBeInTheDocument();

    const imports = () => calls.filter((c) => c.path === '/api/plans/import').map((c) => JSON.parse(c.body));
    expect(imports()).toEqual([{ format: 'openspec', filename: 'tasks.md', content: tasksMd, dryRun: true }]);
    expect(screen.getByTestId('location')).toHaveTextContent('/plans/new');

    await user.click(imp.getByRole('button', { name: 'Import plan' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/plans/imported-1'));
    expect(imports()[1]).toEqual({
      format: 'openspec',
      filename: 'tasks.md',
      content: tasksMd,
      dryRun: false,
    });
  });

  it('shows an import error with the API message and no preview', async () => {
    stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans/import': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'could not recognise the format of notes.txt',
      }),
    });
    render();
    const user = userEvent.setup();
    const imp = within(section('Import a file'));
    await user.click(imp.getByRole('button', { name: 'Preview import' }));
    expect(imp.getByText('Choose the file to import.')).toBeInTheDocument();
    await user.upload(imp.getByLabelText('Plan file'), new File(['just notes'], 'notes.txt'));
    await user.click(imp.getByRole('button', { name: 'Preview import' }));
    expect(await imp.findByRole('alert')).toHaveTextContent('could not recognise the format of notes.txt');
    expect(imp.queryByRole('button', { name: 'Import plan' })).toBeNull();
  });

  it('generates a plan: shows that Claude is working, then the usage and the way to the plan', async () => {
    let answer!: (r: Response) => void;
    const { calls } = stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans/generate': () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    render();
    const user = userEvent.setup();
    const gen = within(section('Generate with Claude'));
    await user.type(gen.getByRole('textbox', { name: 'Title' }), 'Dark mode');
    await user.type(
      gen.getByRole('textbox', { name: 'Description' }),
      'Add a dark theme to the settings page',
    );
    await user.selectOptions(await gen.findByRole('combobox', { name: 'Repository' }), 'repo:r1');
    await user.type(gen.getByRole('spinbutton', { name: 'Chunks' }), '3');
    await user.type(gen.getByRole('spinbutton', { name: 'Tasks per chunk' }), '2');
    await user.click(gen.getByRole('button', { name: 'Generate plan' }));

    expect(await gen.findByRole('status')).toHaveTextContent('Claude is writing the plan…');
    expect(gen.getByRole('button', { name: 'Generate plan' })).toBeDisabled();
    const sent = JSON.parse(calls.find((c) => c.path === '/api/plans/generate')!.body);
    expect(sent).toEqual({
      title: 'Dark mode',
      description: 'Add a dark theme to the settings page',
      repository: 'repo:r1',
      targetChunks: 3,
      depth: 'brief',
    });

    answer(
      json(201, {
        id: 'gen-1',
        revision: 1,
        usage: {
          inputTokens: 12000,
          outputTokens: 3400,
          cacheCreationInputTokens: 0,
          cacheReadInputTokens: 0,
          calls: 1,
          costUsd: 0.087,
          byPurpose: {},
        },
      }),
    );
    expect(await gen.findByRole('heading', { name: 'Plan generated' })).toBeInTheDocument();
    expect(gen.queryByText('Claude is writing the plan…')).toBeNull();
    expect(gen.getByText((12000).toLocaleString())).toBeInTheDocument();
    expect(gen.getByText((3400).toLocaleString())).toBeInTheDocument();
    expect(gen.getByText(/0\.087/)).toBeInTheDocument();
    expect(gen.getByRole('link', { name: 'Review the plan' })).toHaveAttribute(
      'href',
      '/plans/gen-1/planning',
    );
  });
  it('shows why a generation failed, and drops a stale import preview when the inputs change', async () => {
    stubApi({
      'GET /api/repositories': REPOS,
      'POST /api/plans/generate': json(502, {
        statusCode: 502,
        error: 'Bad Gateway',
        message: "the model's answer stayed invalid after one repair turn",
      }),
      'POST /api/plans/import': json(200, {
        format: 'kiro',
        sha256: 'x',
        chunks: 0,
        tasks: 0,
        stats: {},
        warnings: [],
        document: { title: 'Empty', chunks: [], tasks: [] },
      }),
    });
    render();
    const user = userEvent.setup();
    const gen = within(section('Generate with Claude'));
    await user.type(gen.getByRole('textbox', { name: 'Title' }), 'X');
    await user.type(gen.getByRole('textbox', { name: 'Description' }), 'Y');
    await user.click(gen.getByRole('button', { name: 'Generate plan' }));
    const alert = await gen.findByRole('alert');
    expect(alert).toHaveTextContent('The plan was not generated');
    expect(alert).toHaveTextContent("the model's answer stayed invalid after one repair turn");
    expect(gen.queryByRole('heading', { name: 'Plan generated' })).toBeNull();

    const imp = within(section('Import a file'));
    await user.upload(imp.getByLabelText('Plan file'), new File(['- [ ] 1. x'], 'tasks.md'));
    await user.click(imp.getByRole('button', { name: 'Preview import' }));
    expect(await imp.findByRole('button', { name: 'Import plan' })).toBeInTheDocument();
    expect(imp.getByText('No warnings.')).toBeInTheDocument();
    await user.selectOptions(imp.getByRole('combobox', { name: 'Format' }), 'kiro');
    expect(imp.queryByRole('button', { name: 'Import plan' })).toBeNull();
  });
});
