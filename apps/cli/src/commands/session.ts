import { Command, InvalidArgumentError, Option } from 'commander';
import type { ExecuteBody, TaskVerb } from '../api-client';
import { printEstimate } from './usage';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_ERROR, EXIT_OK, ExitCode, UsageError } from '../errors';
import { printJson } from '../output';
import { parseNonNegativeInt } from '../parse';
import { apiSource, exitCodeOf, watchSession } from '../watch';

const positive = (v: string) => {
  const n = parseNonNegativeInt(v);
  if (n < 1) throw new InvalidArgumentError('expected a number of at least 1.');
  return n;
};

interface ExecuteOptions {
  from?: ExecuteBody['from'];
  target?: string;
  chunks?: string;
  maxAttempts?: number;
  maxParallel?: number;
  turnScope?: 'task' | 'chunk';
  watch?: boolean;
}

/** Whether the display can be redrawn in place (a terminal, and not --json). */
export function isTty(ctx: Context): boolean {
  return Boolean(process.stdout.isTTY) && !ctx.json && ctx.env.CHUNKWISE_PLAIN !== '1';
}

/** Watches `planId` until its session ends; exit code 0 when it completed, 1 otherwise. */
export async function watchPlan(ctx: Context, planId: string, fresh = false): Promise<number> {
  const { end } = await watchSession(apiSource(ctx.client(), planId), {
    planId,
    io: ctx.io,
    tty: isTty(ctx),
    width: process.stdout.columns ? process.stdout.columns - 1 : undefined,
    fresh,
  });
  return exitCodeOf(end);
}

/**
 * Session commands: execute, watch, pause, stop, cancel, resume, and the task updates (approve,
 * retry, skip, complete, edit), answered "accepted" or "rejected: <reason>" (exit 1).
 */
