import { decide, evolve, initialState } from './decider';
import { DomainError } from './errors';
import type { ExecutionEvent } from './execution-events';
import { planAggregate, type PlanStreamCommand, type PlanStreamEvent } from './plan-decider';
import type { RollbackCommand } from './rollback';
import type { RollbackEvent } from './rollback-events';
import { sessionCore } from './session';
import type { PlanState } from './state';

const apply = (s: PlanState, events: PlanStreamEvent[]) => events.reduce((acc, e) => evolve(acc, e), s);
const run = (s: PlanState, c: PlanStreamCommand) => apply(s, planAggregate.decide(c, s));

const created = (): PlanState => {
  let s = initialState();
  s = apply(
    s,
    decide(
      {
        type: 'CreatePlan',
        planId: 'p',
        document: {
          title: 't',
          repository: '/r',
          chunks: [
            { key: 'C1', title: 'one' },
            { key: 'C2', title: 'two' },
          ],
          tasks: [
            { id: 'T1', chunk: 'C1', title: 'a' },
            { id: 'T2', chunk: 'C1', title: 'b' },
            { id: 'T3', chunk: 'C2', title: 'c' },
          ],
        },
      },
      s,
    ),
  );
  return apply(s, decide({ type: 'FinalizePlan' }, s));
};

const b = { revision: 1, sessionId: 's1' };
/** A session of the plan that committed T1, T2 and T3 and completed. */
function completedSession(s: PlanState = created(), end: ExecutionEvent['type'] = 'ExecutionCompleted') {
  const events: ExecutionEvent[] = [
    {
      type: 'ExecutionRequested',
      data: { ...b, workflowId: 'wf', from: 'current', target: null, chunks: null, resumedFrom: null },
    },
    {
      type: 'ExecutionStarted',
      data: {
        ...b,
        workflowId: 'wf',
        from: 'current',
        target: null,
        chunks: ['C1', 'C2'],
        options: {},
        resumedFrom: null,
        head: 'base',
      },
    },
    ...['T1', 'T2', 'T3'].map((taskId, i): ExecutionEvent => ({
      type: 'TaskCompleted',
      data: { ...b, taskId, sha: `sha${i + 1}`, attempts: 1, files: [], manual: false },
    })),
  ];
  const endEvent: ExecutionEvent =
    end === 'ExecutionStopped'
      ? { type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: null } }
      : end === 'ExecutionPaused'
        ? { type: 'ExecutionPaused', data: { ...b, reason: 'user', detail: null, next: null } }
        : { type: 'ExecutionCompleted', data: { ...b, commits: ['sha1', 'sha2', 'sha3'], durationMs: 1 } };
  return apply(s, [...events, endEvent]);
}

