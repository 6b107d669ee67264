import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { INestApplication } from '@nestjs/common';
import type { TemporalDevServer } from '@chunkwise/temporal';
import { ApiClient } from '../api-client';
import { describeStore, loadCliConfig } from '../config-env';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_ERROR, EXIT_OK, ExitCode } from '../errors';
import { step, table, type Io } from '../output';
import { parsePort } from '../parse';
import { renderPlanDetail } from '../render';
import { canListen, PidFile, spawnNode, tailFile, type ChildHandle } from '../stack-support';

interface UpOptions {
  dataDir?: string;
  port?: number;
  temporal: boolean;
  worker: boolean;
  temporalPort?: number;
  temporalUiPort?: number;
  sample?: boolean;
}

const DEFAULT_TEMPORAL_PORT = 7233;
const DEFAULT_TEMPORAL_UI_PORT = 8233;
const SAMPLE_PLAN = join('examples', 'sample-plan.yaml');

/** `chunkwise up`: the embedded stack (Temporal dev server, API, worker) in one process tree. */
export function upCommand(deps: Deps): Command {
  return new Command('up')
    .description(
      'start the embedded stack: Temporal dev server, the API (SQLite stores) and the worker; Ctrl-C stops it',
    )
    .option('--data-dir <dir>', 'where data lives (env CHUNKWISE_DATA_DIR; default ./.chunkwise)')
    .option('--port <n>', 'API port (env CHUNKWISE_PORT; default 8080; 0 = any free port)', (v) =>
      v.trim() === '0' ? 0 : parsePort(v),
    )
    .option(
      '--temporal-port <n>',
      `Temporal frontend port (default ${DEFAULT_TEMPORAL_PORT}, or a free one when taken)`,
      parsePort,
    )
    .option(
      '--temporal-ui-port <n>',
      `Temporal UI port (default ${DEFAULT_TEMPORAL_UI_PORT}, or a free one when taken)`,
      parsePort,
    )
    .option('--no-temporal', 'API only: no Temporal dev server and no worker')
    .option('--no-worker', 'do not start the worker process')
    .option(
      '--sample',
      `create the sample plan (${SAMPLE_PLAN}) unless a plan with its title exists, and show it`,
    )
    .action(async (opts: UpOptions, cmd: Command) => {
      const code = await up(opts, contextOf(cmd, deps));
      if (code !== EXIT_OK) throw new ExitCode(code);
    });
}

class Interrupted extends Error {}

async function pickPort(
  host: string,
  explicit: number | undefined,
  preferred: number,
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
  if (await canListen(host, preferred)) return preferred;
  const { getFreePort } = await import('@chunkwise/temporal');
  const port = await getFreePort(host);
  io.out(`note: ${what} port ${preferred} is in use; using ${port} (choose with ${flag} N)`);
  return port;
}

