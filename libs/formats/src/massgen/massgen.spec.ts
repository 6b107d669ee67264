import { exportPlan } from '../export-plan';
import { importPlan } from '../import-plan';
import { fixture, ids, taskById, warningsOf } from '../../../../test/support/format-fixtures';
import { ImportError } from '../types';

describe('MassGen import', () => {
  const plan = importPlan({ files: [fixture('massgen/project_plan.json')] });

  it('recognises project_plan.json; chunks are the chunk labels in order of first appearance', () => {
    expect(plan.format).toBe('massgen');
    expect(plan.document.chunks.map((c) => [c.key, c.title])).toEqual([
      ['C01_foundation', 'Foundation'],
      ['C02_backend', 'Backend'],
      ['C03_ui', 'Ui'],
    ]);
    // Tasks are listed chunk by chunk (F003 joins its chunk), in source order within each.
    expect(ids(plan)).toEqual(['F001', 'F002', 'F003', 'B001', 'B002', 'U001']);
    expect(taskById(plan, 'F003').chunk).toBe('C01_foundation');
    expect(plan.stats).toMatchObject({
      groups: 3,
      top: 6,
      sub: 0,
      done: { top: 2, sub: 0 },
      deps: 6,
      cancelled: 1,
    });
  });

  it('keeps depends_on; an unknown id is a warning', () => {
    expect(taskById(plan, 'B001').dependsOn).toEqual(['F001', 'F002']);
    expect(taskById(plan, 'U001').dependsOn).toEqual(['B001']);
    expect(warningsOf(plan, 'dependency_dropped')).toEqual([
      'tasks[5].depends_on[1]: dependency on unknown task "X999" dropped',
    ]);
  });

  it('title is the first line, the rest the description; criteria and verification are acceptance', () => {
    expect(taskById(plan, 'F001')).toMatchObject({
      title: 'Initialize the project',
      description: 'Use Next.js with Tailwind CSS.',
      acceptance: ['the dev server starts', 'Verification: Dev server runs (npm run dev)'],
      labels: ['priority:high', 'type:setup', 'group:foundation'],
      status: 'completed',
    });
    expect(taskById(plan, 'F002').acceptance).toEqual(['the layout renders on mobile and desktop']);
  });

  it('maps statuses (verified → completed, cancelled → skipped, in_progress → pending) and reports what it drops', () => {
    expect(taskById(plan, 'F002').status).toBe('completed');
    expect(taskById(plan, 'B002')).toMatchObject({ status: 'skipped', cancelled: true });
    expect(taskById(plan, 'B001').status).toBe('pending');
    expect(warningsOf(plan, 'status_mapped')).toEqual([
      'status "in_progress" imported as pending: tasks[2].status',
    ]);
    expect(warningsOf(plan, 'unknown_field')).toEqual([
      'task metadata field "evolution_hooks" not imported: tasks[0].metadata.evolution_hooks',
      'task metadata field "eval_checkpoint" not imported: tasks[0].metadata.eval_checkpoint',
    ]);
  });

  it('a dependency on a later chunk is an error naming the JSON path', () => {
    try {
      importPlan({ files: [fixture('massgen/later-chunk.project_plan.json')] });
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).issues).toEqual([
        expect.objectContaining({
          path: 'tasks[0]',
          message: 'tasks[0]: task A1: depends on B1 in later chunk C02_second',
        }),
      ]);
    }
  });
});

describe('MassGen export', () => {
  it('writes the documented task fields; chunk settings and exact statuses travel in metadata.chunkwise', () => {
    const plan = importPlan({ files: [fixture('massgen/project_plan.json')] });
    const out = exportPlan(plan.content, 'massgen');
    const data = JSON.parse(out.files[0].content);
    expect(out.files[0].name).toBe('project_plan.json');
    expect(data.tasks[0]).toMatchObject({
      id: 'F001',
      chunk: 'C01_foundation',
      task_type: 'setup',
      description: 'Initialize the project\n\nUse Next.js with Tailwind CSS.',
      status: 'completed',
      depends_on: [],
      priority: 'high',
    });
    // MassGen has no "skipped": a cancelled task is written completed so MassGen does not run it.
    expect(data.tasks.find((t: { id: string }) => t.id === 'B002')).toMatchObject({
      status: 'completed',
      metadata: { chunkwise: { status: 'skipped', cancelled: true } },
    });
    const again = importPlan({ files: out.files, format: 'massgen' });
    expect(again.content.tasks).toEqual(plan.content.tasks);
  });
});
