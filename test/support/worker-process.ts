/**
 * A Chunkwise worker as a REAL child process (the compiled `dist/apps/worker/src/main.js`), so a
 * test can kill it with SIGKILL and start a replacement, exactly as an operator would.
 *
 * The worker reads its configuration from the environment (see libs/config): the test's Temporal
 * server, task queue, data directory and SQLite event store file. Its host task queue is
 * `<queue>@<host name>`: a replacement started on the same machine serves the same host queue, so
 * the session's work tree activities find it again.
 *
 * Needs `npm run build` (setup runs it). Workflow code comes from the prebuilt bundle
 * (`dist/workflow-bundle.js`) when it is current, else from a bundle made once per test process
 * from the compiled workflows, so that restarting a worker never waits for webpack.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { PlanCommandService, SessionService } from '@chunkwise/application';
import { planStreamId } from '@chunkwise/domain';
import { SqliteEventStore, type StoredEvent } from '@chunkwise/event-store';
import {
  createTemporalClient,
  getFreePort,
  startTemporalDevServer,
  type TemporalDevServer,
  TemporalSessionWorkflows,
} from '@chunkwise/temporal';
import { hostTaskQueue, type SessionWorkflowInput } from '@chunkwise/contracts';

export const ROOT = resolve(__dirname, '..', '..');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
const DIST_WORKFLOWS = join(ROOT, 'dist', 'workflows');
const PREBUILT_BUNDLE = join(ROOT, 'dist', 'workflow-bundle.js');
const BUNDLER = join(ROOT, 'dist', 'libs', 'temporal', 'src', 'workflow-bundle.js');

/** Throws a clear error when the compiled worker is missing; warns when sources are newer. */
export function assertWorkerBuilt(): void {
  if (!existsSync(WORKER_MAIN) || !existsSync(BUNDLER)) {
    throw new Error(
      `the compiled worker ${WORKER_MAIN} is missing: run \`npm run build\` (or \`npm run setup\`) before these tests`,
    );
  }
  const newest = (dir: string, ext: string): number =>
    existsSync(dir)
      ? Math.max(
          0,
          ...readdirSync(dir)
            .filter((f) => f.endsWith(ext) && !f.endsWith('.spec.ts'))
            .map((f) => statSync(join(dir, f)).mtimeMs),
        )
      : 0;
  for (const part of ['workflows', 'activities']) {
    if (newest(join(ROOT, part), '.ts') > newest(join(ROOT, 'dist', part), '.js') + 1000) {
      console.warn(`worker-process: ${part}/ is newer than dist/${part}/; run \`npm run build\``);
    }
  }
}

let bundle: string | undefined;
/** A workflow bundle matching the compiled workflows (made at most once per process). */
export function workflowBundle(): string {
  if (bundle) return bundle;
  const compiled = readdirSync(DIST_WORKFLOWS)
    .filter((f) => f.endsWith('.js'))
    .map((f) => statSync(join(DIST_WORKFLOWS, f)).mtimeMs);
  if (existsSync(PREBUILT_BUNDLE) && statSync(PREBUILT_BUNDLE).mtimeMs >= Math.max(...compiled)) {
    bundle = PREBUILT_BUNDLE;
  } else {
    const out = join(tmpdir(), `chunkwise-workflow-bundle-${process.pid}.js`);
    execFileSync(process.execPath, [BUNDLER, out], { cwd: ROOT, stdio: 'pipe' });
    bundle = out;
  }
  return bundle;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  dataDir: string;
  /** SQLite event store file shared with the test process. */
  eventStoreFile: string;
  namespace?: string;
  /** Where stdout/stderr go (appended); default `<dataDir>/worker.log`. */
  logFile?: string;
  /** Extra environment (e.g. for the agent: AGENT_LOG_DIR is passed via the plan's agent env). */
  env?: Record<string, string>;
  /** CHUNKWISE_HOST_ID: another host on the same machine (default: the machine's host name). */
  hostId?: string;
}

export class WorkerProcess {
  private child?: ChildProcess;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private exitedPromise?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly logFile: string;
  /** The host task queue this worker serves (same for every worker started on this machine). */
  readonly hostTaskQueue: string;

  constructor(readonly options: WorkerProcessOptions) {
    this.logFile = options.logFile ?? join(options.dataDir, 'worker.log');
    this.hostTaskQueue = hostTaskQueue(options.taskQueue, options.hostId ?? hostname());
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && !this.exitInfo;
  }

