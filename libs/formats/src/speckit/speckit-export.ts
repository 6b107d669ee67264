import type { PlanContent } from '@chunkwise/domain';
import { withoutNumbering } from '../markdown/groups';
import { TASKS_TITLE_PREFIX } from '../markdown/md-tasks';
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

const NATIVE_ID = /^[A-Z]{1,5}-?\d{1,9}[a-z]?$/;
const NATIVE_LABEL = (l: string) => /^[^\]\s[]{1,40}$/.test(l) && l !== 'P';

/**
 * Spec Kit `tasks.md`: one `## Phase N: Chunk` per chunk, `- [ ] T001 [P] [US1] Task` lines.
 * `[P]` is canRunInParallel; labels without spaces are written as `[label]` markers.
 */
export function exportSpecKit(content: PlanContent): ExportedPlan {
  const warnings = new Warnings();
  reportMarkdownLimits(content, 'Spec Kit', warnings, { parallel: true, labels: NATIVE_LABEL });
  const taken = new Set(content.tasks.map((t) => t.id).filter((id) => NATIVE_ID.test(id)));
  let next = 0;
  const lines: string[] = [titleHeading('Tasks: ', content.title, TASKS_TITLE_PREFIX), ''];
  const prose = proseLines(content.description);
  if (prose.length) lines.push(...prose, '');
  content.chunks.forEach((chunk, ci) => {
    const n = ci + 1;
    const tasks = tasksOf(content, chunk);
    const heading = `Phase ${n}: ${flat(chunk.title)}`;
    const derivedMode =
      tasks.length > 0 && tasks.every((t) => t.canRunInParallel) ? 'parallel' : 'sequential';
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
        ['mode', chunk.executionMode !== derivedMode ? chunk.executionMode : undefined],
        ['pauseAfter', chunk.pauseAfter],
      ])}`,
      '',
    );
    const chunkProse = proseLines(chunk.description);
    if (chunkProse.length) lines.push(...chunkProse, '');
    for (const task of tasks) {
      let token = task.id;
      if (!NATIVE_ID.test(task.id)) {
        do token = `T${String(++next).padStart(3, '0')}`;
        while (taken.has(token));
        taken.add(token);
      }
      // Labels in order: as many as can be markers, the rest in the trailer.
      let native = 0;
      while (native < task.labels.length && NATIVE_LABEL(task.labels[native])) native++;
      const markers = [
        task.canRunInParallel ? '[P]' : '',
        ...task.labels.slice(0, native).map((l) => `[${l}]`),
      ]
        .filter(Boolean)
        .join(' ');
      const { box, exact } = checkbox(task);
      const title = escapeTitle(task.title);
      lines.push(
        `- [${box}] ${token}${markers ? ` ${markers}` : ''} ${task.cancelled ? `~~${title}~~` : title}${formatTrailer(
          [
            ['id', token !== task.id ? task.id : undefined],
            ['deps', task.dependsOn],
            ['status', exact ? undefined : task.status],
            ['labels', task.labels.slice(native)],
            ['optional', task.optional],
          ],
        )}`,
        ...bodyLines(task, 2),
      );
    }
    lines.push('');
  });
  return {
    format: 'speckit',
    files: [{ name: 'tasks.md', content: `${lines.join('\n').trimEnd()}\n`, mediaType: 'text/markdown' }],
    warnings: warnings.toArray(),
  };
}
