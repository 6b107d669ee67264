import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { TemporalDevServer } from '@chunkwise/temporal';
import { startApiProcess } from './api-process';
import { describeStore, loadCliConfig } from './config-env';
import { CliError } from './errors';
import { step, type Io } from './output';
import { canListen, PidFile, spawnNode, type ChildHandle } from './stack-support';

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
  /**
   * `embedded` (default): Temporal dev server, SQLite stores. `production`: the Temporal server on
   * PostgreSQL, and the PostgreSQL event store and read models (`pgUrl`), as docker-compose.yml.
   */
  profile?: 'embedded' | 'production';
  /** The production profile's PostgreSQL (env CHUNKWISE_PG_URL; default postgres://postgres@127.0.0.1:5432/chunkwise). */
  pgUrl?: string;
}

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/chunkwise';

/** The running embedded stack: Temporal dev server, API and worker (both child processes). */
export interface EmbeddedStack {
  config: ChunkwiseConfig;
  env: NodeJS.ProcessEnv;
  api: { apiUrl: string; baseUrl: string; docsUrl: string; dashboardUrl: string; process: ChildHandle };
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
  const production = opts.profile === 'production';
  const pgUrl = opts.pgUrl ?? opts.env.CHUNKWISE_PG_URL ?? DEFAULT_PG_URL;
  // The production profile's stores: PostgreSQL for events and read models (explicit settings win).
  const profileEnv: NodeJS.ProcessEnv = production
    ? {
        CHUNKWISE_EVENT_STORE: 'postgres',
        CHUNKWISE_EVENT_STORE_URL: pgUrl,
        CHUNKWISE_READ_MODEL: 'postgres',
        CHUNKWISE_READ_MODEL_URL: pgUrl,
      }
    : {};
  // The terminal is for progress and URLs; request logs only when asked for (CHUNKWISE_LOG_LEVEL).
  const { config, env } = await loadCliConfig(
    { ...profileEnv, ...opts.env, CHUNKWISE_LOG_LEVEL: opts.env.CHUNKWISE_LOG_LEVEL || 'warn' },
    { dataDir: opts.dataDir, port: opts.port },
  );
  const host = config.host;

  mkdirSync(config.dataDir, { recursive: true });
  // Refuses while another `up` runs on this data dir; stops what a killed one left behind.
  const dbFile = resolve(config.dataDir, 'temporal.db');
  const pidFile = new PidFile(
    join(config.dataDir, 'chunkwise-up.pid'),
    production ? ['--root', resolve(config.dataDir, 'temporal-server')] : ['--db-filename', dbFile],
  );
  await pidFile.acquire((line) => io.out(line));

  let temporal: TemporalDevServer | undefined;
  let apiChild: ChildHandle | undefined;
  let worker: ChildHandle | undefined;
  let stopping = false;
  let wakeStopping: () => void = () => undefined;
  const stoppingNow = new Promise<void>((r) => (wakeStopping = r));
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

