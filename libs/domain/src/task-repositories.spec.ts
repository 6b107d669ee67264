import { planContentFromDocument, planContentToDocument } from './document';
import { resolveExecutionSettings } from './execution-settings';
import { SessionInputError, startSession } from './session';
import {
  repositoryProgress,
  repositoryWorktreeKey,
  sessionRepositories,
  turnScopeRepositoryProblem,
} from './task-repositories';

const agent = { type: 'command' as const, argv: ['agent'] };

const content = planContentFromDocument({
  title: 'two repositories',
  repository: '/srv/api',
  chunks: [{ key: 'C01' }, { key: 'C02' }],
  tasks: [
    { id: 'T1', chunk: 'C01', title: 'api' },
    { id: 'T2', chunk: 'C01', title: 'client', repository: 'repo:r_0123456789ab' },
    { id: 'T3', chunk: 'C02', title: 'web', repository: '/srv/web' },
    { id: 'T4', chunk: 'C02', title: 'client again', repository: 'repo:r_0123456789ab' },
  ],
});

const start = (turnScope: 'task' | 'chunk', chunks: string | null = null) =>
  startSession({
    planId: 'p1',
    sessionId: 's1',
    revision: 1,
    content,
    settings: resolveExecutionSettings({ agent, turnScope }),
    from: 'beginning',
    chunks,
    startedAt: 0,
  });

describe('task repositories', () => {
  it('are kept by the plan document and carried into the session tasks', () => {
    expect(content.tasks.map((t) => t.repository)).toEqual([
      undefined,
      'repo:r_0123456789ab',
      '/srv/web',
      'repo:r_0123456789ab',
    ]);
    const doc = planContentToDocument(content);
    expect(doc.tasks?.[0]).not.toHaveProperty('repository');
    expect(planContentFromDocument(doc)).toEqual(content);
    expect(start('task').tasks.map((t) => t.repository ?? null)).toEqual([
      null,
      'repo:r_0123456789ab',
      '/srv/web',
      'repo:r_0123456789ab',
    ]);
  });

  it('refuses an empty repository in a task', () => {
    expect(() =>
      planContentFromDocument({
        title: 'x',
        tasks: [{ id: 'T1', chunk: 'C01', title: 'a', repository: '' }],
      }),
    ).toThrow(/repository must not be empty/);
  });

  it('lists the other repositories of the tasks in scope, in order of first appearance', () => {
    expect(sessionRepositories(start('task'))).toEqual(['repo:r_0123456789ab', '/srv/web']);
    // C02 out of scope: only the registered repository of T2 remains.
    expect(sessionRepositories(start('task', 'C01'))).toEqual(['repo:r_0123456789ab']);
  });

  it('names each repository’s work tree distinctly and safely', () => {
    const a = repositoryWorktreeKey('repo:r_0123456789ab');
    const b = repositoryWorktreeKey('/srv/web');
    const c = repositoryWorktreeKey('/other/web');
    expect(a).toMatch(/^r_0123456789ab-[0-9a-f]{8}$/);
    expect(b).toMatch(/^web-[0-9a-f]{8}$/);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(repositoryWorktreeKey('../../etc')).toMatch(/^etc-[0-9a-f]{8}$/);
    expect(repositoryWorktreeKey('/srv/web')).toBe(b);
  });

  it('refuses a chunk over two repositories run as one turn, naming the chunk', () => {
    expect(() => start('chunk')).toThrow(SessionInputError);
    expect(() => start('chunk')).toThrow(/chunk C01 has tasks in 2 repositories/);
    expect(turnScopeRepositoryProblem(start('task'), 'task')).toBeNull();
  });

  it('reports progress per repository, the plan’s first', () => {
    const s = start('task');
    const done = {
      ...s,
      tasks: s.tasks.map((t) =>
        t.id === 'T2' ? { ...t, status: 'completed' as const, commitSha: 'b2' } : t,
      ),
      commits: ['b2'],
    };
    expect(repositoryProgress(done)).toEqual([
      { repository: null, tasks: 1, completed: 0, pending: 1, failed: 0, commits: [] },
      { repository: 'repo:r_0123456789ab', tasks: 2, completed: 1, pending: 1, failed: 0, commits: ['b2'] },
      { repository: '/srv/web', tasks: 1, completed: 0, pending: 1, failed: 0, commits: [] },
    ]);
  });
});
