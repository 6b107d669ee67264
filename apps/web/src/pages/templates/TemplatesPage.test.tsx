import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, renderPage, stubApi, summary } from '../plans/test-support';
import { parseMarks } from './templates-api';
import { TemplatesPage } from './TemplatesPage';

const TEMPLATES = {
  templates: [
    {
      name: 'fix-bug',
      title: 'Fix a bug, regression test first',
      description: 'Reproduce the bug in a failing test, then fix it.',
      parameters: [
        { name: 'bug', description: 'what goes wrong', required: true, example: 'totals are off' },
        { name: 'area', description: 'where it lives', required: false, default: 'the code involved' },
      ],
      version: 0,
      builtin: true,
      savedAt: '1970-01-01T00:00:00.000Z',
    },
    {
      name: 'add-flag',
      title: 'Add a feature flag',
      description: '',
      parameters: [{ name: 'flag', description: '', required: true }],
      version: 2,
      builtin: false,
      savedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
};
const REPOS = { repositories: [{ id: 'r1', name: 'web-app', path: '/srv/web-app', defaults: {} }] };

afterEach(() => vi.unstubAllGlobals());

const render = (url = '/templates') => renderPage(<TemplatesPage />, { url, path: '/templates' });

describe('TemplatesPage', () => {
  it('lists the templates with their versions; choosing one opens its parameter form, focused', async () => {
    stubApi({
      'GET /api/templates': TEMPLATES,
      'GET /api/repositories': REPOS,
      'GET /api/plans': { plans: [] },
    });
    render();
    const list = await screen.findByRole('list', { name: 'Templates' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('built-in');
    expect(items[1]).toHaveTextContent('version 2');

    const user = userEvent.setup();
    const use = within(items[0]).getByRole('button', { name: 'Use this template' });
    expect(use).toHaveAccessibleDescription('Fix a bug, regression test first');
    await user.click(use);
    expect(use).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('location')).toHaveTextContent('/templates?name=fix-bug');
    const heading = screen.getByRole('heading', { name: 'New plan from “Fix a bug, regression test first”' });
    expect(heading).toHaveFocus();
    const bug = screen.getByRole('textbox', { name: 'bug' });
    expect(bug).toBeRequired();
    expect(bug).toHaveAccessibleDescription('what goes wrong');
    expect(screen.getByRole('textbox', { name: 'area' })).toHaveAttribute('placeholder', 'the code involved');
  });

  it('requires the required parameters, then creates the plan and opens it', async () => {
    const { posts } = stubApi({
      'GET /api/templates': TEMPLATES,
      'GET /api/repositories': REPOS,
      'GET /api/plans': { plans: [] },
      'POST /api/templates/fix-bug/plans': json(201, {
        id: 'p_new',
        revision: 1,
        template: { name: 'fix-bug', version: 0 },
      }),
    });
    render('/templates?name=fix-bug');
    const user = userEvent.setup();
    const form = within(await screen.findByRole('region', { name: /New plan from/ }));
    await user.click(form.getByRole('button', { name: 'Create plan' }));
    const bug = form.getByRole('textbox', { name: 'bug' });
    expect(bug).toHaveAttribute('aria-invalid', 'true');
    expect(bug).toHaveAccessibleDescription('what goes wrong Required.');
    expect(posts()).toHaveLength(0);

    await user.type(bug, 'refunds are off by a cent');
    await user.selectOptions(form.getByRole('combobox', { name: 'Repository' }), 'repo:r1');
    await user.click(form.getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/plans/p_new'));
    expect(JSON.parse(posts('/plans')[0].body)).toEqual({
      params: { bug: 'refunds are off by a cent' },
      repository: 'repo:r1',
    });
  });

  it('shows the issues the API names for a parameter beside its field', async () => {
    stubApi({
      'GET /api/templates': TEMPLATES,
      'GET /api/repositories': REPOS,
      'GET /api/plans': { plans: [] },
      'POST /api/templates/add-flag/plans': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'cannot render template add-flag: parameter flag: control characters are not allowed',
        code: 'validation_failed',
        issues: [
          {
            code: 'invalid_parameter',
            path: 'params.flag',
            message: 'parameter flag: control characters are not allowed',
          },
        ],
      }),
    });
    render('/templates?name=add-flag');
    const user = userEvent.setup();
    const form = within(await screen.findByRole('region', { name: /New plan from/ }));
    await user.type(form.getByRole('textbox', { name: 'flag' }), 'x');
    await user.click(form.getByRole('button', { name: 'Create plan' }));
    expect(await form.findByRole('alert')).toHaveTextContent('The plan was not created');
    expect(form.getByRole('textbox', { name: 'flag' })).toHaveAccessibleDescription(
      'parameter flag: control characters are not allowed',
    );
  });

  it('says so when the linked template does not exist', async () => {
    stubApi({ 'GET /api/templates': TEMPLATES, 'GET /api/plans': { plans: [] } });
    render('/templates?name=nope');
    expect(await screen.findByText('There is no template named nope.')).toBeInTheDocument();
  });

  it('saves a plan as a template with marked parameters', async () => {
    const { posts } = stubApi({
      'GET /api/templates': TEMPLATES,
      'GET /api/plans': { plans: [summary({ id: 'p_1', title: 'Add the invoice resource' })] },
      'POST /api/plans/p_1/template': json(201, {
        name: 'resource',
        version: 1,
        title: 'Add the invoice resource',
        description: '',
        parameters: [{ name: 'resource', description: '', required: true, example: 'invoice' }],
        document: {},
        savedAt: '2026-01-01T00:00:00.000Z',
        source: { kind: 'plan', planId: 'p_1', planRevision: 1 },
      }),
    });
    render();
    const user = userEvent.setup();
    const section = within(screen.getByRole('region', { name: 'Save a plan as a template' }));
    await section.findByRole('option', { name: 'Add the invoice resource' });
    await user.selectOptions(section.getByRole('combobox', { name: 'Plan' }), 'p_1');
    await user.type(section.getByRole('textbox', { name: 'Template name' }), 'resource');
    await user.type(section.getByRole('textbox', { name: 'Parameters' }), 'resource=invoice');
    await user.click(section.getByRole('button', { name: 'Save as template' }));
    expect(await section.findByRole('status')).toHaveTextContent(
      'Saved template resource version 1 with parameters resource.',
    );
    expect(JSON.parse(posts('/template')[0].body)).toEqual({
      name: 'resource',
      params: { resource: 'invoice' },
    });
  });

  it('parses name=text lines', () => {
    expect(parseMarks('a=b c\n\n x = y=z \nbad')).toEqual({ marks: { a: 'b c', x: 'y=z' }, bad: ['bad'] });
  });
});
