import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { CHUNKWISE_SEARCH_ATTRIBUTES } from '@chunkwise/contracts';
import { getFreePort, isPortOpen } from './free-port';
import { resolveTemporalBinary } from './temporal-binary';

export interface TemporalDevServerOptions {
  /** Directory for the SQLite database (`temporal.db`) and, by default, the log file. Created if missing. */
  dataDir: string;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted. Ignored when `headless`. */
  uiPort?: number;
  /** Disable the Web UI. */
  headless?: boolean;
  /** Address to bind; default 127.0.0.1. */
  ip?: string;
  /** Namespace to create at start (`default` always exists). */
  namespace?: string;
  /** Where the server's stdout/stderr go (appended); default `<dataDir>/temporal.log`. */
  logFile?: string;
  /** Server log level; default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /** Temporal CLI to run; resolved with `resolveTemporalBinary()` when omitted. */
  binary?: string;
  /** Search attributes to register (NAME → CLI type); default: Chunkwise's own. */
  searchAttributes?: Readonly<Record<string, string>>;
  /** Extra `temporal server start-dev` arguments (e.g. `--dynamic-config-value k=v`). */
  extraArgs?: string[];
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
  /** SIGKILL the server if this Node process exits without calling stop(); default true. */
  killOnExit?: boolean;
}

export interface TemporalDevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  /** Web UI URL, or undefined when headless. */
  uiUrl: string | undefined;
  namespace: string;
  dbFile: string;
  logFile: string;
  pid: number;
  /** Resolves when the server process exits, with its exit code (or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait up to `timeoutMs` (default 15 s), then SIGKILL. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `temporal server start-dev` persisting to `<dataDir>/temporal.db` and waits until the
 * frontend answers for the namespace. Restarting on the same dataDir keeps every workflow history.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const attempts = options.port === undefined || (!options.headless && options.uiPort === undefined) ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
      // Only a lost race for an automatically chosen port is worth another try.
      if (!(err instanceof DevServerStartError) || !err.portConflict) break;
    }
  }
  throw lastError;
}

class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly portConflict: boolean,
  ) {
    super(message);
    this.name = 'DevServerStartError';
  }
}

async function startOnce(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'temporal.db');
  const logFile = resolve(options.logFile ?? join(dataDir, 'temporal.log'));
  const binary = options.binary ?? resolveTemporalBinary().path;
  const port = options.port ?? (await getFreePort(ip));
  let uiPort: number | undefined;
  if (!options.headless) {
    uiPort = options.uiPort;
    while (uiPort === undefined || uiPort === port) uiPort = await getFreePort(ip);
  }

  if (await isPortOpen(ip, port, 500)) {
    throw new DevServerStartError(`port ${ip}:${port} is already in use`, options.port === undefined);
  }

  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', ip, '--port', String(port)];
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-ip', ip);
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(options.searchAttributes ?? CHUNKWISE_SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push('--log-level', options.logLevel ?? 'warn', ...(options.extraArgs ?? []));

  mkdirSync(resolve(logFile, '..'), { recursive: true });
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ['ignore', logFd, logFd], cwd: dataDir, env: process.env });
  } finally {
    closeSync(logFd);
  }

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolveExit(exitInfo);
    });
    child.once('error', (err) => {
      exitInfo = { code: null, signal: null };
      spawnError = err;
      resolveExit(exitInfo);
    });
  });

  const killOnExit = () => {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  if (options.killOnExit !== false) process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 15_000): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (exitInfo) return;
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  const address = `${ip}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let lastError = 'not started';
  for (;;) {
    if (exitInfo) {
      await stop();
      const log = tail(logFile);
      if (spawnError) {
        throw new DevServerStartError(`could not run ${binary}: ${spawnError.message}`, false);
      }
      throw new DevServerStartError(
        `Temporal dev server exited during start (code ${exitInfo.code}, signal ${exitInfo.signal}).\n` +
          `Command: ${binary} ${args.join(' ')}\nLast lines of ${logFile}:\n${log}`,
        /port|address already in use/i.test(log),
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DevServerStartError(
        `Temporal dev server did not answer on ${address} within ${options.startTimeoutMs ?? 60_000} ms ` +
          `(last error: ${lastError}).\nLast lines of ${logFile}:\n${tail(logFile)}`,
        false,
      );
    }
    if (await isPortOpen(ip, port, 500)) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          break;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    await delay(250);
  }

  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    namespace,
    dbFile,
    logFile,
    pid: child.pid ?? -1,
    exited,
    stop,
  };
}
