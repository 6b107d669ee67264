/**
 * Fast recovery and nothing left behind, with the DEFAULT timing (no test shortening): workers are
 * real child processes (the compiled worker app).
 *  - kill -9 of the worker during a turn: the turn runs again on a restarted worker in well under the
 *    old 30 s heartbeat timeout (the figure is printed), and the session completes;
 *  - a turn longer than the heartbeat timeout on a live worker is not cut short;
 *  - when a session of a parallel chunk ends (completed, cancelled, stopped), no task work tree and
 *    no task branch is left; a stopped session still resumes and completes.
 *
 * Needs `npm run build` (the worker runs from dist/).
 */
import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TIMING } from '@chunkwise/contracts';
import { git, makeRepo } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { ProcessStack, waitUntil } from './support/worker-process';

jest.setTimeout(300_000);

/** Work trees registered in the repository, other than the repository itself. */
function worktrees(repo: string): string[] {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length))
    .slice(1);
}

/** Task work tree directories (`<session work tree>.tasks`) anywhere under the data dir's work trees. */
function taskDirs(dataDir: string): string[] {
  const dir = join(dataDir, 'worktrees');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d.endsWith('.tasks'))
    .map((d) => join(dir, d));
}

function branches(repo: string): string[] {
  return git(repo, 'branch', '--list', '--format=%(refname:short)').split('\n').filter(Boolean).sort();
}

