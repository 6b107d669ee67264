import type { ExecutionMode, TaskStatus } from '@chunkwise/domain';
import type { WordedDependency } from './markdown/worded-dependency';
import type { SourceLocation, SourceStats } from './types';

/**
 * What every format parser produces: the source's tasks as a tree, with their groups, in the
 * source's own terms (ids as written, dependencies already resolved to the keys of other source
 * tasks). `buildDocument` turns it into a Chunkwise plan document the same way for every format.
 */
export interface SourceTask {
  /** Unique within the source plan; dependencies name these. */
  key: string;
  /** The id as the source writes it (`1.1`, `T001`, `3.2`), if it has one. */
  id?: string;
  title: string;
  description: string;
  acceptance: string[];
  status: TaskStatus;
  cancelled: boolean;
  optional: boolean;
  parallel: boolean;
  labels: string[];
  /** Keys of the source tasks this one depends on (a parent's key stands for all its subtasks). */
  deps: string[];
  children: SourceTask[];
  loc: SourceLocation;
  /** Chunk settings carried by the source for the chunk this (top-level) task becomes. */
  chunk?: ChunkHint;
  /** The source gave no status; the task took its done parent's (not counted as done in the stats). */
  statusInherited?: boolean;
}

/** A dependency written in words, with the source task the line belongs to (if any). */
export interface WordedDependencyAt {
  dep: WordedDependency;
  loc: SourceLocation;
  /** Key of the source task the line is, or is written under. */
  ownerKey?: string;
}

export interface ChunkHint {
  key?: string;
  title?: string;
  description?: string;
  executionMode?: ExecutionMode;
  pauseAfter?: boolean;
}

export interface SourceGroup extends ChunkHint {
  title: string;
  description: string;
  tasks: SourceTask[];
  loc: SourceLocation;
  /** Spec Kit: the chunk runs in parallel mode when every one of its tasks is marked [P]. */
  parallelWhenAllMarked?: boolean;
  /** Keep the chunk even without tasks (a Chunkwise export wrote it). */
  keepEmpty?: boolean;
}

export interface SourcePlan {
  title: string;
  description: string;
  repository?: string | null;
  execution?: Record<string, unknown> | null;
  /**
   * `groups`: the source has groups (OpenSpec sections, Spec Kit phases, MassGen chunks) and each
   * becomes a chunk. `per-top-task`: it has none (Kiro, Task Master); each top-level task becomes a
   * chunk holding its subtasks, ordered so that dependencies point backwards.
   */
  layout: 'groups' | 'per-top-task';
  groups: SourceGroup[];
  tasks: SourceTask[];
  stats: SourceStats;
  /** Markdown: every line that states a dependency in words, in line order. */
  wordedDependencies?: WordedDependencyAt[];
}

export const emptyStats = (): SourceStats => ({
  groups: 0,
  top: 0,
  sub: 0,
  done: { top: 0, sub: 0 },
  deps: 0,
  parallel: 0,
  optional: 0,
  cancelled: 0,
  textualDependencies: 0,
});

export function newTask(key: string, loc: SourceLocation, fields: Partial<SourceTask> = {}): SourceTask {
  return {
    key,
    title: '',
    description: '',
    acceptance: [],
    status: 'pending',
    cancelled: false,
    optional: false,
    parallel: false,
    labels: [],
    deps: [],
    children: [],
    loc,
    ...fields,
  };
}

/** Counts a task tree into the stats (top-level tasks at depth 0, every nested one as a subtask). */
export function countTasks(stats: SourceStats, tasks: readonly SourceTask[], depth = 0): void {
  for (const t of tasks) {
    const done = t.status === 'completed' && !t.statusInherited;
    if (depth === 0) {
      stats.top++;
      if (done) stats.done.top++;
    } else {
      stats.sub++;
      if (done) stats.done.sub++;
    }
    if (t.parallel) stats.parallel++;
    if (t.optional) stats.optional++;
    if (t.cancelled) stats.cancelled++;
    countTasks(stats, t.children, depth + 1);
  }
}
