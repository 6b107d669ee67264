import type { PlanCommand } from './commands';
import { decide, evolve, fold, initialState } from './decider';
import { diffContents, isEmptyDiff } from './diff';
import { DomainError, ValidationError } from './errors';
import type { PlanEvent } from './events';
import type { LlmCall } from './planning';
import type { PlanState } from './state';
import { applySuggestions, suggestionConflict, type Suggestion } from './suggestions';

const doc = {
  title: 'Auth feature',
  chunks: [
    { key: 'C01_models', title: 'Models' },
    { key: 'C02_api', title: 'API' },
  ],
  tasks: [
    { id: 'T1', chunk: 'C01_models', title: 'User model' },
    { id: 'T2', chunk: 'C01_models', title: 'Session model', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_api', title: 'Login route', dependsOn: ['T2'] },
  ],
};

const call = (purpose: string, input = 100, output = 50, cost = 0.01): LlmCall => ({
  callId: `${purpose}-${input}`,
  purpose,
  model: 'claude-test',
  usage: { inputTokens: input, outputTokens: output, cacheCreationInputTokens: 10, cacheReadInputTokens: 5 },
  costUsd: cost,
  durationMs: 12,
  repaired: false,
});

function run(commands: PlanCommand[], state: PlanState = initialState()) {
  const events: PlanEvent[] = [];
  for (const c of commands) {
    const produced = decide(c, state);
    events.push(...produced);
    state = produced.reduce(evolve, state);
  }
  return { state, events };
}

const generated = () =>
  run([
    {
      type: 'CreatePlan',
      planId: 'p1',
      document: doc,
      source: { kind: 'generate', model: 'claude-test', request: { description: 'auth' } },
      llmCalls: [call('generate')],
    },
  ]);

const modifyT1: Suggestion = {
  id: 's1',
  kind: 'modify_task',
  reasoning: 'clearer',
  taskId: 'T1',
  before: { title: 'User model' },
  after: { title: 'User model with email', acceptance: ['email is unique'] },
};
const addT4: Suggestion = {
  id: 's2',
  kind: 'add_task',
  reasoning: 'missing tests',
  before: null,
  after: { task: { id: 'T4', chunk: 'C02_api', title: 'Login tests', dependsOn: ['T3'] } },
};
const breakT2: Suggestion = {
  id: 's3',
  kind: 'break_down_task',
  reasoning: 'too big',
  taskId: 'T2',
  before: { title: 'Session model' },
  after: {
    tasks: [
      { id: 'T2a', chunk: 'C01_models', title: 'Session table' },
      { id: 'T2b', chunk: 'C01_models', title: 'Session expiry', dependsOn: ['T2a'] },
    ],
  },
};

describe('planning turns in the decider', () => {
  it('a generated plan starts at iteration 1 and records its calls in the same batch', () => {
    const { state, events } = generated();
    expect(events.map((e) => e.type)).toEqual(['PlanCreated', 'LlmCallRecorded']);
    expect(state.planningIterations).toBe(1);
    expect(state.lastPlanningMode).toBe('generate');
    expect(state.usage).toMatchObject({ calls: 1, inputTokens: 100, outputTokens: 50, costUsd: 0.01 });
  });

  it('a refinement is a new revision with its feedback, mode and iteration kept', () => {
    const { state: s1 } = generated();
    const refined = { ...doc, tasks: [...doc.tasks, { id: 'T4', chunk: 'C02_api', title: 'Logout' }] };
    const { state, events } = run(
      [
        {
          type: 'RefinePlan',
          document: refined,
          feedback: 'add logout',
          mode: 'multi',
          drafts: 3,
          rationale: 'draft 2 covers logout',
          model: 'claude-test',
          llmCalls: [call('refine-draft'), call('refine-draft', 200), call('refine-judge', 300, 20, 0.02)],
        },
      ],
      s1,
    );
    expect(events.map((e) => e.type)).toEqual([
      'PlanRefined',
      'LlmCallRecorded',
      'LlmCallRecorded',
      'LlmCallRecorded',
    ]);
    expect(state.revision).toBe(2);
    expect(state.planningIterations).toBe(2);
    expect(state.lastPlanningMode).toBe('multi');
    expect(state.feedback).toEqual([{ revision: 2, feedback: 'add logout', author: null, mode: 'multi' }]);
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(state.usage.calls).toBe(4);
    expect(state.usage.byPurpose['refine-draft']).toMatchObject({ calls: 2, inputTokens: 300 });
    expect(state.usage.costUsd).toBeCloseTo(0.05, 6);
    expect(fold(events, s1)).toEqual(state);
  });

  it('refuses an invalid refined plan and writes nothing', () => {
    const { state } = generated();
    const bad = {
      ...doc,
      tasks: [...doc.tasks, { id: 'T9', chunk: 'C01_models', title: 'x', dependsOn: ['T3'] }],
    };
    expect(() =>
      decide(
        {
          type: 'RefinePlan',
          document: bad,
          feedback: 'x',
          mode: 'single',
          drafts: 1,
          rationale: null,
          model: 'm',
          llmCalls: [],
        },
        state,
      ),
    ).toThrow(ValidationError);
  });

  it('keeps a suggestion set and applies chosen suggestions as one revision', () => {
    const { state: s1 } = generated();
    const { state, events } = run(
      [
        {
          type: 'CreateSuggestionSet',
          setId: 'set1',
          reviewType: 'add_missing',
          scope: 'all',
          targetId: null,
          suggestions: [modifyT1, addT4, breakT2],
          model: 'claude-test',
          llmCalls: [call('review')],
        },
        { type: 'ApplySuggestions', setId: 'set1', ids: ['s3', 's1'] },
      ],
      s1,
    );
    expect(events.map((e) => e.type)).toEqual([
      'SuggestionSetCreated',
      'LlmCallRecorded',
      'SuggestionsApplied',
    ]);
    expect(state.revision).toBe(2);
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T1', 'T2a', 'T2b', 'T3']);
    expect(state.content.tasks[0]).toMatchObject({
      title: 'User model with email',
      acceptance: ['email is unique'],
    });
    // Whatever depended on the broken-down task now depends on all of its parts.
    expect(state.content.tasks.find((t) => t.id === 'T3')!.dependsOn).toEqual(['T2a', 'T2b']);
    // The first part inherits the parent's dependencies.
    expect(state.content.tasks.find((t) => t.id === 'T2a')!.dependsOn).toEqual(['T1']);
    expect(state.suggestionSets.set1.applied).toEqual(['s1', 's3']);
    expect(() => decide({ type: 'ApplySuggestions', setId: 'set1', ids: ['s1'] }, state)).toThrow(
      /already applied/,
    );
  });

  it('refuses a stale set whose suggestions no longer apply, and applies one that still does', () => {
    const { state: s1 } = generated();
    const { state: withSet } = run(
      [
        {
          type: 'CreateSuggestionSet',
          setId: 'set1',
          reviewType: 'refine_descriptions',
          scope: 'all',
          targetId: null,
          suggestions: [modifyT1, addT4],
          model: 'm',
          llmCalls: [],
        },
        { type: 'UpdateTask', taskId: 'T1', changes: { title: 'Account model' } },
      ],
      s1,
    );
    const err = (() => {
      try {
        decide({ type: 'ApplySuggestions', setId: 'set1', ids: ['s1'] }, withSet);
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.code).toBe('stale_suggestions');
    expect(err.message).toMatch(/s1 \(task T1 title changed/);
    // s2 touches nothing that changed: it still applies cleanly to the newer revision.
    const events = decide({ type: 'ApplySuggestions', setId: 'set1', ids: ['s2'] }, withSet);
    const after = events.reduce(evolve, withSet);
    expect(after.revision).toBe(3);
    expect(after.content.tasks.map((t) => t.id)).toContain('T4');
  });

  it('refuses suggestions whose result is invalid, naming the problem', () => {
    const { state } = generated();
    const cyclic: Suggestion = {
      ...modifyT1,
      id: 'bad',
      after: { dependsOn: ['T3'] },
    };
    expect(() => applySuggestions(state.content, [cyclic])).toThrow(/T3/);
  });

  it('reports why a suggestion conflicts', () => {
    const { state } = generated();
    expect(suggestionConflict(state.content, modifyT1)).toBeNull();
    expect(
      suggestionConflict(state.content, { ...addT4, after: { task: { ...addT4.after.task, id: 'T1' } } }),
    ).toMatch(/already exists/);
    const reorder: Suggestion = {
      id: 'r',
      kind: 'reorder',
      reasoning: '',
      chunkKey: null,
      before: ['C02_api', 'C01_models'],
      after: ['C01_models', 'C02_api'],
    };
    expect(suggestionConflict(state.content, reorder)).toMatch(/order/);
  });

  it('reorders tasks within a chunk and adds a chunk with its tasks', () => {
    const { state } = generated();
    const content = applySuggestions(state.content, [
      {
        id: 'a',
        kind: 'add_chunk',
        reasoning: '',
        before: null,
        after: {
          chunk: { key: 'C03_docs', title: 'Docs' },
          tasks: [{ id: 'D1', chunk: 'C03_docs', title: 'Write docs', dependsOn: ['T3'] }],
        },
      },
      {
        id: 'b',
        kind: 'remove_task',
        reasoning: '',
        taskId: 'T3',
        before: { title: 'Login route' },
        after: null,
      },
    ]);
    expect(content.chunks.map((c) => c.key)).toEqual(['C01_models', 'C02_api', 'C03_docs']);
    expect(content.tasks.map((t) => t.id)).toEqual(['T1', 'T2', 'D1']);
    expect(content.tasks.find((t) => t.id === 'D1')!.dependsOn).toEqual([]);
  });
});

describe('diffContents', () => {
  it('lists tasks and chunks added, removed and changed', () => {
    const { state } = generated();
    const to = applySuggestions(state.content, [modifyT1, addT4, breakT2]);
    const d = diffContents(state.content, to);
    expect(d.tasks.added.map((t) => t.id)).toEqual(['T2a', 'T2b', 'T4']);
    expect(d.tasks.removed.map((t) => t.id)).toEqual(['T2']);
    expect(d.tasks.changed).toEqual([
      {
        id: 'T1',
        changes: {
          title: { from: 'User model', to: 'User model with email' },
          acceptance: { from: [], to: ['email is unique'] },
        },
      },
      { id: 'T3', changes: { dependsOn: { from: ['T2'], to: ['T2a', 'T2b'] } } },
    ]);
    expect(d.chunks).toEqual({ added: [], removed: [], changed: [], reordered: false });
    expect(isEmptyDiff(diffContents(to, to))).toBe(true);
    expect(isEmptyDiff(d)).toBe(false);
  });
});
