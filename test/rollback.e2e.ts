/**
 * Rollback end to end (docs/rollback.md): the real Temporal dev server, real workers, real git and
 * the deterministic test agent. A completed session is rolled back (reset or revert), a conflicting
 * later commit is reported and changes nothing, and one task's commit is undone.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { RollbackService } from '@chunkwise/application';
import { worktreePathFor } from '@chunkwise/contracts';
import type { PlanState } from '@chunkwise/domain';
import { projectBatch } from '@chunkwise/read-models';
import { TemporalSessionWorkflows } from '@chunkwise/temporal';
import { git, makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { memoryIo } from './support/cli-fakes';
import { makeTempDir } from './support/temp-dir';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import request from 'supertest';
import { loadConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { createNativeConnection } from '@chunkwise/temporal';
import { createApp } from '../apps/api/src/app.factory';
import { EVENT_STORE } from '../apps/api/src/infrastructure/tokens';
import { createSessionWorkers } from '../apps/worker/src/session-workers';
import { run } from '../apps/cli/src/program';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

withTemporalCli('test/rollback.e2e.ts', ({ path: binary }) => {
  describe('rollback of sessions on Temporal', () => {
    const h = new SessionHarness({ prefix: 'cw-rollback-' });
    let rollbacks: RollbackService;
    beforeAll(async () => {
      await h.start(binary);
      const workflows = new TemporalSessionWorkflows({
        address: h.server.address,
        namespace: 'default',
        taskQueue: h.taskQueue,
        client: h.client,
      });
      rollbacks = new RollbackService(h.plans, workflows, { timing: { heartbeatTimeoutSec: 10 } });
    });
    afterAll(() => h.stop());

    let n = 0;
    /** A completed session of a two-task plan in a fresh repository. */
    async function completedPlan(tasks: Array<{ id: string; description: string }>) {
      const repo = makeRepo(join(h.root, `r${++n}`));
      const start = git(repo, 'rev-parse', 'HEAD');
      const planId = await h.finalizedPlan({
        title: 'Rollback',
        repository: repo,
        execution: { agent: h.agent(), maxAttempts: 1 },
        chunks: [{ key: 'C01', title: 'one' }],
        tasks: tasks.map((t) => ({ ...t, chunk: 'C01', title: t.id })),
      });
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      const branch = outcome.state.branch;
      const worktree = worktreePathFor(join(h.root, 'data'), branch);
      return { repo, start, planId, branch, worktree, shas: outcome.state.tasks.map((t) => t.commitSha!) };
    }
    const plan = async (planId: string): Promise<PlanState> => (await h.plans.load(planId)).state;
    const statuses = async (planId: string) =>
      Object.fromEntries((await plan(planId)).content.tasks.map((t) => [t.id, t.status]));
    const types = async (planId: string) => (await h.events(planId)).map((e) => e.type);
    function commitByHand(worktree: string, file: string, content: string): string {
      writeFileSync(join(worktree, file), content);
      git(worktree, 'add', '-A');
      git(worktree, 'commit', '-q', '-m', 'by hand');
      return git(worktree, 'rev-parse', 'HEAD');
    }

    test('a completed session rolled back: the branch is at its start, the tasks pending; executing again runs them', async () => {
      const p = await completedPlan([
        { id: 'T1', description: 'write a.txt one' },
        { id: 'T2', description: 'write b.txt two' },
      ]);
      const answer = await rollbacks.rollback(p.planId);
      expect(answer).toMatchObject({ status: 'completed', sessionId: expect.any(String), taskId: null });
      expect(answer.outcome).toEqual({
        ok: true,
        tasks: ['T1', 'T2'],
        results: [
          {
            repository: p.repo,
            branch: p.branch,
            method: 'reset',
            reverted: [p.shas[1], p.shas[0]],
            revertCommits: [],
            previousHead: p.shas[1],
            newHead: p.start,
            pushed: false,
          },
        ],
      });
      expect(git(p.repo, 'rev-parse', p.branch)).toBe(p.start);
      expect(existsSync(join(p.worktree, 'a.txt'))).toBe(false);
      const after = await plan(p.planId);
      expect(after.status).toBe('ready');
      expect(after.content.tasks.map((t) => [t.id, t.status, t.commitSha])).toEqual([
        ['T1', 'pending', null],
        ['T2', 'pending', null],
      ]);
      const events = await h.events(p.planId);
      expect(events.slice(-2).map((e) => e.type)).toEqual(['RollbackRequested', 'RollbackCompleted']);
      // The read models fold the same events to the same tasks.
      const projected = projectBatch(events, () => undefined).plans[0].state;
      expect(projected.content.tasks).toEqual(after.content.tasks);

      // Executing again runs both tasks again.
      const again = await h.sessions.execute(p.planId);
      const outcome = await h.sessions.result(p.planId);
      expect(outcome.status).toBe('completed');
      expect(outcome.state.sessionId).toBe(again.sessionId);
      expect(await statuses(p.planId)).toEqual({ T1: 'completed', T2: 'completed' });
      expect(git(p.repo, 'log', '--format=%s', `main..${outcome.state.branch}`).split('\n')).toEqual([
        'T2: T2',
        'T1: T1',
      ]);
    });

    test('a later commit conflicting with a task’s change: the conflict is reported and nothing changes', async () => {
      const p = await completedPlan([
        { id: 'T1', description: 'write a.txt one' },
        { id: 'T2', description: 'write a.txt two' },
      ]);
      const other = commitByHand(p.worktree, 'a.txt', 'two, changed by hand\n');
      const before = await plan(p.planId);
      const answer = await rollbacks.rollback(p.planId);
      expect(answer.status).toBe('failed');
      expect(answer.outcome).toMatchObject({
        ok: false,
        reason: expect.stringContaining('a.txt'),
        conflict: { repository: p.repo, branch: p.branch, commit: p.shas[1], files: ['a.txt'] },
        results: [],
        tasks: [],
      });
      expect(git(p.repo, 'rev-parse', p.branch)).toBe(other);
      expect(readFileSync(join(p.worktree, 'a.txt'), 'utf8')).toBe('two, changed by hand\n');
      expect(git(p.worktree, 'status', '--porcelain')).toBe('');
      const after = await plan(p.planId);
      expect(after.content.tasks).toEqual(before.content.tasks);
      expect(after.status).toBe('completed');
      expect((await types(p.planId)).slice(-2)).toEqual(['RollbackRequested', 'RollbackFailed']);
      // The failed rollback is over: another may be asked (and fails the same way).
      expect((await rollbacks.rollback(p.planId)).status).toBe('failed');
    });

    test('a later commit that does not conflict: the session’s commits are reverted, the other stays', async () => {
      const p = await completedPlan([
        { id: 'T1', description: 'write a.txt one' },
        { id: 'T2', description: 'write b.txt two' },
      ]);
      const other = commitByHand(p.worktree, 'other.txt', 'mine\n');
      const answer = await rollbacks.rollback(p.planId);
      expect(answer.status).toBe('completed');
      expect(answer.outcome).toMatchObject({
        ok: true,
        tasks: ['T1', 'T2'],
        results: [{ method: 'revert', reverted: [p.shas[1], p.shas[0]], previousHead: other }],
      });
      const head = git(p.repo, 'rev-parse', p.branch);
      expect(git(p.repo, 'ls-tree', '--name-only', head).split('\n').sort()).toEqual([
        'README.md',
        'other.txt',
      ]);
      expect(git(p.repo, 'merge-base', '--is-ancestor', other, head)).toBe('');
      expect(await statuses(p.planId)).toEqual({ T1: 'pending', T2: 'pending' });
    });

    test('undoing one task’s commit: only that task is pending again', async () => {
      const p = await completedPlan([
        { id: 'T1', description: 'write a.txt one' },
        { id: 'T2', description: 'write b.txt two' },
      ]);
      const answer = await rollbacks.rollback(p.planId, { taskId: 'T1' });
      expect(answer).toMatchObject({ status: 'completed', taskId: 'T1' });
      expect(answer.outcome).toMatchObject({
        ok: true,
        tasks: ['T1'],
        results: [{ method: 'revert', reverted: [p.shas[0]] }],
      });
      const head = git(p.repo, 'rev-parse', p.branch);
      expect(git(p.repo, 'ls-tree', '--name-only', head).split('\n').sort()).toEqual(['README.md', 'b.txt']);
      expect(await statuses(p.planId)).toEqual({ T1: 'pending', T2: 'completed' });
      // Its commit is undone: asking again is refused (409), as is a rollback while a session runs.
      await expect(rollbacks.rollback(p.planId, { taskId: 'T1' })).rejects.toMatchObject({
        code: 'invalid_transition',
      });
      await expect(rollbacks.rollback(p.planId, { sessionId: 's_nope' })).rejects.toMatchObject({
        code: 'no_session',
      });
    });

    test('a rollback whose workflow is gone does not block: the next request records its end, then rolls back', async () => {
      const p = await completedPlan([{ id: 'T1', description: 'write a.txt one' }]);
      // A request recorded by a process that died before starting its workflow.
      await h.plans.execute(p.planId, {
        type: 'RequestRollback',
        rollbackId: 'rb_lost',
        workflowId: 'chunkwise-never-started',
        sessionId: null,
        taskId: null,
      });
      expect((await plan(p.planId)).rollbacks?.pending?.rollbackId).toBe('rb_lost');
      await expect(h.sessions.execute(p.planId, { from: 'beginning' })).rejects.toThrow(
        /is being rolled back \(rb_lost\)/,
      );

      const answer = await rollbacks.rollback(p.planId);
      expect(answer.status).toBe('completed');
      expect(git(p.repo, 'rev-parse', p.branch)).toBe(p.start);
      const events = await h.events(p.planId);
      const lost = events.find(
        (e) => e.type === 'RollbackFailed' && (e.data as { rollbackId: string }).rollbackId === 'rb_lost',
      );
      expect((lost!.data as { reason: string }).reason).toMatch(/chunkwise-never-started does not exist/);
      expect(events.filter((e) => e.type === 'RollbackCompleted')).toHaveLength(1);
      expect(await statuses(p.planId)).toEqual({ T1: 'pending' });
    });

    test('over the REST API and the CLI: 200 with what was undone, 409 with the conflict (exit 1), 400/404 for bad requests', async () => {
      const tmp = makeTempDir('cw-rollback-api-');
      const taskQueue = `chunkwise-rb-api-${Math.random().toString(36).slice(2, 8)}`;
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'data'),
        TEMPORAL_ADDRESS: h.server.address,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_LOG_LEVEL: 'error',
      });
      mkdirSync(config.dataDir, { recursive: true });
      let app: NestExpressApplication | undefined;
      let connection: NativeConnection | undefined;
      let workers: Worker[] = [];
      let running: Array<Promise<void>> = [];
      try {
        app = await createApp(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
        await app.listen(0, '127.0.0.1');
        const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
        const api = () => request(app!.getHttpServer());
        connection = await createNativeConnection({ address: h.server.address });
        ({ workers } = await createSessionWorkers({
          connection,
          namespace: 'default',
          taskQueue,
          eventStore: app.get<EventStore>(EVENT_STORE),
          dataDir: config.dataDir,
          hostId: 'rollback-api-host',
          heartbeatMs: 500,
        }));
        running = workers.map((w) => w.run());
        const cli = async (...args: string[]) => {
          const io = memoryIo();
          const code = await run(['node', 'chunkwise', '--api', baseUrl, ...args], { io, env: {} });
          return { code, stdout: io.stdout(), stderr: io.stderr() };
        };

        const repo = makeRepo(join(tmp.path, 'target'));
        const start = git(repo, 'rev-parse', 'HEAD');
        const created = await api()
          .post('/api/plans')
          .send({
            title: 'Rollback over HTTP',
            repository: repo,
            execution: { agent: h.agent(), maxAttempts: 1 },
            chunks: [{ key: 'C01', title: 'one' }],
            tasks: [
              { id: 'T1', chunk: 'C01', title: 'T1', description: 'write a.txt one' },
              { id: 'T2', chunk: 'C01', title: 'T2', description: 'write a.txt two' },
            ],
          });
        expect(created.status).toBe(201);
        const planId = created.body.id as string;
        expect((await api().post(`/api/plans/${planId}/rollback`).send({})).status).toBe(404); // never executed
        expect((await api().post(`/api/plans/${planId}/finalize`).send({})).status).toBe(200);
        expect((await api().post(`/api/plans/${planId}/execute`).send({})).status).toBe(202);
        for (;;) {
          const detail = await api().get(`/api/plans/${planId}`);
          if (detail.body.status === 'completed') break;
          expect(['running', 'ready']).toContain(detail.body.status);
          await new Promise((r) => setTimeout(r, 200));
        }

        // Bad requests: 400 (unknown field, empty id), 404 (plan, session, task).
        expect((await api().post(`/api/plans/${planId}/rollback`).send({ force: true })).status).toBe(400);
        expect((await api().post(`/api/plans/${planId}/rollback`).send({ taskId: '' })).status).toBe(400);
        expect((await api().post('/api/plans/p_nope/rollback').send({})).status).toBe(404);
        expect((await api().post(`/api/plans/${planId}/rollback`).send({ sessionId: 's_nope' })).status).toBe(
          404,
        );
        expect((await api().post(`/api/plans/${planId}/rollback`).send({ taskId: 'T9' })).status).toBe(404);

        // A later conflicting commit on the branch: 409 naming it; the CLI prints it and exits 1.
        const detail = await api().get(`/api/plans/${planId}`);
        const t2 = detail.body.chunks[0].tasks[1].commitSha as string;
        const branch = git(repo, 'branch', '--list', '--format=%(refname:short)', 'chunkwise/*');
        const worktree = worktreePathFor(config.dataDir, branch);
        const other = commitByHand(worktree, 'a.txt', 'mine\n');
        const conflict = await api().post(`/api/plans/${planId}/rollback`).send({});
        expect(conflict.status).toBe(409);
        expect(conflict.body).toMatchObject({
          code: 'rollback_conflict',
          rollback: { status: 'failed', outcome: { conflict: { commit: t2, files: ['a.txt'] } } },
        });
        const failed = await cli('rollback', planId);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(/conflict: reverting .* in a\.txt; nothing was changed/);
        expect(git(repo, 'rev-parse', branch)).toBe(other);

        // Without it, the CLI rolls the session back (reset) and the read model shows the tasks pending.
        git(worktree, 'reset', '-q', '--hard', 'HEAD~1');
        const done = await cli('rollback', planId);
        expect(done.stderr).toBe('');
        expect(done.code).toBe(0);
        expect(done.stdout).toMatch(/reset to .*\nrolled back session s_\w+; pending again: T1, T2/);
        expect(git(repo, 'rev-parse', branch)).toBe(start);
        const after = await api().get(`/api/plans/${planId}`);
        expect(after.body.status).toBe('ready');
        expect(after.body.chunks[0].tasks.map((t: { status: string }) => t.status)).toEqual([
          'pending',
          'pending',
        ]);
        // Nothing left to undo: 409.
        expect((await api().post(`/api/plans/${planId}/rollback`).send({})).status).toBe(409);
      } finally {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.allSettled(running);
        await connection?.close();
        await app?.close();
        tmp.remove();
      }
    });
  });
});
