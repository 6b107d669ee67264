import { MAX_TEXT } from '@chunkwise/domain';
import { orderTopLevel } from './chunk-order';
import { applyWordedDependencies } from './infer-dependencies';
import type { ChunkHint, SourceGroup, SourcePlan, SourceTask } from './source-model';
import { firstLine, limit, sanitizeChunkKey, sanitizeId, slugify } from './text';
import type { ImportedChunk, ImportedDocument, ImportedTask, SourceLocation } from './types';
import { describeLocation, type Warnings } from './warnings';

const MAX_TITLE = 500;
const MAX_LABEL = 100;

export interface BuiltDocument {
  document: ImportedDocument;
  /** Where each task of `document.tasks` came from (same index). */
  taskLocations: SourceLocation[];
  chunkLocations: SourceLocation[];
}

interface ChunkDraft extends ChunkHint {
  title: string;
  description: string;
  loc: SourceLocation;
  entries: SourceTask[];
  parallelWhenAllMarked: boolean;
  keepEmpty: boolean;
  /** The top-level task this chunk was made from (per-top-task layout): its subtasks inherit from it. */
  parent?: SourceTask;
}

interface Leaf {
  task: SourceTask;
  chunk: number;
  /** Keys of the tasks above it that were expanded into their subtasks, outermost first. */
  ancestors: string[];
  deps: string[];
  labels: string[];
  optional: boolean;
  cancelled: boolean;
  description: string;
}

/**
 * Turns a parsed source plan into a Chunkwise plan document, the same way for every format:
 * groups (or top-level tasks) become chunks in order, tasks with subtasks are expanded into their
 * subtasks (which keep the parent's title and description as context and inherit its
 * dependencies, labels and markers), dependencies on a parent point to all of its subtasks, ids
 * are kept (made valid and unique, with a warning each time one changes).
 */
export function buildDocument(
  plan: SourcePlan,
  warnings: Warnings,
  overrides: { title?: string; repository?: string; inferDependencies?: boolean } = {},
): BuiltDocument {
  const drafts = plan.layout === 'groups' ? fromGroups(plan.groups) : fromTopLevel(plan.tasks, warnings);
  const leaves = expand(drafts, warnings);
  const ids = assignIds(leaves, warnings);
  const leavesOf = leafIndex(leaves);

  const chunks: ImportedChunk[] = [];
  const chunkLocations: SourceLocation[] = [];
  const chunkIndex = new Map<number, number>();
  const usedKeys = new Set<string>();
  const width = Math.max(2, String(drafts.length).length);
  const byChunk: Leaf[][] = drafts.map(() => []);
  for (const leaf of leaves) byChunk[leaf.chunk].push(leaf);
  drafts.forEach((draft, i) => {
    const own = byChunk[i];
    if (own.length === 0 && !draft.keepEmpty) return;
    chunkIndex.set(i, chunks.length);
    const title = limitText(
      draft.title.trim() || `Chunk ${chunks.length + 1}`,
      MAX_TITLE,
      'chunk title',
      draft.loc,
      warnings,
    );
    const key = chunkKey(draft, title, chunks.length + 1, width, usedKeys, warnings);
    const allMarked = own.length > 0 && own.every((l) => l.task.parallel);
    chunks.push({
      key,
      title,
      description: limitText(draft.description.trim(), MAX_TEXT, 'chunk description', draft.loc, warnings),
      executionMode:
        draft.executionMode ?? (draft.parallelWhenAllMarked && allMarked ? 'parallel' : 'sequential'),
      pauseAfter: draft.pauseAfter ?? false,
    });
    chunkLocations.push(draft.loc);
  });

  const tasks: ImportedTask[] = leaves.map((leaf, i) => {
    const t = leaf.task;
    const id = ids[i];
    const dependsOn = new Set<string>();
    for (const key of leaf.deps) {
      if (leaf.ancestors.includes(key) || key === t.key) {
        warnings.add(
          'dependency_dropped',
          `task ${id} depends on the task it is part of; dependency dropped`,
          t.loc,
        );
        continue;
      }
      for (const target of leavesOf.get(key) ?? []) if (target !== i) dependsOn.add(ids[target]);
    }
    const title = t.title.trim() || firstLine(leaf.description) || `Task ${id}`;
    return {
      id,
      chunk: chunks[chunkIndex.get(leaf.chunk)!].key,
      title: limitText(title.replace(/\s*\n\s*/g, ' '), MAX_TITLE, `title of task ${id}`, t.loc, warnings),
      description: limitText(leaf.description.trim(), MAX_TEXT, `description of task ${id}`, t.loc, warnings),
      dependsOn: [...dependsOn],
      canRunInParallel: t.parallel,
      acceptance: t.acceptance
        .map((a) => limitText(a.trim(), MAX_TEXT, `acceptance of task ${id}`, t.loc, warnings))
        .filter(Boolean),
      // As the domain has it: a cancelled task that was still to do is skipped.
      status: leaf.cancelled && t.status === 'pending' ? 'skipped' : t.status,
      labels: cleanLabels(leaf.labels, id, t.loc, warnings),
      optional: leaf.optional,
      cancelled: leaf.cancelled,
    };
  });

  if (plan.wordedDependencies?.length)
    applyWordedDependencies(
      plan.wordedDependencies,
      {
        tasks,
        tasksOfKey: leavesOf,
        keyOfId: keysById(plan, tasks, leaves),
        lineage: leaves.map((l) => [...l.ancestors, l.task.key]),
        chunkPosition: new Map(chunks.map((c, i) => [c.key, i])),
      },
      overrides.inferDependencies === true,
      warnings,
    );

  const document: ImportedDocument = {
    title: limitText(
      (overrides.title ?? plan.title).trim() || 'Imported plan',
      MAX_TITLE,
      'plan title',
      undefined,
      warnings,
    ),
    description: limitText(plan.description.trim(), MAX_TEXT, 'plan description', undefined, warnings),
    chunks,
    tasks,
  };
  const repository = overrides.repository ?? plan.repository;
  if (repository !== undefined) document.repository = repository;
  if (plan.execution !== undefined) document.execution = plan.execution;
  return { document, taskLocations: leaves.map((l) => l.task.loc), chunkLocations };
}

