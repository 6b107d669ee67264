import type { WordedDependencyAt } from './source-model';
import type { ImportedTask } from './types';
import type { Warnings } from './warnings';

/** What the built document knows about each task, to place a dependency written in words. */
export interface WordedDependencyContext {
  tasks: ImportedTask[];
  /** Source key (a parent's too) → indexes of the tasks it stands for. */
  tasksOfKey: ReadonlyMap<string, readonly number[]>;
  /** An id as the source writes it (or as imported) → its source key; the first one wins. */
  keyOfId: ReadonlyMap<string, string>;
  /** For each task: the keys of the tasks it is part of, and its own. */
  lineage: ReadonlyArray<readonly string[]>;
  /** Chunk key → position. */
  chunkPosition: ReadonlyMap<string, number>;
}

const MAX_NAMED = 10;

const names = (ids: readonly string[]) =>
  ids.length <= MAX_NAMED ? ids.join(', ') : `${ids.slice(0, MAX_NAMED).join(', ')}, … (${ids.length})`;

/**
 * Reports every dependency written in words, naming the ids it refers to; with `infer`, turns
 * the references that name tasks of the plan into real dependencies of the task the line belongs
 * to, checked as any dependency is (the same or an earlier chunk, no cycle); each reference that
 * cannot be one stays in the warning with its reason. `Dependencies: None` says nothing to carry.
 */
export function applyWordedDependencies(
  worded: readonly WordedDependencyAt[],
  ctx: WordedDependencyContext,
  infer: boolean,
  warnings: Warnings,
): void {
  const byId = new Map(ctx.tasks.map((t) => [t.id, t]));
  for (const { dep, loc, ownerKey } of worded) {
    if (dep.none && dep.refs.length === 0) continue;
    const said = `"${dep.phrase}"`;
    if (!infer) {
      warnings.add(
        'textual_dependency',
        dep.refs.length
          ? `dependency in words ${said} names ${names(dep.refs)}; not imported as a dependency (--infer-dependencies makes it one)`
          : `dependency in words ${said} names no task id; not imported as a dependency`,
        loc,
      );
      continue;
    }
    const subjectKey = ownerKey ?? (dep.subject ? ctx.keyOfId.get(dep.subject) : undefined);
    const subjects = subjectKey ? (ctx.tasksOfKey.get(subjectKey) ?? []) : [];
    if (subjects.length === 0 || dep.refs.length === 0) {
      warnings.add(
        'textual_dependency',
        `dependency in words ${said} not imported: ${dep.refs.length === 0 ? 'it names no task id' : `it belongs to no task (it names ${names(dep.refs)})`}`,
        loc,
      );
      continue;
    }
    const added: string[] = [];
    const refused: string[] = [];
    for (const ref of dep.refs) {
      const key = ctx.keyOfId.get(ref);
      const targets = key ? (ctx.tasksOfKey.get(key) ?? []) : [];
      if (!key || targets.length === 0) {
        refused.push(`${ref} (no task has this id)`);
        continue;
      }
      const reasons = new Set<string>();
      let any = false;
      for (const s of subjects) {
        if (ctx.lineage[s].includes(key)) {
          reasons.add(`${ref} (the task itself, or the task it is part of)`);
          continue;
        }
        for (const t of targets) {
          const reason = refusal(ctx, byId, s, t);
          if (reason) reasons.add(`${ref} (${reason})`);
          else {
            const list = ctx.tasks[s].dependsOn;
            if (!list.includes(ctx.tasks[t].id)) list.push(ctx.tasks[t].id);
            any = true;
          }
        }
      }
      if (any) added.push(ref);
      refused.push(...reasons);
    }
    const who = subjects.map((s) => ctx.tasks[s].id);
    const rest = refused.length ? `; not imported: ${refused.join(', ')}` : '';
    if (added.length > 0)
      warnings.add(
        'dependency_inferred',
        `${who.length === 1 ? 'task' : 'tasks'} ${names(who)} now ${who.length === 1 ? 'depends' : 'depend'} on ${names(added)}, from the words ${said}${rest}`,
        loc,
      );
    else
      warnings.add(
        'textual_dependency',
        `dependency in words ${said} not imported: ${refused.join(', ')}`,
        loc,
      );
  }
}

/** Why task `from` may not depend on task `to`, or undefined when it may. */
function refusal(
  ctx: WordedDependencyContext,
  byId: ReadonlyMap<string, ImportedTask>,
  from: number,
  to: number,
): string | undefined {
  const a = ctx.tasks[from];
  const b = ctx.tasks[to];
  if (from === to) return 'the task itself, or the task it is part of';
  const chunkA = ctx.chunkPosition.get(a.chunk) ?? 0;
  const chunkB = ctx.chunkPosition.get(b.chunk) ?? 0;
  if (chunkB > chunkA) return `${b.id} is in a later chunk, ${b.chunk}, than ${a.id} in ${a.chunk}`;
  if (reaches(byId, b.id, a.id)) return `${b.id} already depends on ${a.id}: a cycle`;
  return undefined;
}

/** Whether `from` depends on `to`, directly or through other tasks. */
function reaches(byId: ReadonlyMap<string, ImportedTask>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of byId.get(id)?.dependsOn ?? []) stack.push(next);
  }
  return false;
}
