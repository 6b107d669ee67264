/**
 * Orchestration overhead per task, next to a bare Temporal activity round trip, on the same dev
 * server in one run.
 *
 *   npm run build && node dist/bench/orchestration.bench.js [--tasks 50] [--pings 200]
 *
 * Starts a Temporal dev server (temp dir, loopback, headless), a SQLite event store and this host's
 * session workers in-process. Then:
 *  - bare: `pingLoopWorkflow` calls the trivial `ping` activity `--pings` times in sequence: ms per
 *    activity round trip (schedule → worker → completion → next workflow task);
 *  - session: a plan of `--tasks` tasks in one sequential chunk with a no-op agent (`true`) and no
 *    QA gates, executed through SessionService: ms per task from execute to the workflow's result.
 *    Each task is one turn activity, one commit activity and its events (TurnStarted, TurnCompleted,
 *    TaskCompleted), plus real git commits.
 * Prints both, and their ratio. Bounded: one warm-up round, one measured round of each.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

function args(): { tasks: number; pings: number } {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  const num = (k: string, d: number) => {
    const v = out[k] === undefined ? d : Number(out[k]);
    if (!Number.isInteger(v) || v <= 0 || v > 5000) throw new Error(`--${k} must be an integer in 1..5000`);
    return v;
  };
  return { tasks: num('tasks', 50), pings: num('pings', 200) };
}

export function makeRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  execFileSync('git', ['add', '.'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '-m', 'initial'], { cwd: dir, env });
  return dir;
}

/** The no-op agent: `true` when it is on PATH (no interpreter start), else `node -e 0`. */
export function noopAgentArgv(): string[] {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, 'true'))) return [join(dir, 'true')];
  return [process.execPath, '-e', '0'];
}

async function main(): Promise<void> {
  const { tasks, pings } = args();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = mkdtempSync(join(tmpdir(), 'cw-bench-orch-'));
  const binary = resolveTemporalBinary().path;
  const server = await startTemporalDevServer({ dataDir: join(root, 'temporal'), binary, headless: true });
  const client = await createTemporalClient({ address: server.address, namespace: 'default' });
  const store = new SqliteEventStore(join(root, 'events.db'));
  const connection = await createNativeConnection({ address: server.address });
  const taskQueue = 'bench-orchestration';
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

    const bare = async (n: number) => {
      const t0 = performance.now();
      await client.workflow.execute('pingLoopWorkflow', {
        taskQueue,
        workflowId: `ping-loop-${Math.random().toString(36).slice(2)}`,
        args: [n],
      });
      return (performance.now() - t0) / n;
    };
    const session = async (n: number, label: string) => {
      const repo = makeRepo(join(root, `repo-${label}`));
      const planId = `p_${label}`;
      await plans.execute(planId, {
        type: 'CreatePlan',
        planId,
        document: {
          title: `orchestration ${label}`,
          repository: repo,
          execution: { agent: { type: 'command', argv: noopAgentArgv(), timeoutSec: 60 } },
          tasks: Array.from({ length: n }, (_, i) => ({
            id: `T${i + 1}`,
            chunk: 'C01',
            title: `no-op ${i + 1}`,
          })),
        },
      });
      await plans.execute(planId, { type: 'FinalizePlan' });
      const t0 = performance.now();
      await sessions.execute(planId);
      const outcome = await sessions.result(planId);
      if (outcome.status !== 'completed') throw new Error(`session ${label} ended ${outcome.status}`);
      return (performance.now() - t0) / n;
    };

    // Warm-up (bundle loaded, caches warm), then the measured round.
    await bare(20);
    await session(5, 'warmup');
    const activityMs = await bare(pings);
    const taskMs = await session(tasks, 'measured');

    console.log(`Temporal dev server ${server.address}, one in-process worker (shared + host queue)`);
    console.log(`bare activity round trip (${pings} sequential pings): ${activityMs.toFixed(2)} ms`);
    console.log(
      `session, ${tasks} no-op tasks, no QA gates (${noopAgentArgv().join(' ')}): ${taskMs.toFixed(1)} ms per task`,
    );
    console.log(`ratio: ${(taskMs / activityMs).toFixed(1)}x a bare activity round trip per task`);
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
