import type { PlanContent } from '@chunkwise/domain';
import { withoutNumbering } from '../markdown/groups';
import { CHANGE_TITLE_PREFIX, TASKS_TITLE_PREFIX } from '../markdown/md-tasks';
import {
  bodyLines,
  checkbox,
  derivedChunkKey,
  escapeTitle,
  flat,
  proseLines,
  reportMarkdownLimits,
  tasksOf,
  titleHeading,
} from '../markdown/md-write';
import { formatTrailer } from '../markdown/trailer';
import type { ExportedPlan } from '../types';
import { Warnings } from '../warnings';

const NATIVE_ID = /^\d{1,9}(?:\.\d{1,9}){0,8}$/;

/**
 * OpenSpec change: `tasks.md` with one `## N. Chunk` section per chunk and `- [ ] N.M Task`
 * lines, and `proposal.md` (`# Change: Title` and the plan description). Ids in OpenSpec's own
 * style are written as they are; others get an `N.M` number and keep their id in the trailer.
 */
export function exportOpenSpec(content: PlanContent): ExportedPlan {
  const warnings = new Warnings();
  reportMarkdownLimits(content, 'OpenSpec', warnings, {});
  const taken = new Set(content.tasks.map((t) => t.id).filter((id) => NATIVE_ID.test(id)));
  const lines: string[] = [titleHeading('Tasks: ', content.title, TASKS_TITLE_PREFIX), ''];
  content.chunks.forEach((chunk, ci) => {
    const n = ci + 1;
    const heading = `${n}. ${flat(chunk.title)}`;
    const tasks = tasksOf(content, chunk);
    lines.push(
      `## ${heading}${formatTrailer([
        [
          'key',
          chunk.key !== derivedChunkKey(chunk.title, n, content.chunks.length) || tasks.length === 0
            ? chunk.key
            : undefined,
        ],
        [
          'chunkTitle',
          withoutNumbering(heading) !== chunk.title || /#\s*$/.test(chunk.title) ? chunk.title : undefined,
        ],
        ['mode', chunk.executionMode !== 'sequential' ? chunk.executionMode : undefined],
        ['pauseAfter', chunk.pauseAfter],
      ])}`,
      '',
    );
    const prose = proseLines(chunk.description);
    if (prose.length) lines.push(...prose, '');
    let m = 0;
    for (const task of tasks) {
      let token = task.id;
      if (!NATIVE_ID.test(task.id)) {
        do token = `${n}.${++m}`;
        while (taken.has(token));
        taken.add(token);
      }
      const { box, exact } = checkbox(task);
      const title = escapeTitle(task.title);
      lines.push(
        `- [${box}] ${token} ${task.cancelled ? `~~${title}~~` : title}${formatTrailer([
          ['id', token !== task.id ? task.id : undefined],
          ['deps', task.dependsOn],
          ['status', exact ? undefined : task.status],
          ['labels', task.labels],
          ['optional', task.optional],
          ['parallel', task.canRunInParallel],
        ])}`,
        ...bodyLines(task, 2),
      );
    }
    lines.push('');
  });
  // proposal.md is read as plain text after its title: its headings (## Why, …) stay headings.
  const proposal = [titleHeading('Change: ', content.title, CHANGE_TITLE_PREFIX), '', content.description];
  return {
    format: 'openspec',
    files: [
      { name: 'tasks.md', content: `${lines.join('\n').trimEnd()}\n`, mediaType: 'text/markdown' },
      { name: 'proposal.md', content: `${proposal.join('\n').trimEnd()}\n`, mediaType: 'text/markdown' },
    ],
    warnings: warnings.toArray(),
  };
}
