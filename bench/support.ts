/** Shared pieces of the execution benchmarks. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanCommandService } from '@chunkwise/application';

/** Parses `--name N` / `--name=N` integer options, each with a default and an inclusive range. */
export function intArgs<K extends string>(
  spec: Record<K, { default: number; min: number; max: number }>,
): Record<K, number> {
  const given: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in spec))
      throw new Error(
        `unexpected argument ${argv[i]} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    given[m[1]] = m[2] ?? argv[++i];
  }
  const out = {} as Record<K, number>;
  for (const k of Object.keys(spec) as K[]) {
    const { default: d, min, max } = spec[k];
    const v = given[k] === undefined ? d : Number(given[k]);
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`--${k} must be an integer in ${min}..${max}`);
    out[k] = v;
  }
  return out;
}

/** The no-op agent: `true` when it is on PATH (no interpreter start), else `node -e 0`. */
export function noopAgentArgv(): string[] {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, 'true'))) return [join(dir, 'true')];
  return [process.execPath, '-e', '0'];
}

/** Creates and finalizes a plan of `tasks` no-op tasks in one sequential chunk, without QA gates. */
export async function finalizedNoopPlan(
  plans: PlanCommandService,
  planId: string,
  repository: string,
  tasks: number,
): Promise<string> {
  await plans.execute(planId, {
    type: 'CreatePlan',
    planId,
    document: {
      title: `bench ${planId}`,
      repository,
      execution: { agent: { type: 'command', argv: noopAgentArgv(), timeoutSec: 120 } },
      tasks: Array.from({ length: tasks }, (_, i) => ({
        id: `T${i + 1}`,
        chunk: 'C01',
        title: `no-op ${i + 1}`,
      })),
    },
  });
  await plans.execute(planId, { type: 'FinalizePlan' });
  return planId;
}

/** How a bench's ratio is formed: `figure/baseline` (higher is better when the figure is a rate) or `baseline/figure`. */
export interface Ratio {
  /** The ratio's value, rounded by the caller or here to 3 decimals. */
  value: number;
  /** Which way it was divided, naming the figure: e.g. `eventsPerSecond/baseline`, `baseline/p99Ms`. */
  of: string;
}

/**
 * Prints a bench's result as its LAST line of output: one JSON object
 * `{"bench": name, ...figures, "baseline": baseline, "ratio": ratio.value, "ratioOf": ratio.of}`.
 * The first key of `figures` is the bench's main figure (the one `npm run bench` puts in its table);
 * name figures with their unit (`eventsPerSecond`, `p99Ms`). `baseline` is the raw baseline measured in
 * the same run, in the main figure's unit; `null` with a `ratio.value` of `null` when a bench has none.
 * Call it last: `bench/run-all.sh` reads the last line of stdout.
 */
export function printResult(
  name: string,
  figures: Record<string, unknown>,
  baseline: number | null,
  ratio: { value: number | null; of: string },
): void {
  const round = (v: number | null) => (v === null || !Number.isFinite(v) ? v : Math.round(v * 1000) / 1000);
  console.log(
    JSON.stringify({
      bench: name,
      ...Object.fromEntries(
        Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
      ),
      baseline: round(baseline),
      ratio: round(ratio.value),
      ratioOf: ratio.of,
    }),
  );
}

/**
 * CPU time (ms, user + system) of a process tree on Linux: every live process under `root` (this
 * process by default, with the Temporal dev server, the launcher and their children), including the
 * children each has reaped. The delta across a phase is what that phase cost the machine's cores,
 * whatever else runs on it. Null where /proc is missing.
 */
export function treeCpuMs(root: number = process.pid): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const pid of entries) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // f[1] = ppid; f[11..14] = utime, stime, cutime, cstime (clock ticks).
      stats.set(Number(pid), {
        ppid: Number(f[1]),
        ticks: f.slice(11, 15).reduce((s, x) => s + Number(x), 0),
      });
    } catch {
      // gone meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}
