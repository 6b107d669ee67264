/**
 * Analytics over past sessions and the estimate of a plan from them (docs/cost.md). Pure: the API
 * feeds it each plan's events (from the history read model) and its content.
 *
 * A task's time is its work time: the duration of its turns and QA gates, every attempt included
 * (a chunk-scope turn's time is shared by the tasks the chunk completed in that session). Time paused
 * is the wall time from each pause to the resume (or stop, cancel) that ended it.
 */
import type { TurnUsage } from './execution-events';
import type { ExecutionMode, PlanContent } from './schemas';

export interface PlanHistoryInput {
  planId: string;
  repository: string | null;
  content: Pick<PlanContent, 'chunks' | 'tasks'>;
  events: Iterable<{ type: string; data: unknown; recordedAt: string }>;
}

/** One task's execution in one session. */
export interface TaskRecord {
  planId: string;
  repository: string | null;
  sessionId: string;
  taskId: string;
  mode: ExecutionMode;
  scope: 'task' | 'chunk';
  descriptionLength: number;
  acceptanceCount: number;
  /** Task-scope turns (attempts); 0 for chunk-scope. */
  turns: number;
  workMs: number;
  /** Reported cost of its turns; null when none reported. */
  costUsd: number | null;
  outcome: 'completed' | 'failed' | 'skipped' | 'open';
  retried: boolean;
  /** Ran out of attempts at least once (whatever the user did next: retry, skip, complete). */
  failed: boolean;
}

export interface ExecutionFacts {
  tasks: TaskRecord[];
  gates: Array<{ gate: string; passed: boolean }>;
  pauses: Array<{ reason: string; ms: number }>;
}

type D = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The facts of one plan's sessions, from its events. */
export function executionFacts(plan: PlanHistoryInput): ExecutionFacts {
  const modes = new Map(plan.content.chunks.map((c) => [c.key, c.executionMode]));
  const taskInfo = new Map(plan.content.tasks.map((t) => [t.id, t]));
  const records = new Map<string, TaskRecord>();
  const gates: ExecutionFacts['gates'] = [];
  const pauses: ExecutionFacts['pauses'] = [];
  const scopeOf = new Map<string, 'task' | 'chunk'>();
  const turns = new Map<string, { taskId: string | null; chunk: string; sessionId: string }>();
  const chunkWork = new Map<string, { ms: number; cost: number | null }>(); // session/chunk
  let paused: { reason: string; at: number } | null = null;

  const record = (sessionId: string, taskId: string): TaskRecord | null => {
    const t = taskInfo.get(taskId);
    if (!t) return null;
    const key = `${sessionId}/${taskId}`;
    let r = records.get(key);
    if (!r) {
      r = {
        planId: plan.planId,
        repository: plan.repository,
        sessionId,
        taskId,
        mode: modes.get(t.chunk) ?? 'sequential',
        scope: scopeOf.get(sessionId) ?? 'task',
        descriptionLength: t.description.length,
        acceptanceCount: t.acceptance.length,
        turns: 0,
        workMs: 0,
        costUsd: null,
        outcome: 'open',
        retried: false,
        failed: false,
      };
      records.set(key, r);
    }
    return r;
  };
  const addCost = (a: number | null, b: number | null) =>
    a === null && b === null ? null : (a ?? 0) + (b ?? 0);

  for (const e of plan.events) {
    const d = (e.data ?? {}) as D;
    const sessionId = str(d.sessionId) ?? '';
    const at = Date.parse(e.recordedAt);
    switch (e.type) {
      case 'ExecutionStarted': {
        const scope = (d.options as D | undefined)?.turnScope;
        scopeOf.set(sessionId, scope === 'chunk' ? 'chunk' : 'task');
        break;
      }
      case 'TurnStarted': {
        const taskId = str(d.taskId);
        turns.set(str(d.turnId) ?? '', { taskId, chunk: str(d.chunk) ?? '', sessionId });
        if (taskId) {
          const r = record(sessionId, taskId);
          if (r) r.turns++;
        }
        break;
      }
      case 'TurnCompleted': {
        const turn = turns.get(str(d.turnId) ?? '');
        if (!turn) break;
        const usage = d.usage as TurnUsage | null | undefined;
        const cost = usage ? (usage.costUsd ?? null) : null;
        if (turn.taskId) {
          const r = record(turn.sessionId, turn.taskId);
          if (r) {
            r.workMs += num(d.durationMs);
            r.costUsd = addCost(r.costUsd, cost);
          }
        } else {
          const key = `${turn.sessionId}/${turn.chunk}`;
          const w = chunkWork.get(key) ?? { ms: 0, cost: null };
          chunkWork.set(key, { ms: w.ms + num(d.durationMs), cost: addCost(w.cost, cost) });
        }
        break;
      }
      case 'QaGateResult': {
        gates.push({ gate: str(d.gate) ?? '?', passed: d.passed === true });
        const turn = turns.get(str(d.turnId) ?? '');
        if (turn?.taskId) {
          const r = record(turn.sessionId, turn.taskId);
          if (r) r.workMs += num(d.durationMs);
        } else if (turn) {
          const key = `${turn.sessionId}/${turn.chunk}`;
          const w = chunkWork.get(key) ?? { ms: 0, cost: null };
          chunkWork.set(key, { ...w, ms: w.ms + num(d.durationMs) });
        }
        break;
      }
      case 'TaskCompleted': {
        const r = record(sessionId, str(d.taskId) ?? '');
        if (r) r.outcome = 'completed';
        break;
      }
      case 'TaskFailed': {
        const r = record(sessionId, str(d.taskId) ?? '');
        if (r && d.final === true) {
          r.outcome = 'failed';
          r.failed = true;
        }
        break;
      }
      case 'TaskRetried': {
        const r = record(sessionId, str(d.taskId) ?? '');
        if (r) {
          r.retried = true;
          r.outcome = 'open';
        }
        break;
      }
      case 'TaskSkipped': {
        const r = records.get(`${sessionId}/${str(d.taskId)}`);
        if (r) r.outcome = 'skipped';
        break;
      }
      case 'ChunkCompleted': {
        // A chunk-scope session's turn time is shared by the tasks the chunk completed.
        const w = chunkWork.get(`${sessionId}/${str(d.chunk)}`);
        const done = Array.isArray(d.completed) ? (d.completed as string[]) : [];
        if (!w || done.length === 0) break;
        for (const id of done) {
          const r = record(sessionId, id);
          if (!r) continue;
          r.workMs += w.ms / done.length;
          r.costUsd = addCost(r.costUsd, w.cost === null ? null : w.cost / done.length);
        }
        break;
      }
      case 'ExecutionPaused':
        paused = { reason: str(d.reason) ?? 'user', at };
        break;
      case 'ExecutionResumed':
      case 'ExecutionStopped':
      case 'ExecutionCancelled':
      case 'ExecutionCompleted':
      case 'ExecutionFailed':
        if (paused) pauses.push({ reason: paused.reason, ms: Math.max(0, at - paused.at) });
        paused = null;
        break;
    }
  }
  for (const r of records.values()) if (r.turns > 1) r.retried = true;
  return { tasks: [...records.values()], gates, pauses };
}

