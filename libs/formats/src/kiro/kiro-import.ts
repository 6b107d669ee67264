import {
  descriptionText,
  KIRO_TITLE_PREFIX,
  NUMERIC_ID,
  reportMarkdownExtras,
  planHeading,
  resolveTrailerDeps,
  stripTitlePrefix,
  toSourceTask,
  mergeTrees,
  renestTrees,
  wordedDependencies,
  writtenId,
  type MdTaskContext,
} from '../markdown/md-tasks';
import { MAX_DEPTH, outlineMarkdown, type MdTask } from '../markdown/outline';
import { countTasks, emptyStats, type SourcePlan, type SourceTask } from '../source-model';
import { titleFromSlug } from '../text';
import type { InputFile } from '../types';
import type { Warnings } from '../warnings';

const style = { id: NUMERIC_ID, markers: false };

/**
 * Kiro spec `tasks.md`: `- [ ] N. Task` with indented `- [ ] N.M Subtask` lines, detail bullets
 * under them (kept as the description, `_Requirements: …_` included), `- [ ]*` for optional tasks.
 * Kiro has no groups (its `##` headings are Overview / Tasks / Notes): each top-level task becomes
 * a chunk holding its subtasks. A subtask written without indentation (`- [ ] 2.1` right after
 * `- [ ] 2.`) is nested under its parent by its number.
 */
export function parseKiro(file: InputFile, warnings: Warnings): SourcePlan {
  const outline = outlineMarkdown(file.content);
  let key = 0;
  const ctx: MdTaskContext = {
    style,
    warnings,
    nextKey: () => `k${++key}`,
    pendingDeps: [],
    merged: new Map(),
  };
  // Deeper indentation than the numbering says is fixed first; then N.M lines written at N.'s
  // level go under N.; then a task line written twice is merged.
  const all = outline.sections.flatMap((s) => s.tasks);
  const idOf = (t: MdTask) => writtenId(t, ctx);
  const trees = mergeTrees(nestByNumber(renestTrees(all, ctx), idOf), ctx);
  const tasks = trees.map((t) => toSourceTask(t, ctx)).filter((t): t is SourceTask => t !== null);
  resolveTrailerDeps(tasks, ctx);
  reportMarkdownExtras(outline, warnings, undefined);

  const h1 = planHeading(outline);
  const title =
    (h1 ? stripTitlePrefix(h1.text, KIRO_TITLE_PREFIX) : '') || specName(file.name) || 'Kiro spec';
  const stats = emptyStats();
  countTasks(stats, tasks);
  stats.textualDependencies = outline.textualDependencies.length;
  return {
    title,
    description: descriptionText(outline.sections, h1),
    layout: 'per-top-task',
    groups: [],
    tasks,
    stats,
    wordedDependencies: wordedDependencies(outline.textualDependencies, tasks, ctx),
  };
}

/** Moves `N.M` checkboxes written at the same level as `N.` under it. */
function nestByNumber(tasks: MdTask[], idOf: (t: MdTask) => string | undefined): MdTask[] {
  const out: MdTask[] = [];
  let parent: { task: MdTask; id: string } | null = null;
  for (const t of tasks) {
    const id = idOf(t);
    if (parent && id && id.startsWith(`${parent.id}.`) && parent.task.depth < MAX_DEPTH - 1) {
      parent.task.children.push({ ...t, depth: parent.task.depth + 1 });
      continue;
    }
    out.push(t);
    parent = id && !id.includes('.') ? { task: t, id } : null;
  }
  return out;
}

/** `.kiro/specs/user-authentication/tasks.md` → `User authentication`. */
function specName(path: string): string | undefined {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return folder && folder !== 'specs' && folder !== '.kiro' ? titleFromSlug(folder) : undefined;
}
