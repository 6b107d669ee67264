/**
 * A long plan: 300 tasks run to completion, and continue-as-new keeps each workflow run's history
 * small (the session spans many runs of the same workflow id). A no-op agent and no QA gates keep it
 * fast. The worker is a real child process (needs `npm run build`).
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { fold } from '@chunkwise/domain';
import { comparableSession, foldedSession } from './support/fold-invariant';
import { git, makeRepo } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { ProcessStack } from './support/worker-process';

jest.setTimeout(600_000);

const TASKS = 300;
const CONTINUE_AFTER_EVENTS = 60;

withTemporalCli('test/session-scale.e2e.ts', ({ path: binary }) => {
  describe('a 300-task plan', () => {
    const s = new ProcessStack(binary, {
      heartbeatTimeoutSec: 10,
      continueAsNewAfterEvents: CONTINUE_AFTER_EVENTS,
    });
    beforeAll(async () => {
      await s.start();
      await s.startWorker();
    });
    afterAll(() => s.stop());

    test('runs to completion over many continue-as-new runs, each with a small history', async () => {
      const repo = makeRepo(join(s.root, 'scale'));
      // Two chunks, the first of 250 tasks: continue-as-new happens inside a chunk, too.
      const tasks = Array.from({ length: TASKS }, (_, i) => ({
        id: `T${String(i + 1).padStart(3, '0')}`,
        chunk: i < 250 ? 'C01_big' : 'C02_rest',
        title: `no-op ${i + 1}`,
      }));
      const planId = await s.finalizedPlan({
        title: 'Three hundred tasks',
        repository: repo,
        execution: { agent: { type: 'command', argv: [process.execPath, '-e', '0'], timeoutSec: 60 } },
        tasks,
      });
      const ref = await s.sessions.execute(planId);
      const outcome = await s.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.tasks.every((t) => t.status === 'completed')).toBe(true);

      // One commit per task, in order.
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${outcome.state.branch}`).split(
        '\n',
      );
      expect(subjects).toEqual(tasks.map((t) => `${t.id}: ${t.title}`));

      // Many runs of the one workflow id, each with a history far smaller than one run would need.
      const runs = [];
      for await (const r of s.client.workflow.list({ query: `WorkflowId = "${ref.workflowId}"` }))
        runs.push(r);
      const lengths = runs.map((r) => r.historyLength);
      const total = lengths.reduce((a, b) => a + b, 0);
      const continued = runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW').length;
      console.log(
        `300 tasks: ${runs.length} runs, history lengths max ${Math.max(...lengths)}, total ${total}`,
      );
      expect(continued).toBeGreaterThanOrEqual(5);
      expect(runs.filter((r) => r.status.name === 'COMPLETED')).toHaveLength(1);
      expect(Math.max(...lengths)).toBeLessThan(total / 5);
      expect(Math.max(...lengths)).toBeLessThan(1000);

      // The event stream: every event once, one TaskCompleted per task, chunk summaries whole.
      const events = await s.events(planId);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'TaskCompleted')).toHaveLength(TASKS);
      const chunkCommits = events
        .filter((e) => e.type === 'ChunkCompleted')
        .map((e) => (e.data as { commits: string[] }).commits.length);
      expect(chunkCommits).toEqual([250, 50]);
      expect(events.at(-1)!.type).toBe('ExecutionCompleted');
      expect(fold(events).status).toBe('completed');
      // Across every run, the fold of the events holds the state the last run ended with.
      expect(comparableSession(foldedSession(events))).toEqual(comparableSession(outcome.state));
    });
  });
});
