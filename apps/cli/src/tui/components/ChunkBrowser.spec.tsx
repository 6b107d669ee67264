import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { executionState, planDetail, sessionProgress } from '../../../../../test/support/tui-fixtures';
import { KEYS, renderApp, settle } from '../../../../../test/support/tui-render';
import { provideInk } from '../ink-runtime';
import { Screen } from './App';

beforeAll(async () => {
  provideInk(await import('ink'));
});

const { up: UP, down: DOWN, enter: ENTER, backspace: BACKSPACE } = KEYS;

describe('the chunk browser', () => {
  it('shows current, next, completed and out-of-scope chunks with per-chunk progress from the live session', () => {
    const state = executionState({ progress: sessionProgress() });
    const frame = render(<Screen state={state} />).lastFrame()!;
    expect(frame).toContain('Execute — Greeter');
    expect(frame).toContain('plan p_test1 · revision 3 · active');
    expect(frame).toContain('session s_live1 running · 2/5 done · 2 commits');
    expect(frame).toMatch(/✓ C01_core +█+ +2\/2 {2}completed Core library/);
    expect(frame).toMatch(/▶ C02_api +░+ +0\/2 {2}current {3}HTTP API/);
    expect(frame).toMatch(/» C03_cli +░+ +0\/1 {2}next {6}Command line/);
    expect(frame).toMatch(/- C04_docs .* not in session Documentation/);
    // Live: the running task with its attempt, and the last error of the one before.
    expect(frame).toContain('running T3 GET /greet route (attempt 2');
    expect(frame).toContain('retrying T3 after 2 attempt(s): check failed: lint');
    expect(frame).toContain('Selection: all chunks');
    expect(frame).toContain('keys: ↑↓ chunks · Enter pick (twice: range)');
  });

  it('a multi-repository session: one line with each repository’s progress; none for one repository', () => {
    const one = render(<Screen state={executionState({ progress: sessionProgress() })} />).lastFrame()!;
    expect(one).not.toContain('repositories:');
    const progress = sessionProgress({
      repositories: [
        { repository: null, tasks: 3, completed: 2, pending: 1, failed: 0, commits: ['a', 'b'] },
        { repository: 'repo:r_0123456789ab', tasks: 2, completed: 0, pending: 1, failed: 1, commits: [] },
      ],
    });
    const frame = render(<Screen state={executionState({ progress })} />).lastFrame()!;
    expect(frame).toContain('repositories: plan’s 2/3 · repo:r_0123456789ab 0/2 (1 failed)');
  });

  it('without a session: the plan’s own progress, the first unfinished chunk current', () => {
    const plan = planDetail({
      status: 'ready',
      statuses: { T1: 'completed', T2: 'completed', T3: 'failed' },
    });
    const frame = render(<Screen state={executionState({ plan })} />).lastFrame()!;
    expect(frame).toContain('no live session · plan ready · 2/6 done');
    expect(frame).toMatch(/✓ C01_core .* 2\/2 {2}completed/);
    expect(frame).toMatch(/✗ C02_api .* 0\/2 {2}failed .*HTTP API, 1 failed/);
  });

  it('offers the failed task’s actions, and the manual chunk’s approval, by key', async () => {
    const failed = sessionProgress({
      status: 'paused',
      pauseReason: 'task_failed',
      tasks: sessionProgress().tasks.map((t) =>
        t.id === 'T3' ? { ...t, status: 'failed' as const, lastError: 'tests failed' } : t,
      ),
    });
    const { ui, effects, press } = renderApp(
      executionState({ mode: 'execution_resumable', progress: failed }),
    );
    await settle();
    expect(ui.lastFrame()).toContain('T3 failed: t retry · e edit and retry · k skip · m mark complete');
    expect(ui.lastFrame()).toContain('FAILED T3 after 2 attempt(s): tests failed');
    await press('t', 'k', 'm');
    expect(effects).toEqual([
      { type: 'task', verb: 'retry', taskId: 'T3', body: {} },
      { type: 'task', verb: 'skip', taskId: 'T3', body: {} },
      { type: 'task', verb: 'complete', taskId: 'T3', body: {} },
    ]);
    // Edit and retry: the description prefilled, edited, sent with the retry.
    await press('e');
    expect(ui.lastFrame()).toContain('Edit and retry T3 — description:');
    await press(...Array<string>(6).fill(BACKSPACE), ' and docs', ENTER);
    expect(effects.at(-1)).toEqual({
      type: 'task',
      verb: 'retry',
      taskId: 'T3',
      body: { edit: { description: 'GET /greet route, with and docs' } },
    });

    const approval = sessionProgress({ status: 'paused', pauseReason: 'approval' });
    const manual = renderApp(executionState({ mode: 'execution_resumable', progress: approval }));
    await settle();
    expect(manual.ui.lastFrame()).toContain(
      'T4 waits for approval (manual chunk): a approve · k skip · e edit and approve',
    );
    await manual.press('a', 'k');
    expect(manual.effects).toEqual([
      { type: 'task', verb: 'approve', taskId: 'T4', body: { action: 'execute' } },
      { type: 'task', verb: 'approve', taskId: 'T4', body: { action: 'skip' } },
    ]);
  });

  it('pause, stop, resume and cancel are keys', async () => {
    const { effects, press } = renderApp(executionState({ progress: sessionProgress() }));
    await press('p', 's', 'r', 'X');
    expect(effects).toEqual([
      { type: 'control', verb: 'pause' },
      { type: 'control', verb: 'stop' },
      { type: 'resume', planId: 'p_test1' },
      { type: 'control', verb: 'cancel' },
    ]);
  });
});

describe('range selection in the chunk browser', () => {
  it('a pick prefills the selection; a second pick makes the range, bottom-top in plan order', async () => {
    const { ui, effects, press } = renderApp(executionState());
    await press(DOWN, ENTER);
    expect(ui.lastFrame()).toContain('Selection: C02  (pick another chunk for a range)');
    await press(DOWN, DOWN, ENTER);
    expect(ui.lastFrame()).toContain('Selection: C02-C04');
    // Picked top first, bottom second: still written bottom-top.
    await press(UP, ENTER, UP, UP, ENTER);
    expect(ui.lastFrame()).toContain('Selection: C01-C03');
    await press('x');
    expect(effects).toEqual([{ type: 'execute', chunks: 'C01-C03' }]);
  });

  it('the selection can be typed, is checked before starting, and Backspace clears it to all chunks', async () => {
    const { ui, effects, press } = renderApp(executionState());
    await press('i', 'C04-C02', ENTER, 'x');
    expect(ui.lastFrame()).toContain('Selection: C04-C02');
    expect(ui.lastFrame()).toContain('✗ chunk range C04-C02 is reversed');
    expect(effects).toEqual([]);
    await press(BACKSPACE, 'x');
    expect(ui.lastFrame()).toContain('Selection: all chunks');
    expect(effects).toEqual([{ type: 'execute', chunks: '' }]);
  });

  it('does not start a second session while one is live', async () => {
    const { ui, effects, press } = renderApp(executionState({ progress: sessionProgress() }));
    await press('x');
    expect(effects).toEqual([]);
    expect(ui.lastFrame()).toContain('a session is live: pause, stop or cancel it first');
  });
});
