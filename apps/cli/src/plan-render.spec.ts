import { diffContents, fold, planContentFromDocument, type PlanContent } from '@chunkwise/domain';
import { projectDetail } from '@chunkwise/read-models';
import type { Suggestion, SuggestionSet } from './plan-api';
import {
  describeSuggestion,
  formatCost,
  renderDiff,
  renderPlanOverview,
  renderSuggestions,
  renderUsage,
  usageLine,
} from './plan-render';

const content = (tasks: unknown[], chunks?: unknown[]): PlanContent =>
  planContentFromDocument({
    title: 'Greeter',
    description: 'A greeting command',
    chunks: chunks ?? [
      { key: 'C01_core', title: 'Core' },
      { key: 'C02_cli', title: 'Command line', executionMode: 'parallel' },
    ],
    tasks,
  });

const T1 = { id: 'T1', chunk: 'C01_core', title: 'greet(name)', acceptance: ['works'] };
const T2 = { id: 'T2', chunk: 'C02_cli', title: 'CLI entry', dependsOn: ['T1'], canRunInParallel: true };
const T3 = { id: 'T3', chunk: 'C02_cli', title: 'README', dependsOn: ['T1'], canRunInParallel: true };

const usage = {
  calls: 3,
  inputTokens: 12345,
  outputTokens: 3456,
  cacheCreationInputTokens: 100,
  cacheReadInputTokens: 2000,
  costUsd: 0.04213,
  byPurpose: {
    generate: {
      calls: 1,
      inputTokens: 10000,
      outputTokens: 3000,
      cacheCreationInputTokens: 100,
      cacheReadInputTokens: 0,
      costUsd: 0.035,
    },
    review: {
      calls: 2,
      inputTokens: 2345,
      outputTokens: 456,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 2000,
      costUsd: 0.00713,
    },
  },
};

const set = (suggestions: Suggestion[], applied: string[] = []): SuggestionSet => ({
  planId: 'p1',
  setId: 'set_1',
  revision: 3,
  reviewType: 'add_missing',
  scope: 'all',
  targetId: null,
  suggestions,
  applied,
});

