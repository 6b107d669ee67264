import fc from 'fast-check';
import { decide, evolve, fold, initialState } from './decider';
import type { ExecutionEvent } from './execution-events';
import { planAsSession } from './plan-execution';
import type { Task } from './schemas';
import { sessionProgress } from './session';
import type { PlanState } from './state';

const created = (): PlanState => {
  let s = initialState();
  for (const c of [
    {
      type: 'CreatePlan' as const,
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
    { type: 'FinalizePlan' as const },
  ]) {
    s = decide(c, s).reduce((acc, e) => evolve(acc, e), s);
  }
  return s;
};
const b = { revision: 1, sessionId: 's1' };
const requested: ExecutionEvent = {
  type: 'ExecutionRequested',
  data: { ...b, workflowId: 'wf', from: 'current', target: null, chunks: null, resumedFrom: null },
};
const started: ExecutionEvent = {
  type: 'ExecutionStarted',
  data: {
    ...b,
    workflowId: 'wf',
    from: 'current',
    target: null,
    chunks: ['C1', 'C2'],
    options: {},
    resumedFrom: null,
  },
};
const stamp = (e: ExecutionEvent, i: number) => ({
  ...e,
  recordedAt: new Date(1_000_000 + i * 1000).toISOString(),
});

/** The reducer the plan's fold used before it folded through evolveSession: the oracle for old streams. */
function previousReducer(state: PlanState, event: ExecutionEvent): PlanState {
  const session = state.session;
  const withSession = (change: Partial<NonNullable<PlanState['session']>>, status?: PlanState['status']) =>
    session ? { ...state, status: status ?? state.status, session: { ...session, ...change } } : state;
  const task = (id: string, f: (t: Task) => Task): PlanState => ({
    ...state,
    content: { ...state.content, tasks: state.content.tasks.map((t) => (t.id === id ? f(t) : t)) },
  });
  switch (event.type) {
    case 'ExecutionRequested':
    case 'ExecutionStarted':
      return {
        ...state,
        status: 'running',
        session: {
          sessionId: event.data.sessionId,
          workflowId: event.data.workflowId,
          status: 'running',
          pauseReason: null,
          pauseDetail: null,
          resumable: false,
          startedRevision: event.data.revision,
        },
        sessions: state.sessions.includes(event.data.sessionId)
          ? state.sessions
          : [...state.sessions, event.data.sessionId],
      };
    case 'TurnStarted':
      return event.data.taskId
        ? task(event.data.taskId, (t) => ({ ...t, status: 'running', attempts: event.data.attempt }))
        : state;
    case 'TaskCompleted':
      return task(event.data.taskId, (t) => ({
        ...t,
        status: 'completed',
        commitSha: event.data.sha,
        attempts: event.data.attempts,
        lastError: null,
      }));
    case 'TaskFailed':
      return task(event.data.taskId, (t) => ({
        ...t,
        status: event.data.final ? 'failed' : 'pending',
        attempts: event.data.attempts,
        lastError: event.data.error,
      }));
    case 'TaskSkipped':
      return task(event.data.taskId, (t) => ({ ...t, status: 'skipped' }));
    case 'TaskEdited':
      return task(event.data.taskId, (t) => ({ ...t, ...event.data.changes }));
    case 'ExecutionPaused':
      return withSession(
        { status: 'paused', pauseReason: event.data.reason, pauseDetail: event.data.detail },
        'paused',
      );
    case 'ExecutionResumed':
      return withSession({ status: 'running', pauseReason: null, pauseDetail: null }, 'running');
    case 'ExecutionStopped':
      return withSession(
        { status: 'stopped', resumable: true, pauseReason: null, pauseDetail: null },
        'paused',
      );
    case 'ExecutionCompleted':
      return withSession({ status: 'completed', resumable: false }, 'completed');
    case 'ExecutionFailed':
      return withSession({ status: 'failed', resumable: false, pauseDetail: event.data.reason }, 'failed');
    case 'ExecutionCancelled':
      return withSession({ status: 'cancelled', resumable: false }, 'cancelled');
    default:
      return state;
  }
}

const taskId = fc.constantFrom('T1', 'T2', 'T3', 'T9');
/** Events of the kinds streams held before this change, in any order a session could write them (and more). */
const oldEvent: fc.Arbitrary<ExecutionEvent> = fc.oneof(
  fc
    .record({ taskId: fc.option(taskId, { nil: null }), attempt: fc.integer({ min: 1, max: 3 }) })
    .map(({ taskId, attempt }): ExecutionEvent => ({
      type: 'TurnStarted',
      data: { ...b, turnId: 't', chunk: 'C1', taskId, attempt },
    })),
  fc
    .record({ taskId, sha: fc.option(fc.constantFrom('a', 'b'), { nil: null }), attempts: fc.nat(3) })
    .map((d): ExecutionEvent => ({ type: 'TaskCompleted', data: { ...b, ...d, files: [], manual: false } })),
  fc
    .record({ taskId, attempts: fc.nat(3), error: fc.constantFrom('qa', 'exit 1'), final: fc.boolean() })
    .map((d): ExecutionEvent => ({ type: 'TaskFailed', data: { ...b, ...d } })),
  taskId.map((id): ExecutionEvent => ({ type: 'TaskSkipped', data: { ...b, taskId: id, reason: 'r' } })),
  fc.record({ taskId, title: fc.constantFrom('x', 'y') }).map(({ taskId, title }): ExecutionEvent => ({
    type: 'TaskEdited',
    data: { ...b, taskId, changes: { title } },
  })),
  fc.constantFrom<ExecutionEvent>(
    { type: 'ChunkStarted', data: { ...b, chunk: 'C1' } },
    { type: 'ExecutionPaused', data: { ...b, reason: 'task_failed', detail: 'T1 failed', next: 'C1' } },
    { type: 'ExecutionResumed', data: b },
    {
      type: 'ChunkCompleted',
      data: { ...b, chunk: 'C1', completed: [], skipped: [], commits: [], files: [] },
    },
  ),
);
const ending = fc.constantFrom<ExecutionEvent | null>(
  null,
  { type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: 'C1' } },
  { type: 'ExecutionCompleted', data: { ...b, commits: [], durationMs: 5 } },
  { type: 'ExecutionFailed', data: { ...b, reason: 'blocked' } },
  { type: 'ExecutionCancelled', data: { ...b, reason: null } },
);

