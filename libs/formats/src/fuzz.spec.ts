import fc from 'fast-check';
import { parsePlanDocument } from '@chunkwise/domain';
import { exportPlan } from './export-plan';
import { importAllTags, importPlan } from './import-plan';
import { fixture } from '../../../test/support/format-fixtures';
import { FORMATS, ImportError, type FormatChoice, type ImportInput } from './types';

/**
 * Whatever the input, the importer answers with a valid plan or an ImportError listing what is
 * wrong; it never throws anything else, and never takes long. (The API maps ImportError to 400.)
 */
function outcome(input: ImportInput): 'plan' | 'error' {
  try {
    const plan = importPlan(input);
    const check = parsePlanDocument(plan.document);
    if (!check.ok) throw new Error(`importer produced an invalid document: ${check.issues[0].message}`);
    return 'plan';
  } catch (err) {
    if (err instanceof ImportError) {
      expect(err.issues.length).toBeGreaterThan(0);
      for (const issue of err.issues) expect(issue.message.length).toBeGreaterThan(0);
      return 'error';
    }
    throw err;
  }
}

const format: fc.Arbitrary<FormatChoice> = fc.constantFrom('auto', ...FORMATS);
const runs = Number(process.env.FC_RUNS ?? 200);

const id = fc.oneof(
  fc.constantFrom('1', '1.1', '2.3.1', 'T001', 'T002', 'A-1', 'x', '1.', '**1.2**', 'T001:'),
  fc.string({ maxLength: 6 }),
);
const word = fc.constantFrom(
  'Setup',
  'Phase 1:',
  'Notes',
  '[P]',
  '[US1]',
  '[x]',
  '~~',
  'depends on T001',
  '*',
  '#',
  '`',
  'é',
  '🎯',
);
const text = fc.array(fc.oneof(word, fc.string({ maxLength: 8 })), { maxLength: 6 }).map((w) => w.join(' '));
const indent = fc.constantFrom('', '  ', '    ', '\t', ' \t', '        ');
const mdLine = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 6 }), text).map(([n, t]) => `${'#'.repeat(n)} ${t}`),
  fc
    .tuple(
      indent,
      fc.constantFrom('-', '*', '+', '1.'),
      fc.constantFrom(' ', 'x', 'X', '-', '~', '/'),
      fc.boolean(),
      id,
      text,
    )
    .map(([i, b, box, star, d, t]) => `${i}${b} [${box}]${star ? '*' : ''} ${d} ${t}`),
  fc.tuple(indent, text).map(([i, t]) => `${i}- ${t}`),
  fc.constantFrom('```', '~~~', '---', '<!--', '-->', '', '  _Requirements: 1.1_', '- Acceptance: ok'),
  fc
    .tuple(id, fc.array(id, { maxLength: 3 }), fc.constantFrom('parallel', 'manual', 'bogus'))
    .map(
      ([a, deps, mode]) =>
        `- [ ] ${a} t <!-- chunkwise: id=${a}; deps=${deps.join(',')}; mode=${mode}; key=${a} -->`,
    ),
  text,
);
const markdown = fc
  .tuple(fc.array(mdLine, { maxLength: 40 }), fc.boolean(), fc.boolean())
  .map(([lines, crlf, bom]) => (bom ? '\uFEFF' : '') + lines.join(crlf ? '\r\n' : '\n'));

const jsonFixtures = () => [
  fixture('taskmaster/tagged/tasks.json').content,
  fixture('taskmaster/legacy/tasks.json').content,
  fixture('massgen/project_plan.json').content,
  JSON.stringify(
    JSON.parse(
      exportPlan(importPlan({ files: [fixture('chunkwise/plan.yaml')] }).content, 'chunkwise', { json: true })
        .files[0].content,
    ),
  ),
];

/** Replaces the value at a random place in a JSON tree with another JSON value. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0] % entries.length];
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
  copy[key] = mutate(child, path.slice(1), replacement);
  return copy;
}

describe('importer fuzz', () => {
  it('random text in any format', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), format, (content, f) => {
        outcome({ content, format: f });
      }),
      { numRuns: runs },
    );
  });

  it('random markdown (headings, checkboxes, fences, comments, trailers, CRLF, BOM, tabs)', () => {
    fc.assert(
      fc.property(
        markdown,
        fc.constantFrom<FormatChoice>('auto', 'openspec', 'speckit', 'kiro'),
        (content, f) => {
          outcome({ content, format: f, filename: 'tasks.md' });
        },
      ),
      { numRuns: runs },
    );
  });

  it('truncated JSON at any point', () => {
    const sources = jsonFixtures();
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.double({ min: 0, max: 1, noNaN: true }),
        format,
        (json, at, f) => {
          outcome({ content: json.slice(0, Math.floor(json.length * at)), format: f });
        },
      ),
      { numRuns: runs },
    );
  });

  it('mutated JSON (any node replaced by any JSON value)', () => {
    const sources = jsonFixtures().map((s) => JSON.parse(s) as unknown);
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 3 }),
        format,
        (data, path, replacement, f) => {
          const content = JSON.stringify(mutate(data, path, replacement));
          outcome({ content, format: f });
          try {
            importAllTags({ content, format: f });
          } catch (err) {
            if (!(err instanceof ImportError)) throw err;
          }
        },
      ),
      { numRuns: runs },
    );
  });

  it('deep nesting: JSON, YAML, markdown lists and Task Master subtasks', () => {
    const n = 100_000;
    expect(outcome({ content: `${'['.repeat(n)}${']'.repeat(n)}`, format: 'auto' })).toBe('error');
    expect(outcome({ content: `{"tasks":[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]}`, format: 'massgen' })).toBe(
      'error',
    );
    expect(
      outcome({ content: `title: x\ntasks: ${'['.repeat(5000)}${']'.repeat(5000)}`, format: 'chunkwise' }),
    ).toBe('error');
    const md = Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i * 2)}- [ ] ${i + 1}. t`).join('\n');
    expect(outcome({ content: md, format: 'kiro' })).toBe('plan');
    let sub: unknown = { id: 1, title: 'leaf' };
    for (let i = 0; i < 50; i++) sub = { id: 1, title: `level ${i}`, subtasks: [sub] };
    expect(outcome({ content: JSON.stringify({ tasks: [sub] }), format: 'taskmaster' })).toBe('error');
  });

  it('a 2 MB file (the default body limit) imports within seconds', () => {
    const lines = ['# Tasks: Big', ''];
    let n = 0;
    while (lines.join('\n').length < 2_000_000 - 20_000) {
      lines.push(`## Phase ${n / 100 + 1}: Part`, '');
      for (let i = 0; i < 100; i++, n++)
        lines.push(`- [ ] T${String(n + 1).padStart(5, '0')} [P] [US1] Task number ${n + 1} in src/f${n}.ts`);
      lines.push('');
    }
    const started = Date.now();
    const plan = importPlan({ content: lines.join('\n'), filename: 'tasks.md' });
    expect(plan.document.tasks.length).toBe(n);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
