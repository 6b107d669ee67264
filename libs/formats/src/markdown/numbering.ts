import type { Warnings } from '../warnings';
import type { MdTask } from './outline';

/**
 * Where indentation and numbering disagree, the numbering says what the author meant: these
 * passes fix the checkbox tree before it becomes tasks, and say so in a warning that names the
 * lines, so that no task disappears into another one silently.
 */

type IdOf = (t: MdTask) => string | undefined;

/** `3.4` is numbered under `3`; `7.4d` under `7.4`; `T012b` under `T012`. */
export function isNumberedUnder(child: string, parent: string): boolean {
  if (child.startsWith(`${parent}.`)) return true;
  return child.length === parent.length + 1 && child.startsWith(parent) && /[a-z]$/.test(child);
}

/** What the number of an id continues: `3.4` → `3`, `7.4d` → `7`, `3` → ``, `T012` → `T`; undefined when it is no number. */
function numberParent(id: string): string | undefined {
  const letter = /^([A-Z]{1,5}-?)\d{1,9}[a-z]?$/.exec(id);
  if (letter) return letter[1];
  if (!/^\d{1,9}(?:\.\d{1,9})*[a-z]?$/.test(id)) return undefined;
  return id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : '';
}

/**
 * A checkbox indented under another whose number it does not continue is moved up when the
 * numbering says where it belongs: under the nearest enclosing task whose number it continues
 * (`3.4` under `3.3` inside `3.` → a subtask of `3`), else beside the task it was indented under
 * when both are numbered alike (`T004` under `T003`). A subtask numbered on its own inside a task
 * numbered otherwise (`3.2` under an exported chunk line `1.`) says nothing and stays.
 */
export function renestByNumber(
  tasks: readonly MdTask[],
  idOf: IdOf,
  warnings: Warnings,
  file: string | undefined,
): MdTask[] {
  const top: MdTask[] = [];
  const visit = (t: MdTask, chain: MdTask[]) => {
    const copy: MdTask = { ...t, children: [], depth: chain.length };
    const parents = placeByNumber(t, chain, idOf);
    if (parents !== chain) {
      const indentParent = chain[chain.length - 1];
      const owner = parents[parents.length - 1];
      warnings.add(
        'nesting_changed',
        `task ${idOf(t)} is indented under ${idOf(indentParent)} (line ${indentParent.line}), but its number does not continue ${idOf(indentParent)}: it was read as ${owner ? `a subtask of ${idOf(owner)}` : 'a top-level task'}`,
        { file, line: t.line },
      );
      copy.depth = parents.length;
    }
    const owner = parents[parents.length - 1];
    if (owner) owner.children.push(copy);
    else top.push(copy);
    for (const child of t.children) visit(child, [...parents, copy]);
  };
  for (const t of tasks) visit(t, []);
  return top;
}

/** The chain of tasks `t` belongs under: `chain` itself unless the numbering says otherwise. */
function placeByNumber(t: MdTask, chain: MdTask[], idOf: IdOf): MdTask[] {
  const indentParent = chain[chain.length - 1];
  const id = idOf(t);
  const parentId = indentParent ? idOf(indentParent) : undefined;
  if (id === undefined || parentId === undefined || isNumberedUnder(id, parentId)) return chain;
  const own = numberParent(id);
  if (own === undefined) return chain;
  // Inner-most first: the task that continues its number, or the one numbered alike (its sibling).
  for (let at = chain.length - 1; at >= 0; at--) {
    const aid = idOf(chain[at]);
    if (aid === undefined) break;
    if (isNumberedUnder(id, aid)) return chain.slice(0, at + 1);
    if (numberParent(aid) === own) return chain.slice(0, at);
  }
  return chain;
}

/** Lines of a merged task → the line of the task it was merged into (dependencies in words follow it). */
export type MergedLines = Map<number, number>;

/**
 * A task line written twice with the same id and title (`- [x] 13. Title`, later `- [ ] 13. Title`
 * with its subtasks) is one task: the two are merged where the first stands, their subtasks and
 * notes joined. The status is that of the line with subtasks, else of the later line.
 */
export function mergeDuplicates(
  tasks: readonly MdTask[],
  idOf: IdOf,
  titleOf: (t: MdTask) => string,
  warnings: Warnings,
  file: string | undefined,
  merged: MergedLines = new Map(),
): MdTask[] {
  const out: MdTask[] = [];
  const byKey = new Map<string, number>();
  for (const t of tasks) {
    const id = idOf(t);
    const key = id === undefined ? undefined : `${id}\u0000${normalize(titleOf(t))}`;
    const at = key === undefined ? undefined : byKey.get(key);
    if (at === undefined) {
      if (key !== undefined) byKey.set(key, out.length);
      out.push(t);
      continue;
    }
    const first = out[at];
    const statusFrom = t.children.length > 0 || first.children.length === 0 ? t : first;
    out[at] = {
      ...first,
      box: statusFrom.box,
      body: first.body.length && t.body.length ? [...first.body, '', ...t.body] : [...first.body, ...t.body],
      children: [...first.children, ...t.children],
    };
    merged.set(t.line, first.line);
    warnings.add(
      'duplicate_merged',
      `task ${id} "${titleOf(t)}" is written twice (line ${first.line} and line ${t.line}); merged into one task${first.box !== t.box ? ` with the status of line ${statusFrom.line} ([${statusFrom.box}])` : ''}`,
      { file, line: t.line },
    );
  }
  return out.map((t) =>
    t.children.length > 0
      ? { ...t, children: mergeDuplicates(t.children, idOf, titleOf, warnings, file, merged) }
      : t,
  );
}

const normalize = (title: string) => title.trim().replace(/\s+/g, ' ').toLowerCase();
