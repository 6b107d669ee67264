import { exportPlan } from './export-plan';
import { importAllTags, importPlan } from './import-plan';
import { fixture, taskById } from '../../../test/support/format-fixtures';
import type { FormatId, ImportedPlan } from './types';

/**
 * The shapes of real plan files that lost or mangled tasks (issue 10), one fixture each: every
 * task arrives with its id, status and dependencies, and every change is a warning naming its line.
 */
const load = (path: string, inferDependencies = false) =>
  importPlan({ files: [fixture(path)], inferDependencies });

/** Each task as `id chunk status ← deps`: the whole plan at a glance. */
const rows = (plan: ImportedPlan) =>
  plan.document.tasks.map(
    (t) => `${t.id} ${t.chunk} ${t.status}${t.dependsOn.length ? ` ← ${t.dependsOn.join(',')}` : ''}`,
  );
const warnings = (plan: ImportedPlan) => plan.warnings.map((w) => `${w.code}: ${w.message}`);

describe('ids with a letter suffix, and group headings numbered M1.', () => {
  const plan = load('openspec/suffix-ids/tasks.md');

  it('keeps 3.2a, 7.4c and 7.4d as ids, and the titles without them', () => {
    expect(rows(plan)).toEqual([
      '3.2 C01_foundations completed',
      '3.2a C01_foundations completed',
      '7.4c C01_foundations completed',
      '7.4d C01_foundations completed',
      '8.1 C02_polish pending',
      '9.1 C03_release pending',
    ]);
    expect(taskById(plan, '3.2a').title).toBe('Schema indexes');
    expect(taskById(plan, '7.4d').title).toBe('Fourth importer');
    expect(taskById(plan, '7.4d').description).toBe('Part of 7.4 Importers');
    expect(warnings(plan)).toEqual([]);
  });

  it('strips M1. and M2) from chunk titles as it strips 3.', () => {
    expect(plan.document.chunks.map((c) => c.title)).toEqual(['Foundations', 'Polish', 'Release']);
  });

  it('keeps T012b in Spec Kit', () => {
    const speckit = load('speckit/003-suffixes-ranges/tasks.md');
    expect(taskById(speckit, 'T012b').title).toBe('Add the dead-letter queue');
  });
});

