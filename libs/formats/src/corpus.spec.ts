import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parsePlanDocument } from '@chunkwise/domain';
import { exportPlan } from './export-plan';
import { importPlan } from './import-plan';
import { REPO_ROOT } from '../../../test/support/format-fixtures';
import type { FormatId, ImportedPlan, InputFile } from './types';

/**
 * Real plan files (../shared/corpus, or CHUNKWISE_CORPUS_DIR): every file must import, and give
 * the counts its README table states (groups, top, sub, done, dependencies, [P] / optional
 * markers, story labels). The table is read from the README itself, so another corpus with the
 * same README layout is checked the same way. When the folder is absent the cases are skipped,
 * and the run says so plainly.
 */
// The corpus sits beside the checkout (../shared/corpus); a clone one level deeper finds it too.
const CANDIDATES = process.env.CHUNKWISE_CORPUS_DIR
  ? [process.env.CHUNKWISE_CORPUS_DIR]
  : [resolve(REPO_ROOT, '../shared/corpus'), resolve(REPO_ROOT, '../../shared/corpus')];
const CORPUS = CANDIDATES.find((dir) => existsSync(dir)) ?? CANDIDATES[0];
const present = existsSync(CORPUS);

interface Expected {
  file: string;
  format: FormatId | 'proposal';
  groups: number;
  top: number;
  sub: number;
  done?: { top: number; sub: number };
  deps?: number;
  parallel?: number;
  optional?: number;
  labels: Record<string, number>;
}

const FORMAT_NAMES: Array<[RegExp, FormatId | 'proposal']> = [
  [/proposal/i, 'proposal'],
  [/openspec/i, 'openspec'],
  [/spec ?kit/i, 'speckit'],
  [/task ?master/i, 'taskmaster'],
  [/kiro/i, 'kiro'],
  [/massgen/i, 'massgen'],
  [/chunkwise/i, 'chunkwise'],
];

const int = (cell: string | undefined): number | undefined => {
  const m = /^\s*(\d+)/.exec(cell ?? '');
  return m ? Number(m[1]) : undefined;
};

