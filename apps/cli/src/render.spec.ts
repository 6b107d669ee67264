import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fold, planContentFromDocument, type PlanContent } from '@chunkwise/domain';
import { projectDetail, projectSummary } from '@chunkwise/read-models';
import { renderHistory, renderPlanDetail, renderPlanList, summarizeEvent } from './render';

const sample = (): PlanContent =>
  planContentFromDocument(parse(readFileSync(join(__dirname, '../../../examples/sample-plan.yaml'), 'utf8')));

function detail() {
  const content = sample();
  content.tasks[0] = { ...content.tasks[0], status: 'completed', commitSha: 'abcdef0123456789', attempts: 1 };
  content.tasks[1] = {
    ...content.tasks[1],
    status: 'failed',
    attempts: 2,
    lastError: 'tests failed:\n2 failing',
  };
  const state = fold([
    { type: 'PlanCreated', data: { revision: 1, planId: 'p1', content, source: { kind: 'cli' } } },
    { type: 'FeedbackRecorded', data: { revision: 1, feedback: 'split T03 in two', author: 'ana' } },
  ]);
  const t = { createdAt: '2025-01-02T03:04:05.000Z', updatedAt: '2025-01-02T03:04:06.000Z' };
  return {
    state,
    plan: projectDetail('p1', state, { ...t, streamRevision: 1 }),
    summary: projectSummary('p1', state, t),
  };
}

describe('render', () => {
  it('lists plans in a table, or says there are none', () => {
    const { summary } = detail();
    const lines = renderPlanList([summary], false);
    expect(lines[0]).toMatch(/^ID +TITLE +STATUS +REV +CHUNKS +TASKS +PROGRESS +REPOSITORY +UPDATED$/);
    expect(lines[1]).toMatch(
      /^p1 +Todo CLI: a small task manager for the terminal +draft +1 +3 +1\/9 \(1 failed\) +11%/,
    );
    expect(renderPlanList([], false)[0]).toMatch(/No plans yet/);
    expect(renderPlanList([], true)).toEqual(['No plans match.']);
  });

  it('shows a plan grouped by chunk with modes, statuses, dependencies, errors and feedback', () => {
    const text = renderPlanDetail(detail().plan).join('\n');
    expect(text).toContain('C01_models — Data model  [sequential]  1/2 done, 1 failed');
    expect(text).toContain('C02_storage — Storage  [parallel, pause after]  0/3 done');
    expect(text).toMatch(
      /T01_todo_model +Define the Todo type and its schema +✓ completed +- +- +1 +abcdef0123/,
    );
    expect(text).toMatch(
      /T05_store_contract +Shared store contract tests +· pending +T03_file_store, T04_memory_store/,
    );
    expect(text).toMatch(/T03_file_store .* yes$/m);
    expect(text).toContain('T02_ids_and_dates last error: tests failed: 2 failing');
    expect(text).toContain('Feedback (1):\n  r1 ana: split T03 in two');
  });

  it('summarizes every plan event in one line', () => {
    const cases: Array<[string, unknown, string]> = [
      [
        'PlanCreated',
        { content: sample(), source: { kind: 'api', format: 'yaml' } },
        'created "Todo CLI: a small task manager for the terminal": 3 chunks, 9 tasks (via api, yaml)',
      ],
      [
        'PlanDetailsUpdated',
        { changes: { title: 'x', repository: 'r' } },
        'details changed: title, repository',
      ],
      [
        'PlanContentReplaced',
        { content: { chunks: [1], tasks: [] }, reason: 'import' },
        'content replaced: 1 chunks, 0 tasks — import',
      ],
      [
        'ChunkAdded',
        { chunk: { key: 'C9', title: 'Nine' }, index: 2 },
        'chunk C9 added "Nine" at position 3',
      ],
      ['ChunkUpdated', { key: 'C1', changes: { title: 'T' } }, 'chunk C1 changed: title'],
      [
        'ChunkExecutionConfigured',
        { key: 'C1', executionMode: 'parallel', pauseAfter: true },
        'chunk C1: parallel, pause after',
      ],
      ['ChunkRemoved', { key: 'C1' }, 'chunk C1 removed'],
      ['ChunksReordered', { order: ['B', 'A'] }, 'chunks reordered: B, A'],
      ['TaskAdded', { task: { id: 'T1', chunk: 'C1', title: 'Do' }, index: 0 }, 'task T1 added to C1 "Do"'],
      ['TaskUpdated', { taskId: 'T1', changes: { acceptance: [] } }, 'task T1 changed: acceptance'],
      ['TaskRemoved', { taskId: 'T1' }, 'task T1 removed'],
      ['TaskMoved', { taskId: 'T1', toChunk: 'C2', index: 0 }, 'task T1 moved to C2 at position 1'],
      ['TaskDependenciesSet', { taskId: 'T1', dependsOn: ['T0'] }, 'task T1 depends on T0'],
      ['TaskDependenciesSet', { taskId: 'T1', dependsOn: [] }, 'task T1 has no dependencies'],
      ['FeedbackRecorded', { feedback: 'more tests', author: null }, 'feedback: "more tests"'],
      ['PlanFinalized', { revision: 4 }, 'finalized revision 4'],
      ['PlanReopened', { reason: null }, 'reopened for editing'],
      ['PlanArchived', {}, 'archived'],
      [
        'TaskCompleted',
        { revision: 2, taskId: 'T1', commitSha: 'abc', nested: { x: 1 } },
        'taskId=T1 commitSha=abc',
      ],
    ];
    for (const [type, data, expected] of cases) expect(summarizeEvent(type, data)).toBe(expected);
  });

  it('renders history with time, revision, type and summary, then feedback', () => {
    const lines = renderHistory({
      planId: 'p1',
      entries: [
        {
          position: 1,
          streamRevision: 0,
          revision: 1,
          type: 'PlanCreated',
          data: { content: sample(), source: { kind: 'cli' } },
          metadata: {},
          recordedAt: '2025-01-02T03:04:05.000Z',
          eventId: 'e1',
        },
        {
          position: 2,
          streamRevision: 1,
          revision: 1,
          type: 'PlanFinalized',
          data: { revision: 1 },
          metadata: {},
          recordedAt: '2025-01-02T03:04:06.000Z',
          eventId: 'e2',
        },
      ],
      feedback: [{ revision: 1, feedback: 'ok', author: null }],
    });
    expect(lines[0]).toMatch(/^TIME +REV +EVENT +SUMMARY$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +1 +PlanCreated +created "Todo CLI/);
    expect(lines[2]).toMatch(/PlanFinalized +finalized revision 1$/);
    expect(lines.slice(-2)).toEqual(['Feedback (1):', '  r1 ok']);
  });
});
