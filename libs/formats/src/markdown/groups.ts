import { countTasks, emptyStats, type SourceGroup, type SourceTask } from '../source-model';
import type { SourceStats } from '../types';
import type { Warnings } from '../warnings';
import {
  chunkHint,
  prepareTrees,
  resolveTrailerDeps,
  sectionsText,
  toSourceTask,
  type MdTaskContext,
} from './md-tasks';
import type { MdHeading, MdOutline, MdSection, MdTask } from './outline';
import { splitTrailer } from './trailer';

/**
 * Collects the sections of a markdown file into groups. `groupOf` names, for each section, the
 * heading of the group it belongs to (null: it belongs to no group, its text goes to the plan's
 * description). Sections of one group are contiguous; their prose becomes the chunk description.
 */
export interface GroupedSections {
  groups: Array<{ heading: MdHeading | null; sections: MdSection[] }>;
  /** Sections outside every group (their prose is the plan description). */
  loose: MdSection[];
}

export function groupSections(
  sections: readonly MdSection[],
  groupOf: (s: MdSection) => MdHeading | null | 'default',
): GroupedSections {
  const groups: GroupedSections['groups'] = [];
  const loose: MdSection[] = [];
  let current: GroupedSections['groups'][number] | null = null;
  for (const s of sections) {
    const g = groupOf(s);
    if (g === null) {
      loose.push(s);
      continue;
    }
    const heading = g === 'default' ? null : g;
    if (!current || current.heading?.line !== heading?.line) {
      current = { heading, sections: [] };
      groups.push(current);
    }
    current.sections.push(s);
  }
  return { groups, loose };
}

/** Chunk description of a group: the prose of its sections, sub-headings kept, its own heading not. */
export function groupDescription(sections: readonly MdSection[], heading: MdHeading | null): string {
  return sectionsText(
    sections.map((s) =>
      s.heading && heading && s.heading.line === heading.line ? { ...s, heading: undefined } : s,
    ),
  );
}

export function headingTrailer(heading: MdHeading | null) {
  return heading ? splitTrailer(heading.text) : { text: '', trailer: null };
}

/**
 * Builds a source group from grouped sections: every checkbox tree becomes source tasks, the title
 * is the heading without its numbering, the prose is the description.
 */
export function toSourceGroup(
  group: GroupedSections['groups'][number],
  ctx: MdTaskContext,
  options: { defaultTitle: string; cleanTitle: (heading: string) => string; isTask?: (t: MdTask) => boolean },
): SourceGroup {
  const { text, trailer } = headingTrailer(group.heading);
  const tasks: SourceTask[] = [];
  const trees = group.sections.flatMap((s) => s.tasks).filter((t) => !options.isTask || options.isTask(t));
  for (const t of prepareTrees(trees, ctx)) {
    const st = toSourceTask(t, ctx);
    if (st) tasks.push(st);
  }
  const hint = chunkHint(trailer);
  return {
    ...hint,
    title: hint?.title ?? (group.heading ? options.cleanTitle(text) || text : options.defaultTitle),
    description: hint?.description ?? groupDescription(group.sections, group.heading),
    tasks,
    loc: { file: ctx.file, line: group.heading?.line ?? group.sections[0]?.tasks[0]?.line },
    keepEmpty: trailer !== null,
  };
}

/**
 * The groups an import keeps: those that hold tasks, or that an export wrote empty (with a trailer).
 * The sections of the others are prose like the loose ones, returned in file order. Dependencies
 * written in trailers are then resolved across the kept groups' tasks.
 */
export function keepGroups(
  built: ReadonlyArray<{ sections: MdSection[]; group: SourceGroup }>,
  loose: readonly MdSection[],
  ctx: MdTaskContext,
): { groups: SourceGroup[]; prose: MdSection[] } {
  const kept = built.filter((b) => b.group.tasks.length > 0 || b.group.keepEmpty);
  const groups = kept.map((b) => b.group);
  const prose = [...loose, ...built.filter((b) => !kept.includes(b)).flatMap((b) => b.sections)].sort(
    (a, b) => (a.heading?.line ?? 0) - (b.heading?.line ?? 0),
  );
  resolveTrailerDeps(
    groups.flatMap((g) => g.tasks),
    ctx,
  );
  return { groups, prose };
}

/** Import stats of a grouped markdown file: the groups that hold tasks, their tasks, textual deps. */
export function groupedStats(groups: readonly SourceGroup[], outline: MdOutline): SourceStats {
  const stats = emptyStats();
  stats.groups = groups.filter((g) => g.tasks.length > 0).length;
  countTasks(
    stats,
    groups.flatMap((g) => g.tasks),
  );
  stats.textualDependencies = outline.textualDependencies.length;
  return stats;
}

/**
 * Group title without its numbering: `1. Spec Update` → `Spec Update`, `Phase 3: US1` → `US1`,
 * `M1. Foundations` → `Foundations` (a milestone-style number: capitals, digits, punctuation).
 */
export function withoutNumbering(title: string): string {
  return title
    .replace(/^[A-Z]{1,3}\d{1,4}(?:\.\d{1,4})*[.):]\s+/, '')
    .replace(
      /^(?:(?:phase|step|part|stage|group|section)\s*)?(?:\d{1,9}(?:\.\d{1,9})*[.):]?|[A-Za-z][.)]|[IVXLC]{1,6}[.)])\s+/i,
      '',
    )
    .replace(/^[-:–—]\s*/, '')
    .trim();
}

export function reportTaskCount(warnings: Warnings, count: number, what: string): void {
  if (count === 0) warnings.add('not_a_task', `no tasks found in ${what}`);
}
