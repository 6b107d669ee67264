/**
 * Compact text renderings of API answers for an agent's context: ids first, one line per item,
 * tasks grouped under their chunk. Nothing here decides anything; it only lays out what the API said.
 */
import type { ApiIssue } from './api';

interface TaskLike {
  id: string;
  chunk?: string;
  title?: string;
  description?: string;
  status?: string;
  dependsOn?: string[];
  canRunInParallel?: boolean;
  acceptance?: string[];
  optional?: boolean;
  attempts?: number;
  lastError?: string | null;
  commitSha?: string | null;
}
interface ChunkLike {
  key: string;
  title?: string;
  description?: string;
  executionMode?: string;
  pauseAfter?: boolean;
  tasks?: TaskLike[];
}
export interface PlanLike {
  id: string;
  title: string;
  description?: string;
  status: string;
  revision: number;
  finalizedRevision?: number | null;
  repository?: string | null;
  archived?: boolean;
  chunkCount?: number;
  taskCount?: number;
  completedCount?: number;
  failedCount?: number;
  progress?: number;
  chunks?: ChunkLike[];
}

const oneLine = (s: string | undefined, max = 160) => {
  const line = (s ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export function formatPlanList(plans: PlanLike[]): string {
  if (plans.length === 0) return 'No plans.';
  return [
    `${plans.length} plan(s):`,
    ...plans.map(
      (p) =>
        `${p.id}  r${p.revision}  ${p.status}${p.archived ? ' (archived)' : ''}  ${p.title}  — ${p.chunkCount ?? '?'} chunks, ${p.taskCount ?? '?'} tasks, ${p.completedCount ?? 0} done${p.failedCount ? `, ${p.failedCount} failed` : ''}`,
    ),
  ].join('\n');
}

export interface PlanViewOptions {
  /** Include task descriptions and acceptance criteria (default: titles only). */
  details?: boolean;
  /** Only this chunk (the chunk-only view). */
  chunk?: string;
}

export function formatPlan(plan: PlanLike, options: PlanViewOptions = {}): string {
  const lines = [
    `Plan ${plan.id} — ${plan.title}`,
    `status: ${plan.status}, revision ${plan.revision}${plan.finalizedRevision != null ? ` (finalized r${plan.finalizedRevision})` : ''}${plan.repository ? `, repository ${plan.repository}` : ''}`,
  ];
  if (plan.description && !options.chunk) lines.push(oneLine(plan.description, 400));
  const chunks = (plan.chunks ?? []).filter((c) => !options.chunk || c.key === options.chunk);
  if (options.chunk && chunks.length === 0) lines.push(`(no chunk ${options.chunk} in this plan)`);
  for (const chunk of chunks) {
    const flags = [chunk.executionMode ?? 'sequential', chunk.pauseAfter ? 'pauseAfter' : ''].filter(Boolean);
    lines.push('', `## ${chunk.key}${chunk.title ? ` — ${chunk.title}` : ''} [${flags.join(', ')}]`);
    if (options.details && chunk.description) lines.push(`  ${oneLine(chunk.description, 400)}`);
    const tasks = chunk.tasks ?? [];
    if (tasks.length === 0) lines.push('  (no tasks)');
    for (const t of tasks) lines.push(...formatTask(t, options.details === true));
  }
  return lines.join('\n');
}

function formatTask(t: TaskLike, details: boolean): string[] {
  const extra = [
    t.dependsOn?.length ? `after ${t.dependsOn.join(', ')}` : '',
    t.canRunInParallel ? 'parallel' : '',
    t.optional ? 'optional' : '',
  ].filter(Boolean);
  const head = `- ${t.id} [${t.status ?? 'pending'}] ${t.title ?? ''}${extra.length ? ` (${extra.join('; ')})` : ''}`;
  if (!details) return [head];
  const lines = [head];
  if (t.description)
    lines.push(
      ...t.description
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
    );
  for (const a of t.acceptance ?? []) lines.push(`    ✓ ${oneLine(a, 300)}`);
  return lines;
}

export function formatIssues(issues: ApiIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path ?? i.taskId ?? i.chunkKey;
    return `- ${i.message}${where && !i.message.includes(where) ? ` (at ${where})` : ''}${i.code ? ` [${i.code}]` : ''}`;
  });
}

export interface ProgressLike {
  live?: boolean;
  planId?: string;
  sessionId?: string | null;
  status: string;
  planStatus?: string;
  revision?: number;
  pauseReason?: string | null;
  pauseDetail?: string | null;
  currentChunk?: string | null;
  nextChunk?: string | null;
  chunks?: Array<{ key: string; status?: string; total?: number; completed?: number; failed?: number }>;
  tasks?: TaskLike[];
  totals?: {
    tasks: number;
    completed: number;
    skipped: number;
    failed: number;
    running: number;
    pending: number;
  };
  commits?: string[];
  elapsedMs?: number | null;
  branch?: string | null;
  note?: string;
}

