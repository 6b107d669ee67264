import { exportPlan } from '../export-plan';
import { importPlan } from '../import-plan';
import { chunkOf, fixture, ids, taskById, warningsOf } from '../../../../test/support/format-fixtures';

describe('Spec Kit import', () => {
  const plan = importPlan({ files: [fixture('speckit/001-quirks/tasks.md')] });

  it('recognises the format and takes the title from "# Tasks: …"', () => {
    expect(plan.format).toBe('speckit');
    expect(plan.document.title).toBe('Quirks Feature');
  });

  it('makes each Phase heading that holds tasks a chunk; other sections are prose', () => {
    expect(plan.document.chunks.map((c) => c.title)).toEqual([
      'Setup',
      'Models',
      'User Story 1 - Show [x] status (Priority: P1) 🎯 MVP',
    ]);
    expect(plan.document.description).toContain('## Dependencies & Execution Order');
    expect(plan.document.description).toContain('- [P] tasks = different files, no dependencies');
    expect(plan.stats).toMatchObject({
      groups: 3,
      top: 8,
      sub: 0,
      done: { top: 2, sub: 0 },
      parallel: 5,
      textualDependencies: 2,
    });
  });

  it('keeps ids, marks [P] as canRunInParallel and runs an all-[P] phase in parallel mode', () => {
    expect(ids(plan)).toEqual(['T001', 'T002', 'T003', 'T004', 'T005', 'T005-2', 'T006', 'T007']);
    expect(taskById(plan, 'T002').canRunInParallel).toBe(true);
    expect(taskById(plan, 'T001').canRunInParallel).toBe(false);
    expect(chunkOf(plan, 'T001').executionMode).toBe('sequential');
    expect(chunkOf(plan, 'T004').executionMode).toBe('parallel');
  });

  it('keeps story labels, [X] and [x] as done, and [x] inside the text as text', () => {
    expect(taskById(plan, 'T004').labels).toEqual(['US1']);
    expect(taskById(plan, 'T005-2').labels).toEqual(['US2']);
    expect(taskById(plan, 'T001').status).toBe('completed');
    expect(taskById(plan, 'T002').status).toBe('completed');
    expect(taskById(plan, 'T006')).toMatchObject({
      status: 'pending',
      title: 'Render [x] for completed items in src/view.py (depends on T004, T005)',
      dependsOn: [],
    });
  });

  it('names both lines of a repeated id', () => {
    expect(warningsOf(plan, 'duplicate_id')).toEqual([
      'line 28: id T005 is used twice (line 27 and line 28); this one was renamed T005-2',
    ]);
  });

  it('a checklist line without an id outside the phases, a fenced line and the Notes bullets are not tasks', () => {
    expect(plan.document.tasks.some((t) => /checklist|T099|markers|label maps/.test(t.title))).toBe(false);
    expect(warningsOf(plan, 'not_a_task')).toEqual([expect.stringContaining('line 12')]);
    expect(plan.document.description).toContain(
      '- [ ] Every task names its file (a checklist line, not a task)',
    );
  });

  it('front matter is read (description kept), the cancelled task is kept and skipped', () => {
    expect(plan.document.description.startsWith('Task list for the quirks feature')).toBe(true);
    expect(warningsOf(plan, 'not_imported')).toEqual([]);
    expect(taskById(plan, 'T007')).toMatchObject({
      status: 'skipped',
      cancelled: true,
      title: 'Drop the legacy view',
    });
  });

  it('dependencies in words are warnings, one per line', () => {
    expect(warningsOf(plan, 'textual_dependency').map((w) => w.split(':')[0])).toEqual([
      'line 36',
      'line 46',
    ]);
  });

  it('reads CRLF line endings and a byte-order mark like LF', () => {
    const crlf = importPlan({ files: [fixture('speckit/002-crlf-bom/tasks.md')] });
    expect(crlf.document.title).toBe('Line Endings');
    // T004 is tab-indented under T003, but its number makes it a sibling: both are tasks.
    expect(ids(crlf)).toEqual(['T001', 'T002', 'T003', 'T004']);
    expect(taskById(crlf, 'T004').description).toBe('');
    expect(warningsOf(crlf, 'nesting_changed')).toEqual([
      'line 11: task T004 is indented under T003 (line 10), but its number does not continue T003: it was read as a top-level task',
    ]);
    const lf = fixture('speckit/002-crlf-bom/tasks.md')
      .content.replace(/^\uFEFF/, '')
      .replace(/\r\n/g, '\n');
    expect(importPlan({ content: lf, filename: 'tasks.md', format: 'speckit' }).document).toEqual(
      crlf.document,
    );
  });
});

describe('Spec Kit export', () => {
  it('writes ## Phase N sections and - [ ] T001 [P] [US1] lines that import back the same', () => {
    const plan = importPlan({ files: [fixture('speckit/001-quirks/tasks.md')] });
    const out = exportPlan(plan.content, 'speckit');
    const text = out.files[0].content;
    expect(text).toMatch(/^# Tasks: Quirks Feature$/m);
    expect(text).toMatch(/^## Phase 2: Models$/m);
    expect(text).toMatch(/^- \[x\] T002 \[P\] Configure linting$/m);
    expect(text).toMatch(/^- \[ \] T004 \[P\] \[US1\] Model A in src\/a\.py$/m);
    expect(text).toMatch(/^- \[x\] T007 \[US1\] ~~Drop the legacy view~~$/m);
    expect(importPlan({ files: out.files, format: 'speckit' }).content.tasks).toEqual(plan.content.tasks);
  });
});
