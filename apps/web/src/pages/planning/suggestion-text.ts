import type { Suggestion } from './planning-api';
import type { Names } from './Value';

/**
 * A suggestion's title: the API gives each suggestion a kind, a target and reasoning but no title,
 * so the title says what applying it does, in words ("Add task: Write the migration").
 */
export function suggestionTitle(s: Suggestion, names: Names = {}): string {
  const task = (id: string, fallback?: string) => names.task?.(id) ?? fallback ?? id;
  const chunk = (key: string) => names.chunk?.(key) ?? key;
  switch (s.kind) {
    case 'add_task':
      return `Add task: ${s.after.task.title}`;
    case 'modify_task': {
      const fields = Object.keys(s.after).filter(
        (k) => (s.after as Record<string, unknown>)[k] !== undefined,
      );
      const what = fields.length ? ` (${fields.map(fieldWord).join(', ')})` : '';
      return `Change task: ${task(s.taskId, s.before.title)}${what}`;
    }
    case 'remove_task':
      return `Remove task: ${task(s.taskId, s.before.title)}`;
    case 'reorder':
      return s.chunkKey === null ? 'Reorder the chunks' : `Reorder the tasks of ${chunk(s.chunkKey)}`;
    case 'add_chunk':
      return `Add chunk: ${s.after.chunk.title}`;
    case 'break_down_task':
      return `Break down task: ${task(s.taskId, s.before.title)} into ${s.after.tasks.length} tasks`;
  }
}

const FIELD_WORDS: Record<string, string> = {
  title: 'title',
  description: 'description',
  acceptance: 'acceptance criteria',
  dependsOn: 'dependencies',
  canRunInParallel: 'parallelism',
};
const fieldWord = (f: string) => FIELD_WORDS[f] ?? f;
