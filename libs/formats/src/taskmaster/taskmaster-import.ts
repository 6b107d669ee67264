import { executionModeSchema, taskStatusSchema, type TaskStatus } from '@chunkwise/domain';
import { isRecord, jsonPath, str, strList } from '../json-input';
import {
  countTasks,
  emptyStats,
  newTask,
  type ChunkHint,
  type SourcePlan,
  type SourceTask,
} from '../source-model';
import { ImportError, type SourceLocation } from '../types';
import type { Warnings } from '../warnings';

/** The fields a Task Master task may carry that the import reads (everything else is reported). */
const TASK_FIELDS = new Set([
  'id',
  'title',
  'description',
  'details',
  'testStrategy',
  'status',
  'dependencies',
  'priority',
  'subtasks',
  'acceptanceCriteria',
  'type',
  'tags',
  'metadata',
  // A subtask's pointer to its parent repeats what the nesting says.
  'parentTaskId',
  'parentId',
]);

const MAX_NESTING = 8;

export interface TaskMasterOptions {
  tag?: string;
  /** From `.taskmaster/state.json` when it was given along. */
  currentTag?: string;
  file?: string;
  /** Every tag is being imported (--all-tags): no hint to choose one. */
  allTags?: boolean;
}

/** The tags of a tagged tasks.json (`{ "master": { "tasks": [...] } }`), or null for the legacy layout. */
export function taskMasterTags(data: unknown): string[] | null {
  if (!isRecord(data) || Array.isArray(data.tasks)) return null;
  const tags = Object.keys(data).filter(
    (k) => isRecord(data[k]) && Array.isArray((data[k] as { tasks?: unknown }).tasks),
  );
  return tags.length > 0 ? tags : null;
}

/** Which tag to import: the one asked for, else the current tag, else `master`, else the first. */
export function chooseTag(tags: string[], options: TaskMasterOptions): string {
  if (options.tag !== undefined) {
    if (!tags.includes(options.tag))
      throw new ImportError(
        [{ message: `tag ${JSON.stringify(options.tag)} not found; the file has tags ${tags.join(', ')}` }],
        'taskmaster',
      );
    return options.tag;
  }
  if (options.currentTag && tags.includes(options.currentTag)) return options.currentTag;
  return tags.includes('master') ? 'master' : tags[0];
}

/**
 * Task Master `tasks.json` (tagged `{ tag: { tasks, metadata } }` or legacy `{ tasks, metadata }`).
 * Task Master has no groups: each top-level task becomes a chunk holding its subtasks. Statuses:
 * done/completed → completed, cancelled → skipped + cancelled, anything else → pending (reported).
 * `details` joins the description, `testStrategy` is the acceptance criterion, `priority` a label.
 * Dependencies are read in every spelling Task Master writes: numbers, number strings,
 * `"parent.sub"` strings, and numbers on a subtask that name a sibling subtask.
 */