describe('dependencies written in words', () => {
  it('are each a warning naming the ids, quoting the part that says it (a long line is not cut before it)', () => {
    const plan = load('speckit/003-suffixes-ranges/tasks.md');
    expect(plan.document.tasks.every((t) => t.dependsOn.length === 0)).toBe(true);
    expect(warnings(plan)).toEqual([
      'textual_dependency: line 8: dependency in words "Blocked by: T020" names T020; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 20: dependency in words "Depends on: T017, T099" names T017, T099; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 21: dependency in words "depends on T009-T016, T017" names T009, T010, T011, T012, T013, T014, T015, T016, T017; not imported as a dependency (--infer-dependencies makes it one)',
    ]);
    expect(plan.stats.textualDependencies).toBe(3);
  });

  it('every label form is read (Dependencies, Depends on, Requires, Blocked by, After, inline); None says nothing', () => {
    const plan = load('kiro/dependencies/tasks.md');
    expect(warnings(plan)).toEqual([
      'textual_dependency: line 6: dependency in words "Dependencies: 1.1" names 1.1; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 10: dependency in words "Depends on: 1.2" names 1.2; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 12: dependency in words "Requires: 2.1, 9.9" names 2.1, 9.9; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 14: dependency in words "Blocked by: 3.1" names 3.1; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 19: dependency in words "After: 3.3" names 3.3; not imported as a dependency (--infer-dependencies makes it one)',
      'textual_dependency: line 22: dependency in words "depends on 3.1" names 3.1; not imported as a dependency (--infer-dependencies makes it one)',
    ]);
    // Kiro's `_Requirements: 1.1, 2.3_` names requirements, not tasks: it stays in the description.
    expect(taskById(plan, '2.3').description).toContain('_Requirements: 1.1, 2.3_');
  });

  it('with inferDependencies, those naming tasks of the plan become dependencies; the others keep their reason', () => {
    const plan = load('kiro/dependencies/tasks.md', true);
    expect(rows(plan)).toEqual([
      '1.1 C01_set-up-the-project completed',
      '1.2 C01_set-up-the-project completed ← 1.1',
      '2.1 C02_data-layer pending ← 1.2',
      '2.2 C02_data-layer pending ← 2.1',
      '2.3 C02_data-layer pending',
      '3.1 C03_api pending ← 3.3',
      '3.2 C03_api pending',
      '3.3 C03_api pending',
    ]);
    expect(warnings(plan)).toEqual([
      'dependency_inferred: line 6: task 1.2 now depends on 1.1, from the words "Dependencies: 1.1"',
      'dependency_inferred: line 10: task 2.1 now depends on 1.2, from the words "Depends on: 1.2"',
      'dependency_inferred: line 12: task 2.2 now depends on 2.1, from the words "Requires: 2.1, 9.9"; not imported: 9.9 (no task has this id)',
      'textual_dependency: line 14: dependency in words "Blocked by: 3.1" not imported: 3.1 (3.1 is in a later chunk, C03_api, than 2.3 in C02_data-layer)',
      'dependency_inferred: line 19: task 3.1 now depends on 3.3, from the words "After: 3.3"',
      'textual_dependency: line 22: dependency in words "depends on 3.1" not imported: 3.1 (3.1 already depends on 3.3: a cycle)',
    ]);
  });

  it('with inferDependencies, a range expands (T009-T016) and an unknown id or a later chunk stays a warning', () => {
    const plan = load('speckit/003-suffixes-ranges/tasks.md', true);
    expect(taskById(plan, 'T020').dependsOn).toEqual([
      'T009',
      'T010',
      'T011',
      'T012',
      'T013',
      'T014',
      'T015',
      'T016',
      'T017',
    ]);
    expect(taskById(plan, 'T018').dependsOn).toEqual(['T017']);
    expect(taskById(plan, 'T011').dependsOn).toEqual([]);
    expect(warnings(plan)).toEqual([
      'textual_dependency: line 8: dependency in words "Blocked by: T020" not imported: T020 (T020 is in a later chunk, C02_user-story-2-deliver-priority-p2, than T011 in C01_foundations)',
      'dependency_inferred: line 20: task T018 now depends on T017, from the words "Depends on: T017, T099"; not imported: T099 (no task has this id)',
      'dependency_inferred: line 21: task T020 now depends on T009, T010, T011, T012, T013, T014, T015, T016, T017, from the words "depends on T009-T016, T017"',
    ]);
  });

  it('a line on a parent task gives the dependency to each of its subtasks; one on its own parent is refused', () => {
    const content = [
      '# Tasks',
      '',
      '## 1. One',
      '',
      '- [ ] 1.1 First',
      '- [ ] 1.2 Second',
      '  - [ ] 1.2.1 Part A',
      '  - [ ] 1.2.2 Part B (depends on 1.2)',
      '  Depends on: 1.1',
      '',
    ].join('\n');
    const plan = importPlan({ content, filename: 'tasks.md', format: 'openspec', inferDependencies: true });
    expect(rows(plan)).toEqual([
      '1.1 C01_one pending',
      '1.2.1 C01_one pending ← 1.1',
      '1.2.2 C01_one pending ← 1.1',
    ]);
    expect(warnings(plan)).toEqual([
      'textual_dependency: line 8: dependency in words "depends on 1.2" not imported: 1.2 (the task itself, or the task it is part of)',
      'dependency_inferred: line 9: tasks 1.2.1, 1.2.2 now depend on 1.1, from the words "Depends on: 1.1"',
    ]);
  });
});

describe('a dependency in words in prose', () => {
  const content = [
    '# Tasks: Prose',
    '',
    '## Phase 1: Setup',
    '',
    '- [ ] T001 Create the project',
    '- [ ] T002 Add the models',
    '',
    '## Dependencies',
    '',
    '- T002 depends on T001',
    '- Phase 2 depends on Phase 1',
    '',
  ].join('\n');

  it('names its task by the id written before it; without one it stays a warning', () => {
    const plan = importPlan({ content, filename: 'tasks.md', format: 'speckit', inferDependencies: true });
    expect(rows(plan)).toEqual(['T001 C01_setup pending', 'T002 C01_setup pending ← T001']);
    expect(warnings(plan)).toEqual([
      'dependency_inferred: line 10: task T002 now depends on T001, from the words "depends on T001"',
      'textual_dependency: line 11: dependency in words "depends on Phase 1" not imported: it names no task id',
    ]);
  });
});

