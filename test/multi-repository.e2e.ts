/**
 * Multi-repository plans end to end: tasks that work in a registered repository other than the
 * plan's, on the real Temporal dev server, real workers, real git and the test agent as a real child
 * process. Each repository gets its own work tree and the session's branch; commits land in the
 * task's repository; QA gates are the repository's own.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DomainError, repositoryWorktreeKey, sessionProgress } from '@chunkwise/domain';
import { RollbackService, SessionStateError } from '@chunkwise/application';
import { worktreePathFor } from '@chunkwise/contracts';
import { TemporalSessionWorkflows } from '@chunkwise/temporal';
import { comparableSession, foldedSession } from './support/fold-invariant';
import { git, makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

/** A second repository beside the first (makeRepo always names its directory `repo`). */
function makeSecondRepo(root: string): string {
  const dir = join(root, 'second');
  mkdirSync(dir, { recursive: true });
  return makeRepo(dir);
}

/** A QA gate that records which work tree it ran in, under a name (argv only: no shell). */
const recordingGate = (name: string, log: string) => ({
  name,
  argv: [
    process.execPath,
    '-e',
    'require("fs").appendFileSync(process.argv[1], process.argv[2] + " " + process.cwd() + "\\n")',
    log,
    name,
  ],
  timeoutSec: 60,
});