function fromGroups(groups: readonly SourceGroup[]): ChunkDraft[] {
  return groups.map((g) => ({
    ...g,
    entries: g.tasks,
    parallelWhenAllMarked: g.parallelWhenAllMarked ?? false,
    keepEmpty: g.keepEmpty ?? false,
  }));
}

/** One chunk per top-level task (with its subtasks), ordered so that dependencies point backwards. */
function fromTopLevel(tasks: readonly SourceTask[], warnings: Warnings): ChunkDraft[] {
  const owner = new Map<string, number>();
  tasks.forEach((t, i) => walk(t, (n) => owner.set(n.key, i)));
  const edges = tasks.map((t, i) => {
    const out = new Set<number>();
    walk(t, (n) =>
      n.deps.forEach((k) => {
        const j = owner.get(k);
        if (j !== undefined && j !== i) out.add(j);
      }),
    );
    return [...out];
  });
  const order = orderTopLevel(tasks.length, edges);
  const moved = order.flat().filter((ti, pos) => ti !== pos);
  if (moved.length > 0) {
    warnings.add(
      'chunk_order',
      `chunks are not in source order, so that every dependency points to an earlier chunk (moved: ${moved
        .slice(0, 5)
        .map((ti) => label(tasks[ti]))
        .join(', ')}${moved.length > 5 ? ', …' : ''})`,
    );
  }
  return order.map((members) => {
    if (members.length === 1) {
      const t = tasks[members[0]];
      const expand = t.children.length > 0;
      return {
        ...t.chunk,
        title: t.chunk?.title ?? t.title,
        description: t.chunk?.description ?? (expand ? withAcceptance(t) : ''),
        loc: t.loc,
        entries: expand ? t.children : [t],
        parallelWhenAllMarked: false,
        keepEmpty: false,
        parent: expand ? t : undefined,
      };
    }
    const group = members.map((m) => tasks[m]);
    warnings.add(
      'chunks_merged',
      `top-level tasks ${group.map(label).join(', ')} depend on each other through their subtasks; they were imported as one chunk`,
      group[0].loc,
    );
    return {
      title: group.map((t) => t.title).join(' + '),
      description: group
        .filter((t) => t.children.length > 0 && (t.description || t.acceptance.length))
        .map((t) => `${label(t)}: ${withAcceptance(t)}`)
        .join('\n\n'),
      loc: group[0].loc,
      entries: group,
      parallelWhenAllMarked: false,
      keepEmpty: false,
    };
  });
}

