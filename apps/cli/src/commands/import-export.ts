import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Command, Option } from 'commander';
import {
  FORMATS,
  importAllTags,
  ImportError,
  importPlan,
  type FormatWarning,
  type ImportedPlan,
  type InputFile,
} from '@chunkwise/formats';
import { ApiError, formatIssue } from '../api-client';
import { contextOf, type Context, type Deps } from '../context';
import { CliError } from '../errors';
import { printJson } from '../output';
import { parseNonNegativeInt } from '../parse';

/** What the API answers for one imported plan (see apps/api/src/imports). */
interface ImportResult {
  id?: string;
  revision?: number;
  format: string;
  filename?: string;
  sha256: string;
  tag?: string;
  chunks: number;
  tasks: number;
  warnings: FormatWarning[];
}

interface ExportAnswer {
  planId: string;
  revision: number;
  format: string;
  files: Array<{ name: string; content: string; mediaType: string }>;
  warnings: FormatWarning[];
}

/** Files a plan folder may hold: an OpenSpec change, a Task Master folder, a Spec Kit / Kiro spec. */
const PLAN_FILES = [
  'tasks.md',
  'proposal.md',
  'tasks.json',
  'state.json',
  'project_plan.json',
  'plan.json',
  'plan.yaml',
  'plan.yml',
];
const SHOWN_WARNINGS = 20;

/** `chunkwise import` and `chunkwise export`. */
export function importExportCommands(deps: Deps): Command[] {
  return [importCommand(deps), exportCommand(deps)];
}

function importCommand(deps: Deps): Command {
  return new Command('import')
    .description(
      'import a plan written by another tool (OpenSpec change folder, Spec Kit / Kiro tasks.md, Task Master tasks.json, MassGen project_plan.json) or a Chunkwise plan document',
    )
    .argument('<path>', 'a plan file, or a folder (an OpenSpec change with proposal.md and tasks.md)')
    .addOption(
      new Option('--format <format>', 'the source format').choices(['auto', ...FORMATS]).default('auto'),
    )
    .option('--tag <name>', 'Task Master: the tag to import (default: the current tag, else master)')
    .option('--all-tags', 'Task Master: one plan per tag')
    .option('--title <title>', 'the plan title (default: from the source)')
    .option('--repo <path>', 'the repository the plan targets')
    .option(
      '--infer-dependencies',
      'make dependencies written in words ("Depends on: 1.2", "(depends on T009-T016)") real dependencies where they name tasks of the plan and are valid',
    )
    .option('--dry-run', 'print the plan and the warnings; store nothing')
    .action(async (path: string, opts: ImportOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const files = readPlanInput(path);
      const input = {
        ...(files.length === 1 ? { content: files[0].content, filename: files[0].name } : { files }),
        format: opts.format as (typeof FORMATS)[number] | 'auto',
        tag: opts.tag,
        title: opts.title,
        repository: opts.repo,
        ...(opts.inferDependencies ? { inferDependencies: true } : {}),
      };
      if (opts.dryRun) return dryRun(ctx, input, opts.allTags === true, path);
      const answer = await withImportIssues(
        ctx.client().request<ImportResult | { plans: ImportResult[] }>('POST', '/plans/import', {
          body: { json: { ...input, ...(opts.allTags ? { allTags: true } : {}) } },
          headers: { 'x-chunkwise-actor': 'cli' },
        }),
        path,
      );
      if (ctx.json) return printJson(ctx.io, answer);
      const results = 'plans' in answer ? answer.plans : [answer];
      for (const r of results) {
        ctx.io.out(
          `imported plan ${r.id} (revision ${r.revision}) from ${r.filename ?? path} as ${r.format}${r.tag ? ` (tag ${r.tag})` : ''}: ${count(r.chunks, 'chunk')}, ${count(r.tasks, 'task')}, ${count(r.warnings.length, 'warning')}`,
        );
        printWarnings(ctx, r.warnings);
      }
      if (results.length === 1) ctx.io.out(`  show it with: chunkwise plans show ${results[0].id}`);
    });
}

interface ImportOptions {
  format: string;
  tag?: string;
  allTags?: boolean;
  title?: string;
  repo?: string;
  inferDependencies?: boolean;
  dryRun?: boolean;
}

function exportCommand(deps: Deps): Command {
  return new Command('export')
    .description("write a plan in another tool's format (statuses included)")
    .argument('<plan>', 'plan id')
    .addOption(
      new Option('--format <format>', 'the format to write').choices([...FORMATS]).makeOptionMandatory(),
    )
    .option('--revision <n>', 'the plan as it was at this revision', parseNonNegativeInt)
    .option('--tag <name>', 'Task Master: the tag to write the tasks under (default master)')
    .option(
      '-o, --output <file>',
      'write to this file (OpenSpec: proposal.md goes beside it; a folder takes every file)',
    )
    .action(
      async (
        id: string,
        opts: { format: string; revision?: number; tag?: string; output?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd, deps);
        const answer = await ctx
          .client()
          .request<ExportAnswer>('GET', `/plans/${encodeURIComponent(id)}/export`, {
            query: {
              format: opts.format,
              revision: opts.revision === undefined ? undefined : String(opts.revision),
              tag: opts.tag,
              json:
                opts.format === 'chunkwise' && opts.output?.toLowerCase().endsWith('.json')
                  ? 'true'
                  : undefined,
            },
          });
        if (ctx.json) return printJson(ctx.io, answer);
        for (const w of answer.warnings) ctx.io.err(`warning: ${w.message}`);
        if (!opts.output) {
          ctx.io.write(answer.files[0].content);
          if (answer.files.length > 1)
            ctx.io.err(
              `note: ${answer.files
                .slice(1)
                .map((f) => f.name)
                .join(', ')} not printed; write them with -o DIR`,
            );
          return;
        }
        const written = writeExport(answer, opts.output);
        ctx.io.err(
          `wrote ${written.join(', ')} (plan ${answer.planId} at revision ${answer.revision}, ${answer.format})`,
        );
      },
    );
}

