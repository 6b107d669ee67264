import { executionModeSchema, taskStatusSchema, type TaskStatus } from '@chunkwise/domain';
import { isRecord, jsonPath, str, strList } from '../json-input';
import {
  countTasks,
  emptyStats,
  newTask,
  type SourceGroup,
  type SourcePlan,
  type SourceTask,
} from '../source-model';
import { firstLine } from '../text';
import { ImportError } from '../types';
import type { Warnings } from '../warnings';

const TASK_FIELDS = new Set([
  'id',
  'chunk',
  'title',
  'name',
  'description',
  'status',
  'depends_on',
  'dependsOn',
  'priority',
  'task_type',
  'success_criteria',
  'metadata',
]);
const METADATA_FIELDS = new Set(['verification', 'verification_method', 'verification_group', 'chunkwise']);
const PLAN_TITLE_FIELDS = ['title', 'name', 'project_name', 'project'];
const PLAN_DESCRIPTION_FIELDS = ['description', 'goal', 'summary', 'overview'];

/**
 * MassGen `project_plan.json`: `{"tasks": [{id, chunk, task_type, description, status, depends_on,
 * priority, success_criteria, metadata}]}`. Chunks are the `chunk` labels in order of first
 * appearance; a task's first line is its title; `success_criteria` and `metadata.verification`
 * become acceptance criteria; priority, task type and verification group become labels.
 */
export function parseMassGen(data: unknown, warnings: Warnings, file?: string): SourcePlan {
  if (!isRecord(data) || !Array.isArray(data.tasks))
    throw new ImportError(
      [{ message: 'not a MassGen project plan: expected {"tasks": [...]}', path: 'tasks', file }],
      'massgen',
    );
  const ours = isRecord(data.metadata) && isRecord(data.metadata.chunkwise) ? data.metadata.chunkwise : {};
  for (const k of Object.keys(data))
    if (
      k !== 'tasks' &&
      k !== 'metadata' &&
      !PLAN_TITLE_FIELDS.includes(k) &&
      !PLAN_DESCRIPTION_FIELDS.includes(k)
    )
      warnings.add('unknown_field', `top-level field ${JSON.stringify(k)} not imported`, { path: k, file });
  if (isRecord(data.metadata))
    for (const k of Object.keys(data.metadata))
      if (k !== 'chunkwise')
        warnings.add('unknown_field', `metadata field ${JSON.stringify(k)} not imported`, {
          path: `metadata.${k}`,
          file,
        });

  const byId = new Map<string, SourceTask>();
  const groups: SourceGroup[] = [];
  const groupOf = new Map<string, SourceGroup>();
  const chunkSettings = chunkSettingsOf(ours.chunks);
  const pending: Array<{ task: SourceTask; deps: unknown[]; path: string }> = [];
  let dependencyCount = 0;
  let key = 0;

  data.tasks.forEach((raw, i) => {
    const path = jsonPath('tasks', i);
    const loc = file ? { file, path } : { path };
    if (!isRecord(raw))
      throw new ImportError([{ message: `${path}: a task must be an object`, path, file }], 'massgen');
    const id = str(raw.id)?.trim();
    if (!id)
      throw new ImportError(
        [{ message: `${path}.id: every task needs an id`, path: `${path}.id`, file }],
        'massgen',
      );
    for (const k of Object.keys(raw))
      if (!TASK_FIELDS.has(k))
        warnings.addGrouped('unknown_field', `task field ${JSON.stringify(k)} not imported`, {
          ...loc,
          path: `${path}.${k}`,
        });
    const meta = isRecord(raw.metadata) ? raw.metadata : {};
    for (const k of Object.keys(meta))
      if (!METADATA_FIELDS.has(k))
        warnings.addGrouped('unknown_field', `task metadata field ${JSON.stringify(k)} not imported`, {
          ...loc,
          path: `${path}.metadata.${k}`,
        });
    const mine = isRecord(meta.chunkwise) ? meta.chunkwise : {};

    const { title, description } =
      typeof mine.title === 'string'
        ? { title: mine.title, description: str(raw.description) ?? '' }
        : titleAndDescription(raw);
    const { status, cancelled } = mapStatus(raw.status, mine.status, `${path}.status`, warnings, file);
    const task = newTask(`k${++key}`, loc, {
      id,
      title,
      description,
      acceptance: Array.isArray(mine.acceptance) ? strList(mine.acceptance) : acceptanceOf(raw, meta),
      status,
      cancelled: cancelled || mine.cancelled === true,
      optional: mine.optional === true,
      parallel: mine.parallel === true,
      labels: Array.isArray(mine.labels) ? strList(mine.labels) : labelsOf(raw, meta),
    });
    if (!byId.has(id)) byId.set(id, task);
    const deps = raw.depends_on ?? raw.dependsOn;
    if (Array.isArray(deps)) {
      dependencyCount += deps.length;
      pending.push({
        task,
        deps,
        path: `${path}.${raw.depends_on !== undefined ? 'depends_on' : 'dependsOn'}`,
      });
    } else if (deps !== undefined) {
      warnings.add('dependency_dropped', 'depends_on is not a list; ignored', {
        ...loc,
        path: `${path}.depends_on`,
      });
    }

    const label = str(raw.chunk)?.trim() || '';
    if (!label)
      warnings.addGrouped('not_imported', 'task without a chunk label, put in the chunk "Unassigned"', loc);
    let group = groupOf.get(label);
    if (!group) {
      const settings = chunkSettings.get(label);
      group = {
        key: label || undefined,
        title: settings?.title ?? (label ? chunkTitle(label) : 'Unassigned'),
        description: settings?.description ?? '',
        executionMode: settings?.executionMode,
        pauseAfter: settings?.pauseAfter,
        tasks: [],
        loc,
      };
      groupOf.set(label, group);
      groups.push(group);
    }
    group.tasks.push(task);
  });

  for (const p of pending)
    p.deps.forEach((dep, i) => {
      const where = file ? { file, path: `${p.path}[${i}]` } : { path: `${p.path}[${i}]` };
      const target = byId.get(str(dep)?.trim() ?? '');
      if (!target)
        warnings.add(
          'dependency_dropped',
          `dependency on unknown task ${JSON.stringify(dep)} dropped`,
          where,
        );
      else if (target === p.task)
        warnings.add('dependency_dropped', 'task depends on itself; dropped', where);
      else if (!p.task.deps.includes(target.key)) p.task.deps.push(target.key);
    });

  const stats = emptyStats();
  stats.groups = groups.length;
  countTasks(
    stats,
    groups.flatMap((g) => g.tasks),
  );
  stats.deps = dependencyCount;
  const plan: SourcePlan = {
    title: str(ours.title) ?? firstString(data, PLAN_TITLE_FIELDS) ?? 'MassGen project plan',
    description: str(ours.description) ?? firstString(data, PLAN_DESCRIPTION_FIELDS) ?? '',
    layout: 'groups',
    groups,
    tasks: [],
    stats,
  };
  if (typeof ours.repository === 'string') plan.repository = ours.repository;
  return plan;
}

