import { spawn } from 'node:child_process';
import { launchStreaming, type OutputStream } from '@chunkwise/git';

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  timeoutMs: number;
  /** Kept output is bounded to this many bytes (the tail is kept). */
  maxOutputBytes?: number;
  /** Grace period between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Output as it comes; `stream` says whether it came on stdout or stderr. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  startError: string | null;
  output: string;
  outputBytes: number;
  durationMs: number;
}

/**
 * Runs a program from an argument vector (never a shell string) in its own process group, so a
 * timeout or cancellation kills the agent and everything it started.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const started = Date.now();
  const maxBytes = spec.maxOutputBytes ?? 1024 * 1024;
  const grace = spec.killGraceMs ?? 5000;
  return new Promise((resolve) => {
    let output = '';
    let outputBytes = 0;
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (
      r: Omit<ProcessResult, 'output' | 'outputBytes' | 'durationMs' | 'timedOut' | 'aborted'>,
    ) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, timedOut, aborted, output, outputBytes, durationMs: Date.now() - started });
    };

    const collect = (text: string, bytes: number, stream: OutputStream) => {
      outputBytes += bytes;
      output += text;
      if (output.length > maxBytes) output = output.slice(output.length - maxBytes);
      spec.onOutput?.(text, stream);
    };
    // The process group's id: known once the child started (at once when spawned here).
    let pid: number | undefined;
    let pendingSignal: NodeJS.Signals | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) {
        pendingSignal = sig;
        return;
      }
      try {
        process.kill(-pid, sig);
      } catch {
        // already gone
      }
    };
    const started_ = (p: number) => {
      pid = p;
      if (pendingSignal) killGroup(pendingSignal);
    };

    const [command, ...args] = spec.argv;
    // Started from the launcher's small process: a fork from this (large) one blocks its event loop.
    const launched = launchStreaming(
      { file: command, args, cwd: spec.cwd, env: spec.env, stdin: spec.stdin ?? '' },
      {
        pid: started_,
        data: collect,
        failed: (message) => {
          // The child may run on (its launcher went away): stop its group.
          if (pid !== undefined) killGroup('SIGKILL');
          finish({ exitCode: null, signal: null, startError: message });
        },
        closed: (code, sig) => finish({ exitCode: code, signal: sig, startError: null }),
      },
    );
    if (!launched) {
      const child = spawn(command, args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      if (child.pid) started_(child.pid);
      const onData = (stream: OutputStream) => (buf: Buffer) =>
        collect(buf.toString('utf8'), buf.length, stream);
      child.stdout.on('data', onData('stdout'));
      child.stderr.on('data', onData('stderr'));
      child.on('error', (err) => finish({ exitCode: null, signal: null, startError: err.message }));
      child.on('close', (code, sig) => finish({ exitCode: code, signal: sig, startError: null }));
      child.stdin.on('error', () => undefined); // the agent may exit without reading stdin
      child.stdin.end(spec.stdin ?? '');
    }

    const stop = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort);
  });
}
