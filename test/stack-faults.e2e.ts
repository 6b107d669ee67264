/**
 * End to end: faults injected into the stack that `chunkwise up` runs (real processes, no mocks):
 * the real CLI (bin/chunkwise.js → dist/), the real Temporal dev server, the built API and worker,
 * the example agent as a real child process.
 *
 *  1. The worker gets SIGKILL while a session runs: `up` restarts it, says so, the session completes.
 *  2. `up` gets SIGKILL: its Temporal dev server (and guardian), API and worker stop by themselves;
 *     the next `up` on the data dir runs exactly one Temporal server and executes a session.
 *  3. `up` and the Temporal guardian get SIGKILL together (the server is left running): the next
 *     `up` finds the leftover through its pid file, stops it, then starts.
 *  4. The Temporal server gets SIGKILL under `up`: the log lines `up` prints are from this run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, cli, ensureBuilt, freePort, ROOT, startUp, stopUp, type Up } from './support/cli-process';
import { git } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(600_000);

const AGENT = join(ROOT, 'examples', 'agents', 'scripted-agent.js');
const CHECK = join(ROOT, 'examples', 'agents', 'check.js');
const OLD_RUN = 'OLD RUN MARKER: this line was logged before any of these runs';

interface Part {
  role: string;
  pid: number;
}

// Unref: a race against a long timeout must not keep Jest alive after the test is done.
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}`);
    await delay(200);
  }
}

/** Temporal servers (not their Node guardians) running on `dbFile`, from /proc. */
function temporalServersOn(dbFile: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = argv.indexOf('--db-filename');
    if (at > 0 && argv[at + 1] === dbFile && argv[1] === 'server' && !argv.includes('-e'))
      found.push(Number(entry));
  }
  return found;
}

