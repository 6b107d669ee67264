import { execFile, spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs short commands (git) from a small helper process instead of this one.
 *
 * Why: Node starts a child with fork() on the calling thread, and fork copies the parent's page
 * tables, so its cost grows with the parent's memory. A worker holding the workflow bundle, cached
 * workflows and the Temporal runtime spends ~10 ms per spawn (measured: 2.5 ms at 50 MB RSS, 125 ms
 * at 1.6 GB), with the event loop blocked the whole time — a task's eight git commands stalled every
 * workflow task and heartbeat of the worker. The helper is a bare `node -e` process (~40 MB): the
 * fork happens there, off this event loop.
 *
 * Same semantics as `execFile`: the same argument vector (never a shell), cwd, environment, stdin
 * input and output bound; the result carries execFile's error code (exit code, or a string such as
 * ENOENT or ERR_CHILD_PROCESS_STDIO_MAXBUFFER). A request in flight when the helper dies is
 * rejected (it may or may not have run, as when git itself is killed); the next one starts a new
 * helper. The helper exits when this process goes (its IPC channel closes).
 * `CHUNKWISE_GIT_LAUNCHER=off` runs every command directly.
 */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  maxBuffer: number;
  input?: string;
}

export interface LaunchResult {
  /** execFile's error: null on exit code 0. */
  error: { code: number | string | null; message: string } | null;
  stdout: string;
  stderr: string;
}

/** Plain JavaScript (runs from the sources as well as from the build). */
export const LAUNCHER_SOURCE = `
'use strict';
const { execFile } = require('node:child_process');
process.on('message', (m) => {
  let child;
  try {
    child = execFile(m.file, m.args, { cwd: m.cwd, env: m.env, maxBuffer: m.maxBuffer, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const error = err ? { code: err.code === undefined ? null : err.code, message: String(err.message) } : null;
        if (process.connected) process.send({ id: m.id, error, stdout: String(stdout || ''), stderr: String(stderr || '') });
      });
  } catch (err) {
    if (process.connected) process.send({ id: m.id, error: { code: err.code || null, message: String(err.message) }, stdout: '', stderr: '' });
    return;
  }
  if (m.input !== undefined && child.stdin) child.stdin.end(m.input);
});
process.on('disconnect', () => process.exit(0));
`;

type Pending = { resolve: (r: LaunchResult) => void; reject: (e: Error) => void };

class Launcher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  run(req: LaunchRequest): Promise<LaunchResult> {
    const child = this.helper();
    if (!child) return runDirect(req);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.holdOpen(child);
      child.send({ id, ...req }, (err) => {
        if (!err) return;
        // Never delivered: nothing ran.
        this.settle(id)?.reject(err);
      });
    });
  }

  private helper(): ChildProcess | undefined {
    if (this.child) return this.child;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', LAUNCHER_SOURCE], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env,
      });
    } catch {
      return undefined;
    }
    this.child = child;
    child.unref();
    child.channel?.unref();
    child.on('message', (m: LaunchResult & { id: number }) => {
      this.settle(m.id)?.resolve({ error: m.error, stdout: m.stdout, stderr: m.stderr });
    });
    const gone = (why: string) => {
      if (this.child === child) this.child = undefined;
      for (const id of [...this.pending.keys()])
        this.settle(id)?.reject(
          new Error(`the command launcher ${why}; the command may or may not have run`),
        );
    };
    child.once('exit', (code, signal) => gone(`exited (code ${code}, signal ${signal})`));
    child.once('error', (err) => gone(`failed: ${err.message}`));
    return child;
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.child?.channel?.unref();
    return p;
  }

  /** A command in flight keeps this process alive, as a direct child would. */
  private holdOpen(child: ChildProcess): void {
    child.channel?.ref();
  }
}

function runDirect(req: LaunchRequest): Promise<LaunchResult> {
  return new Promise((resolve) => {
    const child = execFile(
      req.file,
      req.args,
      { cwd: req.cwd, env: req.env, maxBuffer: req.maxBuffer, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string }) | null;
        resolve({
          error: e ? { code: e.code ?? null, message: e.message } : null,
          stdout: String(stdout ?? ''),
          stderr: String(stderr ?? ''),
        });
      },
    );
    if (req.input !== undefined) child.stdin?.end(req.input);
  });
}

let launcher: Launcher | undefined;

/** Runs a command like execFile, through the helper process unless `CHUNKWISE_GIT_LAUNCHER=off`. */
export function launch(req: LaunchRequest): Promise<LaunchResult> {
  const setting = process.env.CHUNKWISE_GIT_LAUNCHER?.trim().toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return runDirect(req);
  launcher ??= new Launcher();
  return launcher.run(req);
}