withTemporalCli('test/session-recovery.e2e.ts', ({ path: binary }) => {
  describe('recovery with the default timing, and nothing left behind', () => {
    // No timing override: the defaults are what is tested.
    const s = new ProcessStack(binary, undefined);
    beforeAll(() => s.start());
    afterAll(() => s.stop());

    /** Session work tree only (no task work trees), only the session branch besides main. */
    function expectNothingLeftBehind(repo: string, branch: string) {
      const wts = worktrees(repo);
      expect(wts.filter((w) => w.includes('.tasks/'))).toEqual([]);
      expect(wts).toHaveLength(1);
      expect(taskDirs(s.dataDir)).toEqual([]);
      expect(branches(repo)).toEqual(['main', branch].sort());
    }

    test('the default heartbeat timeout is well under 10 s', () => {
      expect(DEFAULT_TIMING.heartbeatTimeoutSec).toBeLessThanOrEqual(6);
    });

    test('kill -9 of the worker during a turn: the turn runs again on a restarted worker in under 15 s; the session completes', async () => {
      const repo = makeRepo(join(s.root, 'kill'));
      const tasks = [
        { id: 'A1', description: 'sleep 6000\nwrite src/a1.txt one' },
        { id: 'A2', description: 'write src/a2.txt two' },
      ].map((t) => ({ ...t, chunk: 'C01', title: `task ${t.id}` }));
      const planId = await s.finalizedPlan({
        title: 'Kill during a turn',
        repository: repo,
        execution: { agent: s.agent() },
        tasks,
      });
      const worker = s.workers.at(-1)?.running ? s.workers.at(-1)! : await s.startWorker();
      await s.sessions.execute(planId);
      const starts = () => s.agentLogLines().filter((l) => l[1] === 'start' && l[2] === 'A1');
      await waitUntil('A1 to start', () => starts().length === 1, 60_000, 20);
      await new Promise((r) => setTimeout(r, 500));
      const killedAt = Date.now();
      await worker.kill('SIGKILL');
      await s.startWorker();
      const again = await waitUntil('A1 to start again', () => starts()[1], 60_000, 20);
      const recoverySec = (Number(again[0]) - killedAt) / 1000;
      console.log(
        `recovery: kill -9 → turn running again on the restarted worker in ${recoverySec.toFixed(2)} s (heartbeat timeout ${DEFAULT_TIMING.heartbeatTimeoutSec} s)`,
      );
      expect(recoverySec).toBeLessThan(15);

      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${outcome.state.branch}`).split(
        '\n',
      );
      expect(subjects).toEqual(tasks.map((t) => `${t.id}: ${t.title}`));
      // The restarted worker failed the orphaned turn at its start; no note of a running turn is left.
      expect(readdirSync(join(s.dataDir, 'running-turns'))).toEqual([]);
    });

    test('a turn longer than the heartbeat timeout on a live worker is not cut short', async () => {
      const repo = makeRepo(join(s.root, 'long'));
      const longMs = (DEFAULT_TIMING.heartbeatTimeoutSec * 2 + 3) * 1000;
      const planId = await s.finalizedPlan({
        title: 'Long turn',
        repository: repo,
        execution: { agent: s.agent(), maxAttempts: 1 },
        tasks: [
          { id: 'L1', chunk: 'C01', title: 'long', description: `sleep ${longMs}\nwrite src/l1.txt x` },
        ],
      });
      if (!s.workers.at(-1)?.running) await s.startWorker();
      await s.sessions.execute(planId);
      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      const log = s.agentLogLines().filter((l) => l[2] === 'L1');
      expect(log.filter((l) => l[1] === 'start')).toHaveLength(1);
      expect(log.filter((l) => l[1] === 'end')).toHaveLength(1);
      const turns = (await s.events(planId)).filter((e) => e.type === 'TurnStarted');
      expect(turns).toHaveLength(1);
    });

    const parallelPlan = (repo: string, title: string, sleepMs: number) => ({
      title,
      repository: repo,
      execution: { agent: s.agent(), maxAttempts: 1, maxParallel: 3 },
      chunks: [{ key: 'C01_par', title: 'Parallel', executionMode: 'parallel' }],
      tasks: ['P1', 'P2', 'P3'].map((id) => ({
        id,
        chunk: 'C01_par',
        title: `task ${id}`,
        description: `sleep ${sleepMs}\nwrite src/${id}.txt ${id}`,
        canRunInParallel: true,
      })),
    });

    test('a completed parallel session whose conflicting task was skipped: the conflicting branch is named while paused, and nothing is left at the end', async () => {
      const repo = makeRepo(join(s.root, 'completed'));
      const planId = await s.finalizedPlan({
        title: 'Parallel with a conflict',
        repository: repo,
        execution: { agent: s.agent(), maxAttempts: 1 },
        chunks: [{ key: 'C01_par', title: 'Parallel', executionMode: 'parallel' }],
        tasks: [
          { id: 'P1', description: 'write same.txt from P1' },
          { id: 'P2', description: 'sleep 600\nwrite same.txt from P2' },
          { id: 'P3', description: 'write src/p3.txt three' },
        ].map((t) => ({ ...t, chunk: 'C01_par', title: `task ${t.id}`, canRunInParallel: true })),
      });
      if (!s.workers.at(-1)?.running) await s.startWorker();
      await s.sessions.execute(planId);
      const failed = await waitUntil(
        'P2 to fail on the conflict',
        async () =>
          (await s.events(planId)).find(
            (e) => e.type === 'TaskFailed' && (e.data as { taskId: string }).taskId === 'P2',
          ),
        90_000,
      );
      const error = (failed.data as { error: string }).error;
      expect(error).toMatch(/merge conflict: conflicting files: same\.txt/);
      const p2Branch = /task's branch (\S+) /.exec(error)![1];
      expect(p2Branch).toMatch(/--P2$/);
      expect(branches(repo)).toContain(p2Branch);

      await waitUntil(
        'the pause',
        async () => (await s.events(planId)).some((e) => e.type === 'ExecutionPaused'),
        30_000,
      );
      expect((await s.sessions.taskAction(planId, 'skipTask', { taskId: 'P2' })).accepted).toBe(true);
      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expectNothingLeftBehind(repo, outcome.state.branch);
    });

    test('a cancelled parallel session (turns running in task work trees): nothing is left', async () => {
      const repo = makeRepo(join(s.root, 'cancelled'));
      const planId = await s.finalizedPlan(parallelPlan(repo, 'Cancelled', 20_000));
      if (!s.workers.at(-1)?.running) await s.startWorker();
      await s.sessions.execute(planId);
      await waitUntil(
        'three task turns to run',
        async () => (await s.events(planId)).filter((e) => e.type === 'TurnStarted').length === 3,
        60_000,
      );
      await waitUntil(
        'the task work trees',
        () => worktrees(repo).some((w) => w.includes('.tasks/')),
        30_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      await s.sessions.signal(planId, 'cancel', 'test');
      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('cancelled');
      expectNothingLeftBehind(repo, outcome.state.branch);
    });

    test('a stopped parallel session (stopped while paused on a conflicting task): nothing is left, and it resumes and completes (nothing left again)', async () => {
      const repo = makeRepo(join(s.root, 'stopped'));
      const planId = await s.finalizedPlan({
        title: 'Stopped',
        repository: repo,
        execution: { agent: s.agent(), maxAttempts: 1 },
        chunks: [
          { key: 'C01_par', title: 'Parallel', executionMode: 'parallel' },
          { key: 'C02_par', title: 'Parallel again', executionMode: 'parallel' },
        ],
        tasks: [
          { id: 'P1', chunk: 'C01_par', description: 'write same.txt from P1' },
          { id: 'P2', chunk: 'C01_par', description: 'sleep 600\nwrite same.txt from P2' },
          { id: 'P3', chunk: 'C01_par', description: 'write src/P3.txt P3' },
          { id: 'Q1', chunk: 'C02_par', description: 'write src/Q1.txt Q1' },
          { id: 'Q2', chunk: 'C02_par', description: 'write src/Q2.txt Q2' },
        ].map((t) => ({ ...t, title: `task ${t.id}`, canRunInParallel: true })),
      });
      if (!s.workers.at(-1)?.running) await s.startWorker();
      await s.sessions.execute(planId);
      await waitUntil(
        'the pause on the conflict',
        async () => (await s.events(planId)).some((e) => e.type === 'ExecutionPaused'),
        90_000,
      );
      // The conflicting task's work tree and branch are there while paused.
      expect(worktrees(repo).some((w) => w.endsWith('.tasks/P2'))).toBe(true);
      await s.sessions.signal(planId, 'stop');
      const stopped = await s.sessions.result(planId);
      expect(stopped.status).toBe('stopped');
      expectNothingLeftBehind(repo, stopped.state.branch);

      const resumed = await s.sessions.resume(planId);
      expect(resumed.action).toBe('restarted');
      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.tasks.every((t) => t.status === 'completed')).toBe(true);
      expect(outcome.state.branch).toBe(stopped.state.branch);
      expectNothingLeftBehind(repo, outcome.state.branch);
      expect(git(repo, 'show', `${outcome.state.branch}:same.txt`)).toBe('from P2');
      for (const id of ['P3', 'Q1', 'Q2'])
        expect(git(repo, 'show', `${outcome.state.branch}:src/${id}.txt`)).toBe(id);
    });
  });
});
