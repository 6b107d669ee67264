import { planContentFromDocument } from './document';
import { resolveExecutionSettings } from './execution-settings';
import {
  chunkRange,
  currentChunk,
  resumeSession,
  runnableTasks,
  SessionInputError,
  sessionProgress,
  startSession,
  updateChunk,
  updateTask,
  type SessionState,
} from './session';

const content = planContentFromDocument({
  title: 'Demo',
  chunks: [
    { key: 'C01_models', title: 'Models' },
    { key: 'C02_api', title: 'API', executionMode: 'parallel' },
    { key: 'C03_ui', title: 'UI', executionMode: 'manual', pauseAfter: true },
  ],
  tasks: [
    { id: 'T1', chunk: 'C01_models', title: 'one' },
    { id: 'T2', chunk: 'C01_models', title: 'two', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_api', title: 'three', canRunInParallel: true },
    { id: 'T4', chunk: 'C02_api', title: 'four', canRunInParallel: true },
    { id: 'T5', chunk: 'C02_api', title: 'five', canRunInParallel: true, dependsOn: ['T3'] },
    { id: 'T6', chunk: 'C02_api', title: 'six' },
    { id: 'T7', chunk: 'C03_ui', title: 'seven' },
  ],
});
const settings = resolveExecutionSettings({ agent: { type: 'command', argv: ['true'] } });
const start = (over: Partial<Parameters<typeof startSession>[0]> = {}) =>
  startSession({
    planId: 'p',
    sessionId: 's1',
    revision: 2,
    content,
    settings,
    from: 'beginning',
    startedAt: 1000,
    ...over,
  });

describe('session model', () => {
  it('never runs tasks that arrived done or cancelled, even from the beginning', () => {
    const imported = planContentFromDocument({
      title: 'Imported',
      tasks: [
        { id: 'A', chunk: 'C01', title: 'done in the source', status: 'completed' },
        { id: 'B', chunk: 'C01', title: 'cancelled in the source', cancelled: true },
        { id: 'C', chunk: 'C01', title: 'to do', dependsOn: ['A', 'B'], optional: true },
      ],
    });
    expect(imported.tasks.map((t) => t.status)).toEqual(['completed', 'skipped', 'pending']);
    const s = start({ content: imported });
    expect(s.tasks.map((t) => [t.id, t.status])).toEqual([
      ['A', 'completed'],
      ['B', 'skipped'],
      ['C', 'pending'],
    ]);
    expect(runnableTasks(s, currentChunk(s)!, 0, 1).map((t) => t.id)).toEqual(['C']);
    // A task Chunkwise itself completed (it has attempts) runs again from the beginning.
    const ran = { ...imported, tasks: imported.tasks.map((t) => (t.id === 'A' ? { ...t, attempts: 1 } : t)) };
    expect(start({ content: ran }).tasks[0].status).toBe('pending');
  });

  it('resolves chunk ranges by key or key prefix', () => {
    expect(chunkRange(content.chunks, 'C02-C03')).toEqual(['C02_api', 'C03_ui']);
    expect(chunkRange(content.chunks, 'C01_models')).toEqual(['C01_models']);
    expect(() => chunkRange(content.chunks, 'C03-C01')).toThrow(/reversed/);
    expect(() => chunkRange(content.chunks, 'C09')).toThrow(SessionInputError);
  });

  it('starts from the beginning, a chunk, or a task', () => {
    const all = start();
    expect(all.branch).toBe('chunkwise/p/s1');
    expect(currentChunk(all)!.key).toBe('C01_models');
    const fromChunk = start({ from: 'chunk', target: 'C02' });
    expect(fromChunk.chunks.map((c) => c.status)).toEqual(['out_of_scope', 'pending', 'pending']);
    expect(currentChunk(fromChunk)!.key).toBe('C02_api');
    const fromTask = start({ from: 'task', target: 'T2' });
    expect(fromTask.tasks.filter((t) => t.outOfScope).map((t) => t.id)).toEqual(['T1']);
    expect(() => start({ from: 'task', target: 'T99' })).toThrow(/T99 not found/);
    const range = start({ chunks: 'C01-C02' });
    expect(range.chunks.map((c) => c.status)).toEqual(['pending', 'pending', 'out_of_scope']);
  });

  it('keeps completed tasks when starting from the current point', () => {
    const done = {
      ...content,
      tasks: content.tasks.map((t) =>
        t.id === 'T1' ? { ...t, status: 'completed' as const, commitSha: 'abc' } : t,
      ),
    };
    const s = start({ content: done, from: 'current' });
    expect(s.tasks[0]).toMatchObject({ status: 'completed', commitSha: 'abc' });
    expect(start({ content: done }).tasks[0].status).toBe('pending');
  });

  it('runs sequential chunks one task at a time in order', () => {
    let s = start();
    const chunk = currentChunk(s)!;
    expect(runnableTasks(s, chunk, 0, 4).map((t) => t.id)).toEqual(['T1']);
    expect(runnableTasks(s, chunk, 1, 4)).toEqual([]);
    s = updateTask(s, 'T1', { status: 'completed' });
    expect(runnableTasks(s, chunk, 0, 4).map((t) => t.id)).toEqual(['T2']);
  });

  it('starts independent parallel tasks together, bounded by slots, holding back dependents and serial tasks', () => {
    let s: SessionState = updateChunk(start(), 'C01_models', { status: 'completed' });
    s = updateTask(updateTask(s, 'T1', { status: 'completed' }), 'T2', { status: 'completed' });
    const chunk = currentChunk(s)!;
    expect(chunk.key).toBe('C02_api');
    expect(runnableTasks(s, chunk, 0, 4).map((t) => t.id)).toEqual(['T3', 'T4']);
    expect(runnableTasks(s, chunk, 0, 1).map((t) => t.id)).toEqual(['T3']);
    s = updateTask(updateTask(s, 'T3', { status: 'completed' }), 'T4', { status: 'completed' });
    expect(runnableTasks(s, chunk, 0, 4).map((t) => t.id)).toEqual(['T5']);
    s = updateTask(s, 'T5', { status: 'completed' });
    // T6 may not run in parallel: it starts alone.
    expect(runnableTasks(s, chunk, 0, 4).map((t) => t.id)).toEqual(['T6']);
  });

  it('resumes after a stop keeping completed tasks and resetting running and failed ones', () => {
    let s = start();
    s = updateTask(s, 'T1', { status: 'completed', commitSha: 'a1', attempts: 1 });
    s = updateTask(s, 'T2', { status: 'failed', attempts: 3, lastError: 'qa' });
    s = updateChunk(s, 'C01_models', { status: 'running' });
    const r = resumeSession({ ...s, status: 'stopped' }, 's2', 5000);
    expect(r).toMatchObject({
      sessionId: 's2',
      status: 'running',
      elapsedBeforeMs: 4000,
      branch: 'chunkwise/p/s1',
    });
    expect(r.tasks[0]).toMatchObject({ status: 'completed', commitSha: 'a1' });
    expect(r.tasks[1]).toMatchObject({ status: 'pending', attempts: 0, lastError: 'qa' });
    expect(currentChunk(r)!.key).toBe('C01_models');
  });

  it('reports progress per chunk and task', () => {
    let s = updateTask(start(), 'T1', { status: 'completed', commitSha: 'a1' });
    s = { ...s, commits: ['a1'] };
    const p = sessionProgress(s, 3500);
    expect(p).toMatchObject({
      currentChunk: 'C01_models',
      nextChunk: 'C02_api',
      elapsedMs: 2500,
      commits: ['a1'],
    });
    expect(p.totals).toEqual({ tasks: 7, completed: 1, skipped: 0, failed: 0, running: 0, pending: 6 });
    expect(p.chunks[0]).toMatchObject({ key: 'C01_models', total: 2, completed: 1 });
  });
});
