import { groupedStats, groupSections, keepGroups, toSourceGroup, withoutNumbering } from '../markdown/groups';
import {
  CHANGE_TITLE_PREFIX,
  descriptionText,
  NUMERIC_ID,
  planHeading,
  TASKS_TITLE_PREFIX,
  reportMarkdownExtras,
  stripTitlePrefix,
  wordedDependencies,
  type MdTaskContext,
} from '../markdown/md-tasks';
import { outlineMarkdown, type MdSection } from '../markdown/outline';
import type { SourcePlan } from '../source-model';
import { normalizeNewlines, titleFromSlug } from '../text';
import type { InputFile } from '../types';
import type { Warnings } from '../warnings';

/**
 * OpenSpec change: `tasks.md` holds `## N. Group` sections of `- [ ] N.M Task` lines (every `##`
 * section that holds tasks is a group, whatever its numbering), and `proposal.md` beside it is the
 * plan's description. Nested checkboxes are subtasks.
 */
export function parseOpenSpec(
  tasksFile: InputFile,
  proposal: InputFile | undefined,
  warnings: Warnings,
): SourcePlan {
  const outline = outlineMarkdown(tasksFile.content);
  let key = 0;
  const ctx: MdTaskContext = {
    style: { id: NUMERIC_ID, markers: false },
    warnings,
    file: proposal ? tasksFile.name : undefined,
    nextKey: () => `k${++key}`,
    pendingDeps: [],
    merged: new Map(),
  };
  const groupOf = (s: MdSection) => {
    const level2 = s.trail.find((h) => h.level === 2);
    if (level2) return level2;
    return s.tasks.length > 0 ? ('default' as const) : null;
  };
  const { groups: grouped, loose } = groupSections(outline.sections, groupOf);
  const built = grouped.map((g) => ({
    sections: g.sections,
    group: toSourceGroup(g, ctx, { defaultTitle: 'Tasks', cleanTitle: withoutNumbering }),
  }));
  // A `##` section without tasks is prose: it goes to the plan description with the loose text.
  const { groups, prose } = keepGroups(built, loose, ctx);
  const h1 = planHeading(outline);
  reportMarkdownExtras(outline, warnings, ctx.file);

  let title = h1 ? stripTitlePrefix(h1.text, TASKS_TITLE_PREFIX) : '';
  let description = descriptionText(prose, h1);
  if (proposal) {
    const p = proposalParts(proposal.content);
    title = p.title || title;
    description = [p.body, description].filter(Boolean).join('\n\n');
  }
  if (!title) title = changeName(proposal?.name ?? tasksFile.name) ?? 'OpenSpec change';

  return {
    title,
    description,
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

/** proposal.md: its `# Change: Title` heading (if any) and the rest as the description. */
function proposalParts(content: string): { title: string; body: string } {
  const lines = normalizeNewlines(content).split('\n');
  const at = lines.findIndex((l) => /^#\s+\S/.test(l));
  const before = at < 0 ? [] : lines.slice(0, at);
  if (at < 0 || before.some((l) => l.trim() !== '')) return { title: '', body: lines.join('\n').trim() };
  return {
    title: stripTitlePrefix(lines[at].replace(/^#\s+/, ''), CHANGE_TITLE_PREFIX),
    body: lines
      .slice(at + 1)
      .join('\n')
      .trim(),
  };
}

/** `openspec/changes/add-list-json-output/tasks.md` → `Add list json output`. */
function changeName(path: string): string | undefined {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  if (!folder || folder === '.' || folder === 'changes') return undefined;
  return titleFromSlug(folder);
}
