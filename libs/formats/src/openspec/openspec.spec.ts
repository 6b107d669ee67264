import { exportPlan } from '../export-plan';
import { importPlan } from '../import-plan';
import { chunkOf, fixture, ids, taskById, warningsOf } from '../../../../test/support/format-fixtures';

const folder = () => [
  fixture('openspec/add-dark-mode/proposal.md'),
  fixture('openspec/add-dark-mode/tasks.md'),
];

describe('OpenSpec import', () => {
  const plan = importPlan({ files: folder() });

  it('reads a change folder: proposal.md is the description, its heading the title', () => {
    expect(plan.format).toBe('openspec');
    expect(plan.document.title).toBe('Add dark mode');
    expect(plan.document.description).toMatch(/^## Why\nPeople read the dashboard at night/);
    // Prose of tasks.md that belongs to no task (intro, Notes) is kept after the proposal.
    expect(plan.document.description).toContain('Work through the groups in order.');
    expect(plan.document.description).toContain('## Notes\n\n- Check the contrast with the design team.');
  });

  it('makes every ## section that holds tasks a chunk, whatever its numbering', () => {
    expect(plan.document.chunks.map((c) => [c.key, c.title])).toEqual([
      ['C01_setup', 'Setup'],
      ['C02_styles', 'Styles'],
      ['C03_tests', 'Tests'],
    ]);
    expect(plan.stats).toMatchObject({
      groups: 3,
      top: 8,
      sub: 2,
      done: { top: 2, sub: 1 },
      deps: 0,
      cancelled: 1,
    });
  });

  it('expands a task with subtasks; mixed tab and space indentation nests as it looks', () => {
    expect(ids(plan)).toEqual(['1.1', '1.2', '1.3.1', '1.3.2', '2.1', '2.1-2', '2.2', '2.3', '3.1']);
    expect(taskById(plan, '1.3.1')).toMatchObject({ status: 'completed', title: 'Add the toggle button' });
    expect(taskById(plan, '1.3.2').description).toContain('Part of 1.3 Wire the toggle');
    expect(chunkOf(plan, '1.3.2').key).toBe('C01_setup');
  });

  it('[x] and [X] are done; a literal [x] inside the text is text', () => {
    expect(taskById(plan, '1.1').status).toBe('completed');
    expect(taskById(plan, '1.2')).toMatchObject({
      status: 'completed',
      title: 'Add the `[x]` checkbox style to the legend',
    });
    expect(taskById(plan, '2.1').status).toBe('pending');
  });

  it('keeps a repeated id unique and names both lines', () => {
    expect(warningsOf(plan, 'duplicate_id')).toEqual([
      expect.stringMatching(
        /tasks\.md line 16: id 2\.1 is used twice \(line 15 and line 16\); this one was renamed 2\.1-2/,
      ),
    ]);
  });

  it('a struck-through task is cancelled (kept, skipped by execution)', () => {
    expect(taskById(plan, '2.2')).toMatchObject({
      status: 'skipped',
      cancelled: true,
      title: 'High-contrast theme',
    });
  });

  it('offers a dependency written in words as a warning and does not guess it', () => {
    expect(taskById(plan, '2.3').dependsOn).toEqual([]);
    expect(warningsOf(plan, 'textual_dependency')).toEqual([
      'openspec/add-dark-mode/tasks.md line 18: dependency in words "depends on 2.1" names 2.1; not imported as a dependency (--infer-dependencies makes it one)',
    ]);
  });

  it('ignores checkboxes in code fences and HTML comments (and reports the comment)', () => {
    expect(ids(plan)).not.toContain('9.9');
    expect(ids(plan)).not.toContain('3.2');
    expect(warningsOf(plan, 'not_imported')).toEqual([
      expect.stringContaining('line 29: HTML comment not imported'),
    ]);
    expect(chunkOf(plan, '2.1').description).toContain('- [ ] 9.9 an example in a code fence, not a task');
  });

  it('reads a task body as its description and `- Acceptance:` lines as acceptance criteria', () => {
    expect(taskById(plan, '3.1')).toMatchObject({
      description: 'Render every page in both themes.',
      acceptance: ['snapshots pass in CI'],
    });
  });

  it('takes the title from the change folder when there is no proposal', () => {
    expect(importPlan({ files: [fixture('openspec/add-dark-mode/tasks.md')] }).document.title).toBe(
      'Add dark mode',
    );
  });
});

describe('OpenSpec export', () => {
  it('writes tasks.md with ## N. sections and - [ ] N.M lines, and proposal.md', () => {
    const plan = importPlan({ files: folder() });
    const out = exportPlan(plan.content, 'openspec');
    expect(out.files.map((f) => f.name)).toEqual(['tasks.md', 'proposal.md']);
    const tasks = out.files[0].content;
    expect(tasks).toMatch(/^## 1\. Setup$/m);
    expect(tasks).toMatch(/^- \[x\] 1\.1 Create the theme module$/m);
    expect(tasks).toMatch(/^- \[x\] 2\.2 ~~High-contrast theme~~$/m);
    // A renamed id keeps its own name in the chunkwise comment; OpenSpec sees a number.
    expect(tasks).toMatch(/^- \[ \] 2\.\d+ Light palette tweaks <!-- chunkwise: id=2\.1-2 -->$/m);
    expect(out.files[1].content).toMatch(/^# Change: Add dark mode\n\n## Why/);
    const again = importPlan({ files: out.files, format: 'openspec' });
    expect(again.content.tasks).toEqual(plan.content.tasks);
  });
});
