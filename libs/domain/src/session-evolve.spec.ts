import { planContentFromDocument } from './document';
import type { ExecutionEvent } from './execution-events';
import { resolveExecutionSettings } from './execution-settings';
import { currentChunk, resumeSession, sessionProgress, startSession, type SessionState } from './session';
import { evolveSession, foldSession } from './session-evolve';

const content = planContentFromDocument({
  title: 'Demo',
  chunks: [
    { key: 'C1', title: 'One' },
    { key: 'C2', title: 'Two', executionMode: 'manual' },
  ],
  tasks: [
    { id: 'T1', chunk: 'C1', title: 'one' },
    { id: 'T2', chunk: 'C1', title: 'two' },
    { id: 'T3', chunk: 'C2', title: 'three' },
  ],
});
const settings = resolveExecutionSettings({ agent: { type: 'command', argv: ['true'] } });
const start = (): SessionState =>
  startSession({
    planId: 'p',
    sessionId: 's1',
    revision: 2,
    content,
    settings,
    from: 'current',
    startedAt: 1000,
  });
const b = { revision: 2, sessionId: 's1' };
const task = (s: SessionState, id: string) => s.tasks.find((t) => t.id === id)!;
const at = (events: ExecutionEvent[], from = start()) =>
  foldSession(
    from,
    events.map((event, i) => ({ event, at: 2000 + i * 100 })),
  );

const turn = (taskId: string | null, attempt = 1, n = 1): ExecutionEvent => ({
  type: 'TurnStarted',
  data: { ...b, turnId: `s1-${n}`, chunk: 'C1', taskId, attempt },
});
const completed = (taskId: string, sha: string | null, attempts = 1): ExecutionEvent => ({
  type: 'TaskCompleted',
  data: { ...b, taskId, sha, attempts, files: [], manual: false },
});
const failed = (taskId: string, attempts: number, final: boolean, error = 'qa'): ExecutionEvent => ({
  type: 'TaskFailed',
  data: { ...b, taskId, attempts, error, final },
});