const firstString = (data: Record<string, unknown>, fields: string[]) =>
  fields.map((f) => data[f]).find((v): v is string => typeof v === 'string' && v.trim() !== '');

/** A task's title is its own `title`/`name`, else the first line of its description. */
function titleAndDescription(raw: Record<string, unknown>): { title: string; description: string } {
  const text = (str(raw.description) ?? '').trim();
  const own = (str(raw.title) ?? str(raw.name))?.trim();
  if (own) return { title: own, description: text };
  const first = text.split('\n')[0].trim();
  if (first.length <= 200) return { title: first, description: text.slice(first.length).trim() };
  return { title: firstLine(first), description: text };
}

function mapStatus(
  raw: unknown,
  override: unknown,
  path: string,
  warnings: Warnings,
  file?: string,
): { status: TaskStatus; cancelled: boolean } {
  const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const cancelled = s === 'cancelled' || s === 'canceled';
  const exact = taskStatusSchema.safeParse(override);
  if (exact.success) return { status: exact.data, cancelled };
  if (s === 'completed' || s === 'verified' || s === 'done') return { status: 'completed', cancelled: false };
  if (s === 'skipped') return { status: 'skipped', cancelled: false };
  if (cancelled) return { status: 'skipped', cancelled: true };
  if (s !== 'pending' && s !== '')
    warnings.addGrouped(
      'status_mapped',
      `status ${JSON.stringify(raw)} imported as pending`,
      file ? { file, path } : { path },
    );
  return { status: 'pending', cancelled: false };
}

function acceptanceOf(raw: Record<string, unknown>, meta: Record<string, unknown>): string[] {
  const out = strList(raw.success_criteria).map((s) => s.trim());
  const verification = str(meta.verification)?.trim();
  const method = str(meta.verification_method)?.trim();
  if (verification || method)
    out.push(`Verification: ${[verification, method && `(${method})`].filter(Boolean).join(' ')}`);
  return out;
}

function labelsOf(raw: Record<string, unknown>, meta: Record<string, unknown>): string[] {
  const labels: string[] = [];
  const priority = str(raw.priority);
  if (priority) labels.push(`priority:${priority}`);
  const type = str(raw.task_type);
  if (type) labels.push(`type:${type}`);
  const group = str(meta.verification_group);
  if (group) labels.push(`group:${group}`);
  return labels;
}

/** `C01_foundation` → `Foundation` (as the domain titles a chunk from its key); other labels as written. */
function chunkTitle(label: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(label)) return label;
  const words = label
    .replace(/^C\d+[_-]?/i, '')
    .replace(/[_-]+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : label;
}

function chunkSettingsOf(raw: unknown) {
  const out = new Map<
    string,
    {
      title?: string;
      description?: string;
      executionMode?: 'sequential' | 'parallel' | 'manual';
      pauseAfter?: boolean;
    }
  >();
  if (!Array.isArray(raw)) return out;
  for (const c of raw) {
    if (!isRecord(c) || typeof c.key !== 'string') continue;
    const mode = executionModeSchema.safeParse(c.executionMode);
    out.set(c.key, {
      title: str(c.title),
      description: str(c.description),
      executionMode: mode.success ? mode.data : undefined,
      pauseAfter: c.pauseAfter === true ? true : undefined,
    });
  }
  return out;
}
