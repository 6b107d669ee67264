import type { PlanDiff } from '@chunkwise/domain';
import {
  executionState,
  planDetail,
  reviewState,
  sessionProgress,
} from '../../../../test/support/tui-fixtures';
import { handleKey, helpLine, waitingTask } from './keys';
import { initialState, reducer, type Action, type TuiState } from './state';

const run = (s: TuiState, ...actions: Action[]) => actions.reduce(reducer, s);
const emptyDiff = (): PlanDiff => ({
  details: {},
  chunks: { added: [], removed: [], changed: [], reordered: false },
  tasks: { added: [], removed: [], changed: [] },
});

describe('the terminal UI state machine (seed 004)', () => {
  it('normal → planning active → plan review ready; a turn goes back to planning and returns with the changes', () => {
    let s = run(initialState, { type: 'busy', label: 'generating', now: 1, planning: true });
    expect(s.mode).toBe('planning_active');
    s = run(s, { type: 'plan_ready', plan: planDetail({ revision: 1 }) });
    expect(s).toMatchObject({ mode: 'plan_review_ready', busy: null, changes: null, cursor: 0 });

    // Continue planning: feedback, the turn (planning active), the new revision with its changes.
    const key = handleKey(s, 'c', {});
    expect(key?.action).toEqual({ type: 'overlay', overlay: { kind: 'feedback', mode: 'multi', text: '' } });
    s = run(s, key!.action!, { type: 'busy', label: 'continue planning', now: 2, planning: true });
    expect(s).toMatchObject({ mode: 'planning_active', overlay: { kind: 'none' } });
    const diff = emptyDiff();
    diff.tasks.changed.push({ id: 'T4', changes: {} });
    s = run(s, { type: 'plan_ready', plan: planDetail({ revision: 2 }), diff: { from: 1, to: 2, diff } });
    expect(s.changes).toEqual({ from: 1, to: 2, tasks: ['T4'], chunks: [], removed: [] });
    expect(s.cursor).toBe(3); // the first changed task is in view
  });

  it('a failed turn shows the error in place and goes back to the review (or the plan list)', () => {
    const s = run(
      reviewState(),
      { type: 'busy', label: 'quick edit', now: 1, planning: true },
      { type: 'failed', message: 'boom' },
    );
    expect(s).toMatchObject({ mode: 'plan_review_ready', error: 'boom', busy: null });
    const fresh = run(
      initialState,
      { type: 'busy', label: 'generating', now: 1, planning: true },
      { type: 'failed', message: 'x' },
    );
    expect(fresh.mode).toBe('normal');
  });

  it('finalize → execution active; a paused or stopped session is resumable; resume → active', () => {
    let s = run(reviewState(), { type: 'plan_frozen', plan: planDetail({ status: 'ready' }) });
    expect(s.mode).toBe('execution_active');
    s = run(s, { type: 'progress', progress: sessionProgress({ status: 'paused', pauseReason: 'user' }) });
    expect(s.mode).toBe('execution_resumable');
    s = run(s, { type: 'progress', progress: null, plan: planDetail({ status: 'paused' }) });
    expect(s.mode).toBe('execution_resumable');
    s = run(s, { type: 'progress', progress: sessionProgress() });
    expect(s.mode).toBe('execution_active');
  });

  it('cancel in the review goes back to normal, the draft kept', () => {
    const key = handleKey(reviewState(), 'x', {});
    const s = run(reviewState(), key!.action!);
    expect(s).toMatchObject({
      mode: 'normal',
      plan: null,
      notice: 'plan p_test1 stays a draft at revision 3',
    });
  });

  it('keys wait while the model works; the help line says so', () => {
    const s = run(reviewState(), { type: 'busy', label: 'x', now: 1 });
    expect(handleKey(s, 'f', {})).toBeNull();
    expect(helpLine(s)).toBe('working… · Ctrl-C quit');
  });

  it('the task waiting for the user: a failed one, or the next of a manual chunk', () => {
    expect(waitingTask(sessionProgress())).toBeNull();
    const failed = sessionProgress({
      status: 'paused',
      pauseReason: 'task_failed',
      tasks: sessionProgress().tasks.map((t) => (t.id === 'T3' ? { ...t, status: 'failed' as const } : t)),
    });
    expect(waitingTask(failed)).toEqual({ id: 'T3', why: 'failed' });
    expect(waitingTask(sessionProgress({ status: 'paused', pauseReason: 'approval' }))).toEqual({
      id: 'T4',
      why: 'approval',
    });
    expect(helpLine(executionState({ progress: failed }))).toContain('t retry · e edit+retry · k skip');
  });
});