export function parseTaskMaster(
  data: unknown,
  options: TaskMasterOptions,
  warnings: Warnings,
): { plan: SourcePlan; tag?: string } {
  let list: unknown;
  let metadata: unknown;
  let tag: string | undefined;
  let prefix = '';
  const tags = taskMasterTags(data);
  if (tags) {
    tag = chooseTag(tags, options);
    const others = tags.filter((t) => t !== tag);
    if (others.length > 0 && !options.allTags)
      warnings.add(
        'tag_selected',
        `imported tag ${tag}; the file also has tag${others.length > 1 ? 's' : ''} ${others.join(', ')} (choose one with --tag, or all with --all-tags)`,
      );
    const entry = (data as Record<string, Record<string, unknown>>)[tag];
    list = entry.tasks;
    metadata = entry.metadata;
    prefix = tag;
    for (const k of Object.keys(data as object))
      if (!tags.includes(k))
        warnings.add('unknown_field', `top-level field ${JSON.stringify(k)} not imported`, { path: k });
  } else if (isRecord(data) && Array.isArray(data.tasks)) {
    list = data.tasks;
    metadata = data.metadata;
    for (const k of Object.keys(data))
      if (k !== 'tasks' && k !== 'metadata')
        warnings.add('unknown_field', `top-level field ${JSON.stringify(k)} not imported`, { path: k });
  } else if (Array.isArray(data)) {
    list = data;
    warnings.add(
      'not_imported',
      'the file is a bare list of tasks (no {"tasks": …} wrapper); read as the task list',
    );
  } else {
    throw new ImportError(
      [
        {
          message: 'not a Task Master tasks.json: expected {"tasks": [...]} or {"<tag>": {"tasks": [...]}}',
          path: '',
        },
      ],
      'taskmaster',
    );
  }
  const base = prefix ? `${jsonPath(prefix, 'tasks')}` : Array.isArray(data) ? '' : 'tasks';
  const reader = new TaskReader(warnings, options.file);
  const tasks = reader.readList(list as unknown[], base);
  reader.resolveDependencies();

  const meta = isRecord(metadata) ? metadata : {};
  const ours = isRecord(meta.chunkwise) ? meta.chunkwise : {};
  const metaPath = prefix ? jsonPath(prefix, 'metadata') : 'metadata';
  for (const k of Object.keys(meta))
    if (!['chunkwise', 'projectName', 'description'].includes(k))
      warnings.addGrouped('unknown_field', 'metadata field not imported', {
        path: jsonPath(metaPath, k),
        file: options.file,
      });

  const stats = emptyStats();
  stats.groups = tags ? tags.length : 0;
  countTasks(stats, tasks);
  stats.deps = reader.dependencyCount;
  const title =
    str(ours.title) ?? str(meta.projectName) ?? (tag ? `Task Master tasks (${tag})` : 'Task Master tasks');
  const description = str(ours.description) ?? str(meta.description) ?? '';
  const plan: SourcePlan = {
    title,
    description,
    layout: 'per-top-task',
    groups: [],
    tasks,
    stats,
  };
  if (typeof ours.repository === 'string') plan.repository = ours.repository;
  return { plan, tag };
}

interface Pending {
  task: SourceTask;
  deps: unknown[];
  path: string;
  /** For a subtask: its parent's display id (sibling numbers resolve under it) and its own number. */
  parentId?: string;
  ownId: string;
  /** `deps` are Chunkwise task ids (a Chunkwise export's `metadata.chunkwise.dependsOn`). */
  exact?: boolean;
}

class TaskReader {
  private readonly top = new Map<string, SourceTask>();
  private readonly sub = new Map<string, SourceTask>();
  /**
   * Tasks by the id they are imported with, for the exact dependencies of a Chunkwise export. Those
   * name Chunkwise tasks, which are leaves: a parent's number must not shadow them.
   */
  private readonly leafById = new Map<string, SourceTask>();
  private readonly parentById = new Map<string, SourceTask>();
  private readonly pending: Pending[] = [];
  private key = 0;
  dependencyCount = 0;

  constructor(
    private readonly warnings: Warnings,
    private readonly file: string | undefined,
  ) {}

  readList(list: unknown[], base: string): SourceTask[] {
    const out: SourceTask[] = [];
    list.forEach((raw, i) => {
      const t = this.read(raw, jsonPath(base, i), undefined, 0, false);
      if (t) out.push(t);
    });
    return out;
  }

  private loc(path: string): SourceLocation {
    return this.file ? { file: this.file, path } : { path };
  }

