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

/** An id whose numbering says where it belongs: `3.4`, `7.4d`, `T012`, `T012b`. */
const STRUCTURED = /^(?:\d{1,9}(?:\.\d{1,9})*[a-z]?|[A-Z]{1,5}-?\d{1,9}[a-z]?)$/;

/**
 * A checkbox indented under another whose number it does not continue (`3.4` under `3.3`) is moved
 * up to the nearest enclosing task whose number it does continue (`3`), or to the top level, right
 * after the task it was indented under.
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
    const id = idOf(t);
    let parents = chain;
    const indentParent = chain[chain.length - 1];
    const parentId = indentParent ? idOf(indentParent) : undefined;
    if (
      indentParent &&
      id !== undefined &&
      parentId !== undefined &&
      STRUCTURED.test(id) &&
      STRUCTURED.test(parentId) &&
      !isNumberedUnder(id, parentId)
    ) {
      let at = chain.length - 1;
      while (at >= 0) {
        const aid = idOf(chain[at]);
        if (aid !== undefined && isNumberedUnder(id, aid)) break;
        at--;
      }
      parents = chain.slice(0, at + 1);
      const owner = parents[parents.length - 1];
      warnings.add(
        'nesting_changed',
        `task ${id} is indented under ${parentId} (line ${indentParent.line}), but its number does not continue ${parentId}: it was read as ${owner ? `a subtask of ${idOf(owner)}` : 'a top-level task'}`,
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