/** The p-th percentile (0..100) by linear interpolation between closest ranks; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

const ratio = (n: number, of: number) => (of === 0 ? null : n / of);
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export interface ExecutionStats {
  tasks: number;
  completed: number;
  /** Work time per task (ms) by chunk mode and turn scope, e.g. `sequential/task`. */
  duration: Record<string, { tasks: number; medianMs: number | null; p90Ms: number | null }>;
  attemptsPerTask: number | null;
  retryRate: number | null;
  failureRate: number | null;
  qaGates: Record<string, { runs: number; failed: number; failureRate: number | null }>;
  costPerTask: number | null;
  costPerCompletedTask: number | null;
  /** Tasks with no reported cost (not in the cost figures). */
  unreportedCostTasks: number;
  pausedMs: number;
  pausedByReason: Record<string, number>;
}

export function executionStats(facts: readonly ExecutionFacts[]): ExecutionStats {
  const tasks = facts.flatMap((f) => f.tasks);
  const gates = facts.flatMap((f) => f.gates);
  const pauses = facts.flatMap((f) => f.pauses);
  const duration: ExecutionStats['duration'] = {};
  const groups = new Map<string, number[]>();
  for (const t of tasks) {
    if (t.outcome !== 'completed') continue;
    const k = `${t.mode}/${t.scope}`;
    groups.set(k, [...(groups.get(k) ?? []), t.workMs]);
  }
  for (const [k, v] of groups)
    duration[k] = { tasks: v.length, medianMs: percentile(v, 50), p90Ms: percentile(v, 90) };
  const taskScoped = tasks.filter((t) => t.scope === 'task' && t.turns > 0);
  const qaGates: ExecutionStats['qaGates'] = {};
  for (const g of gates) {
    const q = qaGates[g.gate] ?? { runs: 0, failed: 0, failureRate: null };
    q.runs++;
    if (!g.passed) q.failed++;
    q.failureRate = q.failed / q.runs;
    qaGates[g.gate] = q;
  }
  const priced = tasks.filter((t) => t.costUsd !== null);
  const cost = priced.reduce((s, t) => s + (t.costUsd ?? 0), 0);
  const completed = tasks.filter((t) => t.outcome === 'completed').length;
  const pausedByReason: Record<string, number> = {};
  for (const p of pauses) pausedByReason[p.reason] = (pausedByReason[p.reason] ?? 0) + p.ms;
  return {
    tasks: tasks.length,
    completed,
    duration,
    attemptsPerTask: ratio(
      taskScoped.reduce((s, t) => s + t.turns, 0),
      taskScoped.length,
    ),
    retryRate: ratio(tasks.filter((t) => t.retried).length, tasks.length),
    failureRate: ratio(tasks.filter((t) => t.failed).length, tasks.length),
    qaGates,
    costPerTask: priced.length ? round6(cost / priced.length) : null,
    costPerCompletedTask: priced.length && completed ? round6(cost / completed) : null,
    unreportedCostTasks: tasks.length - priced.length,
    pausedMs: pauses.reduce((s, p) => s + p.ms, 0),
    pausedByReason,
  };
}

