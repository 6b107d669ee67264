import { Command, CommanderError } from 'commander';
import { DEFAULT_API_URL } from './api-client';
import { chatCommand } from './commands/chat';
import { demoCommand } from './commands/demo';
import { importExportCommands } from './commands/import-export';
import { mcpCommand } from './commands/mcp';
import { planCommand } from './commands/plan';
import { plansCommand } from './commands/plans';
import { replayCommand } from './commands/replay';
import { rollbackCommand } from './commands/rollback';
import { scheduleCommand } from './commands/schedule';
import { sessionCommands } from './commands/session';
import { templatesCommand } from './commands/templates';
import { tuiCommand } from './commands/tui';
import { upCommand } from './commands/up';
import { usageCommands } from './commands/usage';
import type { Deps } from './context';
import { CliError, EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitCode } from './errors';
import { processIo } from './output';

export const CLI_VERSION = '0.1.0';

/** The whole `chunkwise` command tree. Errors are thrown (exitOverride), never process.exit. */
export function createProgram(deps: Deps): Command {
  const program = new Command('chunkwise')
    .description('Chunkwise: durable plan execution for AI coding agents')
    .version(CLI_VERSION, '-V, --version')
    .option(
      '--api <url>',
      `API location (env CHUNKWISE_API_URL; default ${DEFAULT_API_URL}); CHUNKWISE_API_TOKEN is sent as a bearer token`,
    )
    .option('--json', 'machine-readable JSON on stdout')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => deps.io.out(s), writeErr: (s) => deps.io.err(s) })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 error (reported by the server, bad file, invalid plan, a rejected task
action, a watched session that did not complete), 2 wrong usage.

Examples:
  chunkwise demo                        the whole thing in one go: stack, plan, live session, summary
  chunkwise up --sample                 start the embedded stack with a sample plan
  chunkwise plan "Add login" --repo .   plan with Claude: generate, refine, review, execute
  chunkwise tui                         the terminal UI: plan review modal, chunk browser, live session
  chunkwise plans create --file plan.yaml
  chunkwise templates list              plan templates; a plan from one:
  chunkwise plans new --template fix-bug --param bug="totals are off by one cent"
  chunkwise import specs/001-x/tasks.md  import a Spec Kit, OpenSpec, Kiro, Task Master or MassGen plan
  chunkwise export <id> --format taskmaster -o tasks.json
  chunkwise plans show <id>
  chunkwise plans validate --file plan.yaml
  chunkwise plans finalize <id>
  chunkwise execute <id> --watch        run it, live; then pause | stop | resume | cancel
  chunkwise retry <id> <task>           after a task failed (or skip, complete, approve)
  chunkwise rollback <id>               undo the latest session's commits (or --task T); tasks pending again
  chunkwise usage --plan <id>           tokens and cost per task (or --by chunk|session|day, --repository)
  chunkwise budget <id> --usd 5         cap a plan's spend; a session that would cross it pauses
  chunkwise schedule create <id> --cron "0 3 * * *"   run it nightly (or --every 1h, --at <time>)
  chunkwise chat --project ./proj       talk with the orchestrator: it answers or launches runs
  chunkwise mcp                         the MCP server on stdio (claude mcp add chunkwise -- npx chunkwise mcp)`,
    );

  // Subcommands inherit exitOverride/output settings only when created through the parent, so
  // copy them onto the separately built command groups.
  for (const sub of [
    plansCommand(deps),
    planCommand(deps),
    ...sessionCommands(deps),
    rollbackCommand(deps),
    ...importExportCommands(deps),
    upCommand(deps),
    ...usageCommands(deps),
    demoCommand(deps),
    replayCommand(deps),
    mcpCommand(deps),
    tuiCommand(deps),
    chatCommand(deps),
    templatesCommand(deps),
    scheduleCommand(deps),
  ]) {
    program.addCommand(inherit(sub, program));
  }
  return program;
}

function inherit(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inherit(sub, command);
  return command;
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code. */
export async function run(
  argv: readonly string[],
  deps: Deps = { io: processIo, env: process.env },
): Promise<number> {
  const program = createProgram(deps);
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    return reportError(err, deps);
  }
}

function reportError(err: unknown, deps: Deps): number {
  if (err instanceof ExitCode) return err.exitCode;
  if (err instanceof CommanderError) {
    // commander has printed the message already.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return EXIT_USAGE;
  }
  if (err instanceof CliError) {
    deps.io.err(`error: ${err.message}`);
    for (const line of err.details) deps.io.err(`  - ${line}`);
    if (err.exitCode === EXIT_USAGE) deps.io.err('(run with --help for usage)');
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  deps.io.err(`error: ${e.message}`);
  if (deps.env.CHUNKWISE_DEBUG) deps.io.err(e.stack ?? '');
  else deps.io.err('  (set CHUNKWISE_DEBUG=1 for the stack trace)');
  return EXIT_ERROR;
}