export function formatProgress(p: ProgressLike): string {
  const lines = [
    `Session ${p.sessionId ?? '(none)'} of plan ${p.planId ?? '?'}: ${p.status}${p.live === false ? ' (no live session; from the read models)' : ''}`,
  ];
  if (p.pauseReason) lines.push(`paused: ${p.pauseReason}${p.pauseDetail ? ` — ${p.pauseDetail}` : ''}`);
  if (p.totals) {
    const t = p.totals;
    lines.push(
      `tasks: ${t.completed}/${t.tasks} completed, ${t.skipped} skipped, ${t.failed} failed, ${t.running} running, ${t.pending} pending`,
    );
  }
  if (p.currentChunk || p.nextChunk)
    lines.push(`current chunk: ${p.currentChunk ?? '-'}, next: ${p.nextChunk ?? '-'}`);
  if (p.branch)
    lines.push(`branch: ${p.branch}${p.commits?.length ? `, ${p.commits.length} commit(s)` : ''}`);
  if (typeof p.elapsedMs === 'number') lines.push(`elapsed: ${Math.round(p.elapsedMs / 1000)} s`);
  if (p.note) lines.push(`note: ${p.note}`);
  const byChunk = new Map<string, TaskLike[]>();
  for (const t of p.tasks ?? []) byChunk.set(t.chunk ?? '', [...(byChunk.get(t.chunk ?? '') ?? []), t]);
  for (const c of p.chunks ?? []) {
    lines.push(`## ${c.key} [${c.status ?? '?'}] ${c.completed ?? 0}/${c.total ?? 0}`);
    for (const t of byChunk.get(c.key) ?? []) {
      const bits = [
        t.attempts ? `attempt ${t.attempts}` : '',
        t.commitSha ? `commit ${t.commitSha.slice(0, 10)}` : '',
        t.lastError ? `error: ${oneLine(t.lastError, 200)}` : '',
      ].filter(Boolean);
      lines.push(
        `- ${t.id} [${t.status ?? '?'}] ${t.title ?? ''}${bits.length ? ` (${bits.join('; ')})` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

export interface HistoryLike {
  planId: string;
  entries: Array<{
    streamRevision: number;
    revision: number;
    type: string;
    recordedAt: string;
    data?: unknown;
  }>;
}

export function formatHistory(h: HistoryLike, limit: number): string {
  const entries = h.entries.slice(-limit);
  const lines = [
    `History of ${h.planId}: ${h.entries.length} event(s)${entries.length < h.entries.length ? `, the last ${entries.length} shown` : ''}`,
  ];
  for (const e of entries)
    lines.push(`#${e.streamRevision} r${e.revision} ${e.recordedAt} ${e.type}${eventHint(e.data)}`);
  return lines.join('\n');
}

/** A few identifying fields of an event's data (task id, chunk key, reason), never the whole payload. */
function eventHint(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const d = data as Record<string, unknown>;
  const bits: string[] = [];
  for (const k of ['taskId', 'chunkKey', 'key', 'sessionId', 'status', 'reason', 'error']) {
    const v = d[k];
    if (typeof v === 'string' || typeof v === 'number') bits.push(`${k}=${oneLine(String(v), 80)}`);
  }
  if (typeof d.task === 'object' && d.task && 'id' in d.task)
    bits.push(`task=${String((d.task as { id: unknown }).id)}`);
  return bits.length ? ` (${bits.join(', ')})` : '';
}

export interface TemplateLike {
  name: string;
  title: string;
  version: number;
  parameters: Array<{ name: string; required?: boolean; default?: string | null; description?: string }>;
}

/** One template and its parameters (`*`: required). */
export function formatTemplate(t: TemplateLike): string {
  const params = t.parameters
    .map((p) => `${p.name}${p.required ? '*' : ''}${p.default ? `=${p.default}` : ''}`)
    .join(', ');
  return `- ${t.name} (v${t.version}): ${t.title}${params ? ` — params: ${params}` : ''}`;
}

export interface ScheduleLike {
  scheduleId: string;
  description: string;
  overlap: string;
}

export interface RollbackLike {
  sessionId: string;
  status: string;
  outcome: {
    ok: boolean;
    tasks: string[];
    results: Array<{ repository: string | null; method: string; reverted: string[]; newHead: string }>;
  } | null;
}

/** What a rollback undid, per repository, and the tasks pending again. */
export function formatRollback(r: RollbackLike): string {
  if (r.status === 'running' || !r.outcome)
    return `Rollback of session ${r.sessionId} is still running; its result will be on plan_history.`;
  return [
    `Rolled back session ${r.sessionId}: tasks pending again: ${r.outcome.tasks.join(', ') || 'none'}.`,
    ...r.outcome.results.map(
      (x) =>
        `- ${x.repository ?? 'the plan repository'}: ${x.method} to ${x.newHead.slice(0, 10)} (${x.reverted.length} commit(s) undone)`,
    ),
  ].join('\n');
}
