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
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalBinary } from '@chunkwise/temporal';
import { makeRepo, SessionHarness } from '../test/support/session-harness';
import { finalizedNoopPlan, intArgs, noopAgentArgv } from './support';

async function main(): Promise<void> {
  const { tasks, pings } = intArgs({
    tasks: { default: 50, min: 1, max: 5000 },
    pings: { default: 200, min: 1, max: 5000 },
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const h = new SessionHarness({ prefix: 'cw-bench-orch-', headless: true });
  await h.start(resolveTemporalBinary().path);
  try {
    const bare = async (n: number) => {
      const t0 = performance.now();
      await h.client.workflow.execute('pingLoopWorkflow', {
        taskQueue: h.taskQueue,
        workflowId: `ping-loop-${Math.random().toString(36).slice(2)}`,
        args: [n],
      });
      return (performance.now() - t0) / n;
    };
    const session = async (n: number, label: string) => {
      const planId = await finalizedNoopPlan(
        h.plans,
        `p_${label}`,
        makeRepo(join(h.root, `repo-${label}`)),
        n,
      );
      const t0 = performance.now();
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      if (outcome.status !== 'completed') throw new Error(`session ${label} ended ${outcome.status}`);
      return (performance.now() - t0) / n;
    };

    // Warm-up (bundle loaded, caches warm), then the measured round.
    await bare(20);
    await session(5, 'warmup');
    const activityMs = await bare(pings);
    const taskMs = await session(tasks, 'measured');

    console.log(`Temporal dev server ${h.server.address}, one in-process worker (shared + host queue)`);
    console.log(`bare activity round trip (${pings} sequential pings): ${activityMs.toFixed(2)} ms`);
    console.log(
      `session, ${tasks} no-op tasks, no QA gates (${noopAgentArgv().join(' ')}): ${taskMs.toFixed(1)} ms per task`,
    );
    console.log(`ratio: ${(taskMs / activityMs).toFixed(1)}x a bare activity round trip per task`);
  } finally {
    await h.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
