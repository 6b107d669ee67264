import { execFile, spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts child processes (git, agents, QA gates) from a small helper process instead of this one.
 *
 * Why: Node starts a child with fork() on the calling thread, and fork copies the parent's page
 * tables, so its cost grows with the parent's memory. A worker holding the workflow bundle, cached
 * workflows and the Temporal runtime spends ~10 ms per spawn (measured: 2.5 ms at 50 MB RSS, 125 ms
 * at 1.6 GB), with the event loop blocked the whole time — a task's eight git commands stalled every
 * workflow task and heartbeat of the worker (and an agent's start ~20 ms with 50 sessions in flight). The helper is a bare `node -e` process (~40 MB): the
 * fork happens there, off this event loop.
 *
 * Same semantics as `execFile`: the same argument vector (never a shell), cwd, environment, stdin
 * input and output bound; the result carries execFile's error code (exit code, or a string such as
 * ENOENT or ERR_CHILD_PROCESS_STDIO_MAXBUFFER). A request in flight when the helper dies is
 * rejected (it may or may not have run, as when git itself is killed); the next one starts a new
 * helper. The helper exits when this process goes (its IPC channel closes).
 * Long-running children (agents, QA gates) start from it too (`launchStreaming`): their output
 * streams back, and the caller signals their process group by pid as before.
 * `CHUNKWISE_LAUNCHER=off` runs every command directly.
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
const { execFile, spawn } = require('node:child_process');
const send = (m) => { if (process.connected) process.send(m); };
function runFile(m) {
  let child;
  try {
    child = execFile(m.file, m.args, { cwd: m.cwd, env: m.env, maxBuffer: m.maxBuffer, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const error = err ? { code: err.code === undefined ? null : err.code, message: String(err.message) } : null;
        send({ id: m.id, error, stdout: String(stdout || ''), stderr: String(stderr || '') });
      });
  } catch (err) {
    send({ id: m.id, error: { code: err.code || null, message: String(err.message) }, stdout: '', stderr: '' });
    return;
  }
  if (m.input !== undefined && child.stdin) child.stdin.end(m.input);
}
function runStreaming(m) {
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    send({ id: m.id, failed: String(err.message) });
    return;
  }
  if (child.pid) send({ id: m.id, pid: child.pid });
  const out = (stderr) => (buf) => send({ id: m.id, data: buf.toString('utf8'), bytes: buf.length, stderr });
  child.stdout.on('data', out(false));
  child.stderr.on('data', out(true));
  child.on('error', (err) => send({ id: m.id, failed: String(err.message) }));
  child.on('close', (code, signal) => send({ id: m.id, closed: { code, signal } }));
  child.stdin.on('error', () => undefined);
  child.stdin.end(m.stdin || '');
}
process.on('message', (m) => (m.streaming ? runStreaming(m) : runFile(m)));
process.on('disconnect', () => process.exit(0));
`;

/** A long-running child started in its own process group (an agent, a QA gate), its output streamed. */
export interface StreamingRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin?: string;
}

export type OutputStream = 'stdout' | 'stderr';

export interface StreamingHandlers {
  /** The child's pid (its process group's id): known once it started. */
  pid: (pid: number) => void;
  /** stdout and stderr, as they come, decoded chunk by chunk; `bytes` is the chunk's raw length. */
  data: (text: string, bytes: number, stream: OutputStream) => void;
  /** The child could not start, or its launcher went away: nothing more comes. */
  failed: (message: string) => void;
  /** The child exited and its output streams closed: nothing more comes. */
  closed: (code: number | null, signal: string | null) => void;
}

type Pending = { resolve: (r: LaunchResult) => void; reject: (e: Error) => void };

type Message =
  | (LaunchResult & { id: number })
  | { id: number; pid: number }
  | { id: number; data: string; bytes: number; stderr?: boolean }
  | { id: number; failed: string }
  | { id: number; closed: { code: number | null; signal: string | null } };

class Launcher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly streaming = new Map<number, StreamingHandlers>();
  private nextId = 1;

  /** Starts a child through the helper; false when there is no helper (start it directly). */
  stream(req: StreamingRequest, handlers: StreamingHandlers): boolean {
    const child = this.helper();
    if (!child) return false;
    const id = this.nextId++;
    this.streaming.set(id, handlers);
    this.holdOpen(child);
    child.send({ id, streaming: true, ...req }, (err) => {
      if (err) this.endStream(id)?.failed(`could not hand the command to its launcher: ${err.message}`);
    });
    return true;
  }

  private endStream(id: number): StreamingHandlers | undefined {
    const h = this.streaming.get(id);
    this.streaming.delete(id);
    this.releaseIfIdle();
    return h;
  }

  private releaseIfIdle(): void {
    if (this.pending.size === 0 && this.streaming.size === 0) this.child?.channel?.unref();
  }

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
    child.on('message', (m: Message) => {
      if ('stdout' in m) this.settle(m.id)?.resolve({ error: m.error, stdout: m.stdout, stderr: m.stderr });
      else if ('pid' in m) this.streaming.get(m.id)?.pid(m.pid);
      else if ('data' in m) this.streaming.get(m.id)?.data(m.data, m.bytes, m.stderr ? 'stderr' : 'stdout');
      else if ('failed' in m) this.endStream(m.id)?.failed(m.failed);
      else if ('closed' in m) this.endStream(m.id)?.closed(m.closed.code, m.closed.signal);
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
    this.releaseIfIdle();
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

function launcherOn(): boolean {
  const setting = process.env.CHUNKWISE_LAUNCHER?.trim().toLowerCase();
  return !(setting === 'off' || setting === '0' || setting === 'false');
}

/** Runs a command like execFile, through the helper process unless `CHUNKWISE_LAUNCHER=off`. */
export function launch(req: LaunchRequest): Promise<LaunchResult> {
  if (!launcherOn()) return runDirect(req);
  launcher ??= new Launcher();
  return launcher.run(req);
}

/**
 * Starts a child in its own process group (detached) with piped stdio, through the helper process
 * unless `CHUNKWISE_LAUNCHER=off` or the helper cannot start; returns false then, and the caller
 * spawns it itself. The caller signals the process group by the pid it is given.
 */
export function launchStreaming(req: StreamingRequest, handlers: StreamingHandlers): boolean {
  if (!launcherOn()) return false;
  launcher ??= new Launcher();
  return launcher.stream(req, handlers);
}
