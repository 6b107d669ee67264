import type { PlanCommand } from './commands';
import { decide, evolve, fold, initialState, stateAtRevision } from './decider';
import { DomainError } from './errors';
import type { PlanEvent } from './events';
import type { PlanState } from './state';

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

/** Applies commands through decide/evolve, returning the final state and every event. */
function run(commands: PlanCommand[], state: PlanState = initialState()) {
  const events: PlanEvent[] = [];
  for (const c of commands) {
    const produced = decide(c, state);
    events.push(...produced);
    state = produced.reduce(evolve, state);
  }
  return { state, events };
}

const created = () => run([{ type: 'CreatePlan', planId: 'p1', document: doc }]).state;

function refusal(command: PlanCommand, state: PlanState): DomainError {
  try {
    decide(command, state);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`expected ${command.type} to be refused`);
}

describe('plan decider', () => {
  it('creates a plan at revision 1', () => {
    const { state, events } = run([
      { type: 'CreatePlan', planId: 'p1', document: doc, source: { kind: 'cli' } },
    ]);
    expect(events.map((e) => e.type)).toEqual(['PlanCreated']);
    expect(state).toMatchObject({ exists: true, planId: 'p1', status: 'draft', revision: 1 });
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T1', 'T2', 'T3']);
  });

  it('refuses to create twice and refuses commands on a missing plan', () => {
    expect(refusal({ type: 'CreatePlan', planId: 'p1', document: doc }, created()).code).toBe(
      'plan_already_exists',
    );
    expect(refusal({ type: 'FinalizePlan' }, initialState()).code).toBe('plan_not_found');
  });

  it('refuses an invalid document listing every issue', () => {
    const err = refusal(
      {
        type: 'CreatePlan',
        planId: 'p',
        document: {
          title: 'x',
          tasks: [
            { id: 'A', chunk: 'C', title: 'a', dependsOn: ['Q'] },
            { id: 'A', chunk: 'C', title: 'b' },
          ],
        },
      },
      initialState(),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.issues.map((i) => i.code).sort()).toEqual(['duplicate_task_id', 'unknown_dependency']);
  });

  it('updates details, bumping the revision; an identical update is a no-op', () => {
    const { state } = run(
      [{ type: 'UpdatePlanDetails', changes: { title: 'New', repository: '/r' } }],
      created(),
    );
    expect(state.revision).toBe(2);
    expect(state.content).toMatchObject({ title: 'New', repository: '/r' });
    expect(decide({ type: 'UpdatePlanDetails', changes: { title: 'New' } }, state)).toEqual([]);
  });

  it('adds, updates, reorders and removes chunks', () => {
    let { state } = run(
      [
        { type: 'AddChunk', chunk: { key: 'C00_setup', title: 'Setup' }, index: 0 },
        {
          type: 'UpdateChunk',
          key: 'C00_setup',
          changes: { description: 'tooling', executionMode: 'parallel' },
        },
      ],
      created(),
    );
    expect(state.content.chunks.map((c) => c.key)).toEqual(['C00_setup', 'C01_models', 'C02_api']);
    expect(state.content.chunks[0]).toMatchObject({ description: 'tooling', executionMode: 'parallel' });
    expect(state.revision).toBe(3);
    ({ state } = run([{ type: 'ReorderChunks', order: ['C01_models', 'C02_api', 'C00_setup'] }], state));
    expect(state.content.chunks.map((c) => c.key)).toEqual(['C01_models', 'C02_api', 'C00_setup']);
    ({ state } = run([{ type: 'RemoveChunk', key: 'C00_setup' }], state));
    expect(state.content.chunks).toHaveLength(2);
    expect(refusal({ type: 'AddChunk', chunk: { key: 'C01_models' } }, state).code).toBe('chunk_exists');
    expect(refusal({ type: 'RemoveChunk', key: 'C01_models' }, state).message).toMatch(
      /still holds tasks T1, T2/,
    );
    expect(refusal({ type: 'RemoveChunk', key: 'nope' }, state).code).toBe('chunk_not_found');
    expect(refusal({ type: 'ReorderChunks', order: ['C01_models'] }, state).code).toBe('invalid_command');
  });

  it('refuses a chunk reorder that would make a dependency point forward', () => {
    const err = refusal({ type: 'ReorderChunks', order: ['C02_api', 'C01_models'] }, created());
    expect(err.issues.map((i) => i.message)).toEqual(['task T3: depends on T2 in later chunk C01_models']);
  });

  it('sets a chunk execution mode and pauseAfter', () => {
    const { state, events } = run(
      [{ type: 'SetChunkExecution', key: 'C02_api', executionMode: 'manual', pauseAfter: true }],
      created(),
    );
    expect(events[0].type).toBe('ChunkExecutionConfigured');
    expect(state.content.chunks[1]).toMatchObject({ executionMode: 'manual', pauseAfter: true });
  });

  it('adds a task at the end of its chunk or before another task', () => {
    let { state } = run(
      [{ type: 'AddTask', task: { id: 'T4', chunk: 'C01_models', title: 'Role model' } }],
      created(),
    );
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T1', 'T2', 'T4', 'T3']);
    ({ state } = run(
      [{ type: 'AddTask', task: { id: 'T0', chunk: 'C01_models', title: 'Base' }, beforeTaskId: 'T1' }],
      state,
    ));
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T0', 'T1', 'T2', 'T4', 'T3']);
    expect(
      refusal({ type: 'AddTask', task: { id: 'T1', chunk: 'C01_models', title: 'dup' } }, state).issues[0]
        .code,
    ).toBe('duplicate_task_id');
    expect(
      refusal(
        { type: 'AddTask', task: { id: 'T9', chunk: 'C01_models', title: 'x', dependsOn: ['T3'] } },
        state,
      ).issues[0].code,
    ).toBe('dependency_on_later_chunk');
  });

  it('updates, moves, re-links and removes tasks', () => {
    let { state } = run(
      [
        { type: 'UpdateTask', taskId: 'T3', changes: { title: 'Login', acceptance: ['returns a token'] } },
        { type: 'SetTaskDependencies', taskId: 'T3', dependsOn: ['T1'] },
        { type: 'MoveTask', taskId: 'T2', toChunk: 'C02_api' },
      ],
      created(),
    );
    expect(state.revision).toBe(4);
    expect(state.content.tasks.find((t) => t.id === 'T3')).toMatchObject({
      title: 'Login',
      acceptance: ['returns a token'],
      dependsOn: ['T1'],
    });
    expect(state.content.tasks.map((t) => `${t.id}@${t.chunk}`)).toEqual([
      'T1@C01_models',
      'T3@C02_api',
      'T2@C02_api',
    ]);
    expect(refusal({ type: 'RemoveTask', taskId: 'T1' }, state).message).toMatch(/dependency of T3, T2/);
    ({ state } = run([{ type: 'RemoveTask', taskId: 'T3' }], state));
    expect(state.content.tasks.map((t) => t.id)).toEqual(['T1', 'T2']);
    expect(refusal({ type: 'UpdateTask', taskId: 'nope', changes: { title: 'x' } }, state).code).toBe(
      'task_not_found',
    );
    expect(
      refusal({ type: 'SetTaskDependencies', taskId: 'T1', dependsOn: ['T2'] }, state).issues[0].code,
    ).toBe('dependency_on_later_chunk');
  });

  it('refuses a dependency cycle, printing it', () => {
    const { state } = run(
      [{ type: 'AddTask', task: { id: 'T5', chunk: 'C01_models', title: 'x' } }],
      created(),
    );
    const err = refusal({ type: 'SetTaskDependencies', taskId: 'T1', dependsOn: ['T2'] }, state);
    expect(err.issues[0].message).toMatch(/dependency cycle: (T1 → T2 → T1|T2 → T1 → T2)/);
  });

  it('records feedback against the current revision without changing content', () => {
    const { state } = run([{ type: 'RecordFeedback', feedback: '  split T3  ', author: 'ana' }], created());
    expect(state.revision).toBe(1);
    expect(state.feedback).toEqual([{ revision: 1, feedback: 'split T3', author: 'ana' }]);
    expect(refusal({ type: 'RecordFeedback', feedback: '   ' }, state).code).toBe('invalid_command');
  });

  it('finalizes, freezing the revision, and refuses content changes while finalized', () => {
    const { state } = run([{ type: 'FinalizePlan' }], created());
    expect(state).toMatchObject({ status: 'ready', finalizedRevision: 1, revision: 1 });
    const err = refusal({ type: 'UpdateTask', taskId: 'T1', changes: { title: 'x' } }, state);
    expect(err.code).toBe('plan_frozen');
    expect(err.message).toMatch(/finalized at revision 1/);
    expect(refusal({ type: 'FinalizePlan' }, state).code).toBe('plan_frozen');
  });

  it('refuses to finalize an empty plan', () => {
    const { state } = run([{ type: 'CreatePlan', planId: 'e', document: { title: 'empty' } }]);
    const err = refusal({ type: 'FinalizePlan' }, state);
    expect(err.issues.map((i) => i.code)).toEqual(['empty_plan']);
  });

  it('reopens a finalized plan at the next revision', () => {
    const { state } = run(
      [
        { type: 'FinalizePlan' },
        { type: 'ReopenPlan', reason: 'more' },
        { type: 'UpdateTask', taskId: 'T1', changes: { title: 'U' } },
      ],
      created(),
    );
    expect(state).toMatchObject({ status: 'draft', revision: 3, finalizedRevision: null });
    expect(refusal({ type: 'ReopenPlan' }, state).code).toBe('invalid_transition');
  });

  it('refuses reopen and archive while executing', () => {
    const running: PlanState = { ...created(), status: 'running' };
    expect(refusal({ type: 'ReopenPlan' }, running).code).toBe('invalid_transition');
    expect(refusal({ type: 'ArchivePlan' }, running).code).toBe('invalid_transition');
    expect(refusal({ type: 'UpdateTask', taskId: 'T1', changes: { title: 'x' } }, running).code).toBe(
      'plan_frozen',
    );
  });

  it('archives, after which every command is refused', () => {
    const { state } = run([{ type: 'ArchivePlan' }], created());
    expect(state.archived).toBe(true);
    expect(refusal({ type: 'RecordFeedback', feedback: 'x' }, state).code).toBe('plan_archived');
  });

  it('replaces the whole content as one revision', () => {
    const { state } = run(
      [
        {
          type: 'ReplacePlanContent',
          document: { title: 'v2', tasks: [{ id: 'X', chunk: 'K', title: 'x' }] },
          reason: 'llm refine',
        },
      ],
      created(),
    );
    expect(state.revision).toBe(2);
    expect(state.content.chunks.map((c) => c.key)).toEqual(['K']);
  });

  it('folds events and rebuilds any past revision', () => {
    const { state, events } = run([
      { type: 'CreatePlan', planId: 'p1', document: doc },
      { type: 'UpdateTask', taskId: 'T1', changes: { title: 'rev2' } },
      { type: 'RecordFeedback', feedback: 'f' },
      { type: 'UpdateTask', taskId: 'T1', changes: { title: 'rev3' } },
    ]);
    expect(fold(events)).toEqual(state);
    expect(stateAtRevision(events, 1)!.content.tasks[0].title).toBe('User model');
    const r2 = stateAtRevision(events, 2)!;
    expect(r2.content.tasks[0].title).toBe('rev2');
    expect(r2.feedback).toHaveLength(1);
    expect(stateAtRevision(events, 3)!.content.tasks[0].title).toBe('rev3');
    expect(stateAtRevision([], 1)).toBeNull();
  });
});
