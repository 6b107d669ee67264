/**
 * The production profile, on real parts: the Temporal server (built from its Go module by
 * `npm run setup -- --production-profile`) persisting to PostgreSQL, the PostgreSQL event store and
 * read models, two API processes on those stores (one active projector, one standing by) and two
 * worker hosts (own CHUNKWISE_HOST_ID and data directories). A session survives losing the host that
 * holds its work tree for good, a Temporal server restart, and the loss of the active projector.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '@chunkwise/git';
import { planStreamId, sessionBranch } from '@chunkwise/domain';
import { PostgresEventStore, type StoredEvent } from '@chunkwise/event-store';
import { postgresEndpoint } from '@chunkwise/postgres';
import { PostgresReadModelStore, Projector } from '@chunkwise/read-models';
import {
  getFreePort,
  startTemporalServer,
  temporalServerInstallDir,
  temporalServerProvisioned,
  type TemporalDevServer,
} from '@chunkwise/temporal';
import { worktreePathFor } from '@chunkwise/contracts';
import { inCi } from './support/ci';
import { makeTempRepo } from './support/git-temp-repo';
import {
  dropDatabases,
  dropSchemas,
  probePostgresSync,
  redactUrl,
  TEST_PG_URL,
  uniqueSchemaName,
} from './support/postgres';
import { snapshotOf } from './support/read-models/snapshot';
import { ROOT, WorkerProcess } from './support/worker-process';

jest.setTimeout(300_000);

const AGENT = join(ROOT, 'test', 'fixtures', 'agent.js');
const QA_GATE = join(ROOT, 'test', 'fixtures', 'qa-gate.js');
const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

const missing = !temporalServerProvisioned()
  ? `the Temporal server is not provisioned in ${temporalServerInstallDir()} (run \`npm run setup -- --production-profile\`)`
  : probePostgresSync() === null
    ? null
    : `no PostgreSQL at ${redactUrl(TEST_PG_URL)}`;

if (missing) {
  if (inCi) {
    test('the production profile can run', () => {
      throw new Error(`CI=true and ${missing}`);
    });
  } else {
    console.warn(`SKIPPING test/production-profile.e2e.ts: ${missing}`);
    test.skip(`production profile (${missing})`, () => undefined);
  }
} else {
  describe('the production profile: Temporal server on PostgreSQL, two worker hosts, two APIs', () => {
    const root = mkdtempSync(join(tmpdir(), 'cw-prod-'));
    const schema = uniqueSchemaName('cw_prod');
    const databases = { main: `${schema}_temporal`, visibility: `${schema}_temporal_vis` };
    const taskQueue = `chunkwise-prod-${Math.random().toString(36).slice(2, 8)}`;
    let temporalPort = 0;
    let server: TemporalDevServer;
    let events: PostgresEventStore;
    const apis: ApiProcess[] = [];
    const hosts: WorkerProcess[] = [];
    let origin = '';
    let repo = '';
    let repositoryId = '';
    // A second repository (multi-repository plans), with its own remote: both are rebuilt on failover.
    let secondOrigin = '';
    let secondRepositoryId = '';

    const startServer = async () => {
      server = await startTemporalServer({
        dataDir: join(root, 'temporal'),
        postgres: postgresEndpoint(TEST_PG_URL),
        databases,
        port: temporalPort,
      });
    };
    const sharedEnv = () => ({
      TEMPORAL_ADDRESS: server.address,
      CHUNKWISE_TASK_QUEUE: taskQueue,
      CHUNKWISE_EVENT_STORE: 'postgres',
      CHUNKWISE_EVENT_STORE_URL: TEST_PG_URL,
      CHUNKWISE_READ_MODEL: 'postgres',
      CHUNKWISE_READ_MODEL_URL: TEST_PG_URL,
      CHUNKWISE_PG_SCHEMA: schema,
      CHUNKWISE_LOG_LEVEL: 'warn',
    });

    beforeAll(async () => {
      temporalPort = await getFreePort();
      const t0 = Date.now();
      await startServer();
      console.log(`Temporal server on PostgreSQL ready in ${Date.now() - t0} ms at ${server.address}`);
      events = await PostgresEventStore.create({ connectionString: TEST_PG_URL, schema });
      for (const name of ['api-1', 'api-2']) apis.push(await ApiProcess.start(root, name, sharedEnv()));
      for (const hostId of ['host-a', 'host-b']) {
        const w = new WorkerProcess({
          temporalAddress: server.address,
          taskQueue,
          dataDir: join(root, hostId),
          eventStoreFile: join(root, 'unused.db'),
          logFile: join(root, `${hostId}.log`),
          hostId,
          env: sharedEnv(),
        });
        hosts.push(w);
        w.start();
      }
      await Promise.all(hosts.map((w) => w.waitUntilPolling(120_000)));

      // The repository and its remote: the only copy of a session branch a lost host cannot take along.
      origin = join(root, 'origin.git');
      execFileSync('git', ['init', '-q', '--bare', origin]);
      repo = await makeTempRepo('cw-prod-repo-');
      await git(repo, ['remote', 'add', 'origin', origin]);
      await git(repo, ['push', '-q', 'origin', 'main']);
      const created = await apis[0].call('POST', '/api/repositories', {
        path: repo,
        name: 'prod',
        defaults: {
          agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 120 },
          qaGates: [{ name: 'qa', argv: [process.execPath, QA_GATE], timeoutSec: 60 }],
          maxAttempts: 3,
        },
      });
      expect(created.status).toBe(201);
      repositoryId = created.body.id as string;
      secondOrigin = join(root, 'second-origin.git');
      execFileSync('git', ['init', '-q', '--bare', secondOrigin]);
      const second = await makeTempRepo('cw-prod-second-');
      await git(second, ['remote', 'add', 'origin', secondOrigin]);
      await git(second, ['push', '-q', 'origin', 'main']);
      const registered = await apis[0].call('POST', '/api/repositories', { path: second, name: 'second' });
      expect(registered.status).toBe(201);
      secondRepositoryId = registered.body.id as string;
    }, 300_000);

    afterAll(async () => {
      for (const w of hosts) await w.stop().catch(() => undefined);
      for (const a of apis) await a.stop();
      await server?.stop();
      await events?.close();
      await dropSchemas([schema, `${schema}_read`, `${schema}_rebuild`]);
      await dropDatabases([databases.main, databases.visibility]);
      if (!process.env.KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
    });

    const planEvents = (planId: string): Promise<StoredEvent[]> => events.readStream(planStreamId(planId));
    const anyApi = () => apis.find((a) => a.running)!;

    async function executedPlan(doc: Record<string, unknown>): Promise<{ planId: string; branch: string }> {
      const created = await apis[0].call('POST', '/api/plans', {
        repository: `repo:${repositoryId}`,
        ...doc,
      });
      expect(created.status).toBe(201);
      const planId = created.body.id as string;
      // Written through one API, read back through the other: both share the stores.
      expect((await apis[1].call('POST', `/api/plans/${planId}/finalize`, {})).status).toBe(200);
      const started = await apis[1].call('POST', `/api/plans/${planId}/execute`, {});
      expect(started.status).toBe(202);
      return { planId, branch: sessionBranch(planId, started.body.sessionId as string) };
    }

    async function waitFor<T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs = 180_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what}\n${hosts.map((h) => `${h.hostTaskQueue}:\n${h.logTail(15)}`).join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    const progressOf = async (planId: string) =>
      (await anyApi().call('GET', `/api/plans/${planId}/progress`)).body;
    const completed = (planId: string) =>
      waitFor(`plan ${planId} to complete`, async () => {
        const p = await progressOf(planId);
        if (p.status === 'failed' || p.status === 'paused')
          throw new Error(`plan ${planId} is ${p.status}: ${JSON.stringify(p)}`);
        return p.status === 'completed' ? p : undefined;
      });

    /** Each task's commit on the remote branch: exactly one per task, by its trailer. */
    async function remoteCommitsPerTask(branch: string, remote = origin): Promise<Record<string, number>> {
      const log = (await git(remote, ['log', `refs/heads/${branch}`, '--format=%B%x1e'])).stdout;
      const counts: Record<string, number> = {};
      for (const m of log.matchAll(/^Chunkwise-Task: (\S+)$/gm)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
      return counts;
    }

    test('the host holding the work trees (two repositories) is killed and its data deleted mid-chunk: the session moves, completes, each task committed once on its repository’s remote', async () => {
      const slow = (id: string) => `sleep 2500\nwrite src/${id}.txt ${id}`;
      const second = `repo:${secondRepositoryId}`;
      const { planId, branch } = await executedPlan({
        title: 'Across two hosts',
        chunks: [
          { key: 'C01_base', title: 'Base' },
          { key: 'C02_fanout', title: 'Fan out', executionMode: 'parallel' },
          { key: 'C03_finish', title: 'Finish' },
        ],
        tasks: [
          { id: 'T1', chunk: 'C01_base', title: 'one', description: 'write src/t1.txt t1' },
          {
            id: 'T2',
            chunk: 'C01_base',
            title: 'two',
            description: 'write src/t2.txt t2',
            dependsOn: ['T1'],
            repository: second,
          },
          { id: 'P1', chunk: 'C02_fanout', title: 'p1', description: slow('p1') },
          { id: 'P2', chunk: 'C02_fanout', title: 'p2', description: slow('p2') },
          { id: 'P3', chunk: 'C02_fanout', title: 'p3', description: slow('p3'), repository: second },
          { id: 'T3', chunk: 'C03_finish', title: 'three', description: 'write src/t3.txt t3' },
        ],
      });

      // Mid-chunk: the parallel tasks are running on the host that holds the work tree.
      await waitFor('a task of C02 to run', async () => {
        const p = await progressOf(planId);
        return p.tasks?.some(
          (t: { id: string; status: string }) => t.id.startsWith('P') && t.status === 'running',
        )
          ? true
          : undefined;
      });
      const holder = hosts.find((h) => existsSync(worktreePathFor(h.options.dataDir, branch)))!;
      const other = hosts.find((h) => h !== holder)!;
      expect(holder).toBeDefined();
      console.log(
        `killing ${holder.hostTaskQueue} (pid ${holder.pid}) and deleting ${holder.options.dataDir}`,
      );
      await holder.kill('SIGKILL');
      rmSync(holder.options.dataDir, { recursive: true, force: true });

      const done = await completed(planId);
      expect(done.totals.completed).toBe(6);

      const evs = await planEvents(planId);
      const lost = evs.filter((e) => e.type === 'HostLost');
      const moved = evs.filter((e) => e.type === 'SessionMoved');
      console.log(
        'where it moved:\n' +
          [...lost, ...moved].map((e) => `  ${e.type} ${JSON.stringify(e.data)}`).join('\n'),
      );
      expect(lost.length).toBeGreaterThanOrEqual(1);
      expect(lost[0].data).toMatchObject({ taskQueue: holder.hostTaskQueue });
      expect(moved).toHaveLength(1);
      expect(moved[0].data).toMatchObject({ from: holder.hostTaskQueue, to: other.hostTaskQueue });
      // The moved tasks' lost turn did not count as an attempt.
      const completedEvents = evs.filter((e) => e.type === 'TaskCompleted');
      expect(completedEvents.map((e) => (e.data as { taskId: string }).taskId).sort()).toEqual([
        'P1',
        'P2',
        'P3',
        'T1',
        'T2',
        'T3',
      ]);

      // Exactly once on its repository's remote branch, with every file.
      expect(await remoteCommitsPerTask(branch)).toEqual({ T1: 1, P1: 1, P2: 1, T3: 1 });
      expect(await remoteCommitsPerTask(branch, secondOrigin)).toEqual({ T2: 1, P3: 1 });
      const files = (await git(origin, ['ls-tree', '-r', '--name-only', `refs/heads/${branch}`])).stdout;
      for (const f of ['t1', 'p1', 'p2', 't3']) expect(files).toContain(`src/${f}.txt`);
      const secondFiles = (await git(secondOrigin, ['ls-tree', '-r', '--name-only', `refs/heads/${branch}`]))
        .stdout;
      for (const f of ['t2', 'p3']) expect(secondFiles).toContain(`src/${f}.txt`);

      // The lost host comes back (same id, empty data dir) for the next tests.
      holder.start();
      await holder.waitUntilPolling(120_000);
    });

    test('without a remote, losing the host pauses the session (host_lost); the host back and a resume finish it there', async () => {
      const bare = await makeTempRepo('cw-prod-noremote-');
      const reg = await apis[0].call('POST', '/api/repositories', {
        path: bare,
        name: 'no-remote',
        defaults: {
          agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 120 },
          qaGates: [{ name: 'qa', argv: [process.execPath, QA_GATE], timeoutSec: 60 }],
        },
      });
      expect(reg.status).toBe(201);
      const created = await apis[0].call('POST', '/api/plans', {
        title: 'No remote',
        repository: `repo:${reg.body.id as string}`,
        chunks: [{ key: 'C01_all', title: 'All' }],
        tasks: ['N1', 'N2', 'N3'].map((id) => ({
          id,
          chunk: 'C01_all',
          title: id,
          description: `sleep 1500\nwrite src/${id.toLowerCase()}.txt ${id}`,
        })),
      });
      const planId = created.body.id as string;
      expect((await apis[0].call('POST', `/api/plans/${planId}/finalize`, {})).status).toBe(200);
      const started = await apis[0].call('POST', `/api/plans/${planId}/execute`, {});
      expect(started.status).toBe(202);
      const branch = sessionBranch(planId, started.body.sessionId as string);
      await waitFor('the first task to complete', async () =>
        (await progressOf(planId)).totals?.completed >= 1 ? true : undefined,
      );
      const holder = hosts.find((h) => existsSync(worktreePathFor(h.options.dataDir, branch)))!;
      expect(holder).toBeDefined();
      await holder.kill('SIGKILL');

      const paused = await waitFor('the session to pause', async () => {
        const p = await progressOf(planId);
        return p.status === 'paused' ? p : undefined;
      });
      expect(paused.pauseReason).toBe('host_lost');
      expect(paused.pauseDetail).toMatch(/no remote \(origin\)/);
      console.log(`paused: ${paused.pauseDetail}`);

      // The host comes back with its work tree (same id, data kept); resuming goes on there.
      holder.start();
      await holder.waitUntilPolling(120_000);
      expect([200, 202]).toContain((await apis[1].call('POST', `/api/plans/${planId}/resume`, {})).status);
      const done = await completed(planId);
      expect(done.totals.completed).toBe(3);
      const log = (await git(bare, ['log', branch, '--format=%B%x1e'])).stdout;
      for (const id of ['N1', 'N2', 'N3'])
        expect(log.match(new RegExp(`^Chunkwise-Task: ${id}$`, 'gm'))).toHaveLength(1);
    });

    test('the Temporal server restarts mid-run: the session completes', async () => {
      const { planId, branch } = await executedPlan({
        title: 'Through a server restart',
        chunks: [{ key: 'C01_all', title: 'All' }],
        tasks: ['R1', 'R2', 'R3', 'R4'].map((id) => ({
          id,
          chunk: 'C01_all',
          title: id,
          description: `sleep 1000\nwrite src/${id.toLowerCase()}.txt ${id}`,
        })),
      });
      await waitFor('the first task to complete', async () =>
        (await progressOf(planId)).totals?.completed >= 1 ? true : undefined,
      );
      const t0 = Date.now();
      await server.stop();
      await startServer();
      console.log(`Temporal server restarted in ${Date.now() - t0} ms`);
      const done = await completed(planId);
      expect(done.totals.completed).toBe(4);
      expect(await remoteCommitsPerTask(branch)).toEqual({ R1: 1, R2: 1, R3: 1, R4: 1 });
    });

    test('the active projector API is killed: the standby takes over from the checkpoint; its read models equal a rebuild', async () => {
      const modes = await Promise.all(apis.map(async (a) => (await a.call('GET', '/api/health/ready')).body));
      const mode = (body: { checks?: { projector?: { mode?: string; message?: string } } }) =>
        JSON.stringify(body.checks?.projector ?? {});
      const activeIndex = modes.findIndex(
        (b) => /"active"|: ?"active/.test(mode(b)) && !/standby/.test(mode(b)),
      );
      expect(activeIndex).toBeGreaterThanOrEqual(0);
      const active = apis[activeIndex];
      const standby = apis[1 - activeIndex];
      expect(mode(modes[1 - activeIndex])).toMatch(/standby/);
      console.log(`killing the active projector's API ${active.name} (pid ${active.pid})`);
      await active.kill();

      await waitFor(
        'the standby to take the projector over',
        async () =>
          /standby/.test(mode((await standby.call('GET', '/api/health/ready')).body)) ? undefined : true,
        30_000,
      );
      // Writes through the survivor are projected by it.
      const created = await standby.call('POST', '/api/plans', {
        title: 'After the failover',
        chunks: [{ key: 'C01', title: 'one' }],
        tasks: [{ id: 'F1', chunk: 'C01', title: 'f1' }],
      });
      expect(created.status).toBe(201);
      const planId = created.body.id as string;
      const edited = await standby.call('PATCH', `/api/plans/${planId}/tasks/F1`, { title: 'f1 renamed' });
      expect(edited.status).toBe(200);
      expect((await standby.call('GET', `/api/plans/${planId}/tasks`)).body.tasks[0].title).toBe(
        'f1 renamed',
      );

      // The standby's read models equal a rebuild from the event store: nothing missing, nothing doubled.
      const live = await PostgresReadModelStore.create({
        connectionString: TEST_PG_URL,
        schema: `${schema}_read`,
      });
      const fresh = await PostgresReadModelStore.create({
        connectionString: TEST_PG_URL,
        schema: `${schema}_rebuild`,
      });
      try {
        const head = await events.headPosition();
        await waitFor(
          'the standby to reach the head',
          async () => ((await live.getCheckpoint()) >= head ? true : undefined),
          30_000,
        );
        await new Projector(events, fresh).rebuild();
        const [a, b] = [await snapshotOf(live), await snapshotOf(fresh)];
        expect(a.checkpoint).toBe(b.checkpoint);
        expect(a.list).toEqual(b.list);
        expect(a.plans).toEqual(b.plans);
        // Every plan's history holds each of its events once.
        for (const id of Object.keys(a.plans)) {
          const stored = await planEvents(id);
          expect(a.plans[id].history?.length).toBe(stored.length);
        }
      } finally {
        await live.close();
        await fresh.close();
      }
    });
  });
}

/** An API process of the production profile (the compiled dist/apps/api/src/main.js). */
class ApiProcess {
  private exited = false;
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly logFile: string,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  static async start(root: string, name: string, env: Record<string, string>): Promise<ApiProcess> {
    const port = await getFreePort();
    const dataDir = join(root, name);
    mkdirSync(dataDir, { recursive: true });
    const logFile = join(root, `${name}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [API_MAIN], {
        cwd: ROOT,
        stdio: ['ignore', fd, fd],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...env,
          CHUNKWISE_PORT: String(port),
          CHUNKWISE_HOST: '127.0.0.1',
          CHUNKWISE_DATA_DIR: dataDir,
          CHUNKWISE_HOST_GRACE_SEC: '4',
        },
      });
    } finally {
      closeSync(fd);
    }
    process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
    const api = new ApiProcess(name, child, `http://127.0.0.1:${port}`, logFile);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (api.exited)
        throw new Error(`API ${name} exited during start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      const ok = await fetch(`${api.baseUrl}/api/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return api;
      if (Date.now() > deadline)
        throw new Error(`API ${name} did not answer:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(r, 10_000).unref());
    await Promise.race([gone, timer]);
    await this.kill();
  }
}