async function up(opts: UpOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  // The terminal is for progress and URLs; request logs only when asked for (CHUNKWISE_LOG_LEVEL).
  const { config, env } = await loadCliConfig(
    { ...ctx.env, CHUNKWISE_LOG_LEVEL: ctx.env.CHUNKWISE_LOG_LEVEL || 'warn' },
    { dataDir: opts.dataDir, port: opts.port },
  );
  const host = config.host;

  mkdirSync(config.dataDir, { recursive: true });
  const pidFile = new PidFile(join(config.dataDir, 'chunkwise-up.pid'));
  pidFile.acquire();

  let temporal: TemporalDevServer | undefined;
  let app: INestApplication | undefined;
  let worker: ChildHandle | undefined;
  let stopping = false;
  let signal: NodeJS.Signals | undefined;
  let failure: string | undefined;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));

  const onSignal = (sig: NodeJS.Signals) => {
    if (signal) {
      io.err(`\n${sig} again: exiting without a clean stop`);
      process.exit(EXIT_ERROR);
    }
    signal = sig;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const checkpoint = () => {
    if (signal) throw new Interrupted();
  };

  let exitCode = EXIT_OK;
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
        DEFAULT_TEMPORAL_PORT,
        'Temporal',
        '--temporal-port',
        io,
      );
      let uiPort = await pickPort(
        ip,
        opts.temporalUiPort,
        DEFAULT_TEMPORAL_UI_PORT,
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
        if (stopping || signal) return;
        failure =
          `the Temporal dev server exited unexpectedly (code ${info.code}, signal ${info.signal}); ` +
          `last lines of ${server.logFile}:\n${tailFile(server.logFile)}`;
        wake();
      });
      checkpoint();
    }

    // 2. The API, in this process.
    const api = await step(io, 'starting API', async () => {
      await import('reflect-metadata');
      const { startApi } = await import('../../../api/src/app.factory');
      try {
        const running = await startApi(config);
        app = running.app;
        return running;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CliError(`port ${config.port} on ${host} is already in use`, [
            'choose another port with --port N (or CHUNKWISE_PORT)',
          ]);
        }
        throw new CliError(`could not start the API: ${(err as Error).message}`);
      }
    });
    checkpoint();

    // 3. The worker, as a child process (when built and when there is a Temporal to poll).
    let workerNote: string;
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
              await waitForPoller(server.address, config.temporal, h, () => Boolean(signal));
              return h;
            },
            (h) => `pid ${h.pid}`,
          );
          workerNote = `pid ${handle.pid}, polling task queue ${config.temporal.taskQueue}, log ${handle.logFile}`;
          void handle.exited.then((info) => {
            if (stopping || signal) return;
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
          await worker?.stop(2_000);
          worker = undefined;
          workerNote = `NOT RUNNING (failed to start; see ${logFile}); sessions will not execute`;
        }
      }
      checkpoint();
    }

    // 4. Where everything is.
    const rows: Array<[string, string]> = [
      ['API', api.apiUrl],
      ['OpenAPI docs', api.docsUrl],
    ];
    if (temporal) {
      rows.push(['Temporal UI', temporal.uiUrl ?? '(headless)']);
      rows.push([
        'Temporal',
        `${temporal.address} (namespace ${temporal.namespace}, task queue ${config.temporal.taskQueue})`,
      ]);
    } else {
      rows.push(['Temporal', 'not started (--no-temporal)']);
    }
    rows.push(['Worker', workerNote]);
    rows.push(['Data dir', config.dataDir]);
    rows.push(['Event store', describeStore(config.eventStore)]);
    rows.push(['Read models', describeStore(config.readModels)]);
    if (temporal) rows.push(['Temporal db', `${temporal.dbFile} (log ${temporal.logFile})`]);
    rows.push([
      'Auth',
      config.apiToken
        ? 'bearer token required (CHUNKWISE_API_TOKEN)'
        : 'off (set CHUNKWISE_API_TOKEN to require one)',
    ]);
    io.out(
      [
        '',
        'Chunkwise is up.',
        ...table(
          rows,
          [
            { header: '', value: (r) => r[0] },
            { header: '', value: (r) => r[1] },
          ],
          '  ',
        ).slice(1),
      ].join('\n'),
    );

    if (opts.sample) {
      const client = new ApiClient({ url: api.baseUrl, token: config.apiToken });
      await createSample(client, io).catch((err: unknown) => {
        io.err(
          `warning: could not create the sample plan: ${err instanceof Error ? err.message : String(err)}`,
        );
        if (err instanceof CliError) for (const d of err.details) io.err(`  - ${d}`);
      });
    }
    checkpoint();
    io.out(`\nPress Ctrl-C to stop (pid ${process.pid}).`);

    await stopRequested;
    if (failure) {
      io.err(`error: ${failure}`);
      exitCode = EXIT_ERROR;
    } else {
      io.out(`\n${signal ?? 'stop'} received, stopping…`);
    }
  } catch (err) {
    if (!(err instanceof Interrupted)) {
      await stopAll(true);
      throw err;
    }
    io.out(`\n${signal} received during start, stopping…`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (!(await stopAll(false))) exitCode = EXIT_ERROR;
  io.out(`stopped. Data kept in ${config.dataDir}; \`chunkwise up\` again to carry on.`);
  return exitCode;

  /** Stops what was started, in reverse order. Returns false if a part failed to stop. */
  async function stopAll(quiet: boolean): Promise<boolean> {
    stopping = true;
    const temporalGone =
      temporal !== undefined &&
      (await Promise.race([
        temporal.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
      ]));
    let ok = true;
    const parts: Array<[string, (() => Promise<void>) | undefined]> = [
      // A worker draining against a Temporal that is already gone only waits for nothing: cut it short.
      ['stopping worker', worker && (() => worker!.stop(temporalGone ? 2_000 : 15_000))],
      ['stopping API', app && (() => app!.close())],
      ['stopping Temporal dev server', temporal && (() => temporal!.stop())],
    ];
    for (const [label, stop] of parts) {
      if (!stop) continue;
      try {
        if (quiet) await stop();
        else await step(io, `  ${label}`, stop);
      } catch (err) {
        ok = false;
        io.err(
          `warning: ${label.replace('stopping', 'could not stop')}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    worker = undefined;
    app = undefined;
    temporal = undefined;
    pidFile.release();
    return ok;
  }
}

/** Creates the sample plan unless a plan with its title exists, then shows it. */
async function createSample(client: ApiClient, io: Io): Promise<void> {
  const { findProjectRoot } = await import('@chunkwise/temporal');
  const file = join(findProjectRoot(), SAMPLE_PLAN);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`the sample plan ${file} is missing`);
  }
  const title = (parseYaml(text) as { title?: string }).title;
  const { plans } = await client.listPlans({ includeArchived: true });
  const existing = plans.find((p) => p.title === title);
  let id: string;
  if (existing) {
    id = existing.id;
    io.out(`\nSample plan "${title}" already exists: ${id}`);
  } else {
    const created = await client.createPlan({ format: 'yaml', text });
    id = created.id;
    io.out(`\nCreated the sample plan from ${file}: ${id} (revision ${created.revision})`);
  }
  const plan = await client.getPlan(id);
  io.out(['', ...renderPlanDetail(plan)].join('\n'));
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
