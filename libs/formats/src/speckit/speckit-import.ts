import { parse as parseYaml } from 'yaml';
import { groupedStats, groupSections, keepGroups, toSourceGroup, withoutNumbering } from '../markdown/groups';
import {
  descriptionText,
  LETTER_ID,
  planHeading,
  TASKS_TITLE_PREFIX,
  parseTaskLine,
  reportMarkdownExtras,
  stripTitlePrefix,
  wordedDependencies,
  type MdTaskContext,
} from '../markdown/md-tasks';
import { outlineMarkdown, taskSource, type MdHeading, type MdSection } from '../markdown/outline';
import type { SourcePlan } from '../source-model';
import { titleFromSlug } from '../text';
import type { InputFile } from '../types';
import type { Warnings } from '../warnings';

const PHASE = /^[^\p{L}\p{N}]*phase\b/iu;
const style = { id: LETTER_ID, markers: true };

/**
 * GitHub Spec Kit `tasks.md`: `## Phase N: …` sections of `- [ ] T001 [P] [US1] Description`
 * lines. Phases that hold tasks become chunks; `[P]` marks a task that can run in parallel (a
 * phase whose tasks are all `[P]` runs in parallel mode); story labels are kept as labels. Other
 * sections (Format, Dependencies, Notes, …) are prose: they go to the plan description, and a
 * checklist item there without a task id is not a task.
 */
export function parseSpecKit(file: InputFile, warnings: Warnings): SourcePlan {
  const outline = outlineMarkdown(file.content);
  let key = 0;
  const ctx: MdTaskContext = {
    style,
    warnings,
    nextKey: () => `k${++key}`,
    pendingDeps: [],
    merged: new Map(),
  };
  const hasId = (text: string) => parseTaskLine(text, style).id !== undefined || /chunkwise:/.test(text);

  const groupOf = (s: MdSection): MdHeading | null | 'default' => {
    const phase = [...s.trail].reverse().find((h) => h.level >= 2 && PHASE.test(h.text));
    if (phase) return phase;
    const withIds = s.tasks.filter((t) => hasId(t.text));
    if (withIds.length === 0) return null;
    const level2 = s.trail.find((h) => h.level === 2);
    if (level2) {
      warnings.add(
        'not_a_task',
        `tasks under "${level2.text}", which is not a Phase heading, were imported as a chunk of their own`,
        { line: level2.line },
      );
      return level2;
    }
    return 'default';
  };
  const { groups: grouped, loose } = groupSections(outline.sections, groupOf);
  // A checklist item outside a phase, without a task id, is not a task: it stays in the prose.
  for (const s of loose) {
    for (const t of s.tasks) {
      warnings.addGrouped(
        'not_a_task',
        'checklist item without a task id outside a phase, kept in the plan description and not as a task',
        { line: t.line },
      );
      s.prose.push({ n: t.line, raw: taskSource(t) });
    }
    s.prose.sort((a, b) => a.n - b.n);
  }

  const built = grouped.map((g) => ({
    sections: g.sections,
    group: {
      ...toSourceGroup(g, ctx, {
        defaultTitle: 'Tasks',
        cleanTitle: withoutNumbering,
      }),
      parallelWhenAllMarked: true,
    },
  }));
  const { groups, prose } = keepGroups(built, loose, ctx);

  const front = frontMatter(outline.frontmatter.map((f) => f.raw));
  reportMarkdownExtras(outline, warnings, undefined, front.used);
  const h1 = planHeading(outline);
  const title = front.title || (h1 ? stripTitlePrefix(h1.text, TASKS_TITLE_PREFIX) : '');
  return {
    title: title || featureName(file.name) || 'Spec Kit tasks',
    description: [front.description, descriptionText(prose, h1)].filter(Boolean).join('\n\n'),
    layout: 'groups',
    groups,
    tasks: [],
    stats: groupedStats(groups, outline),
    wordedDependencies: wordedDependencies(
      outline.textualDependencies,
      groups.flatMap((g) => g.tasks),
      ctx,
    ),
  };
}

/** Spec Kit front matter: `description: "Task list for …"` (kept in the description), `title`. */
function frontMatter(lines: string[]): { title?: string; description?: string; used: boolean } {
  if (lines.length < 2) return { used: false };
  try {
    const data: unknown = parseYaml(lines.slice(1, -1).join('\n'));
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { used: false };
    const record = data as Record<string, unknown>;
    const title = typeof record.title === 'string' ? record.title : undefined;
    const description = typeof record.description === 'string' ? record.description : undefined;
    const others = Object.keys(record).filter((k) => k !== 'title' && k !== 'description');
    return {
      title,
      description,
      used: others.length === 0 && (title !== undefined || description !== undefined),
    };
  } catch {
    return { used: false };
  }
}

/** `specs/001-todo-crud/tasks.md` → `Todo crud`. */
function featureName(path: string): string | undefined {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return folder ? titleFromSlug(folder.replace(/^\d+-/, '')) : undefined;
}