export function sessionCommands(deps: Deps): Command[] {
  const execute = new Command('execute')
    .description("start a session of a plan's finalized revision (a Temporal workflow)")
    .argument('<plan>', 'plan id')
    .addOption(
      new Option(
        '--from <where>',
        'where to start (default: current — tasks already done stay done)',
      ).choices(['beginning', 'current', 'chunk', 'task']),
    )
    .option('--target <key>', 'the chunk (C02 or C02_storage) or task id for --from chunk|task')
    .option('--chunks <range>', 'only these chunks, e.g. C02-C04 or C03')
    .option('--max-attempts <n>', 'attempts per task before it fails (default 3)', positive)
    .option('--max-parallel <n>', 'tasks at once in a parallel chunk (default 4)', positive)
    .addOption(
      new Option('--turn-scope <scope>', 'one agent session per task (default) or per chunk').choices([
        'task',
        'chunk',
      ]),
    )
    .option('-w, --watch', 'then watch it live until it ends (exit 0 only when it completes)')
    .action(async (planId: string, opts: ExecuteOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      if ((opts.from === 'chunk' || opts.from === 'task') && !opts.target)
        throw new UsageError(
          `--from ${opts.from} needs --target <${opts.from === 'chunk' ? 'chunk' : 'task'}>`,
        );
      if (opts.target && opts.from !== 'chunk' && opts.from !== 'task')
        throw new UsageError('--target goes with --from chunk or --from task');
      const options: NonNullable<ExecuteBody['options']> = {};
      if (opts.maxAttempts !== undefined) options.maxAttempts = opts.maxAttempts;
      if (opts.maxParallel !== undefined) options.maxParallel = opts.maxParallel;
      if (opts.turnScope !== undefined) options.turnScope = opts.turnScope;
      const body: ExecuteBody = {};
      if (opts.from) body.from = opts.from;
      if (opts.target) body.target = opts.target;
      if (opts.chunks) body.chunks = opts.chunks;
      if (Object.keys(options).length) body.options = options;
      // What past sessions predict, before it starts (best effort: never in the way of executing).
      if (!ctx.json) await printEstimate(ctx, planId);
      const started = await ctx.client().execute(planId, body);
      if (ctx.json) printJson(ctx.io, started);
      else {
        ctx.io.out(
          `started session ${started.sessionId} of plan ${planId} (revision ${started.revision}); workflow ${started.workflowId}`,
        );
        if (!opts.watch) ctx.io.out(`  watch it with: chunkwise watch ${planId}`);
      }
      if (opts.watch) {
        const code = await watchPlan(ctx, planId, true);
        if (code !== EXIT_OK) throw new ExitCode(code);
      }
    });

  const watch = new Command('watch')
    .description(
      "follow a plan's session live (a bar per chunk, running tasks, attempts, last error, pause reason); " +
        'exits when it ends: 0 completed, 1 failed, cancelled or stopped',
    )
    .argument('<plan>', 'plan id')
    .action(async (planId: string, _opts: unknown, cmd: Command) => {
      const code = await watchPlan(contextOf(cmd, deps), planId);
      if (code !== EXIT_OK) throw new ExitCode(code);
    });

  const control = (verb: 'pause' | 'stop' | 'cancel', description: string, done: string) =>
    new Command(verb)
      .description(description)
      .argument('<plan>', 'plan id')
      .option('--reason <text>', 'why (recorded with the event)')
      .action(async (planId: string, opts: { reason?: string }, cmd: Command) => {
        const ctx = contextOf(cmd, deps);
        const answer = await ctx.client().control(planId, verb, opts.reason);
        if (ctx.json) return printJson(ctx.io, answer ?? { accepted: true });
        ctx.io.out(`accepted: ${done}`);
        if (verb !== 'cancel') ctx.io.out(`  continue later with: chunkwise resume ${planId}`);
      });

  const resume = new Command('resume')
    .description(
      'continue a paused session, or start a new one from a stopped session’s checkpoint; ' +
        'without a plan: the most recently updated paused or stopped plan',
    )
    .argument('[plan]', 'plan id (default: the latest resumable one)')
    .option('-w, --watch', 'then watch it live until it ends')
    .action(async (planArg: string | undefined, opts: { watch?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const planId = planArg ?? (await latestResumable(ctx));
      const answer = await ctx.client().resume(planId);
      if (ctx.json) printJson(ctx.io, { planId, ...answer });
      else
        ctx.io.out(
          answer.action === 'resumed'
            ? `accepted: resumed session ${answer.sessionId} of plan ${planId}`
            : `accepted: started session ${answer.sessionId} of plan ${planId} from the stopped session's checkpoint`,
        );
      if (opts.watch) {
        const code = await watchPlan(ctx, planId, answer.action === 'restarted');
        if (code !== EXIT_OK) throw new ExitCode(code);
      }
    });

  interface TaskOptions {
    editTitle?: string;
    editDescription?: string;
    reason?: string;
    skip?: boolean;
  }
  const editOf = (o: TaskOptions) => {
    const edit: Record<string, string> = {};
    if (o.editTitle !== undefined) edit.title = o.editTitle;
    if (o.editDescription !== undefined) edit.description = o.editDescription;
    return Object.keys(edit).length ? edit : undefined;
  };
  const taskCommand = (verb: TaskVerb, description: string, options: Array<'edit' | 'reason' | 'skip'>) => {
    const command = new Command(verb)
      .description(description)
      .argument('<plan>', 'plan id')
      .argument('<task>', 'task id');
    if (options.includes('edit'))
      command
        .option('--edit-title <title>', 'change the task title first')
        .option('--edit-description <text>', 'change the task description first');
    if (options.includes('reason')) command.option('--reason <text>', 'why (recorded with the event)');
    if (options.includes('skip')) command.option('--skip', 'approve skipping the task instead of running it');
    return command.action(async (planId: string, taskId: string, opts: TaskOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const edit = editOf(opts);
      const body: Record<string, unknown> = {};
      if (verb === 'approve') body.action = opts.skip ? 'skip' : 'execute';
      if (verb === 'edit') {
        if (!edit) throw new UsageError('give --edit-title and/or --edit-description');
        Object.assign(body, edit);
      } else if (edit) body.edit = edit;
      if (opts.reason) body.reason = opts.reason;
      const answer = await ctx.client().taskAction(planId, taskId, verb, body);
      if (ctx.json) printJson(ctx.io, answer);
      else ctx.io.out(answer.accepted ? 'accepted' : `rejected: ${answer.reason ?? 'no reason given'}`);
      if (!answer.accepted) throw new ExitCode(EXIT_ERROR);
    });
  };

  return [
    execute,
    watch,
    control(
      'pause',
      'pause at the next safe boundary (running turns finish)',
      'the session pauses once running turns finish',
    ),
    control(
      'stop',
      'stop gracefully: checkpoint at the next boundary, end the workflow; resumable',
      'the session stops at the next boundary (resumable)',
    ),
    control(
      'cancel',
      'cancel now: running turns are cancelled and the plan is cancelled',
      'the session is being cancelled',
    ),
    resume,
    taskCommand('approve', 'approve the next task of a manual chunk (run it, or --skip it; edits first)', [
      'edit',
      'skip',
    ]),
    taskCommand('retry', 'retry a failed task (optionally edited first)', ['edit']),
    taskCommand('skip', 'skip a failed or pending task', ['reason']),
    taskCommand('complete', 'mark a failed task complete after a fix by hand (the QA gates run first)', []),
    taskCommand('edit', 'edit a pending task of the running session', ['edit']),
  ];
}

/** The most recently updated plan that is paused (a paused or stopped session). */
async function latestResumable(ctx: Context): Promise<string> {
  const { plans } = await ctx.client().listPlans({ status: 'paused' });
  const latest = [...plans].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  if (!latest) {
    throw new CliError('no plan has a paused or stopped session to resume', [
      'list plans with: chunkwise plans list',
    ]);
  }
  ctx.io.err(`resuming the latest resumable plan: ${latest.id} (${latest.title})`);
  return latest.id;
}
