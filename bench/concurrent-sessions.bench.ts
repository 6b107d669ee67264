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
 *
 * Baseline, same server and worker, same run: `--sessions` concurrent bare workflows of `--tasks`
 * sequential `ping` activities each (`pingLoopWorkflow`): activities/s.
 * `--tuned 1` (default): the dev server with DEV_SERVER_TUNING as the embedded stack runs it; 0: the
 * CLI's defaults. Durability: the dev server's db file (WAL + synchronous=FULL when tuned, rollback
 * journal + synchronous=FULL otherwise); the event store SQLite WAL + synchronous=FULL.
 */
import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalBinary } from '@chunkwise/temporal';
import { makeRepo, SessionHarness } from '../test/support/session-harness';
import { finalizedNoopPlan, intArgs, noopAgentArgv, printResult, treeCpuMs } from './support';

const cpuDelta = (from: number | null) => {
  const now = treeCpuMs();
  return from === null || now === null ? NaN : now - from;
};

async function main(): Promise<void> {
  const {
    sessions: count,
    tasks,
    tuned,
  } = intArgs({
    sessions: { default: 50, min: 1, max: 500 },
    tasks: { default: 20, min: 1, max: 1000 },
    tuned: { default: 1, min: 0, max: 1 },
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const h = new SessionHarness({ prefix: 'cw-bench-concurrent-', headless: true, tuned: tuned === 1 });
  await h.start(resolveTemporalBinary().path);
  try {
    const prepare = (label: string, n: number) =>
      finalizedNoopPlan(h.plans, `p_${label}`, makeRepo(join(h.root, `repo-${label}`)), n);
    const run = async (planId: string) => {
      await h.sessions.execute(planId);
      const outcome = await h.sessions.result(planId);
      if (outcome.status !== 'completed') throw new Error(`${planId} ended ${outcome.status}`);
    };

    const bareLoops = async (n: number) => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: count }, () =>
          h.client.workflow.execute('pingLoopWorkflow', {
            taskQueue: h.taskQueue,
            workflowId: `ping-loop-${Math.random().toString(36).slice(2)}`,
            args: [n],
          }),
        ),
      );
      return (count * n) / ((performance.now() - t0) / 1000);
    };

    await run(await prepare('warmup', 3));
    await bareLoops(2);
    const cpuBare0 = treeCpuMs();
    const bare = await bareLoops(tasks);
    const cpuBare = cpuDelta(cpuBare0) / (count * tasks);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await prepare(`s${i + 1}`, tasks));
    const t0 = performance.now();
    const cpuTasks0 = treeCpuMs();
    await Promise.all(ids.map(run));
    const seconds = (performance.now() - t0) / 1000;
    const cpuTask = cpuDelta(cpuTasks0) / (count * tasks);

    const total = count * tasks;
    const perSecond = total / seconds;
    const server = tuned === 1 ? 'tuned (DEV_SERVER_TUNING)' : "the CLI's defaults";
    console.log(
      `Temporal dev server ${h.server.address}, ${server}; one worker (in-process shared + host queue)`,
    );
    console.log(
      `bare: ${count} concurrent workflows × ${tasks} sequential ping activities: ${bare.toFixed(1)} activities/s`,
    );
    console.log(
      `${count} concurrent sessions × ${tasks} no-op tasks (${noopAgentArgv().join(' ')}, no QA gates): ${total} tasks in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `throughput: ${perSecond.toFixed(1)} tasks/s (${((seconds * 1000) / total).toFixed(1)} ms per task overall), ${(perSecond / bare).toFixed(2)}x the bare figure`,
    );
    // The profile: what one task costs the cores (this process, the Temporal server it started, the
    // launcher, git and the agents), against one bare activity; 2 cores cap the throughput at that.
    const cores = availableParallelism();
    console.log(
      `CPU per task: ${cpuTask.toFixed(1)} ms (process tree: worker, Temporal server, launcher, git, agent); ` +
        `per bare activity: ${cpuBare.toFixed(1)} ms; ${(cpuTask / cpuBare).toFixed(1)}x. ` +
        `${cores} cores cap tasks at ${((cores * 1000) / cpuTask).toFixed(1)}/s and bare activities at ${((cores * 1000) / cpuBare).toFixed(1)}/s` +
        (h.profile === 'production' ? ' (PostgreSQL, a system service, not counted)' : ''),
    );
    printResult(
      'concurrent-sessions',
      {
        tasksPerSecond: perSecond,
        sessions: count,
        tasks,
        profile: h.profile,
        serverTuned: tuned === 1,
        cpuMsPerTask: cpuTask,
        cpuMsPerBareActivity: cpuBare,
      },
      bare,
      { value: perSecond / bare, of: 'tasksPerSecond/baseline' },
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
