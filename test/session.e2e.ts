/**
 * Plan sessions end to end: the real Temporal dev server, real workers, real git repositories and
 * the deterministic test agent as a real child process.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { fold } from '@chunkwise/domain';
import { comparableSession, foldedSession } from './support/fold-invariant';
import { git, makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

withTemporalCli('test/session.e2e.ts', ({ path: binary }) => {
  describe('plan sessions on Temporal', () => {
    const h = new SessionHarness();
    beforeAll(() => h.start(binary));
    afterAll(() => h.stop());

    test('a three-chunk plan (sequential, parallel, manual) runs to completion: one commit per task, QA after each', async () => {
      const repo = makeRepo(h.root);
      const planId = await h.finalizedPlan({
        title: 'Three chunks',
        repository: repo,
        execution: { agent: h.agent(), qaGates: h.qaGates(), maxAttempts: 2, maxParallel: 3 },
        chunks: [
          { key: 'C01_seq', title: 'Sequential' },
          { key: 'C02_par', title: 'Parallel', executionMode: 'parallel' },
          { key: 'C03_man', title: 'Manual', executionMode: 'manual' },
        ],
        tasks: [
          { id: 'T1', chunk: 'C01_seq', title: 'base', description: 'write src/base.txt base' },
          {
            id: 'T2',
            chunk: 'C01_seq',
            title: 'extend base',
            description: 'append src/base.txt more',
            dependsOn: ['T1'],
          },
          {
            id: 'T3',
            chunk: 'C02_par',
            title: 'a',
            description: 'sleep 800\nwrite src/a.txt a',
            canRunInParallel: true,
          },
          {
            id: 'T4',
            chunk: 'C02_par',
            title: 'b',
            description: 'sleep 800\nwrite src/b.txt b',
            canRunInParallel: true,
          },
          {
            id: 'T5',
            chunk: 'C02_par',
            title: 'c after a',
            description: 'write src/c.txt c',
            canRunInParallel: true,
            dependsOn: ['T3'],
          },
          { id: 'T6', chunk: 'C03_man', title: 'manual', description: 'write src/m.txt m' },
        ],
      });
      await h.sessions.execute(planId, { from: 'beginning' });
      const waiting = await h.waitFor(planId, (p) => p.status === 'paused' && p.pauseReason === 'approval');
      expect(waiting.currentChunk).toBe('C03_man');
      const answer = await h.sessions.taskAction(planId, 'approveTask', { taskId: 'T6', action: 'execute' });
      expect(answer).toEqual({ accepted: true, reason: null });
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');

      // One commit per task on the session branch, in dependency order; the user's checkout untouched.
      const branch = outcome.state.branch;
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n');
      expect(subjects).toHaveLength(6);
      const order = subjects.map((s) => s.split(':')[0]);
      expect(order.slice(0, 2)).toEqual(['T1', 'T2']);
      expect(order.indexOf('T5')).toBeGreaterThan(order.indexOf('T3'));
      expect(order[5]).toBe('T6');
      expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(git(repo, 'status', '--porcelain')).toBe('');
      expect(git(repo, 'show', `${branch}:src/base.txt`)).toBe('base\nmore');
      // Each parallel task's branch and work tree were removed once merged: one session branch is left.
      expect(git(repo, 'branch', '--list', '--format=%(refname:short)', 'chunkwise/*').split('\n')).toEqual([
        branch,
      ]);
      const worktrees = git(repo, 'worktree', 'list', '--porcelain').split('\n');
      expect(worktrees.filter((l) => l.startsWith('worktree '))).toHaveLength(2);

      // QA gates ran after each task; the fold of the events agrees with the workflow's final state.
      const events = await h.events(planId);
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t === 'QaGateResult')).toHaveLength(6);
      expect(types.filter((t) => t === 'TaskCompleted')).toHaveLength(6);
      expect(types.at(-1)).toBe('ExecutionCompleted');
      const state = fold(events);
      expect(state.status).toBe('completed');
      for (const t of state.content.tasks) {
        const s = outcome.state.tasks.find((x) => x.id === t.id)!;
        expect({ id: t.id, status: t.status, sha: t.commitSha }).toEqual({
          id: s.id,
          status: 'completed',
          sha: s.commitSha,
        });
      }
      // Event ids are unique (deterministic ids, no duplicates).
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      // The plan's fold of the events holds the workflow's final session state.
      expect(comparableSession(foldedSession(events))).toEqual(comparableSession(outcome.state));

      // T3 and T4 overlapped in time; T5 started only after T3 ended.
      const log = readFileSync(join(h.agentLog, 'events.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '));
      const at = (what: string, task: string) => Number(log.find((l) => l[1] === what && l[2] === task)![0]);
      expect(at('start', 'T4')).toBeLessThan(at('end', 'T3'));
      expect(at('start', 'T3')).toBeLessThan(at('end', 'T4'));
      expect(at('start', 'T5')).toBeGreaterThanOrEqual(at('end', 'T3'));
    });

    test('QA fails twice then passes: 3 attempts, one commit, and the failure text reaches the next prompt', async () => {
      const repo = makeRepo(`${h.root}/qa`);
      const planId = await h.finalizedPlan({
        title: 'QA retries',
        repository: repo,
        execution: { agent: h.agent(), qaGates: h.qaGates(), maxAttempts: 3 },
        tasks: [{ id: 'Q1', chunk: 'C01', title: 'flaky', description: 'write src/q.txt q\nqa-fail 2' }],
      });
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.tasks[0]).toMatchObject({ status: 'completed', attempts: 3 });
      expect(git(repo, 'log', '--format=%s', `main..${outcome.state.branch}`).split('\n')).toEqual([
        'Q1: flaky',
      ]);
      const secondPrompt = readFileSync(join(h.agentLog, 'Q1-2.prompt.md'), 'utf8');
      expect(secondPrompt).toContain('BROKEN by Q1 attempt 1');
      expect(readFileSync(join(h.agentLog, 'Q1-1.prompt.md'), 'utf8')).not.toContain(
        'previous attempt failed',
      );
      const failed = (await h.events(planId))
        .filter((e) => e.type === 'TaskFailed')
        .map((e) => (e.data as { final: boolean }).final);
      expect(failed).toEqual([false, false]);
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(outcome.state),
      );
    });

    test('retries exhausted pause the session with task_failed; retry with an edit, skip and mark complete each continue', async () => {
      const repo = makeRepo(`${h.root}/fail`);
      const planId = await h.finalizedPlan({
        title: 'Failures',
        repository: repo,
        execution: { agent: h.agent(), qaGates: h.qaGates(), maxAttempts: 2 },
        tasks: [
          { id: 'F1', chunk: 'C01', title: 'fails until edited', description: 'fail 9\nwrite src/f1.txt x' },
          { id: 'F2', chunk: 'C01', title: 'always fails', description: 'fail 9' },
          { id: 'F3', chunk: 'C01', title: 'QA broken', description: 'write src/f3.txt y\nqa-fail 9' },
        ],
      });
      await h.sessions.execute(planId);
      let p = await h.waitFor(planId, (x) => x.pauseReason === 'task_failed');
      expect(p.tasks.find((t) => t.id === 'F1')).toMatchObject({ status: 'failed', attempts: 2 });
      expect(p.pauseDetail).toContain('F1');
      // Not failed: refused with a reason.
      expect((await h.sessions.taskAction(planId, 'retryTask', { taskId: 'F3' })).accepted).toBe(false);
      expect(
        await h.sessions.taskAction(planId, 'retryTask', {
          taskId: 'F1',
          edit: { description: 'write src/f1.txt fixed' },
        }),
      ).toEqual({ accepted: true, reason: null });

      p = await h.waitFor(
        planId,
        (x) => x.pauseReason === 'task_failed' && x.tasks.find((t) => t.id === 'F2')!.status === 'failed',
      );
      expect(p.tasks.find((t) => t.id === 'F1')!.status).toBe('completed');
      expect(
        (await h.sessions.taskAction(planId, 'skipTask', { taskId: 'F2', reason: 'not needed' })).accepted,
      ).toBe(true);

      p = await h.waitFor(
        planId,
        (x) => x.pauseReason === 'task_failed' && x.tasks.find((t) => t.id === 'F3')!.status === 'failed',
      );
      // Mark complete runs the QA gates first: still broken → refused.
      const refused = await h.sessions.taskAction(planId, 'completeTask', { taskId: 'F3' });
      expect(refused.accepted).toBe(false);
      expect(refused.reason).toContain('QA gates failed');
      // Fixed by hand in the work tree → accepted and committed.
      const worktree = join(h.root, 'data', 'worktrees', p.branch.replace(/[^A-Za-z0-9._-]+/g, '__'));
      writeFileSync(join(worktree, 'qa-status.txt'), 'OK\n');
      writeFileSync(join(worktree, 'src', 'f3.txt'), 'fixed by hand\n');
      expect((await h.sessions.taskAction(planId, 'completeTask', { taskId: 'F3' })).accepted).toBe(true);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.tasks.map((t) => t.status)).toEqual(['completed', 'skipped', 'completed']);
      expect(
        git(repo, 'log', '--reverse', '--format=%s', `main..${outcome.state.branch}`).split('\n'),
      ).toEqual(['F1: fails until edited', 'F3: QA broken']);
      expect(git(repo, 'show', `${outcome.state.branch}:src/f1.txt`)).toBe('fixed');
      const types = (await h.events(planId)).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['TaskEdited', 'TaskSkipped', 'ExecutionPaused', 'ExecutionResumed']),
      );
      // The retry is an event too; the fold holds the workflow's final state.
      expect(types).toContain('TaskRetried');
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(outcome.state),
      );
    });

    test('pause and stop mid-chunk, then resume in a new session that keeps completed tasks; cancel ends a session', async () => {
      const repo = makeRepo(`${h.root}/stop`);
      const tasks = Array.from({ length: 5 }, (_, i) => ({
        id: `S${i + 1}`,
        chunk: 'C01',
        title: `step ${i + 1}`,
        description: `sleep 400\nwrite src/s${i + 1}.txt ${i + 1}`,
      }));
      const planId = await h.finalizedPlan({
        title: 'Stop and resume',
        repository: repo,
        execution: { agent: h.agent() },
        tasks,
      });
      await h.sessions.execute(planId);
      await h.waitFor(planId, (x) => x.totals.completed >= 1);
      await h.sessions.signal(planId, 'pause');
      const paused = await h.waitFor(planId, (x) => x.status === 'paused');
      expect(paused.pauseReason).toBe('user');
      const doneAtPause = paused.totals.completed;
      await new Promise((r) => setTimeout(r, 1000));
      expect((await h.sessions.progress(planId))!.totals.completed).toBe(doneAtPause);
      await h.sessions.resume(planId);
      await h.waitFor(planId, (x) => x.status === 'running' && x.totals.completed > doneAtPause);
      await h.sessions.signal(planId, 'stop');
      const stopped = await h.sessions.result(planId);
      expect(stopped.status).toBe('stopped');
      const keptDone = stopped.state.tasks.filter((t) => t.status === 'completed').map((t) => t.id);
      expect(keptDone.length).toBeGreaterThan(doneAtPause);
      expect(keptDone.length).toBeLessThan(5);
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(stopped.state),
      );

      const resumed = await h.sessions.resume(planId);
      expect(resumed.action).toBe('restarted');
      const final = await h.sessions.result(planId);
      expect(final.status).toBe('completed');
      // Completed tasks were kept, not re-run: each task committed exactly once on the same branch.
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${final.state.branch}`).split(
        '\n',
      );
      expect(subjects).toEqual(tasks.map((t) => `${t.id}: ${t.title}`));
      const starts = readFileSync(join(h.agentLog, 'events.log'), 'utf8')
        .split('\n')
        .filter((l) => / start S\d /.test(l));
      for (const id of keptDone) expect(starts.filter((l) => l.includes(` start ${id} `))).toHaveLength(1);
      // The resumed session, folded from the stopped one's state, agrees with its workflow too.
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(final.state),
      );

      // Cancel: a hanging turn is cancelled now and the plan is cancelled.
      const repo2 = makeRepo(`${h.root}/cancel`);
      const hung = await h.finalizedPlan({
        title: 'Cancel',
        repository: repo2,
        execution: { agent: h.agent() },
        tasks: [{ id: 'H1', chunk: 'C01', title: 'hang', description: 'hang' }],
      });
      await h.sessions.execute(hung);
      await h.waitFor(hung, (x) => x.tasks[0].status === 'running');
      await h.sessions.signal(hung, 'cancel', 'changed my mind');
      const cancelled = await h.sessions.result(hung);
      expect(cancelled.status).toBe('cancelled');
      expect(fold(await h.events(hung)).status).toBe('cancelled');
      expect(comparableSession(foldedSession(await h.events(hung)))).toEqual(
        comparableSession(cancelled.state),
      );
    });

    test('turnScope chunk: one agent session per chunk; progress read back from the plan file; no progress is retried, then the chunk fails; a timed-out turn never counts', async () => {
      const repo = makeRepo(`${h.root}/chunkscope`);
      const planId = await h.finalizedPlan({
        title: 'Chunk turns',
        repository: repo,
        execution: { agent: h.agent({ timeoutSec: 2 }), turnScope: 'chunk', noProgressBudget: 1 },
        chunks: [
          { key: 'C01_done', title: 'Marks its tasks done' },
          { key: 'C02_lazy', title: 'Marks nothing' },
        ],
        tasks: [
          { id: 'A1', chunk: 'C01_done', title: 'a1', description: 'write src/a1.txt a1' },
          { id: 'A2', chunk: 'C01_done', title: 'a2', description: 'write src/a2.txt a2\nmark-done' },
          // Marks its task done, then hangs past the timeout: the marks must not count.
          { id: 'B1', chunk: 'C02_lazy', title: 'b1', description: 'mark-done\nhang' },
        ],
      });
      await h.sessions.execute(planId);
      const p = await h.waitFor(planId, (x) => x.pauseReason === 'chunk_failed');
      expect(p.tasks.filter((t) => t.chunk === 'C01_done').map((t) => t.status)).toEqual([
        'completed',
        'completed',
      ]);
      expect(p.tasks.find((t) => t.id === 'B1')!.status).toBe('pending');
      expect(p.pauseDetail).toContain('made no progress in 2 turns');
      const events = await h.events(planId);
      const turns = events
        .filter((e) => e.type === 'TurnCompleted')
        .map((e) => e.data as { taskId: string | null; timedOut: boolean; succeeded: boolean });
      // One turn for C01 (both tasks), then 1 + noProgressBudget timed-out turns for C02.
      expect(turns.map((t) => [t.taskId, t.timedOut, t.succeeded])).toEqual([
        [null, false, true],
        [null, true, false],
        [null, true, false],
      ]);
      const completed = events
        .filter((e) => e.type === 'TaskCompleted')
        .map((e) => e.data as { taskId: string; sha: string });
      expect(completed.map((c) => c.taskId)).toEqual(['A1', 'A2']);
      expect(completed[0].sha).toBe(completed[1].sha);
      // The chunk's failure and the open task's error are events: the fold shows them.
      const folded = foldedSession(events);
      expect(folded.chunks.find((c) => c.key === 'C02_lazy')!.status).toBe('failed');
      expect(folded.tasks.find((t) => t.id === 'B1')!.lastError).toBe(
        p.tasks.find((t) => t.id === 'B1')!.lastError,
      );
      await h.sessions.signal(planId, 'cancel');
      const cancelled = await h.sessions.result(planId);
      expect(cancelled.status).toBe('cancelled');
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(cancelled.state),
      );
    });

    test('a parallel merge conflict fails that task with the conflict in its last error; commits are pushed to origin; the session is findable by search attributes', async () => {
      const repo = makeRepo(`${h.root}/conflict`);
      const origin = `${h.root}/conflict-origin.git`;
      git(h.root, 'init', '-q', '--bare', origin);
      git(repo, 'remote', 'add', 'origin', origin);
      const planId = await h.finalizedPlan({
        title: 'Conflicting parallel tasks',
        repository: repo,
        execution: { agent: h.agent(), maxAttempts: 1 },
        chunks: [{ key: 'C01_par', title: 'Parallel', executionMode: 'parallel' }],
        tasks: [
          {
            id: 'P1',
            chunk: 'C01_par',
            title: 'one',
            description: 'write same.txt from P1',
            canRunInParallel: true,
          },
          {
            id: 'P2',
            chunk: 'C01_par',
            title: 'two',
            description: 'sleep 600\nwrite same.txt from P2',
            canRunInParallel: true,
          },
        ],
      });
      const ref = await h.sessions.execute(planId);
      const p = await h.waitFor(planId, (x) => x.pauseReason === 'task_failed');
      const p2 = p.tasks.find((t) => t.id === 'P2')!;
      expect(p2.status).toBe('failed');
      expect(p2.lastError).toMatch(/merge conflict: conflicting files: same\.txt/);
      expect(p.tasks.find((t) => t.id === 'P1')!.status).toBe('completed');
      // P1's commit reached the remote branch.
      expect(git(origin, 'rev-parse', p.branch)).toBe(p.tasks.find((t) => t.id === 'P1')!.commitSha);
      // P1's task branch is gone, locally and on origin, once merged; the conflicting P2's is kept.
      const taskBranches = [p.branch, `${p.branch}--P2`];
      expect(git(repo, 'branch', '--list', '--format=%(refname:short)', 'chunkwise/*').split('\n')).toEqual(
        taskBranches,
      );
      expect(git(origin, 'branch', '--list', '--format=%(refname:short)').split('\n')).toEqual(taskBranches);

      expect((await h.sessions.taskAction(planId, 'skipTask', { taskId: 'P2' })).accepted).toBe(true);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(outcome.state),
      );
      // The session ended: the conflicting task's branch is gone too, locally and on origin.
      expect(git(repo, 'branch', '--list', '--format=%(refname:short)', 'chunkwise/*')).toBe(p.branch);
      expect(git(origin, 'branch', '--list', '--format=%(refname:short)')).toBe(p.branch);
      expect(git(repo, 'worktree', 'list').includes('.tasks/')).toBe(false);
      // Visibility is eventually consistent: look again for a few seconds.
      let found: Array<{ id: string; status: unknown }> = [];
      for (let i = 0; i < 50; i++) {
        found = [];
        for await (const wf of h.client.workflow.list({ query: `ChunkwisePlanId = '${planId}'` })) {
          found.push({ id: wf.workflowId, status: wf.searchAttributes.ChunkwiseStatus });
        }
        if (JSON.stringify(found[0]?.status) === '["completed"]') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toEqual([{ id: ref.workflowId, status: ['completed'] }]);
    });
  });
});
