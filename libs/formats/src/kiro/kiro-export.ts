import type { PlanContent, Task } from '@chunkwise/domain';
import { KIRO_TITLE_PREFIX } from '../markdown/md-tasks';
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

const NATIVE_SUB_ID = /^\d{1,9}(?:\.\d{1,9}){1,8}$/;

/**
 * Kiro `tasks.md`: a chunk becomes `- [ ] N. Chunk` with its tasks as `- [ ] N.M Task` subtasks
 * (a chunk of one task with the task's title is just `- [ ] N. Task`); `*` marks optional tasks.
 */
export function exportKiro(content: PlanContent): ExportedPlan {
  const warnings = new Warnings();
  reportMarkdownLimits(content, 'Kiro', warnings, { optional: true });
  const taken = new Set(content.tasks.map((t) => t.id).filter((id) => NATIVE_SUB_ID.test(id)));
  const lines: string[] = [titleHeading('Implementation Plan: ', content.title, KIRO_TITLE_PREFIX), ''];
  const prose = proseLines(content.description);
  if (prose.length) lines.push(...prose, '');
  const chunks = content.chunks.filter((chunk) => {
    if (tasksOf(content, chunk).length > 0) return true;
    warnings.add(
      'not_exported',
      `chunk ${chunk.key} has no tasks, and Kiro has no empty groups; not exported`,
    );
    return false;
  });
  const count = chunks.length;
  chunks.forEach((chunk, ci) => {
    const n = ci + 1;
    const tasks = tasksOf(content, chunk);
    const chunkTrailer: Array<[string, string | string[] | true | undefined | false]> = [
      ['key', chunk.key !== derivedChunkKey(chunk.title, n, count) ? chunk.key : undefined],
      ['mode', chunk.executionMode !== 'sequential' ? chunk.executionMode : undefined],
      ['pauseAfter', chunk.pauseAfter],
    ];
    const single = tasks.length === 1 && tasks[0].title === chunk.title && !chunk.description.trim();
    if (single) {
      lines.push(...taskLines(tasks[0], String(n), 0, chunkTrailer), '');
      return;
    }
    const done = tasks.every((t) => t.status === 'completed' || t.status === 'skipped');
    lines.push(
      `- [${done ? 'x' : ' '}] ${n}. ${escapeTitle(chunk.title)}${formatTrailer([
        ...chunkTrailer,
        ['chunkTitle', flat(chunk.title) !== chunk.title ? chunk.title : undefined],
      ])}`,
      ...proseLines(chunk.description).map((l) => (l ? `  ${l}` : '')),
    );
    let m = 0;
    for (const task of tasks) {
      let token = task.id;
      if (!NATIVE_SUB_ID.test(task.id)) {
        do token = `${n}.${++m}`;
        while (taken.has(token));
        taken.add(token);
      }
      lines.push(...taskLines(task, token, 2, []));
    }
    lines.push('');
  });
  return {
    format: 'kiro',
    files: [{ name: 'tasks.md', content: `${lines.join('\n').trimEnd()}\n`, mediaType: 'text/markdown' }],
    warnings: warnings.toArray(),
  };
}

function taskLines(
  task: Task,
  token: string,
  indent: number,
  extra: Array<[string, string | string[] | true | undefined | false]>,
): string[] {
  const { box, exact } = checkbox(task);
  const title = escapeTitle(task.title);
  const written = indent === 0 ? `${token}.` : token;
  return [
    `${' '.repeat(indent)}- [${box}]${task.optional ? '*' : ''} ${written} ${task.cancelled ? `~~${title}~~` : title}${formatTrailer(
      [
        ['id', token !== task.id ? task.id : undefined],
        ['deps', task.dependsOn],
        ['status', exact ? undefined : task.status],
        ['labels', task.labels],
        ['parallel', task.canRunInParallel],
        ...extra,
      ],
    )}`,
    ...bodyLines(task, indent + 2),
  ];
}