describe('the plan folds execution events through evolveSession', () => {
  it('replays old-shaped streams exactly as the reducer it replaced: tasks, plan status, session', () => {
    fc.assert(
      fc.property(fc.array(oldEvent, { maxLength: 25 }), ending, (middle, end) => {
        const events = [requested, started, ...middle, ...(end ? [end] : [])].map(stamp);
        const now = fold(events, created());
        const before = events.reduce(previousReducer, created());
        expect(now.content).toEqual(before.content);
        expect(now.status).toBe(before.status);
        expect(now.sessions).toEqual(before.sessions);
        const { pauseReason, pauseDetail, ...session } = now.session!;
        const { pauseReason: r0, pauseDetail: d0, ...session0 } = before.session!;
        expect(session).toEqual(session0);
        // An ended session no longer shows the pause it ended in (the workflow never did).
        if (!end || end.type === 'ExecutionStopped') expect([pauseReason, pauseDetail]).toEqual([r0, d0]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the session state the workflow keeps, built from the plan at the request and resumed after a stop', () => {
    const s = fold(
      [
        requested,
        started,
        { type: 'TurnStarted', data: { ...b, turnId: 's1-1', chunk: 'C1', taskId: 'T1', attempt: 1 } },
        {
          type: 'TaskCompleted',
          data: { ...b, taskId: 'T1', sha: 'a', attempts: 1, files: [], manual: false },
        },
        { type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: 'C1' } },
        {
          type: 'ExecutionRequested',
          data: {
            revision: 1,
            sessionId: 's2',
            workflowId: 'wf2',
            from: 'current',
            target: null,
            chunks: null,
            resumedFrom: 's1',
          },
        },
      ].map((e, i) => stamp(e as ExecutionEvent, i)),
      created(),
    );
    expect(s.run).toMatchObject({
      sessionId: 's2',
      status: 'running',
      branch: 'chunkwise/p/s1',
      commits: ['a'],
      eventSeq: 0,
    });
    expect(s.run!.elapsedBeforeMs).toBe(5000);
    expect(s.session).toMatchObject({
      sessionId: 's2',
      workflowId: 'wf2',
      status: 'running',
      resumable: false,
    });
    expect(s.sessions).toEqual(['s1', 's2']);
  });

  it('shows the new events in the tasks: a retry, and a chunk-scope turn without progress', () => {
    const s = fold(
      [
        requested,
        started,
        { type: 'TaskFailed', data: { ...b, taskId: 'T1', attempts: 2, error: 'qa', final: true } },
        { type: 'TaskRetried', data: { ...b, taskId: 'T1' } },
        {
          type: 'ChunkTurnFailed',
          data: {
            ...b,
            chunk: 'C2',
            turnId: 's1-3',
            tasks: ['T3'],
            error: 'timed out',
            turns: 1,
            final: false,
          },
        },
      ].map((e, i) => stamp(e as ExecutionEvent, i)),
      created(),
    );
    expect(s.content.tasks.map((t) => [t.id, t.status, t.attempts, t.lastError])).toEqual([
      ['T1', 'pending', 0, 'qa'],
      ['T2', 'pending', 0, null],
      ['T3', 'pending', 0, 'timed out'],
    ]);
  });

  it('continues a plan state stored before it kept a session state, and moves tasks of a stream with no session', () => {
    const mid = fold([requested, started].map(stamp), created());
    const { run: _dropped, ...stored } = JSON.parse(JSON.stringify(mid)) as PlanState;
    const next = evolve(stored as PlanState, {
      type: 'TaskFailed',
      data: { ...b, taskId: 'T2', attempts: 1, error: 'x', final: true },
    });
    expect(next.content.tasks[1]).toMatchObject({ status: 'failed', lastError: 'x' });
    expect(next.status).toBe('running');
    const bare = evolve(created(), {
      type: 'TurnStarted',
      data: { ...b, turnId: 'u', chunk: 'C1', taskId: 'T1', attempt: 1 },
    });
    expect(bare.content.tasks[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(bare.status).toBe('ready');
  });
});

describe('progress of a plan from its recorded tasks', () => {
  it('uses the one progress function: chunk status from its tasks, current and next chunk, totals, commits', () => {
    const plan = created();
    const tasks = plan.content.tasks.map((t): Task =>
      t.id === 'T1'
        ? { ...t, status: 'completed', commitSha: 'a', attempts: 1 }
        : t.id === 'T2'
          ? { ...t, status: 'failed', lastError: 'qa' }
          : t,
    );
    const view = planAsSession({ planId: 'p', content: { ...plan.content, tasks } }, null);
    const p = sessionProgress(view, 0);
    expect(p.chunks.map((c) => [c.key, c.status, c.total, c.completed, c.failed])).toEqual([
      ['C1', 'failed', 2, 1, 1],
      ['C2', 'pending', 1, 0, 0],
    ]);
    expect([p.currentChunk, p.nextChunk]).toEqual(['C1', 'C2']);
    expect(p.totals).toEqual({ tasks: 3, completed: 1, skipped: 0, failed: 1, running: 0, pending: 1 });
    expect(p.commits).toEqual(['a']);
    const done = planAsSession(
      {
        planId: 'p',
        content: { ...plan.content, tasks: tasks.map((t) => ({ ...t, status: 'completed' as const })) },
      },
      null,
    );
    expect(sessionProgress(done, 0)).toMatchObject({ currentChunk: null, nextChunk: null });
  });
});
