import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { reviewTypeSchema } from '@chunkwise/domain';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_OK, ExitCode, UsageError } from '../errors';
import { printJson, processIo, table } from '../output';
import { parseNonNegativeInt } from '../parse';
import { PlanningApi, type Depth, type RefineMode, type ReviewType } from '../plan-api';
import { explainPlanningError } from '../plan-errors';
import { interactiveLoop, leaveLines } from '../plan-loop';
import { createPrompter } from '../plan-prompt';
import { renderDiff, renderUsage } from '../plan-render';
import { parseSelection, PlanningSession, type SessionOptions } from '../plan-session';

/** What `chunkwise plan` needs besides the usual deps: where the interactive loop reads answers. */
export interface PlanDeps extends Deps {
  /** Default process.stdin. Tests pass a stream of answers (with --interactive). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** A scripted action, in command-line order. */
type Step =
  | { kind: 'refine'; mode: RefineMode; feedback: string }
  | { kind: 'review'; type: ReviewType; apply?: string };

interface PlanOptions {
  title?: string;
  repo?: string;
  chunks?: number;
  depth?: Depth;
  plan?: string;
  drafts?: number;
  finalize?: boolean;
  execute?: boolean;
  watch?: boolean;
  agent?: string;
  interactive?: boolean;
}

const REVIEW_TYPES: readonly string[] = reviewTypeSchema.options;

const inRange = (min: number, max: number) => (value: string) => {
  const n = parseNonNegativeInt(value);
  if (n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
  return n;
};

/** The first line of the description, cut at a word near 80 characters. */
export function defaultTitle(description: string): string {
  const first = description.trim().split('\n')[0].trim();
  if (first.length <= 80) return first;
  const cut = first.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** `--repo .` → an absolute path (the API reads it on this machine); `repo:<id>` stays as it is. */
export const repositoryOf = (repo: string) => (repo.startsWith('repo:') ? repo : resolve(repo));

/** `chunkwise plan`: plan with Claude, interactively or by flags; `plan diff` and `plan usage`. */
export function planCommand(deps: PlanDeps): Command {
  // Filled by the option parsers, so that --refine, --edit and --review run in the order given.
  const steps: Step[] = [];
  const addFeedback = (mode: RefineMode) => (feedback: string) => {
    if (!feedback.trim()) throw new InvalidArgumentError('feedback must not be empty.');
    steps.push({ kind: 'refine', mode, feedback });
    return steps.length;
  };

  const plan = new Command('plan')
    .description(
      'plan with Claude: generate a plan from a description (or open a draft with --plan), then continue ' +
        'planning, quick-edit, review and finalize/execute it — interactively on a terminal, or by flags',
    )
    .argument('[description]', 'what to build (quote it); the first line is the default title')
    .option('--title <title>', 'plan title (default: the first line of the description)')
    .option('--repo <path>', 'the git repository it is for (its tree and key files are shown to Claude)')
    .option('--chunks <n>', 'about how many chunks (1-50)', inRange(1, 50))
    .addOption(new Option('--depth <depth>', 'task granularity').choices(['brief', 'standard', 'detailed']))
    .option('--plan <id>', 'continue planning this draft instead of generating a new one')
    .option(
      '--refine <feedback>',
      'continue planning with this feedback (multi-draft); repeatable',
      addFeedback('multi'),
    )
    .option('--edit <feedback>', 'quick edit with this feedback (single); repeatable', addFeedback('single'))
    .option('--drafts <n>', 'drafts per continue-planning turn (2-5; default 3)', inRange(2, 5))
    .option(
      '--review <type>',
      `review the plan one way (${REVIEW_TYPES.join(', ')}); repeatable`,
      (type: string) => {
        if (!REVIEW_TYPES.includes(type))
          throw new InvalidArgumentError(`Allowed choices are ${REVIEW_TYPES.join(', ')}.`);
        steps.push({ kind: 'review', type: type as ReviewType });
        return steps.length;
      },
    )
    .option(
      '--apply <which>',
      'after --review: all, none (default) or a list like s1,s3 (or 1,3)',
      (which: string) => {
        const last = steps.at(-1);
        if (last?.kind !== 'review' || last.apply !== undefined)
          throw new InvalidArgumentError('--apply goes right after a --review.');
        last.apply = which;
        return which;
      },
    )
    .option('--finalize', 'then finalize the plan')
    .option('--execute', 'then finalize and execute it (a session, like `chunkwise execute`)')
    .option('-w, --watch', 'with --execute: watch the session live until it ends')
    .option('--agent <type>', 'agent for execution when the plan configures none (e.g. claude-code)')
    .option(
      '-i, --interactive',
      'ask what to do next even when stdin is not a terminal (answers line by line)',
    )
    .addHelpText(
      'after',
      `
Without action flags, on a terminal: a menu after each turn — [c]ontinue planning, [q]uick edit,
[r]eview, [s]how, [f]inalize and execute, [x] cancel (the draft stays; come back with --plan).
With action flags (--refine, --edit, --review/--apply, --finalize, --execute) they run in the order
given, then the command exits; --json prints a summary. Off a terminal without action flags, the
plan is generated (or shown) and the next commands are suggested.

The API server makes the LLM calls: it needs ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL).

Examples:
  chunkwise plan "Add OAuth login with GitHub" --repo .
  chunkwise plan "Add OAuth login" --repo . --refine "use passport" --review add_missing --apply all --json
  chunkwise plan --plan <id> --edit "merge T3 into T2" --execute --watch --agent claude-code
  chunkwise plan diff <id> --from 1 --to 3
  chunkwise plan usage <id>`,
    )
    .action(async (description: string | undefined, opts: PlanOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const acting = steps.length > 0 || Boolean(opts.finalize || opts.execute);
      checkUsage(description, opts, acting, ctx.json);
      const session = await start(ctx, deps, description, opts);
      const stdin = deps.stdin ?? process.stdin;
      const interactive = opts.interactive || (!acting && !ctx.json && Boolean(stdin.isTTY));

      if (interactive) {
        // A real terminal gets readline's line editing; anything else is read line by line.
        const terminal =
          !deps.stdin && process.stdin.isTTY && process.stdout.isTTY ? process.stdout : undefined;
        const prompter = createPrompter({ input: stdin, io: ctx.io, terminal });
        try {
          const code = await interactiveLoop(session, prompter, ctx.io);
          if (code !== EXIT_OK) throw new ExitCode(code);
        } finally {
          prompter.close();
        }
        return;
      }

      let code: number;
      try {
        code = await runSteps(session, steps, opts);
      } catch (err) {
        // Scripts still learn which plan (and how far it got) from the summary.
        if (ctx.json) printJson(ctx.io, { ...session.summary(), error: errorSummary(err) });
        throw withPlanHint(explainPlanningError(err), session);
      }
      if (ctx.json) printJson(ctx.io, session.summary());
      else if (!acting) {
        session.showPlan();
        session.say('', ...nextCommands(session.id));
      } else if (session.plan.status === 'draft') session.say('', ...leaveLines(session));
      if (code !== EXIT_OK) throw new ExitCode(code);
    });

  plan
    .command('diff')
    .description('what changed between two revisions of a plan: tasks and chunks added, removed, changed')
    .argument('<id>', 'plan id')
    .option(
      '--from <n>',
      'older revision (default: the one before --to)',
      inRange(1, Number.MAX_SAFE_INTEGER),
    )
    .option('--to <n>', 'newer revision (default: the latest)', inRange(1, Number.MAX_SAFE_INTEGER))
    .action(async (id: string, opts: { from?: number; to?: number }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const api = planningApi(ctx);
      const to = opts.to ?? (await api.getPlan(id)).revision;
      const from = opts.from ?? Math.max(1, to - 1);
      const answer = await api.diff(id, from, to);
      if (ctx.json) return printJson(ctx.io, answer);
      ctx.io.out(renderDiff(answer).join('\n'));
    });

  plan
    .command('usage')
    .description('tokens and estimated cost of every LLM call made for a plan, by purpose')
    .argument('<id>', 'plan id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const answer = await planningApi(ctx).usage(id);
      if (ctx.json) return printJson(ctx.io, answer);
      ctx.io.out(renderUsage(answer).join('\n'));
    });

  return plan;
}

function checkUsage(
  description: string | undefined,
  opts: PlanOptions,
  acting: boolean,
  json: boolean,
): void {
  if (description !== undefined && !description.trim()) throw new UsageError('the description is empty');
  if (description === undefined && !opts.plan)
    throw new UsageError('give a description, or --plan <id> to continue a draft', [
      'e.g. chunkwise plan "Add OAuth login with GitHub" --repo .',
    ]);
  if (description !== undefined && opts.plan)
    throw new UsageError('give either a description (a new plan) or --plan <id> (a draft), not both');
  if (opts.plan && (opts.title || opts.repo || opts.chunks !== undefined || opts.depth))
    throw new UsageError('--title, --repo, --chunks and --depth go with a description (a new plan)');
  if (opts.watch && !opts.execute) throw new UsageError('--watch goes with --execute');
  if (opts.interactive && (acting || json))
    throw new UsageError('--interactive cannot be combined with action flags or --json');
}

function planningApi(ctx: Context): PlanningApi {
  return new PlanningApi(ctx.client(), ctx.env.CHUNKWISE_API_TOKEN || null);
}

async function start(
  ctx: Context,
  deps: PlanDeps,
  description: string | undefined,
  opts: PlanOptions,
): Promise<PlanningSession> {
  const options: SessionOptions = {
    ctx,
    api: planningApi(ctx),
    // The spinner draws on the real stderr only, and only when it is a terminal.
    progress: {
      io: ctx.io,
      tty: deps.io === processIo && Boolean(process.stderr.isTTY) && ctx.env.CHUNKWISE_PLAIN !== '1',
    },
    drafts: opts.drafts,
    agent: opts.agent,
  };
  try {
    if (opts.plan) return await PlanningSession.open(options, opts.plan);
    return await PlanningSession.generate(options, {
      title: opts.title ?? defaultTitle(description!),
      description: description!.trim(),
      ...(opts.repo ? { repository: repositoryOf(opts.repo) } : {}),
      ...(opts.chunks !== undefined ? { targetChunks: opts.chunks } : {}),
      ...(opts.depth ? { depth: opts.depth } : {}),
    });
  } catch (err) {
    throw explainPlanningError(err);
  }
}

/** Runs the scripted steps in order, then finalize / execute. Returns the exit code. */
async function runSteps(
  session: PlanningSession,
  steps: readonly Step[],
  opts: PlanOptions,
): Promise<number> {
  if (steps.length > 0 || opts.finalize || opts.execute) session.showPlan();
  for (const step of steps) {
    if (step.kind === 'refine') {
      await session.refine(step.feedback, step.mode);
      continue;
    }
    const set = await session.review(step.type);
    const choice = parseSelection(step.apply ?? 'none', set);
    if ('error' in choice) throw new CliError(`--apply ${step.apply}: ${choice.error}`);
    if (choice.ids.length > 0) await session.apply(set, choice.ids);
    else if (set.suggestions.length > 0 && step.apply === undefined)
      session.say('  (none applied: add --apply all, or --apply s1,s2, after --review)');
  }
  if (opts.finalize || opts.execute) await session.finalize();
  if (opts.execute) return session.execute(Boolean(opts.watch));
  return EXIT_OK;
}

function nextCommands(id: string): string[] {
  const rows: Array<[string, string]> = [
    [`chunkwise plan --plan ${id}`, 'continue interactively (on a terminal)'],
    [`chunkwise plan --plan ${id} --refine "<feedback>"`, 'continue planning (drafts + judge)'],
    [`chunkwise plan --plan ${id} --edit "<feedback>"`, 'quick edit'],
    [`chunkwise plan --plan ${id} --review add_missing --apply all`, 'review, apply the suggestions'],
    [`chunkwise plan --plan ${id} --execute --watch`, 'finalize and run it'],
  ];
  const columns = [
    { header: '', value: (r: [string, string]) => r[0] },
    { header: '', value: (r: [string, string]) => r[1] },
  ];
  return ['Next:', ...table(rows, columns, '  ').slice(1)];
}

function errorSummary(err: unknown): { message: string; status?: number; code?: string } {
  const e = err as { message?: string; status?: number; body?: { code?: string } };
  return {
    message: e.message ?? String(err),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(typeof e.body?.code === 'string' ? { code: e.body.code } : {}),
  };
}

/** A failed step leaves the plan where it was: say where, and how to go on. */
function withPlanHint(err: unknown, session: PlanningSession): unknown {
  if (!(err instanceof CliError)) return err;
  const hint =
    session.plan.status === 'draft'
      ? `plan ${session.id} is at revision ${session.plan.revision}; go on with: chunkwise plan --plan ${session.id}`
      : `plan ${session.id} is ${session.plan.status} at revision ${session.plan.revision}`;
  return new CliError(err.message, [...err.details, hint], err.exitCode);
}
