/**
 * Crash recovery end to end: workers are REAL child processes (the compiled worker app) killed with
 * SIGKILL at chosen moments of a session, and the Temporal dev server is restarted mid-run. The
 * session always completes, each task is committed exactly once on the session branch, and the
 * plan's stream holds every session event exactly once, in sequence.
 *
 * Needs `npm run build` (the worker runs from dist/).
 */
import 'reflect-metadata';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventIdFromKey } from '@chunkwise/event-store';
import type { SessionOutcome } from '@chunkwise/contracts';
import { git, makeRepo } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { ProcessStack, waitUntil } from './support/worker-process';

jest.setTimeout(300_000);

const TIMING = { heartbeatTimeoutSec: 3, shortActivityTimeoutSec: 5 };

/**
 * Every session event is in the stream exactly once and in order: the ids are exactly the
 * deterministic ids of (session, 0..n-1).
 */
function expectEventsExactlyOnce(
  events: Array<{ id: string; type: string; data: unknown }>,
  outcome: SessionOutcome,
  taskIds: string[],
) {
  const sessionId = outcome.state.sessionId;
  const mine = events.filter((e) => (e.data as { sessionId?: string }).sessionId === sessionId);
  const session = mine.filter((e) => e.type !== 'ExecutionRequested');
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  expect(session.map((e) => e.id)).toEqual(
    Array.from({ length: outcome.state.eventSeq }, (_, i) => eventIdFromKey(`${sessionId}/${i}`)),
  );
  const completed = session
    .filter((e) => e.type === 'TaskCompleted')
    .map((e) => (e.data as { taskId: string }).taskId);
  expect(completed).toEqual(taskIds);
  expect(session[0].type).toBe('ExecutionStarted');
  expect(session.at(-1)!.type).toBe('ExecutionCompleted');
}

withTemporalCli('test/session-crash.e2e.ts', ({ path: binary }) => {
  describe('sessions survive crashes of workers and of the Temporal server', () => {
    const s = new ProcessStack(binary, TIMING);
    beforeAll(() => s.start());
    afterAll(() => s.stop());

    test('kill -9 of the worker during a turn, during a commit and between tasks: the session completes, each task committed once, no event lost or duplicated', async () => {
      const repo = makeRepo(join(s.root, 'crash'));
      // A post-commit hook (commits use --no-verify, which does not skip it) that, when armed, signals
      // and sleeps: the commit exists while its activity has not completed yet.
      const armed = join(s.root, 'slow-commit');
      const committed = join(s.root, 'committed');
      const hook = join(repo, '.git', 'hooks', 'post-commit');
      writeFileSync(
        hook,
        `#!/bin/sh\nif [ -f '${armed}' ]; then git rev-parse HEAD > '${committed}.tmp' && mv '${committed}.tmp' '${committed}'; sleep 5; fi\n`,
      );
      chmodSync(hook, 0o755);

      const tasks = [
        { id: 'K1', description: 'sleep 8000\nwrite src/k1.txt one' },
        { id: 'K2', description: 'write src/k2.txt two' },
        { id: 'K3', description: 'sleep 300\nwrite src/k3.txt three' },
        { id: 'K4', description: 'sleep 300\nappend src/k1.txt four' },
      ].map((t) => ({ ...t, chunk: 'C01', title: `task ${t.id}` }));
      const planId = await s.finalizedPlan({
        title: 'Crashes',
        repository: repo,
        execution: { agent: s.agent(), qaGates: s.qaGates(), maxAttempts: 2 },
        tasks,
      });
      let worker = await s.startWorker();
      const ref = await s.sessions.execute(planId);
      const types = async () => (await s.events(planId)).map((e) => e.type);
      const completedTasks = async () =>
        (await s.events(planId))
          .filter((e) => e.type === 'TaskCompleted')
          .map((e) => (e.data as { taskId: string }).taskId);

      // 1. While the agent runs (K1 sleeps 8 s): its process group outlives the worker.
      await waitUntil('K1 to start', () => s.agentLogLines().some((l) => l[1] === 'start' && l[2] === 'K1'));
      await worker.kill('SIGKILL');
      worker = await s.startWorker();

      // 2. During K2's commit: the commit is on the branch, its activity not completed.
      await waitUntil('K1 to complete', async () => (await completedTasks()).includes('K1'), 90_000);
      writeFileSync(armed, '');
      await waitUntil('K2 to be committed', () => existsSync(committed), 60_000, 10);
      const k2sha = readFileSync(committed, 'utf8').trim();
      await worker.kill('SIGKILL');
      rmSync(armed);
      expect(await completedTasks()).toEqual(['K1']);
      worker = await s.startWorker();

      // 3. Between tasks: right after K3's TaskCompleted is recorded.
      await waitUntil('K3 to complete', async () => (await completedTasks()).includes('K3'), 90_000, 10);
      await worker.kill('SIGKILL');
      await s.startWorker();

      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.sessionId).toBe(ref.sessionId);

      // Each task committed exactly once; K2's commit is the one made before the crash.
      const branch = outcome.state.branch;
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n');
      expect(subjects).toEqual(tasks.map((t) => `${t.id}: ${t.title}`));
      expect(outcome.state.tasks.find((t) => t.id === 'K2')!.commitSha).toBe(k2sha);
      expect(git(repo, 'show', `${branch}:src/k1.txt`)).toBe('one\nfour');

      // The K1 turn was run again after the crash, and the orphaned first agent was stopped before
      // the retry: two starts, one end.
      const log = s.agentLogLines();
      expect(log.filter((l) => l[1] === 'start' && l[2] === 'K1')).toHaveLength(2);
      expect(log.filter((l) => l[1] === 'end' && l[2] === 'K1')).toHaveLength(1);

      const events = await s.events(planId);
      expectEventsExactlyOnce(events, outcome, ['K1', 'K2', 'K3', 'K4']);
      expect((await types()).filter((t) => t === 'TurnStarted')).toHaveLength(4);
      for (const w of s.workers.slice(0, -1)) expect(w.running).toBe(false);
    });

    test('restarting the Temporal dev server (same database file) mid-run: the session completes', async () => {
      const repo = makeRepo(join(s.root, 'restart'));
      const tasks = Array.from({ length: 5 }, (_, i) => ({
        id: `R${i + 1}`,
        chunk: 'C01',
        title: `step ${i + 1}`,
        description: `sleep 700\nwrite src/r${i + 1}.txt ${i + 1}`,
      }));
      const planId = await s.finalizedPlan({
        title: 'Server restart',
        repository: repo,
        execution: { agent: s.agent() },
        tasks,
      });
      if (!s.workers.at(-1)?.running) await s.startWorker();
      await s.sessions.execute(planId);
      await waitUntil(
        'R2 to start',
        () => s.agentLogLines().some((l) => l[1] === 'start' && l[2] === 'R2'),
        60_000,
      );
      const pid = s.server.pid;
      await s.restartServer();
      expect(s.server.pid).not.toBe(pid);

      const outcome = await waitUntil(
        'the session result',
        () => s.sessions.result(planId).catch(() => null),
        120_000,
        500,
      );
      expect(outcome.status).toBe('completed');
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${outcome.state.branch}`).split(
        '\n',
      );
      expect(subjects).toEqual(tasks.map((t) => `${t.id}: ${t.title}`));
      expectEventsExactlyOnce(
        await s.events(planId),
        outcome,
        tasks.map((t) => t.id),
      );
      // The same worker process carried on through the restart.
      expect(s.workers.at(-1)!.running).toBe(true);
    });
  });
});
