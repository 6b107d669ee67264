/**
 * Throughput of many sessions on one worker: `--sessions` concurrent sessions of `--tasks` no-op
 * tasks each (default 50 × 20), total tasks/s.
 *
 *   npm run build && node dist/bench/concurrent-sessions.bench.js [--sessions 50] [--tasks 20]
 *
 * Starts a Temporal dev server (temp dir, loopback, headless), a SQLite event store and ONE host's
 * session workers in-process (the shared queue and the host queue). Each session has its own plan
 * and git repository, a no-op agent (`true`) and no QA gates; every task is a real turn (process
 * start), a real commit and its recorded events. All sessions are started at once; the clock runs
 * from the first execute to the last result. Bounded: one round, after a small warm-up session.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { PlanCommandService, SessionService } from '@chunkwise/application';
import { SqliteEventStore } from '@chunkwise/event-store';
import {
  createNativeConnection,
  createTemporalClient,
  resolveTemporalBinary,
  startTemporalDevServer,
} from '@chunkwise/temporal';
import { createSessionWorkers } from '../apps/worker/src/session-workers';
import { makeRepo, noopAgentArgv } from './orchestration.bench';

function args(): { sessions: number; tasks: number } {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  const num = (k: string, d: number, max: number) => {
    const v = out[k] === undefined ? d : Number(out[k]);
    if (!Number.isInteger(v) || v <= 0 || v > max) throw new Error(`--${k} must be an integer in 1..${max}`);
    return v;
  };
  return { sessions: num('sessions', 50, 500), tasks: num('tasks', 20, 1000) };
}

async function main(): Promise<void> {
  const { sessions: count, tasks } = args();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = mkdtempSync(join(tmpdir(), 'cw-bench-concurrent-'));
  const binary = resolveTemporalBinary().path;
  const server = await startTemporalDevServer({ dataDir: join(root, 'temporal'), binary, headless: true });
  const client = await createTemporalClient({ address: server.address, namespace: 'default' });
  const store = new SqliteEventStore(join(root, 'events.db'));
  const connection = await createNativeConnection({ address: server.address });
  const taskQueue = 'bench-concurrent';
  let workers: Worker[] = [];
  let running: Array<Promise<void>> = [];
  try {
    ({ workers } = await createSessionWorkers({
      connection,
      namespace: 'default',
      taskQueue,
      eventStore: store,
      dataDir: join(root, 'data'),
      hostId: 'bench',
    }));
    running = workers.map((w) => w.run());
    const plans = new PlanCommandService(store);
    const sessions = new SessionService(plans, store, client, taskQueue);
    const agent = { type: 'command', argv: noopAgentArgv(), timeoutSec: 120 };

    const prepare = async (label: string, n: number) => {
      const planId = `p_${label}`;
      await plans.execute(planId, {
        type: 'CreatePlan',
        planId,
        document: {
          title: `concurrent ${label}`,
          repository: makeRepo(join(root, `repo-${label}`)),
          execution: { agent },
          tasks: Array.from({ length: n }, (_, i) => ({
            id: `T${i + 1}`,
            chunk: 'C01',
            title: `no-op ${i + 1}`,
          })),
        },
      });
      await plans.execute(planId, { type: 'FinalizePlan' });
      return planId;
    };
    const run = async (planId: string) => {
      await sessions.execute(planId);
      const outcome = await sessions.result(planId);
      if (outcome.status !== 'completed') throw new Error(`${planId} ended ${outcome.status}`);
    };

    await run(await prepare('warmup', 3));
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await prepare(`s${i + 1}`, tasks));
    const t0 = performance.now();
    await Promise.all(ids.map(run));
    const seconds = (performance.now() - t0) / 1000;

    const total = count * tasks;
    console.log(`Temporal dev server ${server.address}, one worker process (in-process shared + host queue)`);
    console.log(
      `${count} concurrent sessions × ${tasks} no-op tasks (${noopAgentArgv().join(' ')}, no QA gates): ${total} tasks in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `throughput: ${(total / seconds).toFixed(1)} tasks/s (${((seconds * 1000) / total).toFixed(1)} ms per task overall)`,
    );
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await connection.close();
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