describe('evolveSession', () => {
  it('HostLost puts the tasks of the lost turns back to pending without counting their attempt; SessionMoved changes nothing else', () => {
    const running = at([completed('T1', 'a1'), turn('T2', 1, 2), failed('T2', 1, false), turn('T2', 2, 3)]);
    expect(task(running, 'T2')).toMatchObject({ status: 'running', attempts: 2 });
    const lost = at(
      [
        { type: 'HostLost', data: { ...b, taskQueue: 'q@a', tasks: ['T2', 'T1'], detail: 'host q@a lost' } },
        { type: 'SessionMoved', data: { ...b, from: 'q@a', to: 'q@b', head: 'abc' } },
      ],
      running,
    );
    expect(task(lost, 'T2')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'host q@a lost' });
    // A task that was not running (completed) is left as it was.
    expect(task(lost, 'T1')).toMatchObject({ status: 'completed', commitSha: 'a1' });
    expect(lost.eventSeq).toBe(running.eventSeq + 2);
    expect({ ...lost, eventSeq: 0, tasks: [] }).toEqual({ ...running, eventSeq: 0, tasks: [] });
  });

  it('counts every event of the session (event ids) and every turn (turn ids); ignores other sessions and the request', () => {
    const s = at([
      {
        type: 'ExecutionRequested',
        data: { ...b, workflowId: 'w', from: 'current', target: null, chunks: null, resumedFrom: null },
      },
      {
        type: 'ExecutionStarted',
        data: {
          ...b,
          workflowId: 'w',
          from: 'current',
          target: null,
          chunks: ['C1', 'C2'],
          options: {},
          resumedFrom: null,
        },
      },
      turn(null),
      turn('T1', 1, 2),
      {
        type: 'TurnCompleted',
        data: {
          ...b,
          turnId: 's1-2',
          taskId: 'T1',
          exitCode: 0,
          timedOut: false,
          durationMs: 5,
          succeeded: true,
          error: null,
        },
      },
      {
        type: 'TurnStarted',
        data: { revision: 2, sessionId: 'other', turnId: 'other-1', chunk: 'C1', taskId: 'T2', attempt: 1 },
      },
    ]);
    expect(s.eventSeq).toBe(4);
    expect(s.turnSeq).toBe(2);
    expect(task(s, 'T2').status).toBe('pending');
  });

  it('moves a task through running, failed attempts, retry and completion, keeping the commits once', () => {
    let s = at([{ type: 'ChunkStarted', data: { ...b, chunk: 'C1' } }, turn('T1'), failed('T1', 1, false)]);
    expect(s.chunks[0].status).toBe('running');
    expect(task(s, 'T1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'qa',
      startedAt: 2100,
      endedAt: null,
    });
    s = at([turn('T1', 2, 2), failed('T1', 2, true, 'still broken')], s);
    expect(task(s, 'T1')).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: 'still broken',
      startedAt: 2100,
      endedAt: 2100,
    });
    s = evolveSession(s, { type: 'TaskRetried', data: { ...b, taskId: 'T1' } }, 5000);
    // The last error stays: the next attempt's prompt shows it.
    expect(task(s, 'T1')).toMatchObject({ status: 'pending', attempts: 0, lastError: 'still broken' });
    s = at([turn('T1', 1, 3), completed('T1', 'abc'), completed('T2', 'abc')], s);
    expect(task(s, 'T1')).toMatchObject({
      status: 'completed',
      attempts: 1,
      commitSha: 'abc',
      lastError: null,
      endedAt: 2100,
    });
    expect(s.commits).toEqual(['abc']);
    s = evolveSession(
      s,
      {
        type: 'ChunkCompleted',
        data: { ...b, chunk: 'C1', completed: ['T1', 'T2'], skipped: [], commits: ['abc'], files: [] },
      },
      6000,
    );
    expect(currentChunk(s)!.key).toBe('C2');
  });

  it('skips, edits and approves tasks', () => {
    const s = at([
      {
        type: 'TaskEdited',
        data: { ...b, taskId: 'T3', changes: { title: 'three!', acceptance: ['works'] } },
      },
      { type: 'TaskApproved', data: { ...b, taskId: 'T3' } },
      { type: 'TaskApproved', data: { ...b, taskId: 'T3' } },
      { type: 'TaskSkipped', data: { ...b, taskId: 'T2', reason: 'n/a' } },
    ]);
    expect(task(s, 'T3')).toMatchObject({ title: 'three!', description: '', acceptance: ['works'] });
    expect(s.approved).toEqual(['T3']);
    expect(task(s, 'T2')).toMatchObject({ status: 'skipped', endedAt: 2300 });
  });

  it('records a chunk-scope turn without progress on the open tasks, and fails the chunk when the budget is spent', () => {
    const noProgress = (turns: number, final: boolean): ExecutionEvent => ({
      type: 'ChunkTurnFailed',
      data: {
        ...b,
        chunk: 'C1',
        turnId: `s1-${turns}`,
        tasks: ['T1', 'T2'],
        error: 'timed out',
        turns,
        final,
      },
    });
    let s = at([noProgress(1, false)]);
    expect(s.tasks.map((t) => t.lastError)).toEqual(['timed out', 'timed out', null]);
    expect(s.chunks[0].status).toBe('pending');
    s = at([noProgress(2, true)], s);
    expect(s.chunks[0].status).toBe('failed');
  });

  it('follows the session status: paused with a reason, resumed, and each end', () => {
    let s = at([
      { type: 'ExecutionPaused', data: { ...b, reason: 'approval', detail: 'T3 waits', next: 'C2' } },
    ]);
    expect(s).toMatchObject({ status: 'paused', pauseReason: 'approval', pauseDetail: 'T3 waits' });
    s = at([{ type: 'ExecutionResumed', data: b }], s);
    expect(s).toMatchObject({ status: 'running', pauseReason: null, pauseDetail: null });
    const end = (e: ExecutionEvent) => evolveSession(s, e, 9000);
    expect(end({ type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: 'C1' } }).status).toBe(
      'stopped',
    );
    expect(end({ type: 'ExecutionCompleted', data: { ...b, commits: [], durationMs: 1 } }).status).toBe(
      'completed',
    );
    expect(end({ type: 'ExecutionCancelled', data: { ...b, reason: null } }).status).toBe('cancelled');
    expect(end({ type: 'ExecutionFailed', data: { ...b, reason: 'blocked' } })).toMatchObject({
      status: 'failed',
      pauseDetail: 'blocked',
    });
  });

  it('is pure: the input state is never changed, and folding in two parts (stored in between) equals folding at once', () => {
    const events: ExecutionEvent[] = [
      turn('T1'),
      failed('T1', 1, false),
      turn('T1', 2, 2),
      completed('T1', 'a'),
      { type: 'TaskApproved', data: { ...b, taskId: 'T3' } },
      turn('T2', 1, 3),
      failed('T2', 1, true),
      { type: 'TaskRetried', data: { ...b, taskId: 'T2' } },
    ];
    const initial = start();
    const frozen = JSON.stringify(initial);
    const whole = at(events, initial);
    expect(JSON.stringify(initial)).toBe(frozen);
    const stored = JSON.parse(JSON.stringify(at(events.slice(0, 4), initial))) as SessionState;
    const rest = foldSession(
      stored,
      events.slice(4).map((event, i) => ({ event, at: 2000 + (i + 4) * 100 })),
    );
    expect(rest).toEqual(whole);
    // The same events folded again from the start give the same state.
    expect(at(events, start())).toEqual(whole);
  });

  it('folds states carried over from before approvals were recorded', () => {
    const { approved: _dropped, ...old } = start();
    const s = evolveSession(old as SessionState, { type: 'TaskApproved', data: { ...b, taskId: 'T3' } }, 1);
    expect(s.approved).toEqual(['T3']);
  });

  it('resumes a stopped session keeping completed tasks, with approvals asked again', () => {
    const stopped = at([
      turn('T1'),
      completed('T1', 'a'),
      { type: 'TaskApproved', data: { ...b, taskId: 'T3' } },
      { type: 'ExecutionStopped', data: { ...b, resumable: true, chunk: 'C1' } },
    ]);
    const r = resumeSession(stopped, 's2', 9000);
    expect(r).toMatchObject({
      sessionId: 's2',
      status: 'running',
      eventSeq: 0,
      turnSeq: 0,
      approved: [],
      commits: ['a'],
    });
    expect(sessionProgress(r, 9000).totals).toMatchObject({ completed: 1, pending: 2 });
  });
});