/** The rows of the README's table, by its header names. */
function readTable(readme: string): Expected[] {
  const rows = readme.split('\n').filter((l) => l.trim().startsWith('|'));
  const header = rows[0]?.split('|').map((c) => c.trim().toLowerCase());
  if (!header) return [];
  const col = (name: RegExp) => header.findIndex((h) => name.test(h));
  const at = {
    file: col(/^file$/),
    format: col(/^format$/),
    groups: col(/^groups$/),
    top: col(/^top$/),
    sub: col(/^sub$/),
    done: col(/^done/),
    deps: col(/^deps$/),
    markers: col(/\[p\]|opt/),
    quirks: col(/quirks/),
  };
  const out: Expected[] = [];
  for (const row of rows.slice(2)) {
    const cells = row.split('|').map((c) => c.trim());
    const formatCell = cells[at.format] ?? '';
    const format = FORMAT_NAMES.find(([re]) => re.test(formatCell))?.[1];
    if (!format || !cells[at.file]) continue;
    const done = /(\d+)\s*\/\s*(\d+)/.exec(cells[at.done] ?? '');
    const markers = cells[at.markers] ?? '';
    const labels: Record<string, number> = {};
    for (const m of (cells[at.quirks] ?? '').matchAll(/\b(US\d+)\s*[×x]\s*(\d+)/g))
      labels[m[1]] = Number(m[2]);
    out.push({
      file: cells[at.file].replace(/`/g, ''),
      format,
      groups: int(cells[at.groups]) ?? 0,
      top: int(cells[at.top]) ?? 0,
      sub: int(cells[at.sub]) ?? 0,
      done: done ? { top: Number(done[1]), sub: Number(done[2]) } : undefined,
      deps: int(cells[at.deps]),
      parallel: /\[P\]/.test(markers) ? int(markers) : /^[–-]$/.test(markers) ? 0 : undefined,
      optional: /opt/.test(markers) ? int(markers) : /^[–-]$/.test(markers) ? 0 : undefined,
      labels,
    });
  }
  return out;
}

/** The files of the corpus (README rows first; any other file is still imported). */
function corpusFiles(): { rows: Expected[]; others: string[] } {
  const readme = join(CORPUS, 'README.md');
  const rows = existsSync(readme) ? readTable(readFileSync(readme, 'utf8')) : [];
  const listed = new Set(rows.map((r) => r.file));
  const others: string[] = [];
  for (const dir of readdirSync(CORPUS, { withFileTypes: true }))
    if (dir.isDirectory())
      for (const f of readdirSync(join(CORPUS, dir.name)))
        if (!listed.has(`${dir.name}/${f}`) && !/proposal\.md$/.test(f)) others.push(`${dir.name}/${f}`);
  return { rows: rows.filter((r) => r.format !== 'proposal'), others };
}

const read = (file: string): InputFile => ({
  name: basename(file),
  content: readFileSync(join(CORPUS, file), 'utf8'),
});

/** An OpenSpec tasks.md with its proposal.md beside it (same name prefix), as a change folder. */
function inputOf(file: string): InputFile[] {
  const proposal = file.replace(/tasks\.md$/, 'proposal.md');
  if (proposal !== file && existsSync(join(CORPUS, proposal)))
    return [
      { name: 'change/tasks.md', content: read(file).content },
      { name: 'change/proposal.md', content: read(proposal).content },
    ];
  return [read(file)];
}

const labelCounts = (plan: ImportedPlan) => {
  const counts: Record<string, number> = {};
  for (const t of plan.document.tasks)
    for (const l of t.labels) if (/^US\d+$/.test(l)) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
};

if (!present) {
  console.warn(
    `SKIPPING the corpus tests: the plan corpus is absent (looked in ${CANDIDATES.join(', ')}; set CHUNKWISE_CORPUS_DIR to a copy). ` +
      'The fixtures in test/fixtures/formats still cover every format.',
  );
  it.skip(`corpus of real plan files: absent (looked in ${CANDIDATES.join(', ')})`, () => undefined);
} else {
  const { rows, others } = corpusFiles();

  describe(`plan corpus at ${CORPUS}`, () => {
    it('has files to check', () => {
      expect(rows.length + others.length).toBeGreaterThan(0);
    });

    describe.each(rows.map((r) => [r.file, r] as const))('%s', (_file, expected) => {
      const plan = importPlan({ files: inputOf(expected.file) });

      it(`is recognised as ${expected.format} and passes the domain validation`, () => {
        expect(plan.format).toBe(expected.format);
        expect(parsePlanDocument(plan.document).ok).toBe(true);
      });

      it('reproduces the counts of the README', () => {
        const { stats } = plan;
        expect({ groups: stats.groups, top: stats.top, sub: stats.sub }).toEqual({
          groups: expected.groups,
          top: expected.top,
          sub: expected.sub,
        });
        if (expected.done) expect(stats.done).toEqual(expected.done);
        if (expected.deps !== undefined) expect(stats.deps).toBe(expected.deps);
        if (expected.parallel !== undefined) expect(stats.parallel).toBe(expected.parallel);
        if (expected.optional !== undefined) expect(stats.optional).toBe(expected.optional);
        for (const [label, n] of Object.entries(expected.labels))
          expect([label, labelCounts(plan)[label] ?? 0]).toEqual([label, n]);
      });

      it('drops no task: every source task (or each of its subtasks) is a task', () => {
        // A task with subtasks becomes its subtasks: tasks = top-level tasks without subtasks + subtasks.
        expect(plan.document.tasks.length).toBeGreaterThanOrEqual(
          Math.max(expected.sub, expected.top - expected.sub),
        );
        const done = plan.document.tasks.filter((t) => t.status === 'completed').length;
        if (expected.done) expect(done).toBeGreaterThanOrEqual(expected.done.sub);
      });

      it.each(['chunkwise', 'openspec', 'speckit', 'kiro', 'taskmaster', 'massgen'] as FormatId[])(
        'exports to %s and imports back the same tasks',
        (format) => {
          const out = exportPlan(plan.content, format);
          const again = importPlan({ files: out.files, format });
          expect(again.content.tasks).toEqual(plan.content.tasks);
        },
      );
    });

    it.each(others.length ? others : ['(none)'])(
      'unlisted file %s imports or fails with a clear error',
      (file) => {
        if (file === '(none)') return;
        try {
          const plan = importPlan({ files: inputOf(file) });
          expect(parsePlanDocument(plan.document).ok).toBe(true);
        } catch (err) {
          expect((err as Error).name).toBe('ImportError');
        }
      },
    );
  });
}
