import { ApiError } from './api-client';
import { CliError } from './errors';
import type { Suggestion, SuggestionSet } from './plan-api';
import { executeHint, parseSelection } from './plan-session';

const remove = (id: string, taskId: string): Suggestion => ({
  id,
  kind: 'remove_task',
  reasoning: '',
  taskId,
  before: {},
  after: null,
});

const set: SuggestionSet = {
  planId: 'p1',
  setId: 'set_1',
  revision: 2,
  reviewType: 'break_down',
  scope: 'all',
  targetId: null,
  suggestions: [remove('s1', 'T1'), remove('s2', 'T2'), remove('s3', 'T3')],
  applied: ['s2'],
};

describe('parseSelection', () => {
  it.each([
    ['', []],
    ['none', []],
    ['N', []],
    ['all', ['s1', 's3']],
    ['1,3', ['s1', 's3']],
    ['s3, s1', ['s3', 's1']],
    ['1 3 1', ['s1', 's3']],
    ['S1', ['s1']],
  ])('%j → %j', (answer, ids) => {
    expect(parseSelection(answer, set)).toEqual({ ids });
  });

  it.each([
    ['4', 'no suggestion "4" (choose among 1-3, "all" or "none")'],
    ['s9', 'no suggestion "s9" (choose among 1-3, "all" or "none")'],
    ['2', 'suggestion s2 is applied already'],
  ])('%j is refused', (answer, error) => {
    expect(parseSelection(answer, set)).toEqual({ error });
  });
});

describe('executeHint', () => {
  it('says how to give a plan without an agent one; other errors stay as they are', () => {
    const noAgent = new ApiError(400, 'cannot execute', undefined, [
      'execution.agent: no agent configured for this plan [schema]',
    ]);
    const hinted = executeHint(noAgent, 'p1') as CliError;
    expect(hinted.message).toBe('plan p1 is finalized, but no agent is configured to execute it');
    expect(hinted.details).toEqual([
      'execution.agent: no agent configured for this plan [schema]',
      'pass one: chunkwise plan --plan p1 --execute --watch --agent claude-code',
      'or set execution.agent in the plan, or agent defaults on its registered repository',
    ]);
    const other = new ApiError(503, 'Temporal is not reachable', undefined);
    expect(executeHint(other, 'p1')).toBe(other);
    const plain = new Error('boom');
    expect(executeHint(plain, 'p1')).toBe(plain);
    expect(executeHint(new CliError('x'), 'p1')).toBeInstanceOf(CliError);
  });
});
