import { createHash } from 'node:crypto';
import {
  parsePlanDocument,
  planContentToDocument,
  type PlanContent,
  type ValidationIssue,
} from '@chunkwise/domain';
import { buildDocument } from './build-document';
import { parseChunkwise } from './chunkwise/chunkwise-format';
import { detectFormat } from './detect';
import { isRecord, parseJson } from './json-input';
import { parseKiro } from './kiro/kiro-import';
import { parseMassGen } from './massgen/massgen-import';
import { parseOpenSpec } from './openspec/openspec-import';
import { emptyStats, type SourcePlan } from './source-model';
import { parseSpecKit } from './speckit/speckit-import';
import { parseTaskMaster, taskMasterTags } from './taskmaster/taskmaster-import';
import {
  ImportError,
  type FormatId,
  type ImportedDocument,
  type ImportedPlan,
  type ImportInput,
  type InputFile,
  type SourceLocation,
  type SourceStats,
} from './types';
import { describeLocation, Warnings } from './warnings';

const baseName = (name: string) => name.split(/[\\/]/).pop()!.toLowerCase();

/**
 * Imports a plan written by another tool (or a Chunkwise plan document): recognises the format
 * (unless given), parses it, builds a Chunkwise plan document and validates it with the domain.
 * Returns the document, its validated content, every warning (what was not carried over) and the
 * source's counts; throws ImportError naming the line or JSON path of each problem.
 */
export function importPlan(input: ImportInput): ImportedPlan {
  return importGuarded(input, false);
}

function importGuarded(input: ImportInput, allTags: boolean): ImportedPlan {
  try {
    return importOne(input, allTags);
  } catch (err) {
    // A hostile input (nesting thousands deep) must end in a clear error, never a crash.
    if (err instanceof RangeError)
      throw new ImportError([{ message: `the input is nested too deeply to read (${err.message})` }]);
    throw err;
  }
}

/** Task Master with several tags: one plan per tag (other formats: the one plan). */
export function importAllTags(input: ImportInput): ImportedPlan[] {
  const files = inputFiles(input);
  const { format, main } = chooseFormat(files, input);
  if (format !== 'taskmaster') return [importPlan(input)];
  const tags = taskMasterTags(parseJson(main.content, 'taskmaster', main.name));
  if (!tags || tags.length === 1) return [importPlan({ ...input, format })];
  return tags.map((tag) =>
    importGuarded(
      { ...input, format, tag, title: input.title ? `${input.title} (${tag})` : undefined },
      true,
    ),
  );
}

/** `allTags`: one of the plans of --all-tags (the other tags are imported too, so no hint to choose one). */
function importOne(input: ImportInput, allTags: boolean): ImportedPlan {
  const files = inputFiles(input);
  const { format, main } = chooseFormat(files, input);
  const warnings = new Warnings();
  const sha256 = hashOf(files);
  const filename = input.filename ?? (files.length === 1 ? files[0].name : main.name);
  const fileOf = files.length > 1 ? main.name : undefined;

  if (format === 'chunkwise') {
    const document = parseChunkwise(main.content, warnings, fileOf);
    if (input.title !== undefined) document.title = input.title;
    if (input.repository !== undefined) document.repository = input.repository;
    const content = validate(document, [], [], format);
    return {
      format,
      // The normalised document (dependsOn for depends_on, chunks spelled out).
      document: planContentToDocument(content) as ImportedDocument,
      content,
      warnings: warnings.toArray(),
      stats: statsOf(content),
      sha256,
      filename,
    };
  }

  let source: SourcePlan;
  let tag: string | undefined;
  switch (format) {
    case 'openspec':
      source = parseOpenSpec(
        main,
        files.find((f) => baseName(f.name) === 'proposal.md'),
        warnings,
      );
      break;
    case 'speckit':
      source = parseSpecKit(main, warnings);
      break;
    case 'kiro':
      source = parseKiro(main, warnings);
      break;
    case 'taskmaster': {
      const state = files.find((f) => baseName(f.name) === 'state.json');
      const parsed = parseTaskMaster(
        parseJson(main.content, format, fileOf),
        { tag: input.tag, currentTag: state ? currentTag(state) : undefined, file: fileOf, allTags },
        warnings,
      );
      source = parsed.plan;
      tag = parsed.tag;
      break;
    }
    case 'massgen':
      source = parseMassGen(parseJson(main.content, format, fileOf), warnings, fileOf);
      break;
  }
  const built = buildDocument(source, warnings, {
    title: input.title,
    repository: input.repository,
    inferDependencies: input.inferDependencies,
  });
  if (built.document.tasks.length === 0)
    throw new ImportError(
      [{ message: `no tasks found in ${main.name} (read as ${format})`, file: fileOf }],
      format,
    );
  const content = validate(built.document, built.taskLocations, built.chunkLocations, format);
  return {
    format,
    document: built.document,
    content,
    warnings: warnings.toArray(),
    stats: source.stats,
    sha256,
    filename,
    ...(tag !== undefined ? { tag } : {}),
  };
}