  /** Spawns the worker process (does not wait for it to poll: see waitUntilPolling). */
  start(): this {
    if (this.running) throw new Error('worker process already running');
    assertWorkerBuilt();
    const o = this.options;
    mkdirSync(o.dataDir, { recursive: true });
    mkdirSync(dirname(this.logFile), { recursive: true });
    const fd = openSync(this.logFile, 'a');
    try {
      this.exitInfo = undefined;
      this.child = spawn(process.execPath, [WORKER_MAIN], {
        cwd: ROOT,
        stdio: ['ignore', fd, fd],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          LANG: process.env.LANG ?? 'C.UTF-8',
          TEMPORAL_ADDRESS: o.temporalAddress,
          CHUNKWISE_TEMPORAL_NAMESPACE: o.namespace ?? 'default',
          CHUNKWISE_TASK_QUEUE: o.taskQueue,
          CHUNKWISE_DATA_DIR: o.dataDir,
          CHUNKWISE_EVENT_STORE: 'sqlite',
          CHUNKWISE_EVENT_STORE_URL: o.eventStoreFile,
          CHUNKWISE_WORKFLOW_BUNDLE: workflowBundle(),
          CHUNKWISE_LOG_LEVEL: 'warn',
          ...(o.hostId ? { CHUNKWISE_HOST_ID: o.hostId } : {}),
          ...o.env,
        },
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    this.exitedPromise = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
    process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
    return this;
  }

  /**
   * Resolves once both of this worker's queues (shared and host) have a poller from this process
   * (by the worker identity `<pid>@<host>`); rejects if the process exits or the time runs out.
   */
  async waitUntilPolling(timeoutMs = 60_000): Promise<void> {
    const pid = this.child?.pid;
    if (!pid) throw new Error('worker process not started');
    const connection = await Connection.connect({ address: this.options.temporalAddress });
    const namespace = this.options.namespace ?? 'default';
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (this.exitInfo) {
          throw new Error(
            `worker process exited (${JSON.stringify(this.exitInfo)}) before polling.\n${this.logTail()}`,
          );
        }
        const polled = await Promise.all(
          [this.options.taskQueue, this.hostTaskQueue].map(async (name) => {
            const r = await connection.workflowService
              .describeTaskQueue({ namespace, taskQueue: { name }, taskQueueType: 2 /* activity */ })
              .catch(() => null);
            return !!r?.pollers?.some((p) => (p.identity ?? '').startsWith(`${pid}@`));
          }),
        );
        if (polled.every(Boolean)) return;
        if (Date.now() > deadline) {
          throw new Error(`worker process ${pid} not polling after ${timeoutMs} ms.\n${this.logTail()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await connection.close();
    }
  }

  /** Sends `signal` (SIGKILL by default) and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || this.exitInfo) return;
    this.child.kill(signal);
    await this.exitedPromise;
  }

  /** Graceful stop (SIGTERM), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.child || this.exitInfo) return;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.exitedPromise, timer])) === 'timeout') await this.kill('SIGKILL');
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no worker log)';
    }
  }
}

/**
 * The stack the crash and scale tests drive: a Temporal dev server (persistent db file, fixed port
 * so it can be restarted), a SQLite event store file shared with the worker processes, the
 * application's SessionService, and worker child processes.
 */
export class ProcessStack {
  root = mkdtempSync(join(tmpdir(), 'cw-proc-'));
  server!: TemporalDevServer;
  client!: Client;
  store!: SqliteEventStore;
  plans!: PlanCommandService;
  sessions!: SessionService;
  port!: number;
  taskQueue = `chunkwise-proc-${Math.random().toString(36).slice(2, 8)}`;
  agentLog = join(this.root, 'agent-log');
  eventStoreFile = join(this.root, 'events.db');
  dataDir = join(this.root, 'data');
  workers: WorkerProcess[] = [];

  constructor(
    private readonly binary: string,
    private readonly timing: SessionWorkflowInput['timing'],
  ) {}

  async start(): Promise<void> {
    assertWorkerBuilt();
    this.port = await getFreePort();
    await this.startServer();
    this.client = await createTemporalClient({ address: this.server.address, namespace: 'default' });
    this.store = new SqliteEventStore(this.eventStoreFile);
    this.plans = new PlanCommandService(this.store);
    this.sessions = new SessionService(
      this.plans,
      new TemporalSessionWorkflows({
        address: this.server.address,
        namespace: 'default',
        taskQueue: this.taskQueue,
        client: this.client,
      }),
      { timing: this.timing },
    );
  }

  async startServer(): Promise<void> {
    this.server = await startTemporalDevServer({
      dataDir: join(this.root, 'temporal'),
      binary: this.binary,
      port: this.port,
      headless: true,
    });
  }

  /** Stops the Temporal dev server and starts it again on the same port and database file. */
  async restartServer(): Promise<void> {
    await this.server.stop();
    await this.startServer();
  }

  /** Starts a worker process and waits until it polls both queues. */
  async startWorker(): Promise<WorkerProcess> {
    const w = new WorkerProcess({
      temporalAddress: this.server.address,
      taskQueue: this.taskQueue,
      dataDir: this.dataDir,
      eventStoreFile: this.eventStoreFile,
      logFile: join(this.root, `worker-${this.workers.length + 1}.log`),
    });
    this.workers.push(w);
    w.start();
    await w.waitUntilPolling();
    return w;
  }

  async stop(): Promise<void> {
    for (const w of this.workers) await w.stop().catch(() => undefined);
    await this.client?.connection.close().catch(() => undefined);
    await this.server?.stop();
    await this.store?.close();
    if (!process.env.KEEP_TEST_DIRS) rmSync(this.root, { recursive: true, force: true });
  }

  agent(extra: Record<string, unknown> = {}) {
    return {
      type: 'command',
      argv: [process.execPath, join(ROOT, 'test', 'fixtures', 'agent.js')],
      timeoutSec: 120,
      env: { AGENT_LOG_DIR: this.agentLog },
      ...extra,
    };
  }

  qaGates() {
    return [
      { name: 'qa', argv: [process.execPath, join(ROOT, 'test', 'fixtures', 'qa-gate.js')], timeoutSec: 60 },
    ];
  }

  async finalizedPlan(doc: Record<string, unknown>): Promise<string> {
    const planId = `p_${Math.random().toString(36).slice(2, 10)}`;
    await this.plans.execute(planId, { type: 'CreatePlan', planId, document: doc });
    await this.plans.execute(planId, { type: 'FinalizePlan' });
    return planId;
  }

  events(planId: string): Promise<StoredEvent[]> {
    return this.store.readStream(planStreamId(planId));
  }

  agentLogLines(): string[][] {
    try {
      return readFileSync(join(this.agentLog, 'events.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '));
    } catch {
      return [];
    }
  }
}

/** Waits until `check` returns a truthy value (polling every `everyMs`). */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
