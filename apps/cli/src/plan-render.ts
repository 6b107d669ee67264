import type { PlanDetail } from './api-client';
import { formatCount, table, truncate } from './output';
import type { DiffAnswer, PlanUsage, Suggestion, SuggestionSet, UsageAnswer } from './plan-api';

/** Text views of planning: the plan as it is being planned, suggestions, revision diffs, usage. */

/** `$0.0421` below a dollar (planning turns are cents), `$1.25` above. */
export function formatCost(usd: number): string {
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** `4 LLM calls, 12,345 input + 3,456 output tokens (cache: 100 written, 2,000 read), ~$0.0421`. */
export function usageLine(u: PlanUsage): string {
  if (u.calls === 0) return 'no LLM calls yet';
  const cache =
    u.cacheCreationInputTokens || u.cacheReadInputTokens
      ? ` (cache: ${formatCount(u.cacheCreationInputTokens)} written, ${formatCount(u.cacheReadInputTokens)} read)`
      : '';
  return (
    `${u.calls} LLM call${u.calls === 1 ? '' : 's'}, ${formatCount(u.inputTokens)} input + ` +
    `${formatCount(u.outputTokens)} output tokens${cache}, ~${formatCost(u.costUsd)}`
  );
}

/** `revision 3 · 3 planning iterations (last: quick edit) · 5 LLM calls, …`. */
export function statusLine(plan: PlanDetail): string {
  const last = plan.lastPlanningMode ? ` (last: ${modeName(plan.lastPlanningMode)})` : '';
  const iterations = `${plan.planningIterations} planning iteration${plan.planningIterations === 1 ? '' : 's'}${last}`;
  const status = plan.status === 'draft' ? '' : ` · ${plan.status}`;
  return `revision ${plan.revision}${status} · ${iterations} · ${usageLine(plan.usage)}`;
}

const modeName = (mode: string) =>
  mode === 'multi' ? 'continue planning' : mode === 'single' ? 'quick edit' : mode;

/** The plan grouped by chunk: each chunk's mode, its tasks with ids, titles, dependencies and ∥ marks. */
export function renderPlanOverview(plan: PlanDetail): string[] {
  const lines = [`${plan.title}  (${plan.id})`, `  ${statusLine(plan)}`];
  if (plan.repository) lines.push(`  repository ${plan.repository}`);
  for (const chunk of plan.chunks) {
    const flags = [chunk.executionMode, ...(chunk.pauseAfter ? ['pause after'] : [])].join(', ');
    lines.push('', `${chunk.key} — ${chunk.title}  [${flags}]`);
    if (chunk.tasks.length === 0) {
      lines.push('  (no tasks)');
      continue;
    }
    lines.push(
      ...table(
        chunk.tasks,
        [
          { header: 'TASK', value: (t) => t.id },
          { header: '∥', value: (t) => (t.canRunInParallel ? '∥' : '') },
          { header: 'TITLE', value: (t) => t.title, max: 64 },
          {
            header: 'DEPENDS ON',
            value: (t) => (t.dependsOn.length ? t.dependsOn.join(', ') : '-'),
            max: 40,
          },
        ],
        '  ',
      ),
    );
  }
  if (plan.chunks.length === 0) lines.push('', '(no chunks)');
  return lines;
}

const quote = (v: unknown, max = 70) =>
  `"${truncate(typeof v === 'string' ? v : JSON.stringify(v ?? null), max)}"`;

const fieldValue = (field: string, v: unknown): string =>
  Array.isArray(v) && (field === 'dependsOn' || v.every((x) => typeof x === 'string' && x.length < 20))
    ? `[${v.join(', ')}]`
    : typeof v === 'boolean' || typeof v === 'number'
      ? String(v)
      : quote(v);

/** What a suggestion would change, one line per change (before → after). */
export function describeSuggestion(s: Suggestion): string[] {
  switch (s.kind) {
    case 'add_task': {
      const t = s.after.task;
      const where = s.after.beforeTaskId ? ` before ${s.after.beforeTaskId}` : '';
      const deps = t.dependsOn?.length ? ` (depends on ${t.dependsOn.join(', ')})` : '';
      return [`+ ${t.id} ${quote(t.title)} in ${t.chunk}${where}${deps}`];
    }
    case 'modify_task':
      return Object.entries(s.after)
        .filter(([, v]) => v !== undefined)
        .map(([field, to]) => {
          const from = (s.before as Record<string, unknown>)[field];
          return `~ ${s.taskId} ${field}: ${from === undefined ? '(unset)' : fieldValue(field, from)} → ${fieldValue(field, to)}`;
        });
    case 'remove_task':
      return [`- ${s.taskId}${s.before.title ? ` ${quote(s.before.title)}` : ''}`];
    case 'reorder':
      return [
        `↕ ${s.chunkKey === null ? 'chunk order' : `order of ${s.chunkKey}`}: ${s.before.join(', ')} → ${s.after.join(', ')}`,
      ];
    case 'add_chunk': {
      const { chunk, index, tasks } = s.after;
      const at = index === null || index === undefined ? 'at the end' : `at position ${index + 1}`;
      return [
        `+ chunk ${chunk.key} ${quote(chunk.title)} ${at}, ${tasks.length} task${tasks.length === 1 ? '' : 's'}`,
        ...tasks.map((t) => `  + ${t.id} ${quote(t.title)}`),
      ];
    }
    case 'break_down_task':
      return [
        `⇉ ${s.taskId}${s.before.title ? ` ${quote(s.before.title)}` : ''} → ${s.after.tasks.length} tasks`,
        ...s.after.tasks.map((t) => `  + ${t.id} ${quote(t.title)}`),
      ];
  }
}

const TYPE_NAMES: Record<string, string> = {
  refine_descriptions: 'refine descriptions',
  add_missing: 'add what is missing',
  optimize_order: 'optimize the order',
  break_down: 'break down large tasks',
};

export const reviewTypeName = (type: string) => TYPE_NAMES[type] ?? type;

/** A suggestion set, numbered: kind, target, reasoning, then what would change. */
export function renderSuggestions(set: SuggestionSet): string[] {
  const n = set.suggestions.length;
  const lines = [
    `Review: ${reviewTypeName(set.reviewType)} (set ${set.setId}, against revision ${set.revision}) — ` +
      (n === 0 ? 'no suggestions' : `${n} suggestion${n === 1 ? '' : 's'}`),
  ];
  set.suggestions.forEach((s, i) => {
    const target = 'taskId' in s ? ` ${s.taskId}` : s.kind === 'reorder' ? ` ${s.chunkKey ?? 'chunks'}` : '';
    const applied = set.applied.includes(s.id) ? '  (applied)' : '';
    lines.push(`  ${i + 1}. [${s.id}] ${s.kind}${target}${applied}`);
    if (s.reasoning.trim()) lines.push(`     why: ${truncate(s.reasoning, 160)}`);
    for (const change of describeSuggestion(s)) lines.push(`     ${change}`);
  });
  return lines;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** `~ T3 title "a" → "b"; description, acceptance` */
function changedFields(changes: Record<string, { from: unknown; to: unknown }>): string {
  return Object.entries(changes)
    .map(([field, { from, to }]) =>
      field === 'title' ||
      field === 'chunk' ||
      field === 'dependsOn' ||
      field === 'canRunInParallel' ||
      field === 'executionMode'
        ? `${field} ${fieldValue(field, from)} → ${fieldValue(field, to)}`
        : field,
    )
    .join('; ');
}

/** What changed between two revisions: +added, -removed, ~changed tasks and chunks. */
export function renderDiff(answer: DiffAnswer): string[] {
  const { diff } = answer;
  const t = diff.tasks;
  const c = diff.chunks;
  const head = `Changes r${answer.from} → r${answer.to}`;
  const details = Object.keys(diff.details);
  if (
    details.length +
      c.added.length +
      c.removed.length +
      c.changed.length +
      t.added.length +
      t.removed.length +
      t.changed.length ===
      0 &&
    !c.reordered
  ) {
    return [`${head}: none`];
  }
  const totals = [
    t.added.length ? `+${count(t.added.length, 'task')}` : '',
    t.removed.length ? `-${count(t.removed.length, 'task')}` : '',
    t.changed.length ? `~${count(t.changed.length, 'task')}` : '',
    c.added.length ? `+${count(c.added.length, 'chunk')}` : '',
    c.removed.length ? `-${count(c.removed.length, 'chunk')}` : '',
    c.changed.length ? `~${count(c.changed.length, 'chunk')}` : '',
  ].filter(Boolean);
  const lines = [`${head}: ${totals.length ? totals.join(', ') : 'details only'}`];
  for (const field of details) lines.push(`  ~ plan ${changedFields({ [field]: diff.details[field] })}`);
  for (const chunk of c.added) lines.push(`  + chunk ${chunk.key} ${quote(chunk.title)}`);
  for (const chunk of c.removed) lines.push(`  - chunk ${chunk.key} ${quote(chunk.title)}`);
  for (const chunk of c.changed) lines.push(`  ~ chunk ${chunk.key}: ${changedFields(chunk.changes)}`);
  if (c.reordered) lines.push('  ↕ chunks reordered');
  for (const task of t.added) lines.push(`  + ${task.id} ${quote(task.title)} (${task.chunk})`);
  for (const task of t.removed) lines.push(`  - ${task.id} ${quote(task.title)}`);
  for (const task of t.changed) lines.push(`  ~ ${task.id}: ${changedFields(task.changes)}`);
  return lines;
}

/** Usage of a plan's LLM calls: totals, then a row per purpose. */
export function renderUsage(u: UsageAnswer): string[] {
  const lines = [`LLM usage of plan ${u.planId}: ${usageLine(u)}`];
  const rows = Object.entries(u.byPurpose);
  if (rows.length === 0) return lines;
  return [
    ...lines,
    '',
    ...table(rows, [
      { header: 'PURPOSE', value: ([purpose]) => purpose },
      { header: 'CALLS', value: ([, r]) => String(r.calls), align: 'right' },
      { header: 'INPUT', value: ([, r]) => formatCount(r.inputTokens), align: 'right' },
      { header: 'OUTPUT', value: ([, r]) => formatCount(r.outputTokens), align: 'right' },
      { header: 'CACHE WRITE', value: ([, r]) => formatCount(r.cacheCreationInputTokens), align: 'right' },
      { header: 'CACHE READ', value: ([, r]) => formatCount(r.cacheReadInputTokens), align: 'right' },
      { header: 'COST', value: ([, r]) => formatCost(r.costUsd), align: 'right' },
    ]),
  ];
}
