import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { TemporalDevServer } from '@chunkwise/temporal';
import { startApiProcess } from './api-process';
import { describeStore, loadCliConfig } from './config-env';
import { CliError } from './errors';
import { step, type Io } from './output';
import { canListen, PidFile, spawnNode, tailFile, type ChildHandle } from './stack-support';

export const DEFAULT_TEMPORAL_PORT = 7233;
export const DEFAULT_TEMPORAL_UI_PORT = 8233;

/** Thrown at a start checkpoint once a signal asked the stack to stop. */
export class Interrupted extends Error {}

export interface StackOptions {
  dataDir?: string;
  port?: number;
  temporal: boolean;
  worker: boolean;
  temporalPort?: number;
  temporalUiPort?: number;
  /** Environment the configuration is read from (and handed to the worker). */
  env: NodeJS.ProcessEnv;
  io: Io;
  /** True once a signal asked to stop: starting stops at the next checkpoint (Interrupted). */
  interrupted: () => boolean;
  /** A part (the Temporal dev server) died while running. */
  onFailure: (message: string) => void;
  /** Free ports instead of the default ones (the demo never fights another `up` for 7233). */
  anyPorts?: boolean;
}

/** The running embedded stack: Temporal dev server, API and worker (both child processes). */
export interface EmbeddedStack {
  config: ChunkwiseConfig;
  env: NodeJS.ProcessEnv;
  api: { apiUrl: string; baseUrl: string; docsUrl: string; process: ChildHandle };
  temporal: TemporalDevServer | undefined;
  worker: ChildHandle | undefined;
  workerNote: string;
  /** Where everything is, as label/value rows. */
  rows(): Array<[string, string]>;
  /** Stops what was started, in reverse order. False if a part failed to stop. */
  stop(quiet: boolean): Promise<boolean>;
}

async function pickPort(
  host: string,
  explicit: number | undefined,
  preferred: number | undefined,
  what: string,
  flag: string,
  io: Io,
) {
  if (explicit !== undefined) {
    if (!(await canListen(host, explicit))) {
      throw new CliError(`${what} port ${explicit} on ${host} is already in use`, [
        `choose another with ${flag} N`,
      ]);
    }
    return explicit;
  }
  if (preferred !== undefined && (await canListen(host, preferred))) return preferred;
  const { getFreePort } = await import('@chunkwise/temporal');
  const port = await getFreePort(host);
  if (preferred !== undefined)
    io.out(`note: ${what} port ${preferred} is in use; using ${port} (choose with ${flag} N)`);
  return port;
}

/**
 * Starts the embedded stack (used by `up` and `demo`). On failure or interruption, whatever was
 * started is stopped before the error is rethrown.
 */