const label = (t: SourceTask) => (t.id ? `${t.id} ${t.title}`.trim() : t.title);

function withAcceptance(t: SourceTask): string {
  const acceptance = t.acceptance.map((a) => `Acceptance: ${a}`).join('\n');
  return [t.description.trim(), acceptance].filter(Boolean).join('\n\n');
}

function walk(task: SourceTask, visit: (t: SourceTask) => void): void {
  const stack = [task];
  while (stack.length > 0) {
    const t = stack.pop()!;
    visit(t);
    for (let i = t.children.length - 1; i >= 0; i--) stack.push(t.children[i]);
  }
}

/** Expands every task with subtasks into its subtasks (recursively), in source order. */
function expand(drafts: readonly ChunkDraft[], warnings: Warnings): Leaf[] {
  const leaves: Leaf[] = [];
  drafts.forEach((draft, chunk) => {
    const base = draft.parent
      ? {
          ancestors: [draft.parent.key],
          deps: draft.parent.deps,
          labels: draft.parent.labels,
          optional: draft.parent.optional,
          cancelled: draft.parent.cancelled,
          context: '',
        }
      : { ancestors: [], deps: [], labels: [], optional: false, cancelled: false, context: '' };
    if (draft.parent) checkParentStatus(draft.parent, warnings);
    const visit = (t: SourceTask, inherited: typeof base) => {
      if (t.children.length === 0) {
        leaves.push({
          task: t,
          chunk,
          ancestors: inherited.ancestors,
          deps: [...inherited.deps, ...t.deps],
          labels: withOwnLabels(inherited.labels, t.labels),
          optional: inherited.optional || t.optional,
          cancelled: inherited.cancelled || t.cancelled,
          description: [t.description.trim(), inherited.context].filter(Boolean).join('\n\n'),
        });
        return;
      }
      checkParentStatus(t, warnings);
      const parentText = [t.description.trim(), ...t.acceptance.map((a) => `Acceptance: ${a}`)]
        .filter(Boolean)
        .join('\n');
      const context = [`Part of ${label(t)}${parentText ? `:\n${parentText}` : ''}`, inherited.context]
        .filter(Boolean)
        .join('\n\n');
      const next = {
        ancestors: [...inherited.ancestors, t.key],
        deps: [...inherited.deps, ...t.deps],
        labels: withOwnLabels(inherited.labels, t.labels),
        optional: inherited.optional || t.optional,
        cancelled: inherited.cancelled || t.cancelled,
        context,
      };
      for (const child of t.children) visit(child, next);
    };
    for (const entry of draft.entries) visit(entry, base);
  });
  return leaves;
}

/**
 * A subtask's labels after its parent's, except where the subtask says otherwise: its own
 * `priority:low` replaces the parent's `priority:high` (a `name:value` label of the same name).
 */
function withOwnLabels(inherited: readonly string[], own: readonly string[]): string[] {
  const named = new Set(own.map((l) => /^([^:]+):/.exec(l)?.[1]).filter(Boolean));
  return [...inherited.filter((l) => !named.has(/^([^:]+):/.exec(l)?.[1])), ...own];
}

/** Every id the source writes (parents too) and every imported id → the source key; first one wins. */
function keysById(
  plan: SourcePlan,
  tasks: readonly ImportedTask[],
  leaves: readonly Leaf[],
): Map<string, string> {
  const byId = new Map<string, string>();
  const roots = plan.layout === 'groups' ? plan.groups.flatMap((g) => g.tasks) : plan.tasks;
  for (const root of roots)
    walk(root, (t) => {
      if (t.id !== undefined && !byId.has(t.id)) byId.set(t.id, t.key);
    });
  tasks.forEach((t, i) => {
    if (!byId.has(t.id)) byId.set(t.id, leaves[i].task.key);
  });
  return byId;
}

