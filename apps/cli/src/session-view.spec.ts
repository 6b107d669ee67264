import type { SessionProgress } from './api-client';
import { bar, describeChanges, endLine, nextSteps, renderLive } from './session-view';
import { endOfPlanStatus, watchSession, type SessionSource } from './watch';
import { memoryIo } from '../../../test/support/cli-fakes';

type Task = SessionProgress['tasks'][number];
type Chunk = SessionProgress['chunks'][number];

const task = (id: string, chunk: string, status: Task['status'], extra: Partial<Task> = {}): Task => ({
  id,
  chunk,
  title: `title of ${id}`,
  status,
  attempts: status === 'pending' ? 0 : 1,
  lastError: null,
  commitSha: status === 'completed' ? `${id.toLowerCase()}0123456789abcdef` : null,
  outOfScope: false,
  startedAt: status === 'running' ? 1_000 : null,
  endedAt: null,
  ...extra,
});

function progress(tasks: Task[], extra: Partial<SessionProgress> = {}): SessionProgress {
  const chunkKeys = [...new Set(tasks.map((t) => t.chunk))];
  const count = (ts: Task[], s: Task['status']) => ts.filter((t) => t.status === s).length;
  const chunks: Chunk[] = chunkKeys.map((key, i) => {
    const ts = tasks.filter((t) => t.chunk === key);
    const allDone = ts.every((t) => t.status === 'completed' || t.status === 'skipped');
    return {
      key,
      title: `Chunk ${i + 1}`,
      executionMode: i === 1 ? 'parallel' : 'sequential',
      pauseAfter: i === 1,
      status: allDone ? 'completed' : ts.some((t) => t.status !== 'pending') ? 'running' : 'pending',
      total: ts.length,
      completed: count(ts, 'completed'),
      skipped: count(ts, 'skipped'),
      failed: count(ts, 'failed'),
      running: count(ts, 'running'),
    };
  });
  return {
    planId: 'p1',
    sessionId: 's1',
    revision: 1,
    status: 'running',
    pauseReason: null,
    pauseDetail: null,
    currentChunk: chunks.find((c) => c.status !== 'completed')?.key ?? null,
    nextChunk: null,
    chunks,
    tasks,
    totals: {
      tasks: tasks.length,
      completed: count(tasks, 'completed'),
      skipped: count(tasks, 'skipped'),
      failed: count(tasks, 'failed'),
      running: count(tasks, 'running'),
      pending: count(tasks, 'pending'),
    },
    commits: tasks.filter((t) => t.commitSha).map((t) => t.commitSha!),
    elapsedMs: 4_200,
    branch: 'chunkwise/p1/s1',
    ...extra,
  };
}

