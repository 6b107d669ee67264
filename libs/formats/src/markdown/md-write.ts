import type { Chunk, PlanContent, Task } from '@chunkwise/domain';
import { slugify } from '../text';
import type { ExportedFile } from '../types';
import type { Warnings } from '../warnings';
import { withoutNumbering } from './groups';
import { isStructural, stripTitlePrefix } from './md-tasks';
import { formatTrailer, type TrailerEntry } from './trailer';

/** Escapes a line that an import would otherwise read as structure (a heading, a checkbox, a fence). */
export function escapeLine(line: string): string {
  if (!isStructural(line)) return line;
  const indent = line.length - line.trimStart().length;
  return `${line.slice(0, indent)}\\${line.slice(indent)}`;
}

/** A title on one line (headings need no escaping: nothing in them is parsed but the numbering). */
export const flat = (title: string) => title.replace(/\s*\n\s*/g, ' ').trim();

/** Escapes a title that would read as a marker (`[P]`), a strikethrough or an escape. */
export function escapeTitle(title: string): string {
  const flat = title.replace(/\s*\n\s*/g, ' ').trim();
  return /^[[~*\\]/.test(flat) ? `\\${flat}` : flat;
}

/** A task's description and acceptance criteria as lines under its checkbox, indented by `indent`. */
export function bodyLines(task: Pick<Task, 'description' | 'acceptance'>, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  if (task.description.trim())
    for (const line of task.description.replace(/\r\n?/g, '\n').split('\n'))
      out.push(line.trim() ? pad + escapeLine(line) : '');
  for (const a of task.acceptance) out.push(`${pad}- Acceptance: ${a.replace(/\s*\n\s*/g, ' ').trim()}`);
  return out;
}

/** Plain text lines (a plan or chunk description), escaped. */
export function proseLines(text: string): string[] {
  if (!text.trim()) return [];
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => (l.trim() ? escapeLine(l) : ''));
}

/** Appends a description's lines and a blank line after them (nothing for an empty description). */
export function pushProse(lines: string[], text: string): void {
  const prose = proseLines(text);
  if (prose.length) lines.push(...prose, '');
}

/** A markdown file of the export: its lines, ending in exactly one newline. */
export function markdownFile(name: string, lines: readonly string[]): ExportedFile {
  return { name, content: `${lines.join('\n').trimEnd()}\n`, mediaType: 'text/markdown' };
}

/** The chunk key an import derives for the chunk at `position` (1-based) titled `title`. */
export function derivedChunkKey(title: string, position: number, count: number): string {
  const width = Math.max(2, String(count).length);
  return `C${String(position).padStart(width, '0')}_${slugify(title) || 'chunk'}`;
}

const byChunk = new WeakMap<PlanContent, Map<string, Task[]>>();

/** The tasks of a chunk, in plan order (grouped once per plan: exports of thousands of chunks stay linear). */
export function tasksOf(content: PlanContent, chunk: Chunk): Task[] {
  let groups = byChunk.get(content);
  if (!groups) {
    groups = new Map();
    for (const t of content.tasks) {
      const list = groups.get(t.chunk);
      if (list) list.push(t);
      else groups.set(t.chunk, [t]);
    }
    byChunk.set(content, groups);
  }
  return groups.get(chunk.key) ?? [];
}

/**
 * The checkbox a markdown format has for a status, and whether the status needs the trailer:
 * completed → [x]; skipped → [x] (struck through when cancelled); anything else → [ ].
 */
export function checkbox(task: Task): { box: string; exact: boolean } {
  if (task.cancelled) return { box: 'x', exact: task.status === 'skipped' };
  if (task.status === 'completed') return { box: 'x', exact: true };
  if (task.status === 'pending') return { box: ' ', exact: true };
  return { box: task.status === 'skipped' ? 'x' : ' ', exact: false };
}

/**
 * The tokens tasks are written with: a task whose id is already in the format's own style (`native`)
 * keeps it; any other gets the next `generate`d token that no task uses (its id goes in the trailer).
 */
export function taskTokens(
  content: PlanContent,
  native: RegExp,
): (task: Task, generate: () => string) => string {
  const taken = new Set(content.tasks.map((t) => t.id).filter((id) => native.test(id)));
  return (task, generate) => {
    if (native.test(task.id)) return task.id;
    let token: string;
    do token = generate();
    while (taken.has(token));
    taken.add(token);
    return token;
  };
}