  private read(
    raw: unknown,
    path: string,
    parentId: string | undefined,
    depth: number,
    parentDone: boolean,
  ): SourceTask | null {
    if (!isRecord(raw)) {
      throw new ImportError(
        [{ message: `${path}: a task must be an object`, path, file: this.file }],
        'taskmaster',
      );
    }
    const ownRaw = str(raw.id);
    if (ownRaw === undefined)
      throw new ImportError(
        [
          {
            message: `${path}.id: every task needs an id (a number or a string)`,
            path: `${path}.id`,
            file: this.file,
          },
        ],
        'taskmaster',
      );
    const ownId = ownRaw.trim();
    const displayId = parentId !== undefined && !ownId.includes('.') ? `${parentId}.${ownId}` : ownId;
    const ours = isRecord(raw.metadata) && isRecord(raw.metadata.chunkwise) ? raw.metadata.chunkwise : {};
    for (const k of Object.keys(raw))
      if (!TASK_FIELDS.has(k))
        this.warnings.addGrouped(
          'unknown_field',
          `task field ${JSON.stringify(k)} not imported`,
          this.loc(`${path}.${k}`),
        );
    if (isRecord(raw.metadata))
      for (const k of Object.keys(raw.metadata))
        if (k !== 'chunkwise')
          this.warnings.addGrouped(
            'unknown_field',
            `task metadata field ${JSON.stringify(k)} not imported`,
            this.loc(`${path}.metadata.${k}`),
          );

    // A subtask without a status under a done parent is done: importing it pending would redo finished work.
    const inherit = parentDone && raw.status === undefined && ours.status === undefined;
    const { status, cancelled } = inherit
      ? { status: 'completed' as const, cancelled: false }
      : this.status(raw.status, ours.status, path);
    if (inherit)
      this.warnings.addGrouped(
        'parent_status',
        'subtask without a status under a done parent imported as done, like its parent',
        this.loc(`${path}.status`),
      );
    const description = [str(raw.description), str(raw.details)]
      .map((s) => s?.trim() ?? '')
      .filter(Boolean)
      .join('\n\n');
    const acceptance = Array.isArray(ours.acceptance)
      ? strList(ours.acceptance)
      : [...strList(raw.testStrategy), ...strList(raw.acceptanceCriteria)].map((s) => s.trim());
    const labels = Array.isArray(ours.labels) ? strList(ours.labels) : this.labels(raw);
    const task = newTask(`k${++this.key}`, this.loc(path), {
      id: str(ours.id) ?? displayId,
      title: str(raw.title)?.trim() ?? '',
      description,
      acceptance,
      status,
      cancelled: cancelled || ours.cancelled === true,
      optional: ours.optional === true,
      parallel: ours.parallel === true,
      labels,
      chunk: parentId === undefined ? chunkHint(ours.chunk) : undefined,
    });
    if (inherit) task.statusInherited = true;
    if (!task.title && !description)
      this.warnings.add('not_imported', 'task has neither title nor description', task.loc);
    const index = parentId === undefined ? this.top : this.sub;
    if (!index.has(displayId)) index.set(displayId, task);

    const deps = raw.dependencies;
    if (deps !== undefined && !Array.isArray(deps))
      this.warnings.add(
        'dependency_dropped',
        'dependencies is not a list; ignored',
        this.loc(`${path}.dependencies`),
      );
    if (Array.isArray(deps)) this.dependencyCount += deps.length;
    if (Array.isArray(ours.dependsOn))
      this.pending.push({
        task,
        deps: ours.dependsOn,
        path: `${path}.metadata.chunkwise.dependsOn`,
        parentId,
        ownId,
        exact: true,
      });
    else if (Array.isArray(deps))
      this.pending.push({ task, deps, path: `${path}.dependencies`, parentId, ownId });
    if (Array.isArray(raw.subtasks) && raw.subtasks.length > 0) {
      if (depth + 1 >= MAX_NESTING) {
        throw new ImportError(
          [
            {
              message: `${path}.subtasks: subtasks nested more than ${MAX_NESTING} levels deep`,
              path: `${path}.subtasks`,
              file: this.file,
            },
          ],
          'taskmaster',
        );
      }
      raw.subtasks.forEach((s, i) => {
        const child = this.read(
          s,
          jsonPath(path, 'subtasks', i),
          displayId,
          depth + 1,
          status === 'completed',
        );
        if (child) task.children.push(child);
      });
    } else if (raw.subtasks !== undefined && !Array.isArray(raw.subtasks)) {
      this.warnings.add('not_imported', 'subtasks is not a list; ignored', this.loc(`${path}.subtasks`));
    }
    const byId = task.children.length === 0 ? this.leafById : this.parentById;
    if (task.id !== undefined && !byId.has(task.id)) byId.set(task.id, task);
    return task;
  }