/** Reads a plan file, or the plan files of a folder (names keep the folder: `add-x/tasks.md`). */
export function readPlanInput(path: string): InputFile[] {
  const abs = resolve(path);
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    throw new CliError(`cannot read ${path}: no such file or folder`);
  }
  if (stat.isFile()) return [{ name: shortName(abs), content: readText(abs, path) }];
  const folder = basename(abs);
  const found: InputFile[] = [];
  const add = (dir: string, name: string, as: string) => {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile())
      found.push({ name: as, content: readText(file, join(path, as)) });
  };
  for (const name of readdirSync(abs)) if (PLAN_FILES.includes(name)) add(abs, name, `${folder}/${name}`);
  // A Task Master project root or its .taskmaster folder.
  if (found.length === 0) {
    for (const base of ['.taskmaster', '.']) {
      add(join(abs, base, 'tasks'), 'tasks.json', `${folder}/tasks.json`);
      add(join(abs, base), 'state.json', `${folder}/state.json`);
      if (found.length) break;
    }
  }
  if (found.length === 0)
    throw new CliError(`no plan file in ${path}`, [
      `looked for ${PLAN_FILES.join(', ')} and .taskmaster/tasks/tasks.json`,
    ]);
  return found;
}

function readText(file: string, shown: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${shown}: ${(err as Error).message}`);
  }
}

/**
 * The last few segments of a path: enough for the format hints (`.kiro/specs/auth/tasks.md`), no
 * home folders. A shortened path keeps its leading `/` (`/…/specs/001-x/tasks.md`), so that it
 * never reads as a relative one in a message.
 */
export function shortName(abs: string): string {
  const parts = abs.split(sep);
  const kept = parts.slice(-4).join('/');
  return parts.length > 4 ? `/…/${kept}` : kept;
}

function dryRun(ctx: Context, input: Parameters<typeof importPlan>[0], allTags: boolean, path: string): void {
  let plans: ImportedPlan[];
  try {
    plans = allTags ? importAllTags(input) : [importPlan(input)];
  } catch (err) {
    if (err instanceof ImportError)
      throw new CliError(
        `cannot import ${path}${err.format ? ` as ${err.format}` : ''} (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}):`,
        err.issues.map((i) => i.message),
      );
    throw err;
  }
  if (ctx.json)
    return printJson(
      ctx.io,
      plans.map((p) => ({
        format: p.format,
        tag: p.tag,
        stats: p.stats,
        warnings: p.warnings,
        document: p.document,
      })),
    );
  for (const p of plans) {
    ctx.io.out(
      `dry run: ${path} read as ${p.format}${p.tag ? ` (tag ${p.tag})` : ''}; nothing stored\n` +
        `plan: ${p.document.title}  (${count(p.document.chunks.length, 'chunk')}, ${count(p.document.tasks.length, 'task')})`,
    );
    for (const chunk of p.document.chunks) {
      ctx.io.out(
        `  ${chunk.key}  ${chunk.title}${chunk.executionMode !== 'sequential' ? `  [${chunk.executionMode}]` : ''}`,
      );
      for (const t of p.document.tasks.filter((t) => t.chunk === chunk.key)) {
        const box = t.status === 'completed' ? '[x]' : t.status === 'skipped' ? '[-]' : '[ ]';
        const marks = [
          t.canRunInParallel ? 'P' : '',
          t.optional ? 'optional' : '',
          t.cancelled ? 'cancelled' : '',
          ...t.labels,
        ].filter(Boolean);
        ctx.io.out(
          `    ${box} ${t.id}  ${t.title}${marks.length ? `  [${marks.join(', ')}]` : ''}${t.dependsOn.length ? `  ← ${t.dependsOn.join(', ')}` : ''}`,
        );
      }
    }
    printWarnings(ctx, p.warnings);
  }
}

function printWarnings(ctx: Context, warnings: readonly FormatWarning[]): void {
  if (warnings.length === 0) return;
  ctx.io.out(`warnings (${warnings.length}):`);
  for (const w of warnings.slice(0, SHOWN_WARNINGS)) ctx.io.out(`  - ${w.message}`);
  if (warnings.length > SHOWN_WARNINGS)
    ctx.io.out(
      `  … and ${warnings.length - SHOWN_WARNINGS} more (--json or --dry-run --json lists them all)`,
    );
}

/** A refused import: a short headline, then each problem (with its line or JSON path) on its own line. */
async function withImportIssues<T>(request: Promise<T>, path: string): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ApiError && err.body?.issues?.length) {
      const issues = err.body.issues;
      throw new CliError(
        `cannot import ${path} (${issues.length} problem${issues.length === 1 ? '' : 's'}):`,
        issues.map(formatIssue),
      );
    }
    throw err;
  }
}

function writeExport(answer: ExportAnswer, output: string): string[] {
  const isDir =
    output.endsWith('/') || output.endsWith(sep) || (existsSync(output) && statSync(output).isDirectory());
  const written: string[] = [];
  const write = (file: string, content: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(file);
  };
  if (isDir) {
    for (const f of answer.files) write(join(output, f.name), f.content);
    return written;
  }
  write(output, answer.files[0].content);
  // The other files of the format (OpenSpec's proposal.md) go beside the main one.
  for (const f of answer.files.slice(1)) {
    const beside = join(dirname(output), f.name);
    if (resolve(beside) !== resolve(output)) write(beside, f.content);
  }
  return written;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
