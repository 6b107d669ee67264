import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient } from '../api-client';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_ERROR, EXIT_OK, ExitCode } from '../errors';
import { table, type Io } from '../output';
import { parsePort } from '../parse';
import { renderPlanDetail } from '../render';
import {
  DEFAULT_TEMPORAL_PORT,
  DEFAULT_TEMPORAL_UI_PORT,
  Interrupted,
  startStack,
  type EmbeddedStack,
} from '../stack';

interface UpOptions {
  dataDir?: string;
  port?: number;
  temporal: boolean;
  worker: boolean;
  temporalPort?: number;
  temporalUiPort?: number;
  sample?: boolean;
  profile: 'embedded' | 'production';
  pgUrl?: string;
}

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
    .option(
      '--profile <name>',
      'embedded (Temporal dev server, SQLite) or production (the Temporal server on PostgreSQL, PostgreSQL event store and read models; needs `npm run setup -- --production-profile`)',
      (v: string) => {
        if (v !== 'embedded' && v !== 'production')
          throw new InvalidArgumentError('expected embedded or production');
        return v;
      },
      'embedded',
    )
    .option(
      '--pg-url <url>',
      "the production profile's PostgreSQL (env CHUNKWISE_PG_URL; default postgres://postgres@127.0.0.1:5432/chunkwise; the database is created when missing)",
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

async function up(opts: UpOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
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

  let stack: EmbeddedStack | undefined;
  let exitCode = EXIT_OK;
  try {
    stack = await startStack({
      dataDir: opts.dataDir,
      port: opts.port,
      temporal: opts.temporal,
      worker: opts.worker,
      temporalPort: opts.temporalPort,
      temporalUiPort: opts.temporalUiPort,
      profile: opts.profile,
      pgUrl: opts.pgUrl,
      env: ctx.env,
      io,
      interrupted: () => Boolean(signal),
      onFailure: (message) => {
        failure = message;
        wake();
      },
    });

    // Where everything is.
    io.out(
      [
        '',
        'Chunkwise is up.',
        ...table(
          stack.rows(),
          [
            { header: '', value: (r) => r[0] },
            { header: '', value: (r) => r[1] },
          ],
          '  ',
        ).slice(1),
      ].join('\n'),
    );

    if (opts.sample) {
      const client = new ApiClient({ url: stack.api.baseUrl, token: stack.config.apiToken });
      await createSample(client, io).catch((err: unknown) => {
        io.err(
          `warning: could not create the sample plan: ${err instanceof Error ? err.message : String(err)}`,
        );
        if (err instanceof CliError) for (const d of err.details) io.err(`  - ${d}`);
      });
    }
    if (signal) throw new Interrupted();
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
      await stack?.stop(true);
      throw err;
    }
    io.out(`\n${signal} received during start, stopping…`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (stack && !(await stack.stop(false))) exitCode = EXIT_ERROR;
  io.out(
    `stopped. Data kept in ${stack?.config.dataDir ?? 'the data dir'}; \`chunkwise up\` again to carry on.`,
  );
  return exitCode;
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
