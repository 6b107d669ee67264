import { Command, InvalidArgumentError } from 'commander';
import { contextOf, type Deps } from '../context';
import { UsageError } from '../errors';
import { parseNonNegativeInt } from '../parse';
import { PlanningApi } from '../plan-api';
import { repositoryOf } from './plan';

interface TuiCommandOptions {
  repo?: string;
  agent?: string;
  drafts?: number;
}

const drafts = (value: string) => {
  const n = parseNonNegativeInt(value);
  if (n < 2 || n > 5) throw new InvalidArgumentError('expected a number from 2 to 5.');
  return n;
};

/** `chunkwise tui [plan]`: the full-screen terminal UI (Ink), loaded only when it runs. */
export function tuiCommand(deps: Deps): Command {
  return new Command('tui')
    .description(
      'the terminal UI: plan with Claude in a review modal (continue planning, quick edit, review, ' +
        'finalize), then pick chunks and follow the session live (pause, stop, resume, retry…)',
    )
    .argument('[plan]', 'open this plan (a draft opens the review; a finalized plan the execute view)')
    .option('--repo <path>', 'for a new plan: the git repository it is for')
    .option('--agent <type>', 'agent for execution when the plan configures none (e.g. claude-code)')
    .option('--drafts <n>', 'drafts per continue-planning turn (2-5; default 3)', drafts)
    .addHelpText(
      'after',
      `
Needs a terminal (stdin and stdout). NO_COLOR=1 turns colours off. A help line lists the keys.
Without a plan: the plan list, the latest resumable plan first (r resumes it); n describes a new plan.

Examples:
  chunkwise tui                     the plans; n for a new one
  chunkwise tui --repo .            new plans target this repository
  chunkwise tui p_abc123            review a draft, or execute a finalized plan`,
    )
    .action(async (planId: string | undefined, opts: TuiCommandOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      if (!process.stdin.isTTY || !process.stdout.isTTY)
        throw new UsageError(
          'chunkwise tui needs a terminal; use `chunkwise plan` or `chunkwise watch` in scripts',
        );
      // The UI (React, Ink) loads only here: every other command starts without it.
      const { runTui } = await import('../tui/run');
      await runTui({
        api: new PlanningApi(ctx.client(), ctx.env.CHUNKWISE_API_TOKEN || null),
        planId,
        repository: opts.repo ? repositoryOf(opts.repo) : null,
        agent: opts.agent,
        drafts: opts.drafts,
        color: !ctx.env.NO_COLOR,
      });
    });
}
