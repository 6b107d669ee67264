/**
 * Recovery after a worker crash: from `kill -9` of the worker process to the session running again
 * on a new worker process.
 *
 *   npm run build && node dist/bench/recovery.bench.js [--reps 3] [--heartbeat 0]
 *
 * Starts a Temporal dev server (temp dir, loopback, headless), a SQLite event store file and the
 * compiled worker app (`dist/apps/worker/src/main.js`) as a child process. One session runs tasks of
 * the deterministic test agent (each sleeps 1.5 s). For each repetition, while a turn runs, the
 * worker gets SIGKILL and a new worker process is started at once. Measured from the kill:
 *  - new worker polling (process start, connection, bundle load);
 *  - turn retried: the agent started again on the new worker (the session is running again);
 *  - first new event recorded in the event store after the kill.
 * The retry waits for the turn's heartbeat timeout (`--heartbeat` seconds, the session's
 * `timing.heartbeatTimeoutSec`; 0, the default, keeps the session's default timing): that is the
 * floor of the figure. The figure to quote is the median of "turn running again".
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Connection } from '@temporalio/client';
import { PlanCommandService, SessionService } from '@chunkwise/application';
import { planStreamId } from '@chunkwise/domain';
import { SqliteEventStore } from '@chunkwise/event-store';
import {
  createTemporalClient,
  findProjectRoot,
  resolveTemporalBinary,
  resolveWorkflowSource,
  startTemporalDevServer,
  writeWorkflowBundle,
  TemporalSessionWorkflows,
} from '@chunkwise/temporal';
import { DEFAULT_TIMING, hostTaskQueue } from '@chunkwise/contracts';
import { makeRepo } from '../test/support/session-harness';
import { intArgs, printResult } from './support';

const ROOT = findProjectRoot();
const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
const AGENT = join(ROOT, 'test', 'fixtures', 'agent.js');
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function args(): { reps: number; heartbeat: number } {
  return intArgs({ reps: { default: 3, min: 1, max: 20 }, heartbeat: { default: 0, min: 0, max: 60 } });
}

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

async function main(): Promise<void> {
  const { reps, heartbeat } = args();
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run npm run build first`);
  const root = mkdtempSync(join(tmpdir(), 'cw-bench-recovery-'));
  // Workers start from a prebuilt bundle (as in production): never webpack inside the measurement.
  const source = resolveWorkflowSource();
  const bundle =
    source.kind === 'bundle' ? source.codePath : await writeWorkflowBundle(join(root, 'workflow-bundle.js'));
  const binary = resolveTemporalBinary().path;
  const server = await startTemporalDevServer({ dataDir: join(root, 'temporal'), binary, headless: true });
  const client = await createTemporalClient({ address: server.address, namespace: 'default' });
  const probe = await Connection.connect({ address: server.address });
  const eventsFile = join(root, 'events.db');
  const store = new SqliteEventStore(eventsFile);
  const taskQueue = 'bench-recovery';
  const agentLog = join(root, 'agent-log');
  const children: ChildProcess[] = [];

  const startWorker = () => {
    const fd = openSync(join(root, `worker-${children.length + 1}.log`), 'a');
    const child = spawn(process.execPath, [WORKER_MAIN], {
      cwd: ROOT,
      stdio: ['ignore', fd, fd],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TEMPORAL_ADDRESS: server.address,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_DATA_DIR: join(root, 'data'),
        CHUNKWISE_EVENT_STORE_URL: eventsFile,
        CHUNKWISE_WORKFLOW_BUNDLE: bundle,
        CHUNKWISE_LOG_LEVEL: 'warn',
      },
    });
    closeSync(fd);
    children.push(child);
    return child;
  };
  const polling = async (pid: number) => {
    for (const name of [taskQueue, hostTaskQueue(taskQueue, hostname())]) {
      const r = await probe.workflowService
        .describeTaskQueue({ namespace: 'default', taskQueue: { name }, taskQueueType: 2 })
        .catch(() => null);
      if (!r?.pollers?.some((p) => (p.identity ?? '').startsWith(`${pid}@`))) return false;
    }
    return true;
  };
  const agentStarts = () => {
    try {
      return readFileSync(join(agentLog, 'events.log'), 'utf8')
        .split('\n')
        .filter((l) => l.split(' ')[1] === 'start').length;
    } catch {
      return 0;
    }
  };

  try {
    const plans = new PlanCommandService(store);
    const sessions = new SessionService(
      plans,
      new TemporalSessionWorkflows({ address: '', namespace: 'default', taskQueue, client }),
      { timing: heartbeat > 0 ? { heartbeatTimeoutSec: heartbeat, shortActivityTimeoutSec: 5 } : undefined },
    );
    const repo = makeRepo(join(root, 'repo'));
    const planId = 'p_recovery';
    await plans.execute(planId, {
      type: 'CreatePlan',
      planId,
      document: {
        title: 'recovery',
        repository: repo,
        execution: {
          agent: {
            type: 'command',
            argv: [process.execPath, AGENT],
            timeoutSec: 60,
            env: { AGENT_LOG_DIR: agentLog },
          },
        },
        tasks: Array.from({ length: reps + 1 }, (_, i) => ({
          id: `T${i + 1}`,
          chunk: 'C01',
          title: `task ${i + 1}`,
          description: `sleep 1500\nwrite src/t${i + 1}.txt ${i + 1}`,
        })),
      },
    });
    await plans.execute(planId, { type: 'FinalizePlan' });
    let worker = startWorker();
    await waitFor('the first worker to poll', () => polling(worker.pid!));
    await sessions.execute(planId);

    const rows: Array<{ polling: number; turn: number; event: number }> = [];
    for (let rep = 0; rep < reps; rep++) {
      // Wait until a turn runs (a new agent start), 300 ms into it.
      const starts = agentStarts();
      await waitFor('a turn to start', () => agentStarts() > starts);
      await delay(300);
      const eventsBefore = (await store.readStream(planStreamId(planId))).length;
      const startsBefore = agentStarts();
      const t0 = performance.now();
      worker.kill('SIGKILL');
      worker = startWorker();
      const next = worker;
      await waitFor('the new worker to poll', () => polling(next.pid!));
      const tPolling = performance.now() - t0;
      await waitFor('the turn to run again', () => agentStarts() > startsBefore);
      const tTurn = performance.now() - t0;
      await waitFor(
        'a new event',
        async () => (await store.readStream(planStreamId(planId))).length > eventsBefore,
      );
      const tEvent = performance.now() - t0;
      rows.push({ polling: tPolling, turn: tTurn, event: tEvent });
    }
    const outcome = await sessions.result(planId);
    if (outcome.status !== 'completed') throw new Error(`session ended ${outcome.status}`);

    const timeoutSec = heartbeat > 0 ? heartbeat : DEFAULT_TIMING.heartbeatTimeoutSec;
    console.log(
      `kill -9 of the worker during a turn → new worker process; heartbeat timeout ${timeoutSec} s${heartbeat > 0 ? '' : ' (default)'}`,
    );
    console.log('rep  new worker polling   turn running again   first new event');
    rows.forEach((r, i) =>
      console.log(
        `${String(i + 1).padEnd(4)} ${(r.polling / 1000).toFixed(2).padStart(9)} s ${(r.turn / 1000).toFixed(2).padStart(18)} s ${(r.event / 1000).toFixed(2).padStart(16)} s`,
      ),
    );
    const mean = (k: 'polling' | 'turn' | 'event') => rows.reduce((a, r) => a + r[k], 0) / rows.length / 1000;
    const median = (k: 'polling' | 'turn' | 'event') => {
      const xs = rows.map((r) => r[k] / 1000).sort((a, b) => a - b);
      const m = Math.floor(xs.length / 2);
      return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
    };
    console.log(
      `med  ${median('polling').toFixed(2).padStart(9)} s ${median('turn').toFixed(2).padStart(18)} s ${median('event').toFixed(2).padStart(16)} s`,
    );
    console.log(
      `mean ${mean('polling').toFixed(2).padStart(9)} s ${mean('turn').toFixed(2).padStart(18)} s ${mean('event').toFixed(2).padStart(16)} s`,
    );
    console.log(
      `recovery (kill -9 → turn running again), median over ${rows.length} kills: ${median('turn').toFixed(2)} s`,
    );
    // Baseline: the heartbeat timeout, the floor of this design (the retry waits for it).
    printResult(
      'recovery',
      {
        turnRunningAgainS: Math.round(median('turn') * 100) / 100,
        newWorkerPollingS: Math.round(median('polling') * 100) / 100,
        firstNewEventS: Math.round(median('event') * 100) / 100,
        kills: rows.length,
      },
      timeoutSec,
      { value: timeoutSec / median('turn'), of: 'baseline/turnRunningAgainS' },
    );
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await probe.close();
    await client.connection.close();
    await server.stop();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
