import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { reviewState } from '../../../../../test/support/tui-fixtures';
import { provideInk } from '../ink-runtime';
import { KEYS, renderApp, settle } from '../../../../../test/support/tui-render';
import { Screen } from './App';
import { ColorContext } from './ui';

beforeAll(async () => {
  provideInk(await import('ink'));
});

const { down: DOWN, enter: ENTER, tab: TAB, esc: ESC } = KEYS;
const app = renderApp;

describe('the planning review modal', () => {
  it('shows the plan by chunk with progress, the revision and iteration count, and what changed', () => {
    const { lastFrame } = render(<Screen state={reviewState()} />);
    const frame = lastFrame()!;
    expect(frame).toContain('Plan review — Greeter (p_test1)');
    expect(frame).toContain(
      'revision 3 · 3 planning iterations (last: quick edit) · draft · 4 chunks, 6 tasks',
    );
    expect(frame).toContain('changed r2 → r3: 2 marked *; removed T9');
    expect(frame).toMatch(/C01_core — Core library {2}\[sequential\] {2}0\/2 done/);
    // Changed tasks carry a * mark (not only a colour); the cursor row a › mark.
    expect(frame).toMatch(/› {3}T1 {2}greet\(name\) function/);
    expect(frame).toMatch(/\* T2 {2}farewell\(name\) function {2}← T1/);
    expect(frame).toMatch(/\* T4 {2}GET \/farewell route/);
    for (const action of ['Continue planning', 'Quick edit', 'Review', 'Finalize and execute', 'Cancel'])
      expect(frame).toContain(action);
    // Continue planning is the default action.
    expect(frame).toContain('[c: Continue planning]');
    expect(frame).toContain('keys: ↑↓ tasks · Enter details');
  });

  it('browses tasks: arrows move, Enter shows description, acceptance and dependencies', async () => {
    const { ui, press } = app(reviewState());
    await press(DOWN, ENTER);
    const frame = ui.lastFrame()!;
    expect(frame).toContain('T2 — farewell(name) function');
    expect(frame).toContain('farewell(name) function, with tests');
    expect(frame).toContain('Acceptance');
    expect(frame).toContain('- farewell(name) function works');
    expect(frame).toContain('Depends on');
    expect(frame).toMatch(/ {2}T1\b/);
    await press(ESC);
    expect(ui.lastFrame()).toContain('Plan review');
  });

  it('continue planning (the default action) asks for feedback and runs a multi turn', async () => {
    const { ui, effects, press } = app(reviewState());
    await press(TAB, ENTER);
    expect(ui.lastFrame()).toContain('Continue planning (drafts in parallel, then a judge) — feedback:');
    await press('add a test task', ENTER);
    expect(effects).toEqual([{ type: 'refine', mode: 'multi', feedback: 'add a test task' }]);
  });

  it('quick edit is a single turn; finalize and cancel by key', async () => {
    const { effects, store, press } = app(reviewState());
    await press('q', 'rename T1', ENTER);
    expect(effects).toEqual([{ type: 'refine', mode: 'single', feedback: 'rename T1' }]);
    store.dispatch({ type: 'overlay', overlay: { kind: 'none' } });
    await press('f');
    expect(effects.at(-1)).toEqual({ type: 'finalize' });
    await press('x');
    expect(store.get().mode).toBe('normal');
    expect(store.get().notice).toBe('plan p_test1 stays a draft at revision 3');
  });

  it('review: type, then scope (the chunk of the task under the cursor), then picking suggestions', async () => {
    const { ui, store, effects, press } = app(reviewState());
    await press(DOWN, DOWN, 'r');
    expect(ui.lastFrame()).toContain('Review — which kind?');
    await press('2');
    expect(ui.lastFrame()).toContain('Review (add what is missing) — which scope?');
    expect(ui.lastFrame()).toContain('chunk C02_api');
    await press(DOWN, ENTER);
    expect(effects).toEqual([
      { type: 'review', reviewType: 'add_missing', scope: { scope: 'chunk', targetId: 'C02_api' } },
    ]);

    // The controller opens the suggestions it got back.
    const suggestion = (id: string, title: string) => ({
      id,
      kind: 'add_task' as const,
      reasoning: `${title} is missing`,
      before: null,
      after: { task: { id: `T${id}`, chunk: 'C02_api', title } },
    });
    const set = {
      planId: 'p_test1',
      setId: 'set1',
      revision: 3,
      reviewType: 'add_missing' as const,
      suggestions: [suggestion('s1', 'Rate limiting'), suggestion('s2', 'Request logging')],
      applied: [],
    };
    store.dispatch({
      type: 'overlay',
      overlay: { kind: 'suggestions', set: set as never, cursor: 0, picked: [] },
    });
    await settle();
    expect(ui.lastFrame()).toContain('2 suggestions (add what is missing)');
    expect(ui.lastFrame()).toContain('Rate limiting is missing');
    await press(DOWN, ' ');
    expect(ui.lastFrame()).toMatch(/› \[x\] \+ Ts2 "Request logging"/);
    await press(ENTER);
    expect(effects.at(-1)).toEqual({ type: 'apply', set, ids: ['s2'] });
  });

  it('shows a spinner with the elapsed time while the model works, and errors in place', async () => {
    const { ui, store } = app(reviewState());
    store.dispatch({
      type: 'busy',
      label: 'quick edit: one direct edit',
      now: Date.now() - 2_000,
      planning: true,
    });
    await settle();
    expect(ui.lastFrame()).toMatch(/quick edit: one direct edit… 2(\.\d)? s/);
    expect(store.get().mode).toBe('planning_active');
    store.dispatch({ type: 'failed', message: 'error: the model timed out' });
    await settle();
    expect(ui.lastFrame()).toContain('✗ error: the model timed out');
    expect(store.get().mode).toBe('plan_review_ready');
  });

  it('honours NO_COLOR: no colour codes, the focus still marked', () => {
    const { lastFrame } = render(
      <ColorContext.Provider value={false}>
        <Screen state={reviewState()} />
      </ColorContext.Provider>,
    );
    expect(lastFrame()).not.toMatch(new RegExp(String.raw`\u001b\[3[0-9]m`));
    expect(lastFrame()).toMatch(/› {3}T1/);
  });
});
