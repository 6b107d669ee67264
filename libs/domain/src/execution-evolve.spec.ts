import { decide, evolve, fold, initialState } from './decider';
import type { ExecutionEvent } from './execution-events';
import type { PlanEvent } from './events';

const created = () => {
  let s = initialState();
  for (const c of [
    {
      type: 'CreatePlan' as const,
      planId: 'p',
      document: {
        title: 't',
        repository: '/r',
        tasks: [
          { id: 'T1', chunk: 'C1', title: 'a' },
          { id: 'T2', chunk: 'C1', title: 'b' },
        ],
      },
    },
    { type: 'FinalizePlan' as const },
  ]) {
    s = decide(c, s).reduce(evolve, s);
  }
  return s;
};
const b = { revision: 1, sessionId: 's1' };
const run = (events: ExecutionEvent[]) => events.reduce((s, e) => evolve(s, e), created());

describe('execution events folded into the plan', () => {
  it('moves the plan through running, paused, stopped (resumable) and completed', () => {
    let s = run([
      {
        type: 'ExecutionRequested',
        data: { ...b, workflowId: 'wf', from: 'current', target: null, chunks: null, resumedFrom: null },
      },
    ]);
    expect(s.status).toBe('running');
    expect(s.session).toMatchObject({
      sessionId: 's1',
      workflowId: 'wf',
      status: 'running',
      resumable: false,
      startedRevision: 1,
    });
    s = evolve(s, {
      type: 'ExecutionPaused',
      data: { ...b, reason: 'task_failed', detail: 'T1 failed', next: 'C1' },
    });
    expect(s).toMatchObject({
      status: 'paused',
      session: { status: 'paused', pauseReason: 'task_failed', pauseDetail: 'T1 failed' },
    });
    s = evolve(s, { type: 'ExecutionResumed', data: b });
    expect(s.status).toBe('running');
    s = evolve(s, { type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: 'C1' } });
    expect(s).toMatchObject({ status: 'paused', session: { status: 'stopped', resumable: true } });
    s = evolve(s, { type: 'ExecutionCompleted', data: { ...b, commits: [], durationMs: 5 } });
    expect(s).toMatchObject({ status: 'completed', session: { status: 'completed', resumable: false } });
    expect(s.sessions).toEqual(['s1']);
  });

  it('tracks task status, attempts, last error and commit', () => {
    const s = run([
      {
        type: 'ExecutionStarted',
        data: {
          ...b,
          workflowId: 'wf',
          from: 'current',
          target: null,
          chunks: ['C1'],
          options: {},
          resumedFrom: null,
        },
      },
      { type: 'TurnStarted', data: { ...b, turnId: 'u1', chunk: 'C1', taskId: 'T1', attempt: 1 } },
      { type: 'TaskFailed', data: { ...b, taskId: 'T1', attempts: 1, error: 'qa', final: false } },
      { type: 'TurnStarted', data: { ...b, turnId: 'u2', chunk: 'C1', taskId: 'T1', attempt: 2 } },
      {
        type: 'TaskCompleted',
        data: { ...b, taskId: 'T1', sha: 'abc', attempts: 2, files: ['a'], manual: false },
      },
      { type: 'TaskEdited', data: { ...b, taskId: 'T2', changes: { title: 'b2' } } },
      { type: 'TaskSkipped', data: { ...b, taskId: 'T2', reason: 'n/a' } },
    ]);
    expect(s.content.tasks[0]).toMatchObject({
      status: 'completed',
      attempts: 2,
      commitSha: 'abc',
      lastError: null,
    });
    expect(s.content.tasks[1]).toMatchObject({ status: 'skipped', title: 'b2' });
  });

  it('refuses content changes and reopen while a session runs, and allows reopen once it ended', () => {
    const running = run([
      {
        type: 'ExecutionStarted',
        data: {
          ...b,
          workflowId: 'wf',
          from: 'current',
          target: null,
          chunks: ['C1'],
          options: {},
          resumedFrom: null,
        },
      },
    ]);
    expect(() => decide({ type: 'UpdateTask', taskId: 'T1', changes: { title: 'x' } }, running)).toThrow(
      /running/,
    );
    expect(() => decide({ type: 'ReopenPlan' }, running)).toThrow(
      /only a finalized plan that is not executing/,
    );
    const cancelled = evolve(running, { type: 'ExecutionCancelled', data: { ...b, reason: null } });
    expect(cancelled.status).toBe('cancelled');
    expect(decide({ type: 'ReopenPlan' }, cancelled).map((e) => e.type)).toEqual(['PlanReopened']);
  });

  it('folds mixed plan and execution events the same way as applying them one by one', () => {
    const events: Array<PlanEvent | ExecutionEvent> = [
      ...decide(
        {
          type: 'CreatePlan',
          planId: 'p',
          document: { title: 't', tasks: [{ id: 'T1', chunk: 'C1', title: 'a' }] },
        },
        initialState(),
      ),
      { type: 'PlanFinalized', data: { revision: 1 } },
      {
        type: 'ExecutionStarted',
        data: {
          ...b,
          workflowId: 'wf',
          from: 'current',
          target: null,
          chunks: ['C1'],
          options: {},
          resumedFrom: null,
        },
      },
      {
        type: 'TaskCompleted',
        data: { ...b, taskId: 'T1', sha: 's', attempts: 1, files: [], manual: false },
      },
    ];
    expect(fold(events)).toEqual(events.reduce((s, e) => evolve(s, e), initialState()));
    expect(fold(events).content.tasks[0].status).toBe('completed');
  });
});