function inputFiles(input: ImportInput): InputFile[] {
  const files = input.files?.length
    ? input.files
    : input.content !== undefined
      ? [{ name: input.filename ?? 'input', content: input.content }]
      : [];
  if (files.length === 0 || files.every((f) => f.content.trim() === ''))
    throw new ImportError([{ message: 'the input is empty' }]);
  return files;
}

const PREFERRED = ['tasks.md', 'tasks.json', 'project_plan.json', 'plan.json', 'plan.yaml', 'plan.yml'];

function chooseFormat(files: InputFile[], input: ImportInput): { format: FormatId; main: InputFile } {
  const candidates = files.filter(
    (f) => !['proposal.md', 'state.json'].includes(baseName(f.name)) || files.length === 1,
  );
  const byName = (names: string[]) =>
    names.map((n) => candidates.find((f) => baseName(f.name) === n)).find(Boolean);
  const byExt = (exts: RegExp) => candidates.find((f) => exts.test(baseName(f.name)));
  const given = input.format && input.format !== 'auto' ? input.format : undefined;
  let main: InputFile | undefined;
  switch (given) {
    case 'openspec':
    case 'speckit':
    case 'kiro':
      main = byName(['tasks.md']) ?? byExt(/\.(md|markdown)$/);
      break;
    case 'taskmaster':
      main = byName(['tasks.json']) ?? byExt(/\.json$/);
      break;
    case 'massgen':
      main = byName(['project_plan.json', 'plan.json']) ?? byExt(/\.json$/);
      break;
    case 'chunkwise':
      main = byName(['plan.yaml', 'plan.yml', 'plan.json']) ?? byExt(/\.(ya?ml|json)$/);
      break;
    default:
      main = byName(PREFERRED);
  }
  main ??= candidates[0] ?? files[0];
  if (given) return { format: given, main };
  const format = detectFormat(main, files);
  if (!format)
    throw new ImportError([
      {
        message: `cannot recognise the format of ${main.name}: no task list (JSON tasks or markdown checkboxes) found; name the format (openspec, speckit, taskmaster, kiro, massgen, chunkwise)`,
      },
    ]);
  return { format, main };
}

function currentTag(state: InputFile): string | undefined {
  try {
    const data: unknown = JSON.parse(state.content);
    return isRecord(data) && typeof data.currentTag === 'string' ? data.currentTag : undefined;
  } catch {
    return undefined;
  }
}

function hashOf(files: InputFile[]): string {
  const hash = createHash('sha256');
  if (files.length === 1) hash.update(files[0].content, 'utf8');
  else
    for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
      hash.update(`${f.name}\u0000${f.content}\u0000`, 'utf8');
  return hash.digest('hex');
}

/** Validates the document with the domain; each problem names where in the source it comes from. */
function validate(
  document: unknown,
  taskLocations: SourceLocation[],
  chunkLocations: SourceLocation[],
  format: FormatId,
): PlanContent {
  const parsed = parsePlanDocument(document);
  if (parsed.ok) return parsed.content;
  const tasks = isRecord(document) && Array.isArray(document.tasks) ? document.tasks : [];
  throw new ImportError(
    parsed.issues.map((issue) => locate(issue, tasks, taskLocations, chunkLocations)),
    format,
  );
}

function locate(
  issue: ValidationIssue,
  tasks: unknown[],
  taskLocations: SourceLocation[],
  chunkLocations: SourceLocation[],
) {
  let loc: SourceLocation | undefined;
  const t = /^tasks\[(\d+)\]/.exec(issue.path ?? '');
  const c = /^chunks\[(\d+)\]/.exec(issue.path ?? '');
  if (t) loc = taskLocations[Number(t[1])];
  else if (c) loc = chunkLocations[Number(c[1])];
  else if (issue.taskId) {
    const i = tasks.findIndex((task) => isRecord(task) && task.id === issue.taskId);
    if (i >= 0) loc = taskLocations[i];
  }
  if (!loc) return { message: issue.message, ...(issue.path ? { path: issue.path } : {}) };
  return { ...loc, message: `${describeLocation(loc)}: ${issue.message}` };
}

function statsOf(content: PlanContent): SourceStats {
  const stats = emptyStats();
  stats.groups = content.chunks.length;
  stats.top = content.tasks.length;
  stats.done.top = content.tasks.filter((t) => t.status === 'completed').length;
  stats.deps = content.tasks.reduce((n, t) => n + t.dependsOn.length, 0);
  stats.parallel = content.tasks.filter((t) => t.canRunInParallel).length;
  stats.optional = content.tasks.filter((t) => t.optional).length;
  stats.cancelled = content.tasks.filter((t) => t.cancelled).length;
  return stats;
}
