import { executionModeSchema, taskStatusSchema, type TaskStatus } from '@chunkwise/domain';
import { newTask, type ChunkHint, type SourceTask, type WordedDependencyAt } from '../source-model';
import { dedent, trimBlock } from '../text';
import type { Warnings } from '../warnings';
import { mergeDuplicates, renestByNumber, type MergedLines } from './numbering';
import type { MdHeading, MdOutline, MdSection, MdTask, TextualDependencyLine } from './outline';
import { splitTrailer, trailerFlag, trailerList, trailerValue, type Trailer } from './trailer';

/** How a format writes the start of a task line. */
export interface TaskLineStyle {
  /** Matches the id at the start of the text (group 1), with its punctuation and the space after. */
  id: RegExp;
  /** Spec Kit: `[P]` and story labels (`[US1]`) right after the id. */
  markers: boolean;
}

/** What the title headings start with in each format (`# Tasks: …`, `# Implementation Plan - …`, `# Change: …`). */
export const TASKS_TITLE_PREFIX = /^(?:implementation\s+)?tasks?\s*(?:[:\-–—]\s*|$)/i;
export const KIRO_TITLE_PREFIX =
  /^(?:implementation\s+plan|implementation\s+tasks|tasks?)\s*(?:[:\-–—]\s*|$)/i;
export const CHANGE_TITLE_PREFIX = /^(?:change|proposal)\s*[:\-–—]\s*/i;

/**
 * `1`, `1.1`, `2.3.1` (OpenSpec, Kiro), written `1.`, `1.1`, `**1.1**`, `1.1:`; a letter suffix on
 * a dotted number (`7.4d`, `3.2a`) is part of the id (a plain `10x` is not: that is text).
 */
export const NUMERIC_ID =
  /^(?:\*\*)?(\d{1,9}(?:\.\d{1,9}){1,8}[a-z]?|\d{1,9}(?:\.\d{1,9}){0,8})\.?(?:\*\*)?[:)]?(?:\s+|$)/;
/** `T001`, `T012a`, `TASK-7` (Spec Kit). */
export const LETTER_ID = /^(?:\*\*)?([A-Z]{1,5}-?\d{1,9}[a-z]?)(?:\*\*)?:?(?=\s|\[|$)\s*/;

export interface TaskLine {
  id?: string;
  title: string;
  parallel: boolean;
  labels: string[];
  cancelled: boolean;
  trailer: Trailer | null;
}

const STRUCK = /^~~(.+)~~$/;
const MARKER = /^\[([^\]\s]{1,40})\]\s*/;

/** Reads the text after the checkbox: trailer, strikethrough, id, markers, title. */
export function parseTaskLine(text: string, style: TaskLineStyle): TaskLine {
  const split = splitTrailer(text.trim());
  let rest = split.text.trim();
  let cancelled = false;
  const whole = STRUCK.exec(rest);
  if (whole) {
    cancelled = true;
    rest = whole[1].trim();
  }
  let id: string | undefined;
  const m = style.id.exec(rest);
  if (m) {
    id = m[1];
    rest = rest.slice(m[0].length);
  }
  let parallel = false;
  const labels: string[] = [];
  if (style.markers) {
    for (let mk = MARKER.exec(rest); mk; mk = MARKER.exec(rest)) {
      if (mk[1] === 'P') parallel = true;
      else labels.push(mk[1]);
      rest = rest.slice(mk[0].length);
    }
  }
  rest = rest.trim();
  const struck = STRUCK.exec(rest);
  if (struck) {
    cancelled = true;
    rest = struck[1].trim();
  }
  return { id, title: unescapeTitle(rest), parallel, labels, cancelled, trailer: split.trailer };
}