describe('the live session display', () => {
  it('draws a bar per chunk with done/total, the running task with its attempt, and the next step', () => {
    const p = progress([
      task('T1', 'C01_a', 'completed'),
      task('T2', 'C01_a', 'completed'),
      task('T3', 'C02_b', 'running', { attempts: 2, lastError: 'QA check: src/x.js: SyntaxError' }),
      task('T4', 'C02_b', 'pending'),
      task('T5', 'C03_c', 'pending'),
    ]);
    const lines = renderLive(p, { planId: 'p1', title: 'demo', now: 3_000, width: 120 });
    expect(lines[0]).toBe('demo — plan p1, session s1');
    expect(lines[1]).toBe('  running · 2/5 tasks done · 2 commits · 4.2 s');
    expect(lines[2]).toBe(`  ✓ C01_a  ${bar(2, 2)}   2/2  Chunk 1 [sequential]`);
    expect(lines[3]).toBe(
      `  ▶ C02_b  ${'█'.repeat(0)}${'░'.repeat(24)}   0/2  Chunk 2 [parallel, pause after]`,
    );
    expect(lines[4]).toBe('      ▶ T3 title of T3 (attempt 2, 2.0 s)');
    expect(lines[5]).toBe('          last error: QA check: src/x.js: SyntaxError');
    expect(lines).toContain('  pause: chunkwise pause p1   stop: chunkwise stop p1');
  });

  it('shows a line per repository for a multi-repository plan, and none for one repository', () => {
    const tasks = [
      task('T1', 'C01_a', 'completed'),
      task('T2', 'C01_a', 'failed', { repository: 'repo:r_1' }),
    ];
    const one = renderLive(progress(tasks), { planId: 'p1', width: 120 });
    expect(one.some((l) => l.includes('repository'))).toBe(false);
    const two = renderLive(
      progress(tasks, {
        repositories: [
          { repository: null, tasks: 1, completed: 1, pending: 0, failed: 0, commits: ['a'] },
          { repository: 'repo:r_1', tasks: 1, completed: 0, pending: 0, failed: 1, commits: [] },
        ],
      }),
      { planId: 'p1', width: 120 },
    );
    expect(two[2]).toBe('  repository (the plan’s): 1/1 tasks · 1 commit');
    expect(two[3]).toBe('  repository repo:r_1: 0/1 tasks, 1 failed · 0 commits');
  });

  it('shows the pause reason, its detail and what to do next', () => {
    const failed = progress(
      [
        task('T1', 'C01_a', 'failed', { attempts: 3, lastError: 'tests failed' }),
        task('T2', 'C01_a', 'pending'),
      ],
      { status: 'paused', pauseReason: 'task_failed', pauseDetail: 'T1 failed after 3 attempts' },
    );
    const lines = renderLive(failed, { planId: 'p1', width: 200 });
    expect(lines).toContain('  paused (task_failed): T1 failed after 3 attempts');
    expect(lines.join('\n')).toContain(
      'chunkwise retry p1 T1  |  chunkwise skip p1 T1  |  chunkwise complete p1 T1',
    );
    expect(
      nextSteps({ ...failed, pauseReason: 'approval', tasks: [task('T2', 'C01_a', 'pending')] }, 'p1'),
    ).toEqual(['approve: chunkwise approve p1 T2   skip: chunkwise approve p1 T2 --skip']);
    expect(nextSteps({ ...failed, pauseReason: 'chunk_completed', currentChunk: 'C02_b' }, 'p1')).toEqual([
      'continue with C02_b: chunkwise resume p1',
    ]);
  });

  it('cuts lines to the terminal width', () => {
    const p = progress([task('T1', 'C01_a', 'running', { title: 'x'.repeat(300) })]);
    for (const line of renderLive(p, { planId: 'p1', width: 60 }))
      expect(Array.from(line).length).toBeLessThanOrEqual(60);
  });
});

describe('appended lines (not a terminal)', () => {
  it('says what changed: starts, retries, commits, chunk ends, pauses and resumes', () => {
    const first = progress([task('T1', 'C01_a', 'running'), task('T2', 'C02_b', 'pending')]);
    expect(describeChanges(null, first, 'p1')).toEqual([
      '[   4.2 s] session s1 of plan p1: running, 2 tasks in 2 chunks, branch chunkwise/p1/s1',
      '[   4.2 s] C01_a started (Chunk 1; sequential, 1 task)',
      '[   4.2 s] T1 running: title of T1 (attempt 1)',
    ]);
    const retry = progress([
      task('T1', 'C01_a', 'running', { attempts: 2, lastError: 'QA: broken' }),
      task('T2', 'C02_b', 'pending'),
    ]);
    expect(describeChanges(first, retry, 'p1')).toEqual([
      '[   4.2 s] T1 attempt 1 failed: QA: broken',
      '[   4.2 s] T1 running: title of T1 (attempt 2)',
    ]);
    const paused = progress(
      [task('T1', 'C01_a', 'completed', { attempts: 2 }), task('T2', 'C02_b', 'pending')],
      {
        status: 'paused',
        pauseReason: 'chunk_completed',
        pauseDetail: 'chunk C01_a completed: 1 task',
        currentChunk: 'C02_b',
      },
    );
    expect(describeChanges(retry, paused, 'p1')).toEqual([
      '[   4.2 s] T1 completed (commit t101234567): title of T1',
      '[   4.2 s] C01_a completed: 1/1 done',
      '[   4.2 s] paused (chunk_completed): chunk C01_a completed: 1 task',
      '[   4.2 s]   continue with C02_b: chunkwise resume p1',
    ]);
    expect(describeChanges(paused, paused, 'p1')).toEqual([]);
    expect(
      describeChanges(paused, { ...paused, status: 'running', pauseReason: null, pauseDetail: null }, 'p1'),
    ).toEqual(['[   4.2 s] resumed']);
  });

  it('ends with a line per outcome', () => {
    expect(endLine('completed', '3/3 tasks completed', 'p1')).toBe('session completed: 3/3 tasks completed');
    expect(endLine('stopped', undefined, 'p1')).toBe('session stopped; continue with: chunkwise resume p1');
    expect(endOfPlanStatus('paused')).toBe('stopped');
    expect(endOfPlanStatus('running')).toBeNull();
    expect(endOfPlanStatus('ready')).toBe('none');
  });
});