export async function startStack(opts: StackOptions): Promise<EmbeddedStack> {
  const { io } = opts;
  // The terminal is for progress and URLs; request logs only when asked for (CHUNKWISE_LOG_LEVEL).
  const { config, env } = await loadCliConfig(
    { ...opts.env, CHUNKWISE_LOG_LEVEL: opts.env.CHUNKWISE_LOG_LEVEL || 'warn' },
    { dataDir: opts.dataDir, port: opts.port },
  );
  const host = config.host;

  mkdirSync(config.dataDir, { recursive: true });
  const pidFile = new PidFile(join(config.dataDir, 'chunkwise-up.pid'));
  pidFile.acquire();

  let temporal: TemporalDevServer | undefined;
  let apiChild: ChildHandle | undefined;
  let worker: ChildHandle | undefined;
  let stopping = false;
  let workerNote = '';
  let api: EmbeddedStack['api'] | undefined;
  const checkpoint = () => {
    if (opts.interrupted()) throw new Interrupted();
  };

  try {
    if (config.port !== 0 && !(await canListen(host, config.port))) {
      throw new CliError(
        `port ${config.port} on ${host} is already in use — is another \`chunkwise up\` running?`,
        ['stop it, or choose another port with --port N (or CHUNKWISE_PORT)'],
      );
    }

    // 1. Temporal dev server (its database lives in the data dir, so workflows survive restarts).
    if (opts.temporal) {
      const t = await import('@chunkwise/temporal');
      let binary: string;
      try {
        binary = t.resolveTemporalBinary().path;
      } catch (err) {
        throw new CliError((err as Error).message, [
          'or start the API alone with `chunkwise up --no-temporal`',
        ]);
      }
      const ip = '127.0.0.1';
      const port = await pickPort(
        ip,
        opts.temporalPort,
        opts.anyPorts ? undefined : DEFAULT_TEMPORAL_PORT,
        'Temporal',
        '--temporal-port',
        io,
      );
      let uiPort = await pickPort(
        ip,
        opts.temporalUiPort,
        opts.anyPorts ? undefined : DEFAULT_TEMPORAL_UI_PORT,
        'Temporal UI',
        '--temporal-ui-port',
        io,
      );
      while (uiPort === port) uiPort = await t.getFreePort(ip);
      temporal = await step(io, 'starting Temporal dev server', () =>
        t
          .startTemporalDevServer({
            dataDir: config.dataDir,
            port,
            uiPort,
            ip,
            binary,
            namespace: config.temporal.namespace,
          })
          .catch((err: unknown) => {
            throw new CliError(`could not start the Temporal dev server: ${(err as Error).message}`, [
              'or start the API alone with `chunkwise up --no-temporal`',
            ]);
          }),
      );
      config.temporal.address = temporal.address;
      env.TEMPORAL_ADDRESS = temporal.address;
      const server = temporal;
      void server.exited.then((info) => {
        // Ctrl-C in a terminal signals the whole process group: the server may exit before we stop it.
        if (stopping || opts.interrupted()) return;
        opts.onFailure(
          `the Temporal dev server exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
            `last lines of ${server.logFile}:\n${tailFile(server.logFile)}`,
        );
      });
      checkpoint();
    }

    // 2. The API, as a child process of the build (an app never imports another app), configured
    // by the same environment as the worker; port 0 means a free port, picked here to print it.
    if (config.port === 0) {
      const { getFreePort } = await import('@chunkwise/temporal');
      config.port = await getFreePort(host);
    }
    env.CHUNKWISE_PORT = String(config.port);
    const { findProjectRoot } = await import('@chunkwise/temporal');
    const running = await step(io, 'starting API', () =>
      startApiProcess({
        root: findProjectRoot(),
        config,
        env,
        logFile: join(config.dataDir, 'api.log'),
        interrupted: opts.interrupted,
        onSpawn: (h) => (apiChild = h),
      }),
    );
    api = {
      apiUrl: running.apiUrl,
      baseUrl: running.baseUrl,
      docsUrl: running.docsUrl,
      process: running.handle,
    };
    checkpoint();
    void running.handle.exited.then((info) => {
      if (stopping || opts.interrupted()) return;
      opts.onFailure(
        `the API exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
          `last lines of ${running.handle.logFile}:\n${tailFile(running.handle.logFile)}`,
      );
    });

    // 3. The worker, as a child process (when built and when there is a Temporal to poll).
    if (!temporal) {
      workerNote = 'not started (--no-temporal)';
    } else if (!opts.worker) {
      workerNote = 'not started (--no-worker)';
    } else {
      const { findProjectRoot } = await import('@chunkwise/temporal');
      const script = join(findProjectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js');
      if (!existsSync(script)) {
        workerNote = `not started: ${script} is missing (run \`npm run build\`)`;
      } else {
        const server = temporal;
        const logFile = join(config.dataDir, 'worker.log');
        try {
          const handle = await step(
            io,
            'starting worker',
            async () => {
              const h = spawnNode(script, { ...env, NO_COLOR: env.NO_COLOR ?? '1' }, logFile);
              worker = h;
              await waitForPoller(server.address, config.temporal, h, opts.interrupted);
              return h;
            },
            (h) => `pid ${h.pid}`,
          );
          workerNote = `pid ${handle.pid}, polling task queue ${config.temporal.taskQueue}, log ${handle.logFile}`;
          void handle.exited.then((info) => {
            if (stopping || opts.interrupted()) return;
            io.err(
              `warning: the worker exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
                `sessions will not run until \`chunkwise up\` is restarted; see ${handle.logFile}`,
            );
          });
        } catch (err) {
          // Plans can still be written and read without a worker: say so loudly, keep the rest running.
          if (!(err instanceof CliError)) throw err;
          io.err(`warning: ${err.message}`);
          for (const line of err.details) io.err(`  ${line}`);
          await (worker as ChildHandle | undefined)?.stop(2_000);
          worker = undefined;
          workerNote = `NOT RUNNING (failed to start; see ${logFile}); sessions will not execute`;
        }
      }
      checkpoint();
    }
  } catch (err) {
    await stop(true);
    throw err;
  }

  const startedApi = api;
  return {
    config,
    env,
    api: startedApi,
    temporal,
    worker,
    workerNote,
    rows,
    stop,
  };

  function rows(): Array<[string, string]> {
    const out: Array<[string, string]> = [
      ['API', startedApi.apiUrl],
      ['OpenAPI docs', startedApi.docsUrl],
    ];
    if (temporal) {
      out.push(['Temporal UI', temporal.uiUrl ?? '(headless)']);
      out.push([
        'Temporal',
        `${temporal.address} (namespace ${temporal.namespace}, task queue ${config.temporal.taskQueue})`,
      ]);
    } else {
      out.push(['Temporal', 'not started (--no-temporal)']);
    }
    out.push(['API log', `${startedApi.process.logFile} (pid ${startedApi.process.pid})`]);
    out.push(['Worker', workerNote]);
    out.push(['Data dir', config.dataDir]);
    out.push(['Event store', describeStore(config.eventStore)]);
    out.push(['Read models', describeStore(config.readModels)]);
    if (temporal) out.push(['Temporal db', `${temporal.dbFile} (log ${temporal.logFile})`]);
    out.push([
      'Auth',
      config.apiToken
        ? 'bearer token required (CHUNKWISE_API_TOKEN)'
        : 'off (set CHUNKWISE_API_TOKEN to require one)',
    ]);
    return out;
  }

  async function stop(quiet: boolean): Promise<boolean> {
    stopping = true;
    const temporalGone =
      temporal !== undefined &&
      (await Promise.race([
        temporal.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
      ]));
    let ok = true;
    const w = worker;
    const a = apiChild;
    const t = temporal;
    const parts: Array<[string, (() => Promise<void>) | undefined]> = [
      // A worker draining against a Temporal that is already gone only waits for nothing: cut it short.
      ['stopping worker', w && (() => w.stop(temporalGone ? 2_000 : 15_000))],
      ['stopping API', a && (() => a.stop(10_000))],
      ['stopping Temporal dev server', t && (() => t.stop())],
    ];
    for (const [label, stopPart] of parts) {
      if (!stopPart) continue;
      try {
        if (quiet) await stopPart();
        else await step(io, `  ${label}`, stopPart);
      } catch (err) {
        ok = false;
        io.err(
          `warning: ${label.replace('stopping', 'could not stop')}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    worker = undefined;
    apiChild = undefined;
    temporal = undefined;
    pidFile.release();
    return ok;
  }
}

const WORKER_START_TIMEOUT_MS = 90_000;

/**
 * Waits until a worker polls the task queue (Temporal lists it as a poller), so that "ok" means the
 * worker really runs. Throws if the worker process exits first; gives up quietly after a while.
 */
async function waitForPoller(
  address: string,
  temporalConfig: { namespace: string; taskQueue: string },
  worker: ChildHandle,
  interrupted: () => boolean,
): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void worker.exited.then((e) => (exit = e));
  try {
    const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
    for (;;) {
      if (exit) {
        throw new CliError(
          `the worker exited at start (code ${exit.code}, signal ${exit.signal}); last lines of ${worker.logFile}:`,
          tailFile(worker.logFile).split('\n'),
        );
      }
      if (interrupted()) throw new Interrupted();
      const answer = await connection.workflowService
        .describeTaskQueue({
          namespace: temporalConfig.namespace,
          taskQueue: { name: temporalConfig.taskQueue },
        })
        .catch(() => undefined);
      if ((answer?.pollers?.length ?? 0) > 0) return;
      if (Date.now() > deadline) {
        throw new CliError(
          `the worker (pid ${worker.pid}) is not polling task queue ${temporalConfig.taskQueue} after ` +
            `${WORKER_START_TIMEOUT_MS / 1000} s; last lines of ${worker.logFile}:`,
          tailFile(worker.logFile).split('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
