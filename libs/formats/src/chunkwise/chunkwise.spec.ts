import { planContentFromDocument } from '@chunkwise/domain';
import { exportChunkwise } from './chunkwise-format';
import { exportPlan } from '../export-plan';
import { importPlan } from '../import-plan';
import { fixture, taskById, warningsOf } from '../../../../test/support/format-fixtures';
import { ImportError } from '../types';

describe('Chunkwise plan document', () => {
  const plan = importPlan({ files: [fixture('chunkwise/plan.yaml')] });

  it('imports a YAML plan document as POST /api/plans reads it, reporting unknown fields', () => {
    expect(plan.format).toBe('chunkwise');
    expect(plan.content.chunks.map((c) => [c.key, c.executionMode])).toEqual([
      ['C01_models', 'sequential'],
      ['C02_commands', 'parallel'],
    ]);
    expect(taskById(plan, 'T3')).toMatchObject({ dependsOn: ['T1'], optional: true, canRunInParallel: true });
    expect(plan.content.tasks.find((t) => t.id === 'T2')?.labels).toEqual(['cli']);
    expect(warningsOf(plan, 'unknown_field')).toEqual(['owner: field "owner" not imported']);
  });

  it('exports YAML (or JSON) that imports back unchanged', () => {
    for (const json of [false, true]) {
      const out = exportPlan(plan.content, 'chunkwise', { json });
      expect(out.files[0].name).toBe(json ? 'plan.json' : 'plan.yaml');
      expect(importPlan({ files: out.files }).content).toEqual(plan.content);
    }
  });

  it('names the line of a YAML syntax error and every domain problem', () => {
    expect(() =>
      importPlan({ content: 'title: x\ntasks:\n  - id: [unclosed\n', filename: 'plan.yaml' }),
    ).toThrow(ImportError);
    try {
      importPlan({
        content: 'title: x\ntasks:\n  - id: A\n    title: a\n    chunk: C1\n    dependsOn: [B]\n',
        filename: 'plan.yaml',
      });
      throw new Error('expected an error');
    } catch (err) {
      expect((err as ImportError).issues.map((i) => i.message)).toEqual([
        'task A: depends on unknown task B',
      ]);
    }
  });
});

describe('export of settings stored by an older version', () => {
  it('an execution block too deep for the writers is left out with a warning, never a crash', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const content = planContentFromDocument({
      title: 'legacy',
      tasks: [{ id: 'T1', chunk: 'C01', title: 't' }],
    });
    for (const json of [false, true]) {
      const out = exportChunkwise({ ...content, execution: deep }, json);
      expect(out.warnings).toEqual([
        expect.objectContaining({
          code: 'not_exported',
          path: 'execution',
          message: expect.stringMatching(/64 levels/),
        }),
      ]);
      expect(out.files[0].content).not.toMatch(/\bexecution"?:/);
    }
    const shallow = exportChunkwise({ ...content, execution: { maxAttempts: 2 } });
    expect(shallow.warnings).toEqual([]);
    expect(shallow.files[0].content).toMatch(/maxAttempts: 2/);
  });
});
