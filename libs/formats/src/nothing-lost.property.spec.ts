import fc from 'fast-check';
import { importPlan } from './import-plan';

/**
 * Nothing is lost silently: over generated OpenSpec-style markdown (nested lists with random
 * indentation, a sibling indented deeper than the one before it, task lines written twice, ids
 * with a letter suffix, code fences holding task-like lines, a Notes section), every real task
 * line is a task of the source or a duplicate reported as merged, and every id written survives
 * (as a task id, or as the "Part of <id>" context of the subtasks of a task that was expanded);
 * a task written without subtasks is a task, however deep it is indented.
 */

interface Node {
  title: string;
  box: ' ' | 'x' | 'X';
  /** Columns deeper than the task above it in the tree (1–5: siblings are often not aligned). */
  indent: number;
  suffix: boolean;
  note: boolean;
  children: Node[];
}

const word = fc.constantFrom('setup', 'api', 'login', 'cache', 'docs', 'tests', 'db', 'deploy');
const node: fc.Memo<Node> = fc.memo((depth) =>
  fc.record({
    title: fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
    box: fc.constantFrom(' ', 'x', 'X') as fc.Arbitrary<Node['box']>,
    indent: fc.integer({ min: 1, max: 5 }),
    suffix: fc.boolean(),
    note: fc.boolean(),
    children: depth <= 1 ? fc.constant([]) : fc.array(node(depth - 1), { maxLength: 3 }),
  }),
);
const group = fc.record({
  tasks: fc.array(node(3), { minLength: 1, maxLength: 4 }),
  /** Top-level tasks (by position) written a second time at the end of the group. */
  duplicates: fc.array(fc.nat(3), { maxLength: 2 }),
  fence: fc.boolean(),
});
const document = fc.record({
  groups: fc.array(group, { minLength: 1, maxLength: 3 }),
  notes: fc.boolean(),
});

interface DocShape {
  groups: Array<{ tasks: Node[]; duplicates: number[]; fence: boolean }>;
  notes: boolean;
}

interface Rendered {
  text: string;
  /** Checkbox lines that are tasks (not inside a fence, not in the Notes). */
  taskLines: number;
  ids: string[];
  /** Ids of the tasks written without subtasks: whatever their indentation, each must be a task. */
  leaves: string[];
}

function render(doc: DocShape): Rendered {
  const out: string[] = ['# Tasks', ''];
  const ids: string[] = [];
  const leaves: string[] = [];
  let taskLines = 0;
  const task = (indent: number, box: string, id: string, title: string) => {
    out.push(`${' '.repeat(indent)}- [${box}] ${id} ${title}`);
    taskLines++;
  };
  const visit = (n: Node, id: string, indent: number) => {
    task(indent, n.box, id, n.title);
    ids.push(id);
    if (n.children.length === 0) leaves.push(id);
    if (n.note) out.push(`${' '.repeat(indent + 2)}A note about ${n.title}.`);
    n.children.forEach((c, i) => visit(c, `${id}.${i + 1}`, indent + c.indent));
    if (n.suffix) {
      // `1.2a`, right after 1.2 and its subtasks, at 1.2's indentation.
      task(indent, ' ', `${id}a`, `${n.title} follow-up`);
      ids.push(`${id}a`);
      leaves.push(`${id}a`);
    }
  };
  doc.groups.forEach((g, gi) => {
    out.push(`## ${gi + 1}. Group ${gi + 1}`, '');
    g.tasks.forEach((t, ti) => {
      visit(t, `${gi + 1}.${ti + 1}`, 0);
      if (g.fence && ti === 0) out.push('```md', `- [ ] ${gi + 1}.99 an example, not a task`, '```');
    });
    for (const d of g.duplicates) {
      const t = g.tasks[d % g.tasks.length];
      task(0, 'x', `${gi + 1}.${(d % g.tasks.length) + 1}`, t.title);
    }
    out.push('');
  });
  if (doc.notes) out.push('## Notes', '', '- [P] tasks can run in parallel', '- keep it small', '');
  return { text: out.join('\n'), taskLines, ids, leaves };
}

describe('markdown import loses nothing silently (property)', () => {
  it('task lines = tasks + duplicates reported as merged; every id survives', () => {
    fc.assert(
      fc.property(document, (doc) => {
        const { text, taskLines, ids, leaves } = render(doc);
        const plan = importPlan({ content: text, filename: 'tasks.md', format: 'openspec' });
        const merged = plan.warnings.filter((w) => w.code === 'duplicate_merged').length;
        expect(plan.stats.top + plan.stats.sub + merged).toBe(taskLines);
        const taskIds = new Set(plan.document.tasks.map((t) => t.id));
        const contexts = plan.document.tasks.map((t) => t.description).join('\n');
        for (const id of ids)
          expect([id, taskIds.has(id) || contexts.includes(`Part of ${id} `)]).toEqual([id, true]);
        // The numbering wins over the indentation: a task written without subtasks stays a task.
        for (const id of leaves) expect([id, taskIds.has(id)]).toEqual([id, true]);
        // Every line that names an id was kept; no id was renamed (the duplicates were merged).
        expect(plan.warnings.filter((w) => w.code === 'duplicate_id')).toEqual([]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });
});