  private status(raw: unknown, override: unknown, path: string): { status: TaskStatus; cancelled: boolean } {
    const exact = taskStatusSchema.safeParse(override);
    const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    const cancelled = s === 'cancelled' || s === 'canceled';
    if (exact.success) return { status: exact.data, cancelled };
    if (s === 'done' || s === 'completed') return { status: 'completed', cancelled: false };
    if (cancelled) return { status: 'skipped', cancelled: true };
    if (s !== 'pending')
      this.warnings.addGrouped(
        'status_mapped',
        raw === undefined
          ? 'task without a status imported as pending'
          : `status ${JSON.stringify(raw)} imported as pending`,
        this.loc(`${path}.status`),
      );
    return { status: 'pending', cancelled: false };
  }

  private labels(raw: Record<string, unknown>): string[] {
    const labels: string[] = [];
    const priority = str(raw.priority);
    if (priority) labels.push(`priority:${priority}`);
    const type = str(raw.type);
    if (type && type !== 'standard') labels.push(`type:${type}`);
    labels.push(...strList(raw.tags));
    return labels;
  }

  /** Resolves every dependency once all tasks are known (they may point forwards). */
  resolveDependencies(): void {
    for (const p of this.pending) {
      p.deps.forEach((dep, i) => {
        const where = this.loc(`${p.path}[${i}]`);
        const s = str(dep)?.trim();
        if (!s) {
          this.warnings.add(
            'dependency_dropped',
            `dependency ${JSON.stringify(dep)} is not a task id; dropped`,
            where,
          );
          return;
        }
        const target = this.target(s, p);
        if (target === p.task) {
          this.warnings.add('dependency_dropped', `task depends on itself (${s}); dropped`, where);
        } else if (target) {
          if (!p.task.deps.includes(target.key)) p.task.deps.push(target.key);
        } else {
          this.warnings.add('dependency_dropped', `dependency on unknown task ${s} dropped`, where);
        }
      });
    }
  }

  private target(s: string, p: Pending): SourceTask | undefined {
    if (p.exact) return this.leafById.get(s) ?? this.parentById.get(s);
    if (/^\d+$/.test(s)) {
      if (p.parentId !== undefined) {
        // On a subtask a plain number names a sibling subtask (Task Master writes them so).
        if (s === p.ownId) return p.task;
        return this.sub.get(`${p.parentId}.${s}`) ?? this.top.get(s);
      }
      return this.top.get(s);
    }
    if (s.includes('.')) return this.sub.get(s) ?? this.top.get(s);
    if (p.parentId !== undefined) {
      // A string id on a subtask names a sibling first (`"repo-detection"`), as a number does.
      if (s === p.ownId) return p.task;
      return this.sub.get(`${p.parentId}.${s}`) ?? this.top.get(s);
    }
    return this.top.get(s);
  }
}

function chunkHint(raw: unknown): ChunkHint | undefined {
  if (!isRecord(raw)) return undefined;
  const hint: ChunkHint = {};
  if (typeof raw.key === 'string') hint.key = raw.key;
  if (typeof raw.title === 'string') hint.title = raw.title;
  if (typeof raw.description === 'string') hint.description = raw.description;
  const mode = executionModeSchema.safeParse(raw.executionMode);
  if (mode.success) hint.executionMode = mode.data;
  if (raw.pauseAfter === true) hint.pauseAfter = true;
  return hint;
}
