import type { PlanContent } from '@chunkwise/domain';
import { CHANGE_TITLE_PREFIX, TASKS_TITLE_PREFIX } from '../markdown/md-tasks';
import {
  checkboxTaskLines,
  chunkHeading,
  flat,
  markdownFile,
  pushProse,
  reportMarkdownLimits,
  taskTokens,
  tasksOf,
  titleHeading,
} from '../markdown/md-write';
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
  const tokenOf = taskTokens(content, NATIVE_ID);
  const lines: string[] = [titleHeading('Tasks: ', content.title, TASKS_TITLE_PREFIX), ''];
  content.chunks.forEach((chunk, ci) => {
    const n = ci + 1;
    const tasks = tasksOf(content, chunk);
    lines.push(
      chunkHeading(`${n}. ${flat(chunk.title)}`, chunk, n, content.chunks.length, {
        empty: tasks.length === 0,
        derivedMode: 'sequential',
      }),
      '',
    );
    pushProse(lines, chunk.description);
    let m = 0;
    for (const task of tasks) {
      const token = tokenOf(task, () => `${n}.${++m}`);
      lines.push(
        ...checkboxTaskLines(task, token, {
          indent: 0,
          lead: token,
          trailer: [
            ['labels', task.labels],
            ['optional', task.optional],
            ['parallel', task.canRunInParallel],
          ],
        }),
      );
    }
    lines.push('');
  });
  // proposal.md is read as plain text after its title: its headings (## Why, …) stay headings.
  const proposal = [titleHeading('Change: ', content.title, CHANGE_TITLE_PREFIX), '', content.description];
  return {
    format: 'openspec',
    files: [markdownFile('tasks.md', lines), markdownFile('proposal.md', proposal)],
    warnings: warnings.toArray(),
  };
}
