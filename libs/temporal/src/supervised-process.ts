import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { GUARDIAN_SOURCE } from './parent-watch';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedProcessOptions {
  binary: string;
  args: string[];
  cwd: string;
  /** stdout and stderr are appended here, after a banner line naming this run. */
  logFile: string;
  /** What the banner says is starting. */
  label: string;
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the process if this Node process exits without calling stop(); default true. */
  killOnExit?: boolean;
  /** Run it under a Node guardian that stops it when this process dies, even by SIGKILL. */
  guarded?: boolean;
}

/** A server process of ours (the Temporal dev server, the Temporal server): its exit, its log, its stop. */
export interface SupervisedProcess {
  /** The server's pid (through the guardian when guarded); undefined if it never started. */
  readonly pid: number | undefined;
  readonly guardianPid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  /** Set once it has exited. */
  exitInfo(): ExitInfo | undefined;
  /** Why it could not be started at all, if so. */
  spawnError(): Error | undefined;
  /** The last `lines` lines it logged in this run (never an earlier run's: the log is appended to). */
  logTail(lines?: number): string;
  /** SIGTERM, wait up to `timeoutMs` (default 15 s), then SIGKILL. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The last `lines` lines of `file` written after byte `from` (this run's part of an appended log). */
export function tailFrom(file: string, from: number, lines = 30): string {
  try {
    const text = readFileSync(file).subarray(from).toString('utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(nothing logged in this run)';
  } catch {
    return '(no log)';
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export async function startSupervisedProcess(o: SupervisedProcessOptions): Promise<SupervisedProcess> {
  const logFile = resolve(o.logFile);
  mkdirSync(resolve(logFile, '..'), { recursive: true });
  // The log is appended to across runs: remember where this run starts, so that a crash report
  // quotes this run's lines only.
  const logStart = sizeOf(logFile);
  appendFileSync(
    logFile,
    `--- ${new Date().toISOString()} chunkwise: starting the ${o.label} (parent pid ${process.pid})\n`,
  );
  const logFd = openSync(logFile, 'a');
  const env = o.env ?? process.env;
  let child: ChildProcess;
  try {
    child = o.guarded
      ? spawn(process.execPath, ['-e', GUARDIAN_SOURCE, '--', o.binary, ...o.args], {
          stdio: ['ignore', logFd, logFd, 'ipc'],
          cwd: o.cwd,
          env,
        })
      : spawn(o.binary, o.args, { stdio: ['ignore', logFd, logFd], cwd: o.cwd, env });
  } finally {
    closeSync(logFd);
  }

  let exitInfo: ExitInfo | undefined;
  let spawnError: Error | undefined;
  // Guarded: the server's pid and exit come from the guardian over IPC.
  let serverPid = o.guarded ? undefined : child.pid;
  let serverExit: ExitInfo | undefined;
  const serverStarted = new Promise<void>((resolveStarted) => {
    if (!o.guarded) return resolveStarted();
    child.on('message', (m: { pid?: number; exit?: ExitInfo; error?: string }) => {
      if (typeof m.pid === 'number') serverPid = m.pid;
      if (m.exit) serverExit = m.exit;
      if (m.error) spawnError = new Error(m.error);
      resolveStarted();
    });
    child.once('exit', () => resolveStarted());
  });
  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = serverExit ?? { code, signal };
      resolveExit(exitInfo);
    });
    child.once('error', (err) => {
      exitInfo = { code: null, signal: null };
      spawnError = err;
      resolveExit(exitInfo);
    });
  });
  await serverStarted;

  const killServer = (signal: NodeJS.Signals) => {
    if (o.guarded && serverPid !== undefined && !exitInfo) {
      try {
        process.kill(serverPid, signal);
      } catch {
        // already gone
      }
    }
  };
  const killOnExit = () => {
    killServer('SIGKILL');
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  if (o.killOnExit !== false) process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 15_000): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (exitInfo) return;
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        killServer('SIGKILL');
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  return {
    get pid() {
      return serverPid;
    },
    guardianPid: o.guarded ? child.pid : undefined,
    exited,
    exitInfo: () => exitInfo,
    spawnError: () => spawnError,
    logTail: (lines = 30) => tailFrom(logFile, logStart, lines),
    stop,
  };
}