describe('numbering wins over indentation; a task line written twice is one task', () => {
  const plan = load('kiro/numbering/tasks.md');

  it('keeps 3.3 and 3.4 as siblings, and merges the two 13. lines with their subtasks', () => {
    expect(rows(plan)).toEqual([
      '3.1 C01_build-the-parser completed',
      '3.3 C01_build-the-parser completed',
      '3.4 C01_build-the-parser completed',
      '3.5 C01_build-the-parser pending',
      '13.1 C02_ship-the-release pending',
      '13.2 C02_ship-the-release completed',
      '14 C03_write-the-changelog pending',
    ]);
    expect(taskById(plan, '3.3').title).toBe('Grammar');
    expect(plan.document.chunks.map((c) => c.title)).toEqual([
      'Build the parser',
      'Ship the release',
      'Write the changelog',
    ]);
  });

  it('says so, naming the lines, in line order', () => {
    expect(warnings(plan)).toEqual([
      'parent_status: line 3: 3 Build the parser is marked done but its subtasks 3.5 are not; each subtask keeps its own status',
      'nesting_changed: line 6: task 3.4 is indented under 3.3 (line 5), but its number does not continue 3.3: it was read as a subtask of 3',
      'duplicate_merged: line 13: task 13 "Ship the release" is written twice (line 9 and line 13); merged into one task with the status of line 13 ([ ])',
    ]);
    expect(plan.stats).toMatchObject({ top: 3, sub: 6 });
  });
});

describe('Task Master subtasks', () => {
  const plan = load('taskmaster/subtasks/tasks.json');

  it('resolve a sibling named by its string id; take a done parent status when they have none; keep their own priority', () => {
    expect(rows(plan)).toEqual([
      '1.repo-detection C01_detect-the-environment completed',
      '1.branch-detection C01_detect-the-environment completed ← 1.repo-detection',
      '1.3 C01_detect-the-environment pending ← 1.branch-detection,1.repo-detection',
      '2.1 C02_use-the-environment pending ← 1.repo-detection,1.branch-detection,1.3',
    ]);
    expect(plan.document.tasks.map((t) => t.labels)).toEqual([
      ['priority:high'],
      ['priority:low'],
      ['priority:high'],
      ['priority:medium'],
    ]);
    expect(warnings(plan)).toEqual([
      'parent_status: master.tasks[0]: 1 Detect the environment is marked done but its subtasks 1.3 are not; each subtask keeps its own status',
      'parent_status: subtask without a status under a done parent imported as done, like its parent (2 times): master.tasks[0].subtasks[0].status, master.tasks[0].subtasks[1].status',
      'status_mapped: task without a status imported as pending: master.tasks[1].subtasks[0].status',
    ]);
    // As Task Master sees the file: no subtask is marked done.
    expect(plan.stats.done).toEqual({ top: 1, sub: 0 });
  });

  it('with --all-tags, no warning tells the user to choose a tag', () => {
    const files = [fixture('taskmaster/tagged/tasks.json'), fixture('taskmaster/tagged/state.json')];
    const plans = importAllTags({ files });
    expect(plans.map((p) => p.tag)).toEqual(['master', 'feature-x']);
    for (const p of plans) expect(p.warnings.filter((w) => w.code === 'tag_selected')).toEqual([]);
    expect(importPlan({ files }).warnings.filter((w) => w.code === 'tag_selected')).toHaveLength(1);
  });
});

describe('warnings are listed in line order', () => {
  it.each([
    'openspec/add-dark-mode/tasks.md',
    'speckit/001-quirks/tasks.md',
    'kiro/quirks/tasks.md',
    'kiro/numbering/tasks.md',
    'kiro/dependencies/tasks.md',
  ])('%s', (path) => {
    const lines = load(path)
      .warnings.map((w) => w.line)
      .filter((n): n is number => n !== undefined);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});

describe('export then import of each fixture gives the same tasks, statuses and dependencies', () => {
  const FIXTURES: Array<[string, boolean]> = [
    ['openspec/suffix-ids/tasks.md', false],
    ['speckit/003-suffixes-ranges/tasks.md', true],
    ['kiro/dependencies/tasks.md', true],
    ['kiro/numbering/tasks.md', false],
    ['taskmaster/subtasks/tasks.json', false],
  ];
  const FORMATS: FormatId[] = ['chunkwise', 'openspec', 'speckit', 'kiro', 'taskmaster', 'massgen'];
  describe.each(FIXTURES)('%s (inferDependencies: %s)', (path, infer) => {
    const plan = load(path, infer);
    it.each(FORMATS)('through %s', (format) => {
      const out = exportPlan(plan.content, format);
      const again = importPlan({ files: out.files, format });
      expect(again.content.tasks).toEqual(plan.content.tasks);
    });
  });
});