describe('watchSession', () => {
  const noLive = (status: string) => ({ live: false as const, status, planStatus: status });

  it('follows the progress until the session ends, calls onPause once per pause, and reports the end', async () => {
    const running = progress([task('T1', 'C01_a', 'running'), task('T2', 'C02_b', 'pending')]);
    const paused = progress([task('T1', 'C01_a', 'completed'), task('T2', 'C02_b', 'pending')], {
      status: 'paused',
      pauseReason: 'chunk_completed',
    });
    const answers = [running, paused, paused, noLive('running'), noLive('completed')];
    let i = 0;
    const source: SessionSource = {
      progress: async () => answers[Math.min(i++, answers.length - 1)],
      endState: async (a) => ({ state: endOfPlanStatus(a.status), detail: '2/2 tasks completed' }),
    };
    const io = memoryIo();
    const pauses: string[] = [];
    const result = await watchSession(source, {
      planId: 'p1',
      io,
      tty: false,
      pollMs: 5,
      onPause: async (p) => void pauses.push(p.pauseReason ?? ''),
    });
    expect(result.end).toBe('completed');
    expect(pauses).toEqual(['chunk_completed']);
    expect(io.stdout()).toContain('T1 running');
    expect(io.stdout().trim().split('\n').at(-1)).toBe('session completed: 2/2 tasks completed');
  });

  it('reports the counts when the workflow itself answers that the session ended (read models still behind)', async () => {
    const done = progress([task('T1', 'C01_a', 'completed'), task('T2', 'C02_b', 'skipped')], {
      status: 'completed',
    });
    const source: SessionSource = {
      progress: async () => done,
      endState: async () => ({ state: null }),
    };
    const io = memoryIo();
    const result = await watchSession(source, { planId: 'p1', io, tty: false, pollMs: 5 });
    expect(result.end).toBe('completed');
    expect(io.stdout().trim().split('\n').at(-1)).toBe('session completed: 1/2 tasks completed, 1 skipped');
  });

  it('redraws in place on a terminal', async () => {
    const running = progress([task('T1', 'C01_a', 'running')]);
    const answers = [running, running, noLive('failed')];
    let i = 0;
    const io = memoryIo();
    const result = await watchSession(
      {
        progress: async () => answers[Math.min(i++, answers.length - 1)],
        endState: async (a) => ({ state: endOfPlanStatus(a.status) }),
      },
      { planId: 'p1', io, tty: true, pollMs: 5 },
    );
    expect(result.end).toBe('failed');
    const drawn = renderLive(running, { planId: 'p1' }).length;
    expect(io.stdout()).toContain(`\x1b[${drawn}F\x1b[J`);
  });

  it('says so when the plan has no session to watch', async () => {
    const io = memoryIo();
    await expect(
      watchSession(
        { progress: async () => noLive('ready'), endState: async () => ({ state: 'none' }) },
        { planId: 'p1', io, tty: false, pollMs: 5, startTimeoutMs: 30 },
      ),
    ).rejects.toThrow('plan p1 has no session to watch');
  });
});
