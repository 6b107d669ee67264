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
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalBinary } from '@chunkwise/temporal';
import { makeRepo, SessionHarness } from '../test/support/session-harness';
import { finalizedNoopPlan, intArgs, noopAgentArgv } from './support';

async function main(): Promise<void> {
  const { sessions: count, tasks } = intArgs({
    sessions: { default: 50, min: 1, max: 500 },
    tasks: { default: 20, min: 1, max: 1000 },
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const h = new SessionHarness({ prefix: 'cw-bench-concurrent-', headless: true });
  await h.start(resolveTemporalBinary().path);
  try {
    const prepare = (label: string, n: number) =>
      finalizedNoopPlan(h.plans, `p_${label}`, makeRepo(join(h.root, `repo-${label}`)), n);
    const run = async (planId: string) => {
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      if (outcome.status !== 'completed') throw new Error(`${planId} ended ${outcome.status}`);
    };

    await run(await prepare('warmup', 3));
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await prepare(`s${i + 1}`, tasks));
    const t0 = performance.now();
    await Promise.all(ids.map(run));
    const seconds = (performance.now() - t0) / 1000;

    const total = count * tasks;
    console.log(`Temporal dev server ${h.server.address}, one worker (in-process shared + host queue)`);
    console.log(
      `${count} concurrent sessions × ${tasks} no-op tasks (${noopAgentArgv().join(' ')}, no QA gates): ${total} tasks in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `throughput: ${(total / seconds).toFixed(1)} tasks/s (${((seconds * 1000) / total).toFixed(1)} ms per task overall)`,
    );
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
