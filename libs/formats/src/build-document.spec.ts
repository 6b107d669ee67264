import { parsePlanDocument } from '@chunkwise/domain';
import { buildDocument } from './build-document';
import { emptyStats, newTask, type SourcePlan, type SourceTask } from './source-model';
import { Warnings } from './warnings';

const t = (key: string, fields: Partial<SourceTask> = {}) =>
  newTask(key, { line: 1 }, { id: key, title: key, ...fields });
const grouped = (groups: SourcePlan['groups']): SourcePlan => ({
  title: 'P',
  description: '',
  layout: 'groups',
  groups,
  tasks: [],
  stats: emptyStats(),
});
const group = (title: string, tasks: SourceTask[]) => ({ title, description: '', tasks, loc: {} });

describe('buildDocument', () => {
  it('expands a parent into its subtasks; they inherit its dependencies, labels and markers', () => {
    const warnings = new Warnings();
    const a = t('A');
    const p = t('P', {
      deps: ['A'],
      labels: ['US1'],
      optional: true,
      description: 'parent text',
      children: [t('P.1'), t('P.2', { deps: ['P.1'], labels: ['x'] })],
    });
    const { document } = buildDocument(grouped([group('G', [a, p])]), warnings);
    expect(document.tasks.map((x) => [x.id, x.dependsOn, x.labels, x.optional])).toEqual([
      ['A', [], [], false],
      ['P.1', ['A'], ['US1'], true],
      ['P.2', ['A', 'P.1'], ['US1', 'x'], true],
    ]);
    expect(document.tasks[1].description).toBe('Part of P P:\nparent text');
    expect(parsePlanDocument(document).ok).toBe(true);
  });

  it('a dependency on a parent points to all of its subtasks', () => {
    const p = t('P', { children: [t('P.1'), t('P.2')] });
    const q = t('Q', { deps: ['P'] });
    const { document } = buildDocument(grouped([group('G1', [p]), group('G2', [q])]), new Warnings());
    expect(document.tasks.find((x) => x.id === 'Q')?.dependsOn).toEqual(['P.1', 'P.2']);
  });

  it('drops (and reports) a dependency of a subtask on its own parent', () => {
    const warnings = new Warnings();
    const p = t('P', { children: [t('P.1', { deps: ['P'] })] });
    const { document } = buildDocument(grouped([group('G', [p])]), warnings);
    expect(document.tasks[0].dependsOn).toEqual([]);
    expect(warnings.toArray().map((w) => w.code)).toEqual(['dependency_dropped']);
  });

  it('makes ids valid and unique, generating one where the source has none, and says so', () => {
    const warnings = new Warnings();
    const { document } = buildDocument(
      grouped([
        group('G', [
          t('a b'),
          t('a-b'),
          t('x', { id: undefined }),
          t('!!', { id: '!!' }),
          t('dup1', { id: 'D' }),
          t('dup2', { id: 'D' }),
        ]),
      ]),
      warnings,
    );
    expect(document.tasks.map((x) => x.id)).toEqual(['a-b', 'a-b-2', 'T1', 'T2', 'D', 'D-2']);
    expect(
      warnings
        .toArray()
        .map((w) => w.code)
        .sort(),
    ).toEqual(['duplicate_id', 'duplicate_id', 'id_changed', 'id_changed', 'id_generated'].sort());
  });

  it('derives chunk keys C01_<slug> in order; explicit keys are kept, made valid and unique', () => {
    const warnings = new Warnings();
    const { document } = buildDocument(
      grouped([
        group('Spec Update (CLI)', [t('1')]),
        { ...group('Other', [t('2')]), key: 'my key' },
        { ...group('Third', [t('3')]), key: 'my_key' },
      ]),
      warnings,
    );
    expect(document.chunks.map((c) => c.key)).toEqual(['C01_spec-update-cli', 'my_key', 'my_key-2']);
  });

  it('cuts over-long text to the domain limits and reports each cut', () => {
    const warnings = new Warnings();
    const { document } = buildDocument(
      grouped([
        group('G', [
          t('1', { title: 'x'.repeat(600), description: 'y'.repeat(30_000), labels: ['l'.repeat(150)] }),
        ]),
      ]),
      warnings,
    );
    expect(document.tasks[0].title).toHaveLength(500);
    expect(document.tasks[0].description).toHaveLength(20_000);
    expect(document.tasks[0].labels[0]).toHaveLength(100);
    expect(warnings.toArray().filter((w) => w.code === 'truncated')).toHaveLength(3);
    expect(parsePlanDocument(document).ok).toBe(true);
  });

  it('a task without a title takes the first line of its description', () => {
    const { document } = buildDocument(
      grouped([group('G', [t('1', { title: '', description: 'Do it\nin detail' })])]),
      new Warnings(),
    );
    expect(document.tasks[0].title).toBe('Do it');
  });
});
