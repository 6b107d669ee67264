import { describe, expect, it } from 'vitest';
import type { PlanDetail } from '../../api/client';
import { announcementsFor } from './dnd';
import { moveItem, newId, place, placeIssues } from './plan-edits';

const plan = {
  chunks: [
    { key: 'a', tasks: [{ id: 't1' }, { id: 't2' }] },
    { key: 'b', tasks: [{ id: 't3' }] },
  ],
} as unknown as PlanDetail;

describe('placeIssues', () => {
  it('puts each issue with the task or chunk it names, else the fallback', () => {
    const placed = placeIssues(
      plan,
      [
        { code: 'unknown_dependency', taskId: 't2', message: 'by id' },
        { code: 'schema', path: 'tasks[2].title', message: 'by task path' },
        { code: 'duplicate_chunk_key', chunkKey: 'b', message: 'by chunk key' },
        { code: 'schema', path: 'chunks[0].key', message: 'by chunk path' },
        { code: 'schema', path: 'body.title', message: 'elsewhere' },
        { code: 'missing_task_id', taskId: 'new-one', message: 'a task not in the plan' },
      ],
      place.newTask('a'),
    );
    const messages = (where: string) => placed.get(where)?.map((i) => i.message);
    expect(messages(place.task('t2'))).toEqual(['by id']);
    expect(messages(place.task('t3'))).toEqual(['by task path']);
    expect(messages(place.chunk('b'))).toEqual(['by chunk key']);
    expect(messages(place.chunk('a'))).toEqual(['by chunk path']);
    expect(messages(place.newTask('a'))).toEqual(['elsewhere', 'a task not in the plan']);
  });
});

describe('newId', () => {
  it('makes a valid id from the title, unique among the taken ones', () => {
    expect(newId('Write the README!', new Set(), 'task-1')).toBe('write-the-readme');
    expect(newId('Write the README', new Set(['write-the-readme']), 'task-1')).toBe('write-the-readme-2');
    expect(newId('¿¡…', new Set(['task-4']), 'task-4')).toBe('task-4-2');
  });
});

describe('moveItem', () => {
  it('moves one item', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b']);
  });
});

describe('drag announcements', () => {
  it('name the task by title and its position', () => {
    const a = announcementsFor('task', ['t1', 't2', 't3'], (id) => ({ t1: 'Lexer', t2: 'Parser' })[id] ?? id);
    const active = { id: 't1' } as never;
    expect(a.onDragStart({ active })).toBe('Picked up task Lexer, at position 1 of 3.');
    expect(a.onDragOver({ active, over: { id: 't2' } } as never)).toBe('task Lexer is over position 2 of 3.');
    expect(a.onDragEnd({ active, over: { id: 't3' } } as never)).toBe(
      'task Lexer dropped at position 3 of 3.',
    );
    expect(a.onDragCancel({ active, over: null } as never)).toContain('cancelled');
  });
});
