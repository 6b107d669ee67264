import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors';

/** Resolves true when `port` can be bound on `host` right now. */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The last `lines` lines of a text file written after byte `from` (for error messages about child processes). */
export function tailFrom(file: string, from: number, lines = 20): string {
  try {
    const text = readFileSync(file).subarray(from).toString('utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(nothing logged)';
  } catch {
    return '(no log)';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The command line of a running process as its arguments (/proc on Linux, `ps` elsewhere), or
 * undefined when it is gone or cannot be read.
 */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    if (existsSync('/proc/self')) return undefined;
  }
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  return line ? line.split(/\s+/) : undefined;
}

/** The pids of running processes whose arguments include `args` in a row (Linux; [] elsewhere). */
export function findProcessesWithArgs(args: string[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const argv = commandLineOf(pid);
    if (!argv) continue;
    const at = argv.indexOf(args[0]);
    if (at >= 0 && args.every((a, i) => argv[at + i] === a)) found.push(pid);
  }
  return found;
}

/** One process of a running stack, as listed in the pid file. */
export interface StackPart {
  /** 'up', 'temporal', 'temporal guardian', 'API', 'worker'. */
  role: string;
  pid: number;
  /** An argument the process's command line must contain for the pid to still be this part. */
  arg: string;
}

/** True when `part.pid` is alive and still runs what was recorded (not an unrelated process that reused the pid). */
export function stillRuns(part: StackPart): boolean {
  if (!isAlive(part.pid)) return false;
  const argv = commandLineOf(part.pid);
  if (!argv) return false;
  // A relative script path (`node bin/chunkwise.js`) is relative to that process's directory.
  let cwd: string | undefined;
  try {
    cwd = readlinkSync(`/proc/${part.pid}/cwd`);
  } catch {
    cwd = undefined;
  }
  return argv.some(
    (a) =>
      a === part.arg ||
      (cwd !== undefined
        ? resolve(cwd, a) === part.arg
        : a.length > 0 && part.arg.endsWith(`/${a.replace(/^\.\//, '')}`)),
  );
}

const describeParts = (parts: StackPart[]) => parts.map((p) => `${p.role} pid ${p.pid}`).join(', ');

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops processes: SIGTERM, then SIGKILL after `graceMs`. Resolves with the pids still alive. */
export async function stopProcesses(pids: number[], graceMs = 15_000): Promise<number[]> {
  const signal = (sig: NodeJS.Signals) => (pid: number) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  pids.forEach(signal('SIGTERM'));
  const left = await waitUntilGone(pids, graceMs);
  left.forEach(signal('SIGKILL'));
  return waitUntilGone(left, 5_000);
}

/**
 * The pid file in the data dir: it lists every process of the running stack (`up` itself, the
 * Temporal dev server and its guardian, the API, the worker) so that two `chunkwise up` never share
 * one data dir (two Temporal dev servers on one database file would corrupt it), and so that the
 * next `up` finds and stops what a killed `up` left behind.
 */
export class PidFile {
  private parts: StackPart[] = [];

  constructor(
    readonly path: string,
    /** Arguments that identify a Temporal dev server (or its guardian) on this data dir. */
    private readonly temporalArgs: string[] = [],
  ) {}

  /** The parts listed by the file (an old file holds only the pid of `up`). */
  read(): StackPart[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8').trim();
    } catch {
      return [];
    }
    if (/^\d+$/.test(text)) return [{ role: 'up', pid: Number(text), arg: '' }];
    try {
      const parsed = JSON.parse(text) as { parts?: StackPart[] };
      return (parsed.parts ?? []).filter(
        (p) =>
          Number.isInteger(p.pid) && p.pid > 0 && typeof p.role === 'string' && typeof p.arg === 'string',
      );
    } catch {
      return [];
    }
  }

  /**
   * Takes the data dir. Refuses, naming the pids, when another `up` still runs on it. Otherwise
   * stops whatever a dead `up` left running on it (the parts its pid file lists, and any Temporal
   * dev server on its database file) before anything starts.
   */
  async acquire(log: (line: string) => void): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const listed = this.read();
    const up = listed.find((p) => p.role === 'up');
    if (up && up.pid !== process.pid && isAlive(up.pid) && (up.arg === '' || stillRuns(up))) {
      const others = listed.filter((p) => p.role !== 'up' && stillRuns(p));
      throw new CliError(`another \`chunkwise up\` (pid ${up.pid}) is already using ${dirname(this.path)}`, [
        ...(others.length ? [`its processes: ${describeParts(others)}`] : []),
        `stop it first (Ctrl-C in its terminal, or \`kill ${up.pid}\`), or use another --data-dir`,
        `if no such process is yours, delete ${this.path}`,
      ]);
    }
    const leftovers = listed.filter((p) => p.role !== 'up' && p.pid !== process.pid && stillRuns(p));
    if (this.temporalArgs.length) {
      for (const pid of findProcessesWithArgs(this.temporalArgs)) {
        if (!leftovers.some((p) => p.pid === pid))
          leftovers.push({ role: 'Temporal dev server (unlisted)', pid, arg: this.temporalArgs[1] });
      }
    }
    if (leftovers.length) {
      log(
        `found a stack left over on ${dirname(this.path)}${up ? ` (its \`chunkwise up\`, pid ${up.pid}, is gone)` : ''}: ` +
          `stopping ${describeParts(leftovers)}`,
      );
      const left = await stopProcesses(leftovers.map((p) => p.pid));
      if (left.length) {
        throw new CliError(
          `could not stop the leftover processes ${left.join(', ')} on ${dirname(this.path)}`,
          ['stop them by hand, then run `chunkwise up` again'],
        );
      }
      log('  leftover stack stopped');
    }
    this.parts = [{ role: 'up', pid: process.pid, arg: process.argv[1] ?? process.execPath }];
    this.write();
  }

  /** Lists a part (replacing an earlier process of the same role). */
  record(role: string, pid: number | undefined, arg: string): void {
    if (pid === undefined || pid <= 0) return;
    this.parts = [...this.parts.filter((p) => p.role !== role), { role, pid, arg }];
    this.write();
  }

  forget(role: string): void {
    this.parts = this.parts.filter((p) => p.role !== role);
    this.write();
  }

  private write(): void {
    if (!this.parts.length) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ dataDir: dirname(this.path), parts: this.parts }, null, 2)}\n`);
    renameSync(tmp, this.path);
  }

  release(): void {
    this.parts = [];
    if (this.read().find((p) => p.role === 'up')?.pid === process.pid) rmSync(this.path, { force: true });
  }
}

