/**
 * Orchestration overhead per task, next to a bare Temporal activity round trip, on the same dev
 * server in one run.
 *
 *   npm run build && node dist/bench/orchestration.bench.js [--tasks 50] [--pings 200] [--tuned 1] [--defaults 1]
 *
 * Starts a Temporal dev server (temp dir, loopback, headless; `--tuned 1`: with DEV_SERVER_TUNING as
 * the embedded stack runs it, `--tuned 0`: the CLI's defaults), a SQLite event store and this host's
 * session workers in-process. Then:
 *  - bare: `pingLoopWorkflow` calls the trivial `ping` activity `--pings` times in sequence: ms per
 *    activity round trip (schedule → worker → completion → next workflow task);
 *  - session: a plan of `--tasks` tasks in one sequential chunk with a no-op agent (`true`) and no
 *    QA gates, executed through SessionService: ms per task from execute to the workflow's result.
 *    Each task is one turn activity, one commit activity and its events (TurnStarted, TurnCompleted,
 *    TaskCompleted), plus real git commits.
 * Prints both, and their ratio. Bounded: one warm-up round, one measured round of each.
 * `--defaults 1` (default) also measures the bare round trip on a second dev server with the CLI's
 * default settings, started after the first one stopped: the floor before the tuning.
 *
 * Durability: the dev server persists to its db file (WAL, synchronous=FULL when tuned; rollback
 * journal, synchronous=FULL otherwise), the event store is SQLite WAL with synchronous=FULL.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { planStreamId } from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';
import { resolveTemporalBinary, type TemporalDevServer } from '@chunkwise/temporal';
import { makeRepo, SessionHarness } from '../test/support/session-harness';
import { finalizedNoopPlan, intArgs, noopAgentArgv, printResult } from './support';

async function main(): Promise<void> {
  const { tasks, pings, tuned, defaults } = intArgs({
    tasks: { default: 50, min: 1, max: 5000 },
    pings: { default: 200, min: 1, max: 5000 },
    tuned: { default: 1, min: 0, max: 1 },
    defaults: { default: 1, min: 0, max: 1 },
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const h = new SessionHarness({ prefix: 'cw-bench-orch-', headless: true, tuned: tuned === 1 });
  await h.start(resolveTemporalBinary().path);
  let phases: Record<string, number> = {};
  let activityMs: number;
  let taskMs: number;
  let address: TemporalDevServer['address'];
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
      const ms = (performance.now() - t0) / n;
      if (label === 'measured') phases = taskPhases(await h.store.readStream(planStreamId(planId)));
      return ms;
    };

    // Warm-up (bundle loaded, caches warm), then the measured round.
    await bare(20);
    await session(5, 'warmup');
    activityMs = await bare(pings);
    taskMs = await session(tasks, 'measured');
    address = h.server.address;
  } finally {
    await h.stop();
  }
  // The floor before the tuning: the same bare loop on a dev server with the CLI's defaults.
  let defaultServerMs: number | null = null;
  if (defaults === 1 && tuned === 1 && h.profile === 'embedded') {
    const d = new SessionHarness({ prefix: 'cw-bench-orch-defaults-', headless: true, tuned: false });
    await d.start(resolveTemporalBinary().path);
    try {
      const loop = async (n: number) => {
        const t0 = performance.now();
        await d.client.workflow.execute('pingLoopWorkflow', {
          taskQueue: d.taskQueue,
          workflowId: `ping-loop-${Math.random().toString(36).slice(2)}`,
          args: [n],
        });
        return (performance.now() - t0) / n;
      };
      await loop(20);
      defaultServerMs = await loop(Math.min(pings, 100));
    } finally {
      await d.stop();
    }
  }

  const server =
    h.profile === 'production'
      ? 'the Temporal server on PostgreSQL (production profile)'
      : `the Temporal dev server, ${tuned === 1 ? 'tuned (DEV_SERVER_TUNING)' : "the CLI's defaults"}`;
  console.log(`${server} at ${address}; one in-process worker (shared + host queue)`);
  console.log(`bare activity round trip (${pings} sequential pings): ${activityMs.toFixed(2)} ms`);
  if (defaultServerMs !== null)
    console.log(
      `bare activity round trip on a dev server with the CLI's defaults: ${defaultServerMs.toFixed(2)} ms`,
    );
  console.log(
    `session, ${tasks} no-op tasks, no QA gates (${noopAgentArgv().join(' ')}): ${taskMs.toFixed(1)} ms per task`,
  );
  console.log(`per task: ${(taskMs / activityMs).toFixed(2)}x a bare activity round trip`);
  console.log(
    "where a task's time goes (median ms, from the recorded events' append times):\n" +
      Object.entries(phases)
        .map(([k, v]) => `  ${k.padEnd(44)} ${v.toFixed(1)}`)
        .join('\n'),
  );
  if (defaultServerMs !== null)
    console.log(
      `per task: ${(taskMs / defaultServerMs).toFixed(2)}x the bare round trip of the CLI's defaults`,
    );
  printResult(
    'orchestration',
    {
      taskMs,
      tasks,
      profile: h.profile,
      serverTuned: tuned === 1,
      bareDefaultServerMs: defaultServerMs,
      taskOverBareX: taskMs / activityMs,
      phasesMedianMs: phases,
    },
    activityMs,
    { value: activityMs / taskMs, of: 'baseline/taskMs' },
  );
}

/**
 * Per task, the median of each step between recorded events: the turn activity (TurnStarted →
 * TurnCompleted: dispatch, the agent process, the answer), the commit (TurnCompleted →
 * TaskCompleted: dispatch, git, the answer) and the workflow's step to the next turn.
 */
function taskPhases(events: StoredEvent[]): Record<string, number> {
  const at = (e: StoredEvent) => Date.parse(e.recordedAt);
  const turn: number[] = [];
  const commit: number[] = [];
  const next: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'TurnStarted') continue;
    const done = events.slice(i + 1).find((x) => x.type === 'TurnCompleted');
    const completed = events.slice(i + 1).find((x) => x.type === 'TaskCompleted');
    const following = events.slice(i + 1).find((x) => x.type === 'TurnStarted');
    if (done) turn.push(at(done) - at(e));
    if (done && completed) commit.push(at(completed) - at(done));
    if (completed && following) next.push(at(following) - at(completed));
  }
  const median = (xs: number[]) =>
    xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN;
  return {
    'turn (TurnStarted → TurnCompleted)': median(turn),
    'QA + commit (TurnCompleted → TaskCompleted)': median(commit),
    'next turn (TaskCompleted → TurnStarted)': median(next),
  };
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
