import { exportPlan } from '../export-plan';
import { importAllTags, importPlan } from '../import-plan';
import { fixture, ids, taskById, warningsOf } from '../../../../test/support/format-fixtures';
import { ImportError } from '../types';

const tasksJson = () => fixture('taskmaster/tagged/tasks.json');
const stateJson = () => fixture('taskmaster/tagged/state.json');

describe('Task Master import', () => {
  const plan = importPlan({ files: [tasksJson()] });

  it('imports the master tag by default and says which other tags there are', () => {
    expect(plan.format).toBe('taskmaster');
    expect(plan.tag).toBe('master');
    expect(warningsOf(plan, 'tag_selected')).toEqual([expect.stringContaining('also has tag feature-x')]);
    expect(plan.stats).toMatchObject({
      groups: 2,
      top: 7,
      sub: 8,
      done: { top: 1, sub: 2 },
      deps: 11,
      cancelled: 1,
    });
  });

  it('imports the current tag of state.json, a tag picked with `tag`, or every tag', () => {
    expect(importPlan({ files: [tasksJson(), stateJson()] }).tag).toBe('feature-x');
    const picked = importPlan({ files: [tasksJson(), stateJson()], tag: 'master' });
    expect(picked.tag).toBe('master');
    const all = importAllTags({ files: [tasksJson()] });
    expect(all.map((p) => [p.tag, p.document.tasks.length])).toEqual([
      ['master', 11],
      ['feature-x', 2],
    ]);
    expect(() => importPlan({ files: [tasksJson()], tag: 'nope' })).toThrow(
      /tag "nope" not found; the file has tags master, feature-x/,
    );
  });

  it('expands subtasks: a dependency on a parent points to all its subtasks; subtasks inherit the parent’s', () => {
    // Task 4 depends on task 1, which has subtasks 1.1 and 1.2.
    expect(taskById(plan, '4').dependsOn).toEqual(['1.1', '1.2']);
    // Task 2 depends on "1" (a number string); its subtasks inherit that.
    expect(taskById(plan, '2.1').dependsOn).toEqual(['1.1', '1.2']);
  });

  it('reads every dependency spelling', () => {
    expect(taskById(plan, '1.2').dependsOn).toEqual(['1.1']); // sibling-local number 1
    expect(taskById(plan, '2.1').dependsOn).toContain('1.2'); // "1.2" (another parent's subtask)
    // "1" on a subtask is its sibling 2.1; 4 (no sibling 4) is top-level task 4.
    expect(taskById(plan, '2.2').dependsOn).toEqual(['1.1', '1.2', '2.1', '4']);
    expect(taskById(plan, '5.2').dependsOn).toEqual(['2.1', '2.2', '5.1', '6.1']);
    expect(warningsOf(plan, 'dependency_dropped')).toEqual([
      'master.tasks[4].dependencies[1]: dependency on unknown task 99 dropped',
    ]);
  });

  it('orders chunks so that dependencies point backwards, merging tasks that depend on each other', () => {
    expect(plan.document.chunks.map((c) => c.title)).toEqual([
      'Set up the repository',
      'Spike on caching',
      'Configuration',
      'Data layer',
      'API + Auth',
      'Another task numbered 3',
    ]);
    expect(warningsOf(plan, 'chunk_order')).toHaveLength(1);
    expect(warningsOf(plan, 'chunks_merged')).toEqual([
      expect.stringContaining('5 API, 6 Auth depend on each other'),
    ]);
    // The parent's description and details are the chunk's; its test strategy its acceptance.
    expect(plan.document.chunks[0].description).toBe(
      'Create the repository and CI.\n\nUse git and GitHub Actions.\n\nAcceptance: The first CI run is green.',
    );
  });

  it('maps statuses: done/completed → completed, cancelled → skipped + cancelled, others → pending (reported)', () => {
    expect(taskById(plan, '1.1').status).toBe('completed');
    expect(taskById(plan, '1.2').status).toBe('completed');
    expect(taskById(plan, '3')).toMatchObject({ status: 'skipped', cancelled: true });
    expect(taskById(plan, '4').status).toBe('pending');
    expect(warningsOf(plan, 'status_mapped').join('\n')).toMatch(/"deferred"[\s\S]*|"in-progress"/);
  });

  it('keeps a repeated id unique, reports unknown fields, keeps priority as a label', () => {
    expect(ids(plan)).toContain('3-2');
    expect(warningsOf(plan, 'duplicate_id')).toEqual([
      'master.tasks[6]: id 3 is used twice (master.tasks[2] and master.tasks[6]); this one was renamed 3-2',
    ]);
    expect(warningsOf(plan, 'unknown_field')).toContain(
      'task field "complexity" not imported: master.tasks[2].complexity',
    );
    expect(taskById(plan, '3').labels).toEqual(['priority:low']);
  });

  it('reads the legacy {tasks, metadata} layout', () => {
    const legacy = importPlan({ files: [fixture('taskmaster/legacy/tasks.json')] });
    expect(legacy.document.title).toBe('Map app');
    expect(legacy.stats).toMatchObject({ groups: 0, top: 4, sub: 0, done: { top: 1, sub: 0 }, deps: 4 });
    expect(taskById(legacy, '4').dependsOn).toEqual(['2', '3']);
    expect(taskById(legacy, '1')).toMatchObject({
      description: 'Scaffold.\n\nVite and Express.',
      acceptance: ['Both start.'],
      status: 'completed',
    });
  });

  it('names the JSON path of a task without an id, and the line of a syntax error', () => {
    expect(() => importPlan({ content: '{"tasks":[{"title":"x"}]}', format: 'taskmaster' })).toThrow(
      /tasks\[0\]\.id: every task needs an id/,
    );
    try {
      importPlan({ content: '{\n  "tasks": [\n    {"id": 1,,}\n  ]\n}', filename: 'tasks.json' });
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).issues[0]).toMatchObject({
        line: 3,
        message: expect.stringMatching(/not valid JSON: .*line 3/),
      });
    }
  });
});

