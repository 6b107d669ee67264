import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
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

/** The last `lines` lines of a text file (for error messages about child processes). */
export function tailFile(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A pid file in the data dir so that two `chunkwise up` never share one data dir (two Temporal dev
 * servers on one database file would corrupt it). A stale file (its process is gone) is taken over.
 */
export class PidFile {
  constructor(readonly path: string) {}

  acquire(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) {
      const pid = Number(readFileSync(this.path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new CliError(`another \`chunkwise up\` (pid ${pid}) is already using ${dirname(this.path)}`, [
          'stop it first (Ctrl-C in its terminal), or use another --data-dir',
          `if no such process is yours, delete ${this.path}`,
        ]);
      }
    }
    writeFileSync(this.path, `${process.pid}\n`);
  }

  release(): void {
    try {
      if (Number(readFileSync(this.path, 'utf8').trim()) === process.pid) rmSync(this.path, { force: true });
    } catch {
      // already gone
    }
  }
}

export interface ChildHandle {
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts `node script` with its output appended to `logFile`; killed if this process exits first. */
export function spawnNode(script: string, env: NodeJS.ProcessEnv, logFile: string): ChildHandle {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [script], { env, stdio: ['ignore', fd, fd], cwd: process.cwd() });
  } finally {
    closeSync(fd);
  }
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
