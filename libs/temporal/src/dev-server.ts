import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { CHUNKWISE_SEARCH_ATTRIBUTES } from '@chunkwise/contracts';
import { getFreePort, isPortOpen } from './free-port';
import { startSupervisedProcess } from './supervised-process';
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
  /** Extra `temporal server start-dev` arguments (e.g. `--dynamic-config-value k=v`), after the defaults. */
  extraArgs?: string[];
  /**
   * Start with {@link DEV_SERVER_TUNING} (default true): WAL with synchronous=FULL and the history
   * service's transfer queue read at up to 1000 polls/s instead of 20. False: the CLI's own defaults.
   */
  tuned?: boolean;
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
  /** SIGKILL the server if this Node process exits without calling stop(); default true. */
  killOnExit?: boolean;
  /**
   * Run the server under a Node guardian that stops it when this process dies, even by SIGKILL
   * (which `killOnExit` cannot catch). Default false.
   */
  guarded?: boolean;
}

export interface TemporalDevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  /** Web UI URL, or undefined when headless. */
  uiUrl: string | undefined;
  namespace: string;
  dbFile: string;
  logFile: string;
  /** The server process (the Temporal CLI). */
  pid: number;
  /** The guardian process that owns the server (`guarded`), else undefined. */
  guardianPid: number | undefined;
  /** The last `lines` lines the server logged in this run (never an earlier run's, the log is appended to). */
  logTail(lines?: number): string;
  /** Resolves when the server process exits, with its exit code (or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait up to `timeoutMs` (default 15 s), then SIGKILL. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The dev server's settings for a low activity round trip, durability unchanged:
 * - `history.transferProcessorMaxPollRPS` (default 20): the history service reads its transfer queue
 *   (the tasks that hand a new workflow or activity task to matching) at most this often per shard, and
 *   the dev server has one shard. At 20/s every dispatch waits for the next 50 ms read slot; a bare
 *   activity round trip takes two dispatches (activity task, then workflow task): ~100 ms on loopback
 *   whatever the disk. At 1000/s a read follows the write at once (reads are cheap: batches of 100).
 * - `journal_mode=wal` + `synchronous=FULL`: a commit appends to the WAL and fsyncs it before the
 *   server answers (the same guarantee as the default rollback journal with FULL: a write the server
 *   acknowledged survives a crash or power loss), with one sequential fsync instead of a journal
 *   file created, synced and deleted per transaction.
 * - `system.enableActivityEagerExecution`: an activity on the workflow's own task queue comes back
 *   with the workflow task's completion when the worker has a free slot (no matching dispatch).
 */
export const DEV_SERVER_TUNING: readonly string[] = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=FULL',
  '--dynamic-config-value',
  'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
];

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  if (options.tuned !== false) args.push(...DEV_SERVER_TUNING);
  args.push('--log-level', options.logLevel ?? 'warn', ...(options.extraArgs ?? []));

  const proc = await startSupervisedProcess({
    binary,
    args,
    cwd: dataDir,
    logFile,
    label: 'Temporal dev server',
    guarded: options.guarded,
    killOnExit: options.killOnExit,
  });
  const { stop, logTail } = proc;

  const address = `${ip}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let lastError = 'not started';
  for (;;) {
    const exitInfo = proc.exitInfo();
    if (exitInfo) {
      await stop();
      const log = logTail();
      const spawnError = proc.spawnError();
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
          `(last error: ${lastError}).\nLast lines of ${logFile}:\n${logTail()}`,
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
    pid: proc.pid ?? -1,
    guardianPid: proc.guardianPid,
    logTail,
    exited: proc.exited,
    stop,
  };
}