/** The exporter escapes a title that would otherwise read as a marker or a strikethrough. */
const unescapeTitle = (title: string) => title.replace(/^\\([[~*\\])/, '$1');

/** A body line that would be read as structure (so an export escapes it with a leading "\"). */
export function isStructural(line: string): boolean {
  const t = line.trimStart();
  return (
    /^#{1,6}(?:\s|$)/.test(t) ||
    /^(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX~/-]\]/.test(t) ||
    /^(?:`{3,}|~{3,})/.test(t) ||
    t.startsWith('<!--') ||
    /^[-*+]\s+acceptance:/i.test(t) ||
    /^\\/.test(t)
  );
}

/** Splits a task's body into its description and its `- Acceptance: …` lines. */
export function bodyText(body: readonly string[]): { description: string; acceptance: string[] } {
  const acceptance: string[] = [];
  const kept: string[] = [];
  for (const line of dedent(body)) {
    const a = /^[-*+]\s+acceptance:\s*(.*)$/i.exec(line);
    if (a) acceptance.push(a[1].trim());
    else kept.push(unescapeLine(line));
  }
  return { description: trimBlock(kept), acceptance: acceptance.filter(Boolean) };
}

export function unescapeLine(line: string): string {
  const indent = line.length - line.trimStart().length;
  const t = line.slice(indent);
  return t.startsWith('\\') && isStructural(t.slice(1)) ? line.slice(0, indent) + t.slice(1) : line;
}

/** Prose of sections as markdown (headings kept unless `withHeadings` is false). */
export function sectionsText(sections: readonly MdSection[], withHeadings = true): string {
  const blocks: string[] = [];
  for (const s of sections) {
    const body = trimBlock(s.prose.map((p) => unescapeLine(p.raw)));
    // A heading whose tasks went elsewhere (Kiro's "## Tasks") says nothing on its own here.
    if (withHeadings && s.heading && (body || s.tasks.length === 0)) {
      const heading = `${'#'.repeat(s.heading.level)} ${splitTrailer(s.heading.text).text}`;
      blocks.push(body ? `${heading}\n\n${body}` : heading);
    } else if (body) blocks.push(body);
  }
  return blocks.join('\n\n');
}

/** The plan's title heading: the first `#` heading of the file. */
export const planHeading = (outline: MdOutline): MdHeading | undefined =>
  outline.sections.find((s) => s.heading?.level === 1)?.heading;

/** Prose of sections as the plan description, the title heading itself left out. */
export function descriptionText(sections: readonly MdSection[], title: MdHeading | undefined): string {
  return sectionsText(sections.map((s) => (s.heading === title ? { ...s, heading: undefined } : s)));
}

const STATUS_OF_BOX: Record<string, TaskStatus> = { ' ': 'pending', x: 'completed', X: 'completed' };

export interface MdTaskContext {
  style: TaskLineStyle;
  warnings: Warnings;
  file?: string;
  /** Gives each source task a unique key. */
  nextKey: () => string;
  /** Trailer dependencies to resolve once every task is known: [task, ids]. */
  pendingDeps: Array<[SourceTask, string[]]>;
  /** Lines of duplicate task lines → the line they were merged into. */
  merged: MergedLines;
}

/** The id a checkbox line writes (its number, not a trailer's id): what its nesting is checked by. */
export const writtenId = (t: MdTask, ctx: MdTaskContext) => parseTaskLine(t.text, ctx.style).id;

/**
 * Fixes a checkbox tree where its numbering contradicts it (see numbering.ts): subtasks indented
 * deeper than their siblings, task lines written twice.
 */
export function prepareTrees(tasks: readonly MdTask[], ctx: MdTaskContext): MdTask[] {
  return mergeTrees(renestTrees(tasks, ctx), ctx);
}

export function renestTrees(tasks: readonly MdTask[], ctx: MdTaskContext): MdTask[] {
  return renestByNumber(tasks, (t) => writtenId(t, ctx), ctx.warnings, ctx.file);
}

export function mergeTrees(tasks: readonly MdTask[], ctx: MdTaskContext): MdTask[] {
  return mergeDuplicates(
    tasks,
    (t) => writtenId(t, ctx),
    (t) => parseTaskLine(t.text, ctx.style).title,
    ctx.warnings,
    ctx.file,
    ctx.merged,
  );
}

/** The dependencies in words of a file, each with the source task its line belongs to. */
export function wordedDependencies(
  lines: readonly TextualDependencyLine[],
  tasks: readonly SourceTask[],
  ctx: MdTaskContext,
): WordedDependencyAt[] {
  const keyOfLine = new Map<number, string>();
  const stack = [...tasks];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.loc.line !== undefined) keyOfLine.set(t.loc.line, t.key);
    stack.push(...t.children);
  }
  return lines.map((l) => {
    const owner = l.owner === undefined ? undefined : (ctx.merged.get(l.owner) ?? l.owner);
    const ownerKey = owner === undefined ? undefined : keyOfLine.get(owner);
    return { dep: l.dep, loc: { file: ctx.file, line: l.n }, ...(ownerKey ? { ownerKey } : {}) };
  });
}

/** Converts a checkbox tree into source tasks (null for an empty checkbox, which is reported). */
export function toSourceTask(t: MdTask, ctx: MdTaskContext): SourceTask | null {
  const loc = { file: ctx.file, line: t.line };
  const line = parseTaskLine(t.text, ctx.style);
  const { description, acceptance } = bodyText(t.body);
  const children = t.children.map((c) => toSourceTask(c, ctx)).filter((c): c is SourceTask => c !== null);
  if (!line.title && line.id === undefined && !line.trailer && children.length === 0 && !description) {
    ctx.warnings.add('not_a_task', 'empty checkbox, not imported', loc);
    return null;
  }
  let status = STATUS_OF_BOX[t.box];
  if (status === undefined) {
    status = 'pending';
    ctx.warnings.addGrouped(
      'status_mapped',
      `checkbox marked [${t.box}] (in progress or partial) imported as pending`,
      loc,
    );
  }
  const tr = line.trailer;
  const trailerStatus = taskStatusSchema.safeParse(trailerValue(tr, 'status'));
  const cancelled = line.cancelled || trailerFlag(tr, 'cancelled');
  const task = newTask(ctx.nextKey(), loc, {
    id: trailerValue(tr, 'id') ?? line.id,
    title: line.title,
    description,
    acceptance,
    // A struck-through item is cancelled whatever its box says: it is kept, and never runs.
    status: trailerStatus.success ? trailerStatus.data : cancelled ? 'skipped' : status,
    cancelled,
    optional: t.star || trailerFlag(tr, 'optional'),
    parallel: line.parallel || trailerFlag(tr, 'parallel'),
    labels: [...line.labels, ...trailerList(tr, 'labels')],
    children,
    chunk: chunkHint(tr),
  });
  const deps = trailerList(tr, 'deps');
  if (deps.length > 0) ctx.pendingDeps.push([task, deps]);
  return task;
}

/** Chunk settings from a trailer (on a heading, or on a top-level task of a format without groups). */
export function chunkHint(tr: Trailer | null): ChunkHint | undefined {
  if (!tr) return undefined;
  const hint: ChunkHint = {};
  const key = trailerValue(tr, 'key');
  if (key) hint.key = key;
  const title = trailerValue(tr, 'chunkTitle');
  if (title !== undefined) hint.title = title;
  const description = trailerValue(tr, 'chunkDescription');
  if (description !== undefined) hint.description = description;
  const mode = executionModeSchema.safeParse(trailerValue(tr, 'mode'));
  if (mode.success) hint.executionMode = mode.data;
  if (trailerFlag(tr, 'pauseAfter')) hint.pauseAfter = true;
  return Object.keys(hint).length ? hint : undefined;
}

/** Resolves trailer dependencies (Chunkwise ids) to source keys once every task is known. */
export function resolveTrailerDeps(tasks: readonly SourceTask[], ctx: MdTaskContext): void {
  if (ctx.pendingDeps.length === 0) return;
  // Trailer dependencies name Chunkwise task ids, which are leaves: a parent line's number (a
  // chunk of a Kiro export) must not shadow them. First occurrence in source order wins.
  const leaves = new Map<string, string>();
  const parents = new Map<string, string>();
  const stack = [...tasks].reverse();
  while (stack.length > 0) {
    const t = stack.pop()!;
    const index = t.children.length === 0 ? leaves : parents;
    if (t.id !== undefined && !index.has(t.id)) index.set(t.id, t.key);
    for (let i = t.children.length - 1; i >= 0; i--) stack.push(t.children[i]);
  }
  const byId = { get: (id: string) => leaves.get(id) ?? parents.get(id) };
  for (const [task, ids] of ctx.pendingDeps) {
    for (const id of ids) {
      const key = byId.get(id);
      if (key) task.deps.push(key);
      else ctx.warnings.add('dependency_dropped', `dependency on unknown task ${id} dropped`, task.loc);
    }
  }
}

/**
 * Reports what markdown carries outside tasks and prose: comments, front matter, an unclosed fence.
 * (Dependencies in words are reported when the document is built: see infer-dependencies.ts.)
 */
export function reportMarkdownExtras(
  outline: {
    comments: Array<{ from: number; to: number; text: string }>;
    frontmatter: Array<{ n: number; raw: string }>;
    unclosedFence?: number;
  },
  warnings: Warnings,
  file: string | undefined,
  frontmatterUsed = false,
): void {
  for (const c of outline.comments) {
    if (/^\s*<!--\s*chunkwise:/.test(c.text)) continue;
    warnings.add('not_imported', `HTML comment${c.to > c.from ? ` (to line ${c.to})` : ''} not imported`, {
      file,
      line: c.from,
    });
  }
  if (outline.frontmatter.length > 0 && !frontmatterUsed)
    warnings.add(
      'not_imported',
      `YAML front matter (lines ${outline.frontmatter[0].n}–${outline.frontmatter[outline.frontmatter.length - 1].n}) not imported`,
      { file, line: outline.frontmatter[0].n },
    );
  if (outline.unclosedFence !== undefined)
    warnings.add('not_imported', 'code fence never closed; the rest of the file was read as code', {
      file,
      line: outline.unclosedFence,
    });
}

/**
 * A heading's title without the source's own prefix: `Tasks: Foo` → `Foo`. A chunkwise trailer's
 * `title` (written when the plain heading would not read back exactly) wins.
 */
export function stripTitlePrefix(title: string, prefixes: RegExp): string {
  const { text, trailer } = splitTrailer(title);
  return trailerValue(trailer, 'title') ?? text.trim().replace(prefixes, '').trim();
}
