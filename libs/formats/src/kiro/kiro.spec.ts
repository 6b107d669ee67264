import { exportPlan } from '../export-plan';
import { importPlan } from '../import-plan';
import { fixture, ids, taskById, warningsOf } from '../../../../test/support/format-fixtures';

describe('Kiro import', () => {
  const plan = importPlan({ files: [fixture('kiro/quirks/tasks.md')] });

  it('recognises the format; Overview, Tasks and Notes are not groups', () => {
    expect(plan.format).toBe('kiro');
    expect(plan.stats).toMatchObject({ groups: 0, top: 4, sub: 4, done: { top: 1, sub: 2 }, optional: 2 });
    expect(plan.document.description).toContain('## Overview\n\nBuild the quirks feature in small steps.');
    expect(plan.document.description).toContain('## Notes');
    expect(plan.document.title).toBe('Quirks');
  });

  it('makes one chunk per top-level task, holding its subtasks (nested by number when not indented)', () => {
    expect(plan.document.chunks.map((c) => c.title)).toEqual([
      'Set up the project',
      'Build the data layer',
      'Build the API',
      'Checkpoint - everything passes',
    ]);
    expect(ids(plan)).toEqual(['1', '2.1', '2.2', '3.1', '3.2', '4']);
    expect(plan.document.tasks.map((t) => t.chunk)).toEqual([
      'C01_set-up-the-project',
      'C02_build-the-data-layer',
      'C02_build-the-data-layer',
      'C03_build-the-api',
      'C03_build-the-api',
      'C04_checkpoint-everything-passes',
    ]);
  });

  it('keeps optional markers (pending and done), detail bullets and requirements', () => {
    expect(taskById(plan, '2.2')).toMatchObject({ optional: true, status: 'pending' });
    expect(taskById(plan, '3.2')).toMatchObject({ optional: true, status: 'completed' });
    expect(taskById(plan, '2.1').description).toBe('- Write the types\n- _Requirements: 2.1, 2.2_');
  });

  it('reports the in-progress box, and reads a tab-indented subtask as a subtask', () => {
    expect(warningsOf(plan, 'status_mapped')).toEqual([expect.stringContaining('[-]')]);
    expect(taskById(plan, '3.1').status).toBe('pending');
  });
});

describe('Kiro export', () => {
  it('writes - [ ] N. parents with - [ ]* N.M subtasks that import back the same', () => {
    const plan = importPlan({ files: [fixture('kiro/quirks/tasks.md')] });
    const out = exportPlan(plan.content, 'kiro');
    const text = out.files[0].content;
    expect(text).toMatch(/^- \[x\] 1\. Set up the project$/m);
    expect(text).toMatch(/^- \[ \] 2\. Build the data layer$/m);
    expect(text).toMatch(/^ {2}- \[ \]\* 2\.2 Write property tests for the models$/m);
    expect(importPlan({ files: out.files, format: 'kiro' }).content.tasks).toEqual(plan.content.tasks);
  });
});
