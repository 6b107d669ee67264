import fc from 'fast-check';
import { parsePlanDocument, type PlanContent } from '@chunkwise/domain';
import { exportPlan } from './export-plan';
import { importPlan } from './import-plan';
import type { FormatId } from './types';

/**
 * Export → import gives the same plan back, for every format: chunks (key, title, description,
 * mode, pause), tasks (id, chunk, title, description, dependencies, acceptance, status, labels,
 * markers) and the plan's title and description. What a format cannot say natively travels in
 * its chunkwise comments / metadata, so nothing is lost.
 */

const word = fc.constantFrom('setup', 'api', 'login', 'cache', 'docs', 'tests', 'UI', 'db', 'deploy', 'x');
const words = (min: number, max: number) =>
  fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(' '));
// Titles with the characters that markdown or the importers could misread.
const title = fc.oneof(
  { weight: 4, arbitrary: words(1, 6) },
  fc
    .tuple(fc.constantFrom('[P] ', '~~', '* ', '1.2 ', '# ', 'Phase 2: ', 'T001 ', '\\', '- '), words(1, 3))
    .map(([a, b]) => a + b),
  fc
    .tuple(words(1, 3), fc.constantFrom(' ~~', ' #', ' <!-- x -->', ' [US1]', ': done'))
    .map(([a, b]) => a + b),
);
const line = fc.oneof(
  { weight: 5, arbitrary: words(1, 8) },
  fc.constantFrom(
    '- [ ] not a task',
    '# not a heading',
    '```',
    '- Acceptance: not one',
    '<!-- c -->',
    '  indented',
    '\\x',
  ),
);
const text = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  fc
    .array(fc.oneof({ weight: 5, arbitrary: line }, fc.constant('')), { minLength: 1, maxLength: 5 })
    .map((ls) => ls.join('\n').trim()),
);
const label = fc.constantFrom(
  'US1',
  'US2',
  'priority:high',
  'type:feature',
  'needs review',
  'a,b',
  'P',
  'api',
);
const idForm = fc.constantFrom('T', 'num', 'int', 'word', 'dash', 'colon');
const status = fc.constantFrom('pending', 'completed', 'skipped', 'running', 'failed') as fc.Arbitrary<
  'pending' | 'completed' | 'skipped' | 'running' | 'failed'
>;

const taskShape = fc.record({
  form: idForm,
  title,
  description: text,
  acceptance: fc.array(words(1, 4), { maxLength: 2 }),
  status,
  cancelled: fc.boolean(),
  optional: fc.boolean(),
  parallel: fc.boolean(),
  labels: fc.uniqueArray(label, { maxLength: 3 }),
  deps: fc.array(fc.nat(), { maxLength: 3 }),
});

const plan: fc.Arbitrary<PlanContent> = fc
  .record({
    title: title,
    description: text,
    chunks: fc.array(
      fc.record({
        title: title,
        description: text,
        keyForm: fc.constantFrom('derived', 'custom'),
        mode: fc.constantFrom('sequential', 'parallel', 'manual') as fc.Arbitrary<
          'sequential' | 'parallel' | 'manual'
        >,
        pauseAfter: fc.boolean(),
        tasks: fc.array(taskShape, { minLength: 1, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map((p) => {
    let n = 0;
    const ids: string[] = [];
    const tasks: Record<string, unknown>[] = [];
    const chunks = p.chunks.map((c, ci) => {
      const key = c.keyForm === 'custom' ? `chunk-${ci + 1}` : `C0${ci + 1}_x`;
      for (const t of c.tasks) {
        n++;
        const id = {
          T: `T${n}`,
          num: `${ci + 1}.${n}`,
          int: String(n),
          word: `task_${n}`,
          dash: `A-${n}`,
          colon: `x:${n}`,
        }[t.form];
        const deps = ids.length ? [...new Set(t.deps.map((d) => ids[d % ids.length]))] : [];
        ids.push(id);
        tasks.push({
          id,
          chunk: key,
          title: t.title,
          description: t.description,
          dependsOn: deps,
          canRunInParallel: t.parallel,
          acceptance: t.acceptance,
          // A cancelled task is skipped (or was completed before it was cancelled).
          status: t.cancelled ? (t.status === 'completed' ? 'completed' : 'skipped') : t.status,
          labels: t.labels,
          optional: t.optional,
          cancelled: t.cancelled,
        });
      }
      return {
        key,
        title: c.title,
        description: c.description,
        executionMode: c.mode,
        pauseAfter: c.pauseAfter,
      };
    });
    const parsed = parsePlanDocument({ title: p.title, description: p.description, chunks, tasks });
    if (!parsed.ok)
      throw new Error(`generator made an invalid plan: ${parsed.issues.map((i) => i.message).join('; ')}`);
    return parsed.content;
  });

/** The parts of a plan a round trip must keep. */
function essence(content: PlanContent) {
  return {
    title: content.title,
    description: content.description,
    chunks: content.chunks.map((c) => ({ ...c })),
    tasks: content.tasks.map((t) => ({
      id: t.id,
      chunk: t.chunk,
      title: t.title,
      description: t.description,
      dependsOn: [...t.dependsOn].sort(),
      canRunInParallel: t.canRunInParallel,
      acceptance: t.acceptance,
      status: t.status,
      labels: t.labels,
      optional: t.optional,
      cancelled: t.cancelled,
    })),
  };
}

const FORMATS: FormatId[] = ['chunkwise', 'openspec', 'speckit', 'kiro', 'taskmaster', 'massgen'];

describe.each(FORMATS)('round trip through %s', (format) => {
  it('export then import gives the same plan back', () => {
    fc.assert(
      fc.property(plan, (content) => {
        const exported = exportPlan(content, format);
        const imported = importPlan({
          files: exported.files.map(({ name, content: c }) => ({ name, content: c })),
          format,
        });
        expect(essence(imported.content)).toEqual(essence(content));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
  });

  it('is recognised by auto-detection', () => {
    fc.assert(
      fc.property(plan, (content) => {
        const exported = exportPlan(content, format);
        const main = exported.files[0];
        expect(importPlan({ files: exported.files, format: 'auto' }).format).toBe(format);
        expect(main.content.length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });
});