/**
 * A task's checkbox line and its body under it:
 * `- [box]<afterBox> <lead> Title <!-- chunkwise: id; deps; status; …trailer -->`, the title struck
 * through when the task is cancelled. The trailer carries the id when the token is not the id, the
 * dependencies and a status the box cannot say; `trailer` adds the format's own entries.
 */
export function checkboxTaskLines(
  task: Task,
  token: string,
  options: { indent: number; lead: string; afterBox?: string; trailer: TrailerEntry[] },
): string[] {
  const { box, exact } = checkbox(task);
  const title = escapeTitle(task.title);
  return [
    `${' '.repeat(options.indent)}- [${box}]${options.afterBox ?? ''} ${options.lead} ${task.cancelled ? `~~${title}~~` : title}${formatTrailer(
      [
        ['id', token !== task.id ? task.id : undefined],
        ['deps', task.dependsOn],
        ['status', exact ? undefined : task.status],
        ...options.trailer,
      ],
    )}`,
    ...bodyLines(task, options.indent + 2),
  ];
}

/**
 * A chunk's `## heading` (`heading` without the hashes); its trailer carries what the import would
 * not derive from it: a key of its own (or any key of an empty chunk, which the import would drop),
 * a title the numbering would change, a mode other than `derivedMode`, pauseAfter.
 */
export function chunkHeading(
  heading: string,
  chunk: Chunk,
  position: number,
  count: number,
  options: { empty: boolean; derivedMode: Chunk['executionMode'] },
): string {
  return `## ${heading}${formatTrailer([
    [
      'key',
      chunk.key !== derivedChunkKey(chunk.title, position, count) || options.empty ? chunk.key : undefined,
    ],
    [
      'chunkTitle',
      withoutNumbering(heading) !== chunk.title || /#\s*$/.test(chunk.title) ? chunk.title : undefined,
    ],
    ['mode', chunk.executionMode !== options.derivedMode ? chunk.executionMode : undefined],
    ['pauseAfter', chunk.pauseAfter],
  ])}`;
}

/** Grouped warnings for what a markdown format has no syntax for (kept in chunkwise comments). */
export function reportMarkdownLimits(
  content: PlanContent,
  format: string,
  warnings: Warnings,
  native: { parallel?: boolean; optional?: boolean; labels?: (label: string) => boolean; modes?: boolean },
): void {
  const note = '; kept in a chunkwise comment, which the tool itself ignores';
  for (const t of content.tasks) {
    const at = { path: `task ${t.id}` };
    if (t.dependsOn.length > 0)
      warnings.addGrouped('not_exported', `${format} has no dependencies${note}`, at);
    if (!checkbox(t).exact)
      warnings.addGrouped('not_exported', `status ${t.status} has no ${format} checkbox${note}`, at);
    if (t.canRunInParallel && !native.parallel)
      warnings.addGrouped('not_exported', `${format} has no parallel marker${note}`, at);
    if (t.optional && !native.optional)
      warnings.addGrouped('not_exported', `${format} has no optional marker${note}`, at);
    if (t.labels.some((l) => !native.labels?.(l)))
      warnings.addGrouped('not_exported', `${format} has no labels${note}`, at);
  }
  for (const c of content.chunks) {
    if (c.pauseAfter || (!native.modes && c.executionMode !== 'sequential'))
      warnings.addGrouped('not_exported', `${format} has no chunk execution settings${note}`, {
        path: `chunk ${c.key}`,
      });
  }
  if (content.repository)
    warnings.add(
      'not_exported',
      `${format} has no place for the repository (${content.repository}); not exported`,
    );
  if (content.execution)
    warnings.add('not_exported', `${format} has no place for the execution settings; not exported`);
}

/**
 * A title heading (`# Tasks: Title`); when the importer would not read the title back exactly
 * (a trailing "#", a line break, a prefix of its own), the trailer carries it.
 */
export function titleHeading(prefix: string, title: string, importPrefix: RegExp): string {
  const heading = `${prefix}${flat(title)}`;
  const exact = !/#\s*$/.test(title) && stripTitlePrefix(heading, importPrefix) === title;
  return `# ${heading}${exact ? '' : formatTrailer([['title', title]])}`;
}