function checkParentStatus(parent: SourceTask, warnings: Warnings): void {
  if (parent.status !== 'completed') return;
  const open: string[] = [];
  walk(parent, (t) => {
    if (t !== parent && t.children.length === 0 && t.status !== 'completed' && !t.cancelled && !t.optional)
      open.push(t.id ?? t.title);
  });
  if (open.length > 0)
    warnings.add(
      'parent_status',
      `${label(parent)} is marked done but its subtasks ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', …' : ''} are not; each subtask keeps its own status`,
      parent.loc,
    );
}

/** Every source key (parents included) → the indexes of the leaves it stands for. */
function leafIndex(leaves: readonly Leaf[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  leaves.forEach((leaf, i) => {
    for (const key of [...leaf.ancestors, leaf.task.key]) {
      const list = byKey.get(key);
      if (list) list.push(i);
      else byKey.set(key, [i]);
    }
  });
  return byKey;
}

/** The final ids: the source's, made valid and unique; generated where the source has none. */
function assignIds(leaves: readonly Leaf[], warnings: Warnings): string[] {
  const used = new Map<string, { loc: SourceLocation }>();
  const taken = new Set(leaves.map((l) => (l.task.id ? sanitizeId(l.task.id) : '')).filter(Boolean));
  let generated = 0;
  const fresh = () => {
    let id: string;
    do id = `T${++generated}`;
    while (taken.has(id) || used.has(id));
    return id;
  };
  return leaves.map((leaf) => {
    const t = leaf.task;
    let id = t.id === undefined ? '' : sanitizeId(t.id);
    if (t.id === undefined) {
      id = fresh();
      warnings.addGrouped('id_generated', 'task without an id in the source; an id was generated', {
        ...t.loc,
      });
    } else if (id === '') {
      id = fresh();
      warnings.add('id_changed', `id ${JSON.stringify(t.id)} is not a valid task id; ${id} was used`, t.loc);
    } else if (id !== t.id) {
      warnings.add(
        'id_changed',
        `id ${JSON.stringify(t.id)} changed to ${id} (ids may hold letters, digits, "_", ".", ":" and "-")`,
        t.loc,
      );
    }
    const first = used.get(id);
    if (first) {
      let k = 2;
      while (used.has(`${id}-${k}`) || taken.has(`${id}-${k}`)) k++;
      const renamed = `${id}-${k}`;
      warnings.add(
        'duplicate_id',
        `id ${id} is used twice (${describeLocation(first.loc, first.loc.file !== t.loc.file)} and ${describeLocation(t.loc, first.loc.file !== t.loc.file)}); this one was renamed ${renamed}`,
        t.loc,
      );
      id = renamed;
    }
    used.set(id, { loc: t.loc });
    return id;
  });
}

function chunkKey(
  draft: ChunkDraft,
  title: string,
  position: number,
  width: number,
  used: Set<string>,
  warnings: Warnings,
): string {
  let key = `C${String(position).padStart(width, '0')}_${slugify(title) || 'chunk'}`;
  if (draft.key !== undefined) {
    const clean = sanitizeChunkKey(draft.key);
    if (clean && clean !== draft.key)
      warnings.add('id_changed', `chunk ${JSON.stringify(draft.key)} changed to ${clean}`, draft.loc);
    if (clean) key = clean;
  }
  if (used.has(key)) {
    let k = 2;
    while (used.has(`${key}-${k}`)) k++;
    warnings.add('duplicate_id', `chunk ${key} appears twice; the second was renamed ${key}-${k}`, draft.loc);
    key = `${key}-${k}`;
  }
  used.add(key);
  return key;
}

function limitText(
  text: string,
  max: number,
  what: string,
  loc: SourceLocation | undefined,
  warnings: Warnings,
): string {
  const { text: out, cut } = limit(text, max);
  if (cut) warnings.add('truncated', `${what} cut to ${max} characters (it had ${text.length})`, loc);
  return out;
}

function cleanLabels(
  labels: readonly string[],
  id: string,
  loc: SourceLocation,
  warnings: Warnings,
): string[] {
  const out = new Set<string>();
  for (const raw of labels) {
    const l = raw.trim();
    if (!l) continue;
    out.add(limitText(l, MAX_LABEL, `a label of task ${id}`, loc, warnings));
  }
  return [...out];
}