    // 1. Temporal: the dev server (its database lives in the data dir, so workflows survive
    //    restarts), or in the production profile the Temporal server on PostgreSQL.
    if (opts.temporal) {
      const t = await import('@chunkwise/temporal');
      let binary = '';
      if (production) {
        if (!t.temporalServerProvisioned())
          throw new CliError(new t.TemporalServerNotProvisioned(t.temporalServerInstallDir()).message);
      } else {
        try {
          binary = t.resolveTemporalBinary().path;
        } catch (err) {
          throw new CliError((err as Error).message, [
            'or start the API alone with `chunkwise up --no-temporal`',
          ]);
        }
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
      temporal = production
        ? await step(io, 'starting the Temporal server on PostgreSQL', async () => {
            const pg = await import('@chunkwise/postgres');
            await pg.ensureDatabase(pgUrl).catch((err: unknown) => {
              throw new CliError(`PostgreSQL at ${describePg(pgUrl)}: ${(err as Error).message}`, [
                'start PostgreSQL, or point CHUNKWISE_PG_URL (--pg-url) at one',
              ]);
            });
            return t
              .startTemporalServer({
                dataDir: config.dataDir,
                postgres: pg.postgresEndpoint(pgUrl),
                port,
                namespace: config.temporal.namespace,
                guarded: true,
              })
              .catch((err: unknown) => {
                throw new CliError(`could not start the Temporal server: ${(err as Error).message}`);
              });
          })
        : await step(io, 'starting Temporal dev server', () =>
            t
              .startTemporalDevServer({
                dataDir: config.dataDir,
                port,
                uiPort,
                ip,
                binary,
                namespace: config.temporal.namespace,
                // Under a guardian: the server stops when this process dies, even by SIGKILL.
                guarded: true,
              })
              .catch((err: unknown) => {
                throw new CliError(`could not start the Temporal dev server: ${(err as Error).message}`, [
                  'or start the API alone with `chunkwise up --no-temporal`',
                ]);
              }),
          );
      config.temporal.address = temporal.address;
      env.TEMPORAL_ADDRESS = temporal.address;
      if (temporal.uiUrl) env.CHUNKWISE_TEMPORAL_UI_URL = temporal.uiUrl;
      const server = temporal;
      const serverArg = production ? resolve(config.dataDir, 'temporal-server') : server.dbFile;
      pidFile.record(production ? 'Temporal server' : 'Temporal dev server', server.pid, serverArg);
      pidFile.record('Temporal guardian', server.guardianPid, serverArg);
      void server.exited.then((info) => {
        // Ctrl-C in a terminal signals the whole process group: the server may exit before we stop it.
        if (stopping || opts.interrupted()) return;
        opts.onFailure(
          `the Temporal dev server exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
            `last lines of ${server.logFile} (this run):\n${server.logTail(20)}`,
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
    const apiScript = join(findProjectRoot(), 'dist', 'apps', 'api', 'src', 'main.js');
    const running = await step(io, 'starting API', () =>
      startApiProcess({
        root: findProjectRoot(),
        config,
        env,
        logFile: join(config.dataDir, 'api.log'),
        interrupted: opts.interrupted,
        onSpawn: (h) => {
          apiChild = h;
          pidFile.record('API', h.pid, apiScript);
        },
      }),
    );
    api = {
      apiUrl: running.apiUrl,
      baseUrl: running.baseUrl,
      docsUrl: running.docsUrl,
      dashboardUrl: running.dashboardUrl,
      process: running.handle,
    };
    checkpoint();
    void running.handle.exited.then((info) => {
      if (stopping || opts.interrupted()) return;
      opts.onFailure(
        `the API exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
          `last lines of ${running.handle.logFile} (this run):\n${running.handle.tail()}`,
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
        const startWorker = async (): Promise<ChildHandle> => {
          if (stopping || opts.interrupted()) throw new Interrupted();
          const h = spawnNode(script, { ...env, NO_COLOR: env.NO_COLOR ?? '1' }, logFile);
          worker = h;
          pidFile.record('worker', h.pid, script);
          await waitForPoller(server.address, config.temporal, h, () => stopping || opts.interrupted());
          return h;
        };
        const describe = (h: ChildHandle) =>
          `pid ${h.pid}, polling task queue ${config.temporal.taskQueue}, log ${h.logFile}; ` +
          'restarted if it exits (supervised)';
        try {
          const handle = await step(io, 'starting worker', startWorker, (h) => `pid ${h.pid}`);
          workerNote = describe(handle);
          void superviseWorker(handle, {
            start: startWorker,
            current: () => worker,
            stopping: () => stopping || opts.interrupted(),
            stoppingNow,
            io,
            onRestarted: (h) => (workerNote = describe(h)),
            onGaveUp: (note) => {
              workerNote = note;
              pidFile.forget('worker');
            },
          });
        } catch (err) {
          // Plans can still be written and read without a worker: say so loudly, keep the rest running.
          if (!(err instanceof CliError)) throw err;
          io.err(`warning: ${err.message}`);
          for (const line of err.details) io.err(`  ${line}`);
          await (worker as ChildHandle | undefined)?.stop(2_000);
          worker = undefined;
          pidFile.forget('worker');
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
      ['Dashboard', startedApi.dashboardUrl],
      ['API', startedApi.apiUrl],
      ['OpenAPI docs', startedApi.docsUrl],
      ['MCP (HTTP)', `${startedApi.baseUrl}/mcp  (stdio: chunkwise mcp; see docs/mcp.md)`],
    ];
    if (config.grpcPort)
      out.push([
        'gRPC',
        `${new URL(startedApi.baseUrl).hostname}:${config.grpcPort}  (CHUNKWISE_GRPC_PORT; see docs/grpc.md)`,
      ]);
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
    wakeStopping();
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
          worker.tail().split('\n'),
        );
      }
      if (interrupted()) throw new Interrupted();
      const answer = await connection.workflowService
        .describeTaskQueue({
          namespace: temporalConfig.namespace,
          taskQueue: { name: temporalConfig.taskQueue },
        })
        .catch(() => undefined);
      // This worker's own poller (its default identity is pid@host): Temporal still lists a dead
      // predecessor's for a while after a restart.
      if ((answer?.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.pid}@`))) return;
      if (Date.now() > deadline) {
        throw new CliError(
          `the worker (pid ${worker.pid}) is not polling task queue ${temporalConfig.taskQueue} after ` +
            `${WORKER_START_TIMEOUT_MS / 1000} s; last lines of ${worker.logFile}:`,
          worker.tail().split('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Worker restarts: 1 s doubling to 30 s; a worker that ran a minute counts as healthy again. */
export const WORKER_RESTART = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
  /** Exits in a row, each within `healthyAfterMs` of its start, before giving up. */
  maxQuickFailures: 5,
};

/**
 * Keeps the worker running: when it exits while the stack runs, starts a new one after a backoff,
 * saying so on the terminal; gives up after too many quick failures in a row, with a clear message.
 */
async function superviseWorker(
  first: ChildHandle,
  o: {
    start: () => Promise<ChildHandle>;
    current: () => ChildHandle | undefined;
    stopping: () => boolean;
    stoppingNow: Promise<void>;
    io: Io;
    onRestarted: (h: ChildHandle) => void;
    onGaveUp: (note: string) => void;
  },
): Promise<void> {
  let handle = first;
  let startedAt = Date.now();
  let quickFailures = 0;
  let delay = WORKER_RESTART.initialDelayMs;
  let restarts = 0;
  for (;;) {
    const info = await handle.exited;
    if (o.stopping()) return;
    if (Date.now() - startedAt >= WORKER_RESTART.healthyAfterMs) {
      quickFailures = 0;
      delay = WORKER_RESTART.initialDelayMs;
    }
    quickFailures++;
    const how = `code ${info.code}, signal ${info.signal}`;
    if (quickFailures > WORKER_RESTART.maxQuickFailures) {
      o.io.err(
        `error: the worker keeps exiting (${WORKER_RESTART.maxQuickFailures} times in a row within ` +
          `${WORKER_RESTART.healthyAfterMs / 1000} s of starting; last: ${how}); giving up: sessions will not run ` +
          `until \`chunkwise up\` is restarted. Last lines of ${handle.logFile}:\n${handle.tail(10)}`,
      );
      o.onGaveUp(`NOT RUNNING (gave up restarting it; see ${handle.logFile}); sessions will not execute`);
      return;
    }
    restarts++;
    o.io.err(
      `warning: the worker (pid ${handle.pid}) exited unexpectedly (${how}); ` +
        `restarting it in ${delay / 1000} s (restart ${restarts}); see ${handle.logFile}`,
    );
    const sleep = new Promise<void>((r) => setTimeout(r, delay).unref());
    await Promise.race([sleep, o.stoppingNow]);
    if (o.stopping()) return;
    delay = Math.min(delay * 2, WORKER_RESTART.maxDelayMs);
    startedAt = Date.now();
    try {
      handle = await o.start();
      o.io.out(`worker restarted (pid ${handle.pid}, restart ${restarts}); sessions go on`);
      o.onRestarted(handle);
    } catch (err) {
      if (o.stopping() || err instanceof Interrupted) return;
      o.io.err(
        `warning: the restarted worker did not start: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (err instanceof CliError) for (const line of err.details) o.io.err(`  ${line}`);
      const h = o.current();
      if (!h) return;
      await h.stop(2_000);
      handle = h;
    }
  }
}

/** A PostgreSQL URL without its password, for messages. */
function describePg(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
