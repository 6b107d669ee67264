/**
 * A real execution stack for session tests: the Temporal dev server from the provisioned CLI, a
 * SQLite event store, this host's two workers in-process, real git repositories and the
 * deterministic test agent (test/fixtures/agent.js) as a real child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import {
  PlanCommandService,
  RepositoryService,
  SessionService,
  type SessionServiceOptions,
} from '@chunkwise/application';
import { planStreamId, type SessionProgress } from '@chunkwise/domain';
import {
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
  type StoredEvent,
} from '@chunkwise/event-store';
import { postgresEndpoint } from '@chunkwise/postgres';
import {
  createNativeConnection,
  createTemporalClient,
  startTemporalDevServer,
  startTemporalServer,
  type TemporalDevServer,
  TemporalSessionWorkflows,
} from '@chunkwise/temporal';
import { createSessionWorkers } from '../../apps/worker/src/session-workers';
import { dropDatabases, dropSchemas, TEST_PG_URL as PG_URL } from './postgres';

export const AGENT = resolve(__dirname, '..', 'fixtures', 'agent.js');
export const QA_GATE = resolve(__dirname, '..', 'fixtures', 'qa-gate.js');

/** Execution settings running the test agent (prompts kept in `agentLog`) and the test QA gate. */
export const testAgentSettings = (agentLog: string) => ({
  agent: {
    type: 'command' as const,
    argv: [process.execPath, AGENT],
    timeoutSec: 60,
    env: { AGENT_LOG_DIR: agentLog },
  },
  qaGates: [{ name: 'qa', argv: [process.execPath, QA_GATE], timeoutSec: 60 }],
});

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
}

export function makeRepo(root: string): string {
  const repo = join(root, 'repo');
  execFileSync('mkdir', ['-p', repo]);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# target\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'initial');
  return repo;
}

export interface SessionHarnessOptions {
  /** Prefix of the temp directory that holds everything. */
  prefix?: string;
  /** Start the dev server without its Web UI (benchmarks). */
  headless?: boolean;
  timing?: SessionServiceOptions['timing'];
  /** The dev server's low-latency tuning (`DEV_SERVER_TUNING`); default true. */
  tuned?: boolean;
  /**
   * `production` (default: env CHUNKWISE_BENCH_PROFILE, else `embedded`): the Temporal server on
   * PostgreSQL (fresh databases) and the PostgreSQL event store (a fresh schema) at
   * CHUNKWISE_TEST_PG_URL, instead of the dev server and SQLite. The benchmarks' second profile.
   */
  profile?: 'embedded' | 'production';
}

/** Also used by the benchmarks in bench/, so it must not depend on jest. */
export class SessionHarness {
  readonly root: string;
  readonly agentLog: string;

  constructor(private readonly options: SessionHarnessOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), options.prefix ?? 'cw-session-'));
    this.agentLog = join(this.root, 'agent-log');
    this.profile =
      options.profile ?? (process.env.CHUNKWISE_BENCH_PROFILE === 'production' ? 'production' : 'embedded');
  }

  server!: TemporalDevServer;
  client!: Client;
  connection!: NativeConnection;
  store!: EventStore;
  workers: Worker[] = [];
  readonly profile: 'embedded' | 'production';
  private readonly pgName = `cw_bench_${Math.random().toString(36).slice(2, 8)}`;
  running: Array<Promise<void>> = [];
  plans!: PlanCommandService;
  /** Registered repositories (`repo:<id>` plans and tasks). */
  repositories!: RepositoryService;
  sessions!: SessionService;
  taskQueue = `chunkwise-test-${Math.random().toString(36).slice(2, 8)}`;

  async start(binary: string): Promise<void> {
    if (this.profile === 'production') {
      this.server = await startTemporalServer({
        dataDir: join(this.root, 'temporal'),
        postgres: postgresEndpoint(PG_URL),
        databases: { main: `${this.pgName}_t`, visibility: `${this.pgName}_tv` },
      });
      this.store = await PostgresEventStore.create({ connectionString: PG_URL, schema: this.pgName });
    } else {
      this.server = await startTemporalDevServer({
        dataDir: join(this.root, 'temporal'),
        binary,
        headless: this.options.headless,
        tuned: this.options.tuned,
      });
      this.store = new SqliteEventStore(join(this.root, 'events.db'));
    }
    this.client = await createTemporalClient({ address: this.server.address, namespace: 'default' });
    this.plans = new PlanCommandService(this.store);
    this.repositories = new RepositoryService(this.store);
    this.sessions = new SessionService(
      this.plans,
      new TemporalSessionWorkflows({
        address: this.server.address,
        namespace: 'default',
        taskQueue: this.taskQueue,
        client: this.client,
      }),
      { timing: { heartbeatTimeoutSec: 10 }, repositories: this.repositories },
    );
    await this.startWorkers();
  }

  async startWorkers(): Promise<void> {
    this.connection = await createNativeConnection({ address: this.server.address });
    const { workers } = await createSessionWorkers({
      connection: this.connection,
      namespace: 'default',
      taskQueue: this.taskQueue,
      eventStore: this.store,
      dataDir: join(this.root, 'data'),
      hostId: 'test-host',
      heartbeatMs: 500,
    });
    this.workers = workers;
    this.running = workers.map((w) => w.run());
  }

  async stopWorkers(): Promise<void> {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(this.running);
    await this.connection?.close();
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.client?.connection.close();
    await this.server?.stop();
    await this.store?.close();
    if (this.profile === 'production') {
      await dropSchemas([this.pgName], PG_URL);
      await dropDatabases([`${this.pgName}_t`, `${this.pgName}_tv`], PG_URL);
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  agent(extra: Record<string, unknown> = {}) {
    return {
      type: 'command',
      argv: [process.execPath, AGENT],
      timeoutSec: 60,
      env: { AGENT_LOG_DIR: this.agentLog },
      ...extra,
    };
  }

  qaGates() {
    return [{ name: 'qa', argv: [process.execPath, QA_GATE], timeoutSec: 60 }];
  }

  /** Creates and finalizes a plan; returns its id. */
  async finalizedPlan(doc: Record<string, unknown>): Promise<string> {
    const planId = `p_${Math.random().toString(36).slice(2, 10)}`;
    await this.plans.execute(planId, { type: 'CreatePlan', planId, document: doc });
    await this.plans.execute(planId, { type: 'FinalizePlan' });
    return planId;
  }

  async events(planId: string): Promise<StoredEvent[]> {
    return this.store.readStream(planStreamId(planId));
  }

  /** Polls the progress query until `until` holds. */
  async waitFor(
    planId: string,
    until: (p: SessionProgress) => boolean,
    timeoutMs = 60_000,
  ): Promise<SessionProgress> {
    const deadline = Date.now() + timeoutMs;
    let last: SessionProgress | null = null;
    while (Date.now() < deadline) {
      last = await this.sessions.progress(planId).catch(() => null);
      if (last && until(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(
      `timed out waiting on session progress; last: ${JSON.stringify(last && { status: last.status, pauseReason: last.pauseReason, totals: last.totals })}`,
    );
  }
}
