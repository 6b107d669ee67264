import type { PlanContent, Task } from '@chunkwise/domain';
import { KIRO_TITLE_PREFIX } from '../markdown/md-tasks';
import {
  checkboxTaskLines,
  derivedChunkKey,
  escapeTitle,
  flat,
  markdownFile,
  proseLines,
  pushProse,
  reportMarkdownLimits,
  taskTokens,
  tasksOf,
  titleHeading,
} from '../markdown/md-write';
import { formatTrailer, type TrailerEntry } from '../markdown/trailer';
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
  const tokenOf = taskTokens(content, NATIVE_SUB_ID);
  const lines: string[] = [titleHeading('Implementation Plan: ', content.title, KIRO_TITLE_PREFIX), ''];
  pushProse(lines, content.description);
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
    const chunkTrailer: TrailerEntry[] = [
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
    for (const task of tasks)
      lines.push(
        ...taskLines(
          task,
          tokenOf(task, () => `${n}.${++m}`),
          2,
          [],
        ),
      );
    lines.push('');
  });
  return {
    format: 'kiro',
    files: [markdownFile('tasks.md', lines)],
    warnings: warnings.toArray(),
  };
}

function taskLines(task: Task, token: string, indent: number, extra: TrailerEntry[]): string[] {
  return checkboxTaskLines(task, token, {
    indent,
    // A top-level task is written `N.`, a subtask `N.M`.
    lead: indent === 0 ? `${token}.` : token,
    afterBox: task.optional ? '*' : '',
    trailer: [['labels', task.labels], ['parallel', task.canRunInParallel], ...extra],
  });
}
