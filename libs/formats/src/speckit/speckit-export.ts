import type { PlanContent } from '@chunkwise/domain';
import { TASKS_TITLE_PREFIX } from '../markdown/md-tasks';
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

const NATIVE_ID = /^[A-Z]{1,5}-?\d{1,9}[a-z]?$/;
const NATIVE_LABEL = (l: string) => /^[^\]\s[]{1,40}$/.test(l) && l !== 'P';

/**
 * Spec Kit `tasks.md`: one `## Phase N: Chunk` per chunk, `- [ ] T001 [P] [US1] Task` lines.
 * `[P]` is canRunInParallel; labels without spaces are written as `[label]` markers.
 */
export function exportSpecKit(content: PlanContent): ExportedPlan {
  const warnings = new Warnings();
  reportMarkdownLimits(content, 'Spec Kit', warnings, { parallel: true, labels: NATIVE_LABEL });
  const tokenOf = taskTokens(content, NATIVE_ID);
  let next = 0;
  const lines: string[] = [titleHeading('Tasks: ', content.title, TASKS_TITLE_PREFIX), ''];
  pushProse(lines, content.description);
  content.chunks.forEach((chunk, ci) => {
    const n = ci + 1;
    const tasks = tasksOf(content, chunk);
    const derivedMode =
      tasks.length > 0 && tasks.every((t) => t.canRunInParallel) ? 'parallel' : 'sequential';
    lines.push(
      chunkHeading(`Phase ${n}: ${flat(chunk.title)}`, chunk, n, content.chunks.length, {
        empty: tasks.length === 0,
        derivedMode,
      }),
      '',
    );
    pushProse(lines, chunk.description);
    for (const task of tasks) {
      const token = tokenOf(task, () => `T${String(++next).padStart(3, '0')}`);
      // Labels in order: as many as can be markers, the rest in the trailer.
      let native = 0;
      while (native < task.labels.length && NATIVE_LABEL(task.labels[native])) native++;
      const markers = [
        task.canRunInParallel ? '[P]' : '',
        ...task.labels.slice(0, native).map((l) => `[${l}]`),
      ]
        .filter(Boolean)
        .join(' ');
      lines.push(
        ...checkboxTaskLines(task, token, {
          indent: 0,
          lead: `${token}${markers ? ` ${markers}` : ''}`,
          trailer: [
            ['labels', task.labels.slice(native)],
            ['optional', task.optional],
          ],
        }),
      );
    }
    lines.push('');
  });
  return {
    format: 'speckit',
    files: [markdownFile('tasks.md', lines)],
    warnings: warnings.toArray(),
  };
}