withTemporalCli('test/stack-faults.e2e.ts', () => {
  let work: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let api: string;
  let args: string[];
  const ups: Up[] = [];

  const parts = (): Part[] =>
    (JSON.parse(readFileSync(join(dataDir, 'chunkwise-up.pid'), 'utf8')) as { parts: Part[] }).parts;
  const pidOf = (role: string) => parts().find((p) => p.role === role)!.pid;

  const up = async () => {
    const started = await startUp(args, env, 180_000);
    ups.push(started);
    return started;
  };

  beforeAll(async () => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'chunkwise-faults-e2e-'));
    dataDir = join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'temporal.log'), `${OLD_RUN}\n`);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = cleanEnv({ CHUNKWISE_API_URL: api });
    const [tPort, uiPort] = [await freePort(), await freePort()];
    args = ['--data-dir', dataDir, '--port', String(port), '--temporal-port', String(tPort)];
    args.push('--temporal-ui-port', String(uiPort));
  });

  afterAll(async () => {
    for (const u of ups) if (u.child.exitCode === null && u.child.signalCode === null) await stopUp(u);
    try {
      for (const p of parts()) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    } catch {
      // no pid file
    }
    rmSync(work, { recursive: true, force: true });
  });

  /** Creates and finalizes a two-task plan on a new repository, starts it; returns the plan id. */
  async function startSession(name: string, firstTask: string): Promise<string> {
    const repo = join(work, name);
    mkdirSync(repo, { recursive: true });
    git(repo, 'init', '-q');
    git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/main');
    writeFileSync(join(repo, 'README.md'), '# target\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'initial');
    const planFile = join(work, `${name}.json`);
    writeFileSync(
      planFile,
      JSON.stringify({
        title: `Faults: ${name}`,
        repository: repo,
        execution: {
          agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
          qaGates: [{ name: 'check', argv: [process.execPath, CHECK] }],
        },
        chunks: [{ key: 'C01_work', title: 'Work' }],
        tasks: [
          { id: 'T1', chunk: 'C01_work', title: 'first', description: firstTask },
          { id: 'T2', chunk: 'C01_work', title: 'second', description: 'write b.js exports.b = 2;' },
        ],
      }),
    );
    const created = await cli(['plans', 'create', '--file', planFile], env);
    expect(created.code).toBe(0);
    const planId = /^created plan (\S+)/m.exec(created.stdout)![1];
    expect((await cli(['plans', 'finalize', planId], env)).code).toBe(0);
    const exec = await cli(['execute', planId], env);
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    return planId;
  }

  async function watchToTheEnd(planId: string) {
    const watch = await cli(['watch', planId], env, 240_000);
    expect(watch.stderr).toBe('');
    expect(watch.code).toBe(0);
    expect(watch.stdout.trim().split('\n').at(-1)).toBe('session completed: 2/2 tasks completed');
  }

  it('the worker killed during a session is restarted by `up` (it says so) and the session completes', async () => {
    const first = await up();
    expect(first.output()).toMatch(/Worker +pid \d+, .*restarted if it exits \(supervised\)/);
    const worker = pidOf('worker');
    const planId = await startSession('repo-worker-kill', 'sleep 4000\nwrite a.js exports.a = 1;');
    await waitFor('the session to run', async () => {
      const res = await fetch(`${api}/api/plans/${planId}/progress`);
      return ((await res.json()) as { status: string }).status === 'running';
    });
    await delay(1_500); // the first turn is under way
    process.kill(worker, 'SIGKILL');
    await waitFor(
      '`up` to restart the worker',
      () => /worker restarted \(pid (\d+)/.exec(first.output()),
      90_000,
    );
    expect(first.output()).toContain(
      `warning: the worker (pid ${worker}) exited unexpectedly (code null, signal SIGKILL); restarting it in 1 s`,
    );
    expect(pidOf('worker')).not.toBe(worker);
    await watchToTheEnd(planId);
  });

  it('kill -9 of `up`: its children stop by themselves; the next `up` runs one Temporal server and a session', async () => {
    const first = ups[0];
    const children = parts().filter((p) => p.role !== 'up');
    expect(children.map((p) => p.role).sort()).toEqual(
      ['API', 'Temporal dev server', 'Temporal guardian', 'worker'].sort(),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await waitFor(
      `the children (${children.map((p) => `${p.role} ${p.pid}`).join(', ')}) to stop`,
      () => children.every((p) => !alive(p.pid)),
      30_000,
    );

    const second = await up();
    expect(second.output()).not.toContain('left over');
    expect(temporalServersOn(join(dataDir, 'temporal.db'))).toEqual([pidOf('Temporal dev server')]);
    const planId = await startSession('repo-after-kill', 'write a.js exports.a = 1;');
    await watchToTheEnd(planId);
  });

  it('a leftover Temporal server (its `up` and guardian killed) is stopped by the next `up`, named', async () => {
    const second = ups[1];
    const server = pidOf('Temporal dev server');
    const nodeChildren = parts().filter((p) => p.role === 'API' || p.role === 'worker');
    second.child.kill('SIGKILL');
    process.kill(pidOf('Temporal guardian'), 'SIGKILL');
    await second.exited;
    await waitFor('the API and the worker to stop', () => nodeChildren.every((p) => !alive(p.pid)), 30_000);
    expect(alive(server)).toBe(true); // nobody is left to stop it

    const third = await up();
    expect(third.output()).toContain(
      `found a stack left over on ${dataDir} (its \`chunkwise up\`, pid ${second.child.pid}, is gone): ` +
        `stopping Temporal dev server pid ${server}`,
    );
    expect(third.output()).toContain('leftover stack stopped');
    expect(alive(server)).toBe(false);
    expect(temporalServersOn(join(dataDir, 'temporal.db'))).toEqual([pidOf('Temporal dev server')]);
  });

  it('after a Temporal crash `up` fails and prints the last log lines of this run, not an earlier one', async () => {
    const third = ups[2];
    const upPid = third.child.pid!;
    process.kill(pidOf('Temporal dev server'), 'SIGKILL');
    const exit = await Promise.race([third.exited, delay(60_000).then(() => 'still running')]);
    expect(exit).toEqual({ code: 1, signal: null });
    const out = third.output();
    const report = out.slice(out.indexOf('error: the Temporal dev server exited unexpectedly'));
    expect(report).toMatch(
      /^error: the Temporal dev server exited unexpectedly \(code null, signal SIGKILL\)/,
    );
    expect(report).toContain(`last lines of ${join(dataDir, 'temporal.log')} (this run):`);
    expect(report).not.toContain(OLD_RUN);
    // Every quoted line was logged by this run (after its start line, which names this `up`).
    const log = readFileSync(join(dataDir, 'temporal.log'), 'utf8');
    const start = log.indexOf(`chunkwise: starting the Temporal dev server (parent pid ${upPid})`);
    expect(start).toBeGreaterThan(0);
    const thisRun = log.slice(log.lastIndexOf('\n', start) + 1);
    const quoted = report
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() && !/^ {2}stopping |^stopped\./.test(l));
    expect(quoted.length).toBeGreaterThan(0);
    for (const line of quoted) expect(thisRun).toContain(line);
    for (const earlier of ups.slice(0, 2)) expect(report).not.toContain(`(parent pid ${earlier.child.pid})`);
    expect(readFileSync(join(dataDir, 'temporal.log'), 'utf8')).toContain(OLD_RUN);
  });
});