const request = (
  over: Partial<Extract<RollbackCommand, { type: 'RequestRollback' }>> = {},
): RollbackCommand => ({
  type: 'RequestRollback',
  rollbackId: 'rb1',
  workflowId: 'wf-rb1',
  sessionId: null,
  taskId: null,
  ...over,
});
const completed = (tasks: string[], reverted: string[], rollbackId = 'rb1'): RollbackCommand => ({
  type: 'RecordRollbackResult',
  event: {
    type: 'RollbackCompleted',
    data: {
      revision: 2,
      rollbackId,
      sessionId: 's1',
      taskId: null,
      tasks,
      results: [
        {
          repository: '/r',
          branch: 'chunkwise/p/s1',
          method: 'reset',
          reverted,
          revertCommits: [],
          previousHead: 'sha3',
          newHead: 'base',
          pushed: false,
        },
      ],
    },
  },
});
const refused = (s: PlanState, c: PlanStreamCommand) => {
  try {
    planAggregate.decide(c, s);
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'accepted';
};

describe('rollback on the plan stream', () => {
  it('keeps each session’s branch, start and commits as its events tell them', () => {
    const s = completedSession();
    expect(s.rollbacks?.sessions.s1).toEqual({
      branch: 'chunkwise/p/s1',
      start: 'base',
      commits: ['sha1', 'sha2', 'sha3'].map((sha, i) => ({ sha, tasks: [`T${i + 1}`], reverted: false })),
    });
  });

  it('a request names the latest session’s branch, start and open commits; then one rollback at a time', () => {
    const s = completedSession();
    const events = planAggregate.decide(request(), s) as RollbackEvent[];
    expect(events).toEqual([
      {
        type: 'RollbackRequested',
        data: {
          revision: s.revision,
          rollbackId: 'rb1',
          workflowId: 'wf-rb1',
          sessionId: 's1',
          taskId: null,
          targets: [
            {
              repository: '/r',
              branch: 'chunkwise/p/s1',
              start: 'base',
              commits: ['sha1', 'sha2', 'sha3'].map((sha, i) => ({ sha, tasks: [`T${i + 1}`] })),
            },
          ],
        },
      },
    ]);
    const pending = apply(s, events);
    expect(refused(pending, request({ rollbackId: 'rb2' }))).toBe('invalid_transition');
    // Nor can a session start while the rollback runs.
    expect(
      refused(pending, {
        type: 'RequestExecution',
        sessionId: 's2',
        workflowId: 'wf2',
        revision: 1,
        from: 'current',
        target: null,
        chunks: null,
        resumedFrom: null,
      }),
    ).toBe('invalid_transition');
  });

  it('refuses while a session is active, for an unknown session, a never-executed plan, and a task without a commit', () => {
    expect(refused(created(), request())).toBe('invalid_transition');
    expect(refused(completedSession(created(), 'ExecutionPaused'), request())).toBe('invalid_transition');
    expect(refused(completedSession(), request({ sessionId: 'nope' }))).toBe('invalid_transition');
    expect(refused(completedSession(), request({ taskId: 'T9' }))).toBe('task_not_found');
    const undone = run(
      run(completedSession(), request()),
      completed(['T1', 'T2', 'T3'], ['sha3', 'sha2', 'sha1']),
    );
    expect(refused(undone, request({ rollbackId: 'rb2', taskId: 'T1' }))).toBe('invalid_transition');
    expect(refused(undone, request({ rollbackId: 'rb2' }))).toBe('invalid_transition');
  });

  it('a completed rollback puts the tasks back to pending and the plan to ready; executing again runs them', () => {
    const s = run(
      run(completedSession(), request()),
      completed(['T1', 'T2', 'T3'], ['sha3', 'sha2', 'sha1']),
    );
    expect(s.status).toBe('ready');
    expect(s.rollbacks?.pending).toBeNull();
    expect(s.content.tasks.map((t) => [t.id, t.status, t.commitSha, t.attempts])).toEqual([
      ['T1', 'pending', null, 0],
      ['T2', 'pending', null, 0],
      ['T3', 'pending', null, 0],
    ]);
    expect(s.run?.commits).toEqual([]);
    expect(s.run?.chunks.map((c) => c.status)).toEqual(['pending', 'pending']);
    expect(s.rollbacks?.sessions.s1.commits.every((c) => c.reverted)).toBe(true);
    // The next session (from the current state) has every task to run.
    const next = sessionCore({
      planId: 'p',
      sessionId: 's2',
      revision: 1,
      content: s.content,
      from: 'current',
      startedAt: 0,
    });
    expect(next.tasks.map((t) => t.status)).toEqual(['pending', 'pending', 'pending']);
    expect(
      refused(s, {
        type: 'RequestExecution',
        sessionId: 's2',
        workflowId: 'wf2',
        revision: 1,
        from: 'current',
        target: null,
        chunks: null,
        resumedFrom: null,
      }),
    ).toBe('accepted');
  });

  it('undoing one task’s commit puts only that task back; a recorded result is recorded once', () => {
    let s = run(completedSession(), request({ taskId: 'T2' }));
    const requested = s.rollbacks?.pending;
    expect(requested).toEqual({ rollbackId: 'rb1', workflowId: 'wf-rb1', sessionId: 's1', taskId: 'T2' });
    s = run(s, completed(['T2'], ['sha2']));
    expect(s.content.tasks.map((t) => t.status)).toEqual(['completed', 'pending', 'completed']);
    expect(planAggregate.decide(completed(['T2'], ['sha2']), s)).toEqual([]);
  });

  it('a failed rollback changes no task, ends the rollback, and a stopped session stays resumable', () => {
    const stopped = completedSession(created(), 'ExecutionStopped');
    let s = run(stopped, request());
    s = run(s, {
      type: 'RecordRollbackResult',
      event: {
        type: 'RollbackFailed',
        data: {
          revision: 2,
          rollbackId: 'rb1',
          sessionId: 's1',
          taskId: null,
          reason: 'conflict',
          conflict: { repository: '/r', branch: 'chunkwise/p/s1', commit: 'sha2', files: ['a.txt'] },
          results: [],
          tasks: [],
        },
      },
    });
    expect(s.rollbacks?.pending).toBeNull();
    expect(s.content.tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    expect(s.session?.resumable).toBe(true);
    // A completed rollback of a stopped session: execute again instead of resuming the old checkpoint.
    s = run(run(s, request({ rollbackId: 'rb2' })), completed(['T3'], ['sha3'], 'rb2'));
    expect(s.session?.resumable).toBe(false);
    expect(s.status).toBe('ready');
  });
});