export interface ChildHandle {
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** The last `lines` lines of the log written by this run (the log is appended to across runs). */
  tail(lines?: number): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `node script` with its output appended to `logFile`; killed if this process exits first.
 * The child gets an IPC channel: one that calls `exitWithParent` (@chunkwise/temporal) stops by
 * itself when this process dies without a chance to stop it (SIGKILL).
 */
export function spawnNode(script: string, env: NodeJS.ProcessEnv, logFile: string): ChildHandle {
  mkdirSync(dirname(logFile), { recursive: true });
  let logStart = 0;
  try {
    logStart = statSync(logFile).size;
  } catch {
    // a new log
  }
  appendFileSync(
    logFile,
    `--- ${new Date().toISOString()} chunkwise: starting ${script} (parent pid ${process.pid})\n`,
  );
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [script], {
      env: { ...env, CHUNKWISE_PARENT_PID: String(process.pid) },
      stdio: ['ignore', fd, fd, 'ipc'],
      cwd: process.cwd(),
    });
  } finally {
    closeSync(fd);
  }
  // The channel is only there to close when this process dies: it must not keep this one alive.
  child.channel?.unref();
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve((done = { code, signal })));
    child.once('error', () => resolve((done = { code: null, signal: null })));
  });
  const killOnExit = () => {
    if (!done) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  return {
    child,
    pid: child.pid ?? -1,
    logFile,
    tail: (lines = 20) => tailFrom(logFile, logStart, lines),
    exited,
    stop: (timeoutMs = 10_000) =>
      (stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        if (done) return;
        child.kill('SIGTERM');
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      })()),
  };
}