describe('Task Master export', () => {
  it('writes a tagged tasks.json: a chunk is a parent task with subtasks, statuses in Task Master words', () => {
    const plan = importPlan({ files: [tasksJson()] });
    const out = exportPlan(plan.content, 'taskmaster');
    expect(out.files[0].name).toBe('tasks.json');
    const data = JSON.parse(out.files[0].content);
    const tasks = data.master.tasks;
    expect(tasks[0]).toMatchObject({
      id: 1,
      title: 'Set up the repository',
      status: 'done',
      subtasks: [{ id: 1 }, { id: 2 }],
    });
    // Sibling dependency as a number, another parent's subtask as "parent.sub".
    expect(tasks[0].subtasks[1]).toMatchObject({ id: 2, dependencies: [1], status: 'done' });
    expect(tasks[1]).toMatchObject({ id: 2, title: 'Spike on caching', status: 'cancelled', subtasks: [] });
    expect(tasks[2]).toMatchObject({ id: 3, dependencies: ['1.1', '1.2'] });
    const again = importPlan({ files: out.files, format: 'taskmaster' });
    expect(again.content.tasks).toEqual(plan.content.tasks);
    expect(again.content.chunks).toEqual(plan.content.chunks);
  });

  it('a subtask depending on a top-level task whose number is also a sibling number keeps that dependency', () => {
    // Chunk 1 is one task (top-level 1); T2 is subtask 1 of chunk 2 and depends on it: Task Master
    // would read `[1]` on subtask 2.1 as itself, so the exact dependency travels in the metadata.
    const content = [
      'title: Ambiguous',
      'chunks:',
      '  - { key: C01_x, title: setup }',
      '  - { key: C02_x, title: setup }',
      'tasks:',
      '  - { id: T1, chunk: C01_x, title: setup }',
      '  - { id: T2, chunk: C02_x, title: db, dependsOn: [T1] }',
      '  - { id: T3, chunk: C02_x, title: api, dependsOn: [T1, T2] }',
      '',
    ].join('\n');
    const plan = importPlan({ content, filename: 'plan.yaml' });
    const out = exportPlan(plan.content, 'taskmaster');
    const parent = JSON.parse(out.files[0].content).master.tasks[1];
    expect(parent.subtasks[0]).toMatchObject({
      dependencies: [1],
      metadata: { chunkwise: { id: 'T2', dependsOn: ['T1'] } },
    });
    const again = importPlan({ files: out.files, format: 'taskmaster' });
    expect(again.document.tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['T1', []],
      ['T2', ['T1']],
      ['T3', ['T1', 'T2']],
    ]);
    expect(again.content.tasks).toEqual(plan.content.tasks);
  });
});