withTemporalCli('test/multi-repository.e2e.ts', ({ path: binary }) => {
  describe('multi-repository plans', () => {
    const h = new SessionHarness({ prefix: 'cw-multirepo-' });
    beforeAll(() => h.start(binary));
    afterAll(() => h.stop());

    test('a two-repository plan commits each task in its repository, on one branch per repository, with each repository’s QA gates', async () => {
      const main = makeRepo(h.root);
      const other = makeSecondRepo(h.root);
      const gateLog = join(h.root, 'gates.log');
      const registered = await h.repositories.register({
        path: other,
        name: 'other',
        defaults: { qaGates: [recordingGate('other-gate', gateLog)] },
      });
      const ref = `repo:${registered.id}`;
      const planId = await h.finalizedPlan({
        title: 'Two repositories',
        repository: main,
        execution: { agent: h.agent(), qaGates: [recordingGate('plan-gate', gateLog)], maxParallel: 2 },
        chunks: [
          { key: 'C01_seq', title: 'Sequential' },
          { key: 'C02_par', title: 'Parallel', executionMode: 'parallel' },
        ],
        tasks: [
          { id: 'T1', chunk: 'C01_seq', title: 'api', description: 'write src/api.txt api' },
          {
            id: 'T2',
            chunk: 'C01_seq',
            title: 'client',
            description: 'write lib/client.txt client',
            repository: ref,
          },
          // The plan's own repository named by its path: the same work tree, no second one.
          {
            id: 'T5',
            chunk: 'C01_seq',
            title: 'notes',
            description: 'write NOTES.md notes',
            repository: main,
          },
          {
            id: 'T3',
            chunk: 'C02_par',
            title: 'api docs',
            description: 'sleep 300\nwrite docs/api.md docs',
            canRunInParallel: true,
          },
          {
            id: 'T4',
            chunk: 'C02_par',
            title: 'client docs',
            description: 'sleep 300\nwrite docs/client.md docs',
            canRunInParallel: true,
            repository: ref,
          },
        ],
      });

      await h.sessions.execute(planId, { from: 'beginning' });
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      const branch = outcome.state.branch;

      // Each repository has the session's branch, holding its own tasks' commits only.
      const subjects = (repo: string) =>
        git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`)
          .split('\n')
          .map((s) => s.split(':')[0]);
      expect(subjects(main)).toEqual(['T1', 'T5', 'T3']);
      expect(subjects(other)).toEqual(['T2', 'T4']);
      expect(git(main, 'show', `${branch}:src/api.txt`)).toBe('api');
      expect(git(main, 'show', `${branch}:docs/api.md`)).toBe('docs');
      expect(git(other, 'show', `${branch}:lib/client.txt`)).toBe('client');
      expect(git(other, 'show', `${branch}:docs/client.md`)).toBe('docs');
      // Nothing of one repository leaks into the other; the users' checkouts are untouched.
      expect(git(main, 'ls-tree', '-r', '--name-only', branch)).not.toContain('lib/client.txt');
      expect(git(other, 'ls-tree', '-r', '--name-only', branch)).not.toContain('src/api.txt');
      expect(existsSync(join(main, 'src'))).toBe(false);
      expect(existsSync(join(other, 'lib'))).toBe(false);

      // Each task's sha is a commit of its own repository.
      const sha = (id: string) => outcome.state.tasks.find((t) => t.id === id)!.commitSha!;
      expect(git(main, 'cat-file', '-t', sha('T1'))).toBe('commit');
      expect(git(other, 'cat-file', '-t', sha('T2'))).toBe('commit');

      // The QA gates: the plan's ran in the plan's work trees, the registered repository's in its own.
      const runs = readFileSync(gateLog, 'utf8').trim().split('\n');
      const ranIn = (gate: string) =>
        runs.filter((l) => l.startsWith(`${gate} `)).map((l) => l.slice(gate.length + 1));
      expect(ranIn('plan-gate')).toHaveLength(3);
      expect(ranIn('other-gate')).toHaveLength(2);
      // (Task work trees of the parallel chunk are gone by now: the paths name their repository.)
      const key = `@${repositoryWorktreeKey(ref)}`;
      for (const cwd of ranIn('plan-gate')) expect(cwd).not.toContain('@');
      for (const cwd of ranIn('other-gate')) expect(cwd).toContain(key);
      const otherWorktree = worktreePathFor(join(h.root, 'data'), branch, repositoryWorktreeKey(ref));
      expect(git(otherWorktree, 'rev-parse', '--git-common-dir')).toBe(join(other, '.git'));

      // Progress per repository, from the session's events.
      const progress = sessionProgress(outcome.state, Date.now());
      expect(progress.repositories).toEqual([
        { repository: null, tasks: 2, completed: 2, pending: 0, failed: 0, commits: [sha('T1'), sha('T3')] },
        { repository: ref, tasks: 2, completed: 2, pending: 0, failed: 0, commits: [sha('T2'), sha('T4')] },
        { repository: main, tasks: 1, completed: 1, pending: 0, failed: 0, commits: [sha('T5')] },
      ]);
      // A chunk's changed files come from each repository's work tree.
      const events = await h.events(planId);
      const c2 = events.find(
        (e) => e.type === 'ChunkCompleted' && (e.data as { chunk: string }).chunk === 'C02_par',
      );
      expect((c2!.data as { files: string[] }).files.sort()).toEqual(['docs/api.md', 'docs/client.md']);
    });

    test('stopped and resumed, a multi-repository session keeps its work trees and commits each task once in its repository; the read model folds the same session', async () => {
      const root = join(h.root, 'resume');
      const main = makeRepo(root);
      const other = makeSecondRepo(root);
      const tasks = Array.from({ length: 4 }, (_, i) => ({
        id: `S${i + 1}`,
        chunk: 'C01',
        title: `step ${i + 1}`,
        description: `sleep 300\nwrite s${i + 1}.txt ${i + 1}`,
        // Alternate repositories: S1, S3 in the plan's, S2, S4 in the other (by path).
        ...(i % 2 === 1 ? { repository: other } : {}),
      }));
      const planId = await h.finalizedPlan({
        title: 'Stop and resume across repositories',
        repository: main,
        execution: { agent: h.agent() },
        tasks,
      });
      await h.sessions.execute(planId);
      await h.waitFor(planId, (x) => x.totals.completed >= 2);
      await h.sessions.signal(planId, 'stop');
      const stopped = await h.sessions.result(planId);
      expect(stopped.status).toBe('stopped');
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(stopped.state),
      );
      expect((await h.sessions.resume(planId)).action).toBe('restarted');
      const final = await h.sessions.result(planId);
      expect(final.status).toBe('completed');
      const subjects = (repo: string) =>
        git(repo, 'log', '--reverse', '--format=%s', `main..${final.state.branch}`).split('\n');
      expect(subjects(main)).toEqual(['S1: step 1', 'S3: step 3']);
      expect(subjects(other)).toEqual(['S2: step 2', 'S4: step 4']);
      expect(comparableSession(foldedSession(await h.events(planId)))).toEqual(
        comparableSession(final.state),
      );
    });

    /** A completed session of a plan with two tasks in the plan's repository and two in a registered one. */
    async function completedTwoRepositoryPlan(name: string) {
      const root = join(h.root, name);
      const main = makeRepo(root);
      const other = makeSecondRepo(root);
      const registered = await h.repositories.register({ path: other, name: `other-${name}` });
      const ref = `repo:${registered.id}`;
      const planId = await h.finalizedPlan({
        title: `Rollback across repositories (${name})`,
        repository: main,
        execution: { agent: h.agent() },
        tasks: [
          { id: 'T1', chunk: 'C01', title: 'api', description: 'write api.txt api' },
          {
            id: 'T2',
            chunk: 'C01',
            title: 'client',
            description: 'write client.txt client',
            repository: ref,
          },
          { id: 'T3', chunk: 'C02', title: 'more api', description: 'append api.txt more' },
          {
            id: 'T4',
            chunk: 'C02',
            title: 'more client',
            description: 'append client.txt more',
            repository: ref,
          },
        ],
      });
      const starts = { main: git(main, 'rev-parse', 'main'), other: git(other, 'rev-parse', 'main') };
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      const branch = outcome.state.branch;
      const otherWorktree = worktreePathFor(join(h.root, 'data'), branch, repositoryWorktreeKey(ref));
      return { planId, main, other, ref, branch, starts, otherWorktree };
    }

    const rollbackService = () =>
      new RollbackService(
        h.plans,
        new TemporalSessionWorkflows({
          address: h.server.address,
          namespace: 'default',
          taskQueue: h.taskQueue,
          client: h.client,
        }),
        { repositories: h.repositories, timing: { heartbeatTimeoutSec: 10 } },
      );

    test('rollback of a two-repository session resets each repository’s branch to its own start and puts every task back to pending', async () => {
      const p = await completedTwoRepositoryPlan('rollback');
      const answer = await rollbackService().rollback(p.planId);
      expect(answer.status).toBe('completed');
      if (!answer.outcome?.ok) throw new Error(JSON.stringify(answer.outcome));
      expect(answer.outcome.results.map((r) => [r.repository, r.method, r.reverted.length])).toEqual([
        [p.main, 'reset', 2],
        [p.ref, 'reset', 2],
      ]);
      expect(git(p.main, 'rev-parse', p.branch)).toBe(p.starts.main);
      expect(git(p.other, 'rev-parse', p.branch)).toBe(p.starts.other);
      const plan = (await h.plans.load(p.planId)).state;
      expect(plan.content.tasks.map((t) => [t.id, t.status, t.commitSha])).toEqual([
        ['T1', 'pending', null],
        ['T2', 'pending', null],
        ['T3', 'pending', null],
        ['T4', 'pending', null],
      ]);
      expect(plan.status).toBe('ready');
    });

    test('a conflict in one repository changes neither: the rollback reports it, both branches and the tasks stay', async () => {
      const p = await completedTwoRepositoryPlan('conflict');
      // Someone changes the other repository's session branch where T4 wrote.
      writeFileSync(join(p.otherWorktree, 'client.txt'), 'client\nchanged by hand\n');
      git(p.otherWorktree, 'commit', '-qam', 'by hand');
      const heads = { main: git(p.main, 'rev-parse', p.branch), other: git(p.other, 'rev-parse', p.branch) };
      const answer = await rollbackService().rollback(p.planId);
      expect(answer.status).toBe('failed');
      if (answer.outcome?.ok !== false) throw new Error(JSON.stringify(answer.outcome));
      expect(answer.outcome.conflict).toMatchObject({ repository: p.ref, files: ['client.txt'] });
      expect(answer.outcome.results).toEqual([]);
      // All or nothing: the plan's repository was checked, not rolled back.
      expect(git(p.main, 'rev-parse', p.branch)).toBe(heads.main);
      expect(git(p.other, 'rev-parse', p.branch)).toBe(heads.other);
      expect(git(p.otherWorktree, 'status', '--porcelain')).toBe('');
      const plan = (await h.plans.load(p.planId)).state;
      expect(plan.content.tasks.every((t) => t.status === 'completed')).toBe(true);
      expect((await h.events(p.planId)).map((e) => e.type)).toContain('RollbackFailed');
    });

    test('a task in an unregistered repository, or a chunk over two repositories run as one turn, is refused before anything runs', async () => {
      const main = makeRepo(join(h.root, 'refusals'));
      const unregistered = await h.finalizedPlan({
        title: 'Unknown repository',
        repository: main,
        execution: { agent: h.agent() },
        tasks: [
          { id: 'T1', chunk: 'C01', title: 'a', description: 'write a.txt a' },
          {
            id: 'T2',
            chunk: 'C01',
            title: 'b',
            description: 'write b.txt b',
            repository: 'repo:r_000000000000',
          },
        ],
      });
      const refused = h.sessions.execute(unregistered);
      await expect(refused).rejects.toBeInstanceOf(SessionStateError);
      await expect(refused).rejects.toThrow(/tasks T2 work in repo:r_000000000000, which is not registered/);

      const other = makeSecondRepo(join(h.root, 'refusals'));
      const mixed = await h.finalizedPlan({
        title: 'One turn, two repositories',
        repository: main,
        execution: { agent: h.agent(), turnScope: 'chunk' },
        tasks: [
          { id: 'T1', chunk: 'C01', title: 'a', description: 'write a.txt a' },
          { id: 'T2', chunk: 'C01', title: 'b', description: 'write b.txt b', repository: other },
        ],
      });
      const scope = h.sessions.execute(mixed);
      await expect(scope).rejects.toBeInstanceOf(DomainError);
      await expect(scope).rejects.toThrow(/chunk C01 has tasks in 2 repositories; turnScope "chunk"/);
      // Nothing was recorded: neither plan has a session.
      for (const id of [unregistered, mixed])
        expect((await h.events(id)).some((e) => e.type === 'ExecutionRequested')).toBe(false);
    });
  });
});