describe('plan rendering', () => {
  it('formats costs and usage', () => {
    expect(formatCost(0.04213)).toBe('$0.0421');
    expect(formatCost(1.5)).toBe('$1.50');
    expect(usageLine({ ...usage, calls: 0, byPurpose: {} })).toBe('no LLM calls yet');
    expect(usageLine(usage)).toBe(
      '3 LLM calls, 12,345 input + 3,456 output tokens (cache: 100 written, 2,000 read), ~$0.0421',
    );
    const lines = renderUsage({ planId: 'p1', ...usage });
    expect(lines[0]).toBe(`LLM usage of plan p1: ${usageLine(usage)}`);
    expect(lines[2]).toMatch(/^PURPOSE +CALLS +INPUT +OUTPUT +CACHE WRITE +CACHE READ +COST$/);
    expect(lines[3]).toMatch(/^generate +1 +10,000 +3,000 +100 +0 +\$0\.0350$/);
    expect(lines[4]).toMatch(/^review +2 +2,345 +456 +0 +2,000 +\$0\.0071$/);
  });

  it('shows the plan grouped by chunk with ids, parallel marks, dependencies and where planning stands', () => {
    const state = fold([
      {
        type: 'PlanCreated',
        data: { revision: 1, planId: 'p1', content: content([T1, T2, T3]), source: { kind: 'generate' } },
      },
    ]);
    const t = { createdAt: '2025-01-02T03:04:05.000Z', updatedAt: '2025-01-02T03:04:06.000Z' };
    const plan = projectDetail('p1', state, { ...t, streamRevision: 1 });
    const lines = renderPlanOverview({ ...plan, usage });
    expect(lines.slice(0, 2)).toEqual([
      'Greeter  (p1)',
      `  revision 1 · 1 planning iteration (last: generate) · ${usageLine(usage)}`,
    ]);
    expect(lines).toContain('C01_core — Core  [sequential]');
    expect(lines).toContain('C02_cli — Command line  [parallel]');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}TASK +∥ +TITLE +DEPENDS ON$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}T1 +greet\(name\) +-$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}T2 +∥ +CLI entry +T1$/));
  });

  it('numbers suggestions with kind, target, reasoning and before → after for every kind', () => {
    const all: Suggestion[] = [
      {
        id: 's1',
        kind: 'add_task',
        reasoning: 'nothing tests the CLI',
        before: null,
        after: {
          task: { id: 'T9', chunk: 'C02_cli', title: 'CLI test', dependsOn: ['T2'] },
          beforeTaskId: 'T3',
        },
      },
      {
        id: 's2',
        kind: 'modify_task',
        reasoning: 'vague',
        taskId: 'T1',
        before: { title: 'greet(name)', dependsOn: [] },
        after: { title: 'greet(name: string): string', dependsOn: ['T0'], canRunInParallel: true },
      },
      {
        id: 's3',
        kind: 'remove_task',
        reasoning: 'duplicate',
        taskId: 'T3',
        before: { title: 'README' },
        after: null,
      },
      {
        id: 's4',
        kind: 'reorder',
        reasoning: 'docs first',
        chunkKey: 'C02_cli',
        before: ['T2', 'T3'],
        after: ['T3', 'T2'],
      },
      {
        id: 's5',
        kind: 'reorder',
        reasoning: '',
        chunkKey: null,
        before: ['C01', 'C02'],
        after: ['C02', 'C01'],
      },
      {
        id: 's6',
        kind: 'add_chunk',
        reasoning: 'release',
        before: null,
        after: {
          chunk: { key: 'C03_release', title: 'Release' },
          index: 2,
          tasks: [{ id: 'T10', chunk: 'C03_release', title: 'Publish' }],
        },
      },
      {
        id: 's7',
        kind: 'break_down_task',
        reasoning: 'too big',
        taskId: 'T2',
        before: { title: 'CLI entry' },
        after: {
          tasks: [
            { id: 'T2a', chunk: 'C02_cli', title: 'Parse args' },
            { id: 'T2b', chunk: 'C02_cli', title: 'Print greeting' },
          ],
        },
      },
    ];
    const lines = renderSuggestions(set(all, ['s2']));
    expect(lines[0]).toBe('Review: add what is missing (set set_1, against revision 3) — 7 suggestions');
    expect(lines.slice(1, 4)).toEqual([
      '  1. [s1] add_task',
      '     why: nothing tests the CLI',
      '     + T9 "CLI test" in C02_cli before T3 (depends on T2)',
    ]);
    expect(lines).toContain('  2. [s2] modify_task T1  (applied)');
    expect(describeSuggestion(all[1])).toEqual([
      '~ T1 title: "greet(name)" → "greet(name: string): string"',
      '~ T1 dependsOn: [] → [T0]',
      '~ T1 canRunInParallel: (unset) → true',
    ]);
    expect(describeSuggestion(all[2])).toEqual(['- T3 "README"']);
    expect(describeSuggestion(all[3])).toEqual(['↕ order of C02_cli: T2, T3 → T3, T2']);
    expect(describeSuggestion(all[4])).toEqual(['↕ chunk order: C01, C02 → C02, C01']);
    expect(lines).toContain('  5. [s5] reorder chunks');
    expect(lines[lines.indexOf('  5. [s5] reorder chunks') + 1]).toBe(
      '     ↕ chunk order: C01, C02 → C02, C01',
    );
    expect(describeSuggestion(all[5])).toEqual([
      '+ chunk C03_release "Release" at position 3, 1 task',
      '  + T10 "Publish"',
    ]);
    expect(describeSuggestion(all[6])).toEqual([
      '⇉ T2 "CLI entry" → 2 tasks',
      '  + T2a "Parse args"',
      '  + T2b "Print greeting"',
    ]);
    expect(renderSuggestions(set([]))).toEqual([
      'Review: add what is missing (set set_1, against revision 3) — no suggestions',
    ]);
  });

  it('renders a diff as +added, -removed, ~changed tasks and chunks', () => {
    const from = content([T1, T2, T3]);
    const to = content(
      [
        { ...T1, title: 'greet()', description: 'now documented' },
        { ...T2, dependsOn: [] },
        { id: 'T4', chunk: 'C03_docs', title: 'Docs site', dependsOn: ['T1'] },
      ],
      [
        { key: 'C02_cli', title: 'CLI', executionMode: 'parallel' },
        { key: 'C01_core', title: 'Core' },
        { key: 'C03_docs', title: 'Docs' },
      ],
    );
    const lines = renderDiff({ planId: 'p1', from: 1, to: 2, diff: diffContents(from, to) });
    expect(lines).toEqual([
      'Changes r1 → r2: +1 task, -1 task, ~2 tasks, +1 chunk, ~1 chunk',
      '  + chunk C03_docs "Docs"',
      '  ~ chunk C02_cli: title "Command line" → "CLI"',
      '  ↕ chunks reordered',
      '  + T4 "Docs site" (C03_docs)',
      '  - T3 "README"',
      '  ~ T1: title "greet(name)" → "greet()"; description',
      '  ~ T2: dependsOn [T1] → []',
    ]);
    const same = diffContents(from, from);
    expect(renderDiff({ planId: 'p1', from: 2, to: 2, diff: same })).toEqual(['Changes r2 → r2: none']);
    const renamed = diffContents(from, { ...from, title: 'Hello' });
    expect(renderDiff({ planId: 'p1', from: 1, to: 2, diff: renamed })).toEqual([
      'Changes r1 → r2: details only',
      '  ~ plan title "Greeter" → "Hello"',
    ]);
  });
});
