import { Command, Option } from 'commander';
import { planStatusSchema } from '@chunkwise/domain';
import { ApiError, formatIssue, type ApiIssue, type ValidationResult } from '../api-client';
import { printEstimate } from './usage';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_ERROR, ExitCode, UsageError } from '../errors';
import { printJson } from '../output';
import { readPlanFile } from '../plan-file';
import { parseNonNegativeInt } from '../parse';
import { renderHistory, renderPlanDetail, renderPlanList } from '../render';
import { plansNewCommand } from './templates';

/** `chunkwise plans …`: list, show, create, new (from a template), validate, finalize, history. */
export function plansCommand(deps: Deps): Command {
  const plans = new Command('plans').description(
    'create, inspect, validate and finalize plans (through the API)',
  );

  plans
    .command('list')
    .alias('ls')
    .description('list plans')
    .addOption(
      new Option('--status <status>', 'only plans with this status').choices(planStatusSchema.options),
    )
    .option('--repository <repo>', 'only plans targeting this repository')
    .option('--all', 'include archived plans')
    .action(async (opts: { status?: string; repository?: string; all?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const result = await ctx
        .client()
        .listPlans({ status: opts.status, repository: opts.repository, includeArchived: opts.all });
      if (ctx.json) return printJson(ctx.io, result);
      ctx.io.out(renderPlanList(result.plans, Boolean(opts.status || opts.repository)).join('\n'));
    });

  plans
    .command('show')
    .description("show a plan grouped by chunk, with each task's status and dependencies")
    .argument('<id>', 'plan id')
    .option('--revision <n>', 'show the plan as it was at this revision', parseNonNegativeInt)
    .action(async (id: string, opts: { revision?: number }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const { plan, note } = await fetchPlan(ctx, id, opts.revision);
      if (ctx.json) return printJson(ctx.io, plan);
      ctx.io.out(renderPlanDetail(plan, note).join('\n'));
    });

  plans
    .command('create')
    .description('create a plan from a plan document (JSON or YAML)')
    .requiredOption('-f, --file <file>', 'plan document: plan.json, plan.yaml')
    .action(async (opts: { file: string }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const doc = readPlanFile(opts.file);
      const created = await withIssues(
        ctx.client().createPlan(doc),
        `cannot create a plan from ${opts.file}`,
      );
      if (ctx.json) return printJson(ctx.io, created);
      ctx.io.out(`created plan ${created.id} (revision ${created.revision})`);
      ctx.io.out(`  show it with: chunkwise plans show ${created.id}`);
    });

  plans.addCommand(plansNewCommand(deps));

  plans
    .command('validate')
    .description('validate a stored plan, or a plan document without storing it; exits 1 when invalid')
    .argument('[id]', 'plan id')
    .option('-f, --file <file>', 'plan document to validate instead of a stored plan')
    .action(async (id: string | undefined, opts: { file?: string }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      if (id && opts.file) throw new UsageError('give either a plan id or --file, not both');
      if (!id && !opts.file)
        throw new UsageError('give a plan id or --file <file>', [
          'e.g. chunkwise plans validate --file plan.yaml',
        ]);
      let subject: string;
      let result: ValidationResult;
      if (opts.file) {
        subject = opts.file;
        result = await asValidation(ctx.client().validateDocument(readPlanFile(opts.file)));
      } else {
        subject = `plan ${id}`;
        result = await asValidation(ctx.client().validatePlan(id!));
      }
      if (ctx.json) printJson(ctx.io, result);
      else if (result.valid) ctx.io.out(`✓ ${subject} is valid`);
      else ctx.io.out(issueLines(`✗ ${subject} is invalid`, result.issues).join('\n'));
      if (!result.valid) throw new ExitCode(EXIT_ERROR);
    });

  plans
    .command('finalize')
    .description('freeze the current revision of a plan so it can be executed')
    .argument('<id>', 'plan id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const result = await withIssues(ctx.client().finalizePlan(id), `cannot finalize plan ${id}`);
      if (ctx.json) return printJson(ctx.io, result);
      ctx.io.out(`finalized plan ${result.id} at revision ${result.revision}`);
      await printEstimate(ctx, result.id);
    });

  plans
    .command('history')
    .description('every event of a plan: time, revision, type and a short summary; then the feedback')
    .argument('<id>', 'plan id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const history = await ctx.client().getHistory(id);
      if (ctx.json) return printJson(ctx.io, history);
      ctx.io.out(renderHistory(history).join('\n'));
    });

  return plans;
}

function issueLines(header: string, issues: readonly ApiIssue[]): string[] {
  return [
    `${header} (${issues.length} issue${issues.length === 1 ? '' : 's'}):`,
    ...issues.map((i) => `  - ${formatIssue(i)}`),
  ];
}

/** Validation failures reported as an HTTP 400 with issues become an "invalid" result. */
async function asValidation(request: Promise<ValidationResult>): Promise<ValidationResult> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.body?.issues?.length)
      return { valid: false, issues: err.body.issues };
    throw err;
  }
}

/** Rewords a refusal that carries validation issues: a short headline, then each issue on its own line. */
async function withIssues<T>(request: Promise<T>, headline: string): Promise<T> {
  try {
    return await request;
  } catch (err) {
    const issues = err instanceof ApiError ? err.body?.issues : undefined;
    if (err instanceof ApiError && issues?.length) {
      const [first, ...rest] = issueLines(`${headline}: ${shortReason(err.message, issues)}`, issues);
      throw new CliError(
        first,
        rest.map((l) => l.replace(/^ {2}- /, '')),
      );
    }
    throw err;
  }
}

/** "invalid plan document: a; b; c" → "invalid plan document". */
function shortReason(message: string, issues: readonly ApiIssue[]): string {
  const at = message.indexOf(issues[0].message);
  const reason = at > 0 ? message.slice(0, at).replace(/[\s:;,-]+$/, '') : message;
  return reason || 'validation failed';
}

/** The plan now, or as it was at `revision` (the API folds the events up to it). */
async function fetchPlan(ctx: Context, id: string, revision: number | undefined) {
  const plan = await ctx.client().getPlan(id, revision);
  const note =
    revision === undefined ? undefined : `as it was at revision ${revision} (without --revision: the latest)`;
  return { plan, note };
}