// ---- estimates ----

const DESCRIPTION_BUCKETS = [200, 500, 1000, 2000];
const ACCEPTANCE_BUCKETS = [0, 2, 5];
const bucket = (n: number, edges: number[]) => edges.filter((e) => n > e).length;

/** How a task is compared with past ones: its chunk mode, and the size of its description and acceptance criteria. */
export const similarityKey = (mode: string, descriptionLength: number, acceptanceCount: number) =>
  `${mode}|${bucket(descriptionLength, DESCRIPTION_BUCKETS)}|${bucket(acceptanceCount, ACCEPTANCE_BUCKETS)}`;

export interface Range {
  low: number;
  expected: number;
  high: number;
}

export interface PlanEstimate {
  /** false: no past completed task to rest on ("no history"). */
  history: boolean;
  /** Past completed tasks the estimate rests on (distinct). */
  basedOn: number;
  tasks: number;
  /** Summed work time of the tasks (parallel chunks may finish sooner), ms: p25 / median / p90 of similar tasks. */
  durationMs: Range | null;
  /** USD; null when no similar task reported a cost. */
  costUsd: Range | null;
  /** Per task: which past tasks it was compared with (`similar`, `same mode`, `all`) and how many. */
  perTask: Array<{ taskId: string; match: 'similar' | 'same mode' | 'all'; basedOn: number }>;
}

/**
 * The predicted duration and cost of `content`'s open tasks from past completed tasks: each task is
 * compared with the most similar ones (same chunk mode and size buckets, else the same mode, else all).
 */
export function estimatePlan(
  content: Pick<PlanContent, 'chunks' | 'tasks'>,
  past: readonly TaskRecord[],
): PlanEstimate {
  const done = past.filter((t) => t.outcome === 'completed');
  const open = content.tasks.filter((t) => t.status !== 'completed' && t.status !== 'skipped');
  if (done.length === 0)
    return { history: false, basedOn: 0, tasks: open.length, durationMs: null, costUsd: null, perTask: [] };
  const modes = new Map(content.chunks.map((c) => [c.key, c.executionMode]));
  const used = new Set<TaskRecord>();
  const dur = { low: 0, expected: 0, high: 0 };
  const cost = { low: 0, expected: 0, high: 0 };
  let anyCost = false;
  const perTask: PlanEstimate['perTask'] = [];
  for (const t of open) {
    const mode = modes.get(t.chunk) ?? 'sequential';
    const key = similarityKey(mode, t.description.length, t.acceptance.length);
    const similar = done.filter((p) => similarityKey(p.mode, p.descriptionLength, p.acceptanceCount) === key);
    const sameMode = done.filter((p) => p.mode === mode);
    const [match, pool] =
      similar.length > 0
        ? (['similar', similar] as const)
        : sameMode.length > 0
          ? (['same mode', sameMode] as const)
          : (['all', done] as const);
    for (const p of pool) used.add(p);
    perTask.push({ taskId: t.id, match, basedOn: pool.length });
    const ms = pool.map((p) => p.workMs);
    dur.low += percentile(ms, 25)!;
    dur.expected += percentile(ms, 50)!;
    dur.high += percentile(ms, 90)!;
    const usd = pool.flatMap((p) => (p.costUsd === null ? [] : [p.costUsd]));
    if (usd.length) {
      anyCost = true;
      cost.low += percentile(usd, 25)!;
      cost.expected += percentile(usd, 50)!;
      cost.high += percentile(usd, 90)!;
    }
  }
  const r6 = (r: Range): Range => ({
    low: round6(r.low),
    expected: round6(r.expected),
    high: round6(r.high),
  });
  return {
    history: true,
    basedOn: used.size,
    tasks: open.length,
    durationMs: open.length
      ? { low: Math.round(dur.low), expected: Math.round(dur.expected), high: Math.round(dur.high) }
      : null,
    costUsd: anyCost ? r6(cost) : null,
    perTask,
  };
}
