/**
 * The usage ledger (docs/cost.md): one entry per LLM call made for planning and per agent turn, read
 * from a plan's events (the plan history read model holds them), and sums of entries by task, chunk,
 * session, plan, repository or day. A turn whose agent reported nothing is an entry with unknown
 * usage: it is counted apart (`unreported`), never as zero.
 */
import { usageTokens } from './budget';
import type { TurnUsage } from './execution-events';

export interface LedgerEntry {
  kind: 'planning' | 'turn';
  /** The turn id or the call id. */
  id: string;
  planId: string;
  repository: string | null;
  sessionId: string | null;
  chunk: string | null;
  taskId: string | null;
  attempt: number | null;
  /** Planning: the call's purpose (generate, review, refine-draft, …); turns: the agent's scope. */
  purpose: string;
  model: string | null;
  /** null: the turn has not ended, or its agent reported no usage. */
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    costUsd: number | null;
  } | null;
  durationMs: number | null;
  /** When the call or turn started (ISO). */
  at: string;
}

/** An event as the history read model (or the event store) gives it. */
export interface LedgerSourceEvent {
  type: string;
  data: unknown;
  recordedAt: string;
}

type Data = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The ledger entries of one plan, in the order of its events. */
export function ledgerEntries(
  plan: { planId: string; repository: string | null },
  events: Iterable<LedgerSourceEvent>,
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const turns = new Map<string, LedgerEntry>();
  for (const e of events) {
    const d = (e.data ?? {}) as Data;
    if (e.type === 'LlmCallRecorded') {
      const u = (d.usage ?? {}) as Data;
      entries.push({
        kind: 'planning',
        id: str(d.callId) ?? `call-${entries.length}`,
        ...plan,
        sessionId: null,
        chunk: null,
        taskId: null,
        attempt: null,
        purpose: str(d.purpose) ?? 'planning',
        model: str(d.model),
        usage: {
          inputTokens: num(u.inputTokens) ?? 0,
          outputTokens: num(u.outputTokens) ?? 0,
          cacheReadTokens: num(u.cacheReadInputTokens) ?? 0,
          cacheWriteTokens: num(u.cacheCreationInputTokens) ?? 0,
          costUsd: num(d.costUsd),
        },
        durationMs: num(d.durationMs),
        at: e.recordedAt,
      });
    } else if (e.type === 'TurnStarted') {
      const id = str(d.turnId);
      if (!id || turns.has(id)) continue;
      const entry: LedgerEntry = {
        kind: 'turn',
        id,
        ...plan,
        sessionId: str(d.sessionId),
        chunk: str(d.chunk),
        taskId: str(d.taskId),
        attempt: num(d.attempt),
        purpose: d.taskId ? 'task' : 'chunk',
        model: null,
        usage: null,
        durationMs: null,
        at: e.recordedAt,
      };
      turns.set(id, entry);
      entries.push(entry);
    } else if (e.type === 'TurnCompleted') {
      const entry = turns.get(str(d.turnId) ?? '');
      if (!entry) continue;
      entry.durationMs = num(d.durationMs);
      const u = d.usage as TurnUsage | null | undefined;
      if (u) {
        entry.model = u.model ?? null;
        entry.usage = {
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          cacheReadTokens: u.cacheReadTokens,
          cacheWriteTokens: u.cacheCreationTokens,
          costUsd: u.costUsd,
        };
      }
    }
  }
  return entries;
}

export type LedgerGrouping = 'task' | 'chunk' | 'session' | 'plan' | 'repository' | 'day' | 'model';
export const LEDGER_GROUPINGS: readonly LedgerGrouping[] = [
  'task',
  'chunk',
  'session',
  'plan',
  'repository',
  'day',
  'model',
];

export interface LedgerTotals {
  /** Planning calls. */
  calls: number;
  /** Agent turns (every attempt, retries included). */
  turns: number;
  /** Turns whose usage is unknown (still running, or the agent reported none): not in the sums. */
  unreported: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** All four token counts. */
  tokens: number;
  costUsd: number;
  /** Entries that reported tokens but no cost (unknown model): their cost is not in costUsd. */
  unpriced: number;
  durationMs: number;
}

export interface LedgerRow extends LedgerTotals {
  /** The group's key (task id, chunk key, session id, plan id, repository, YYYY-MM-DD, model); `key` of planning entries grouped by task/chunk/session is "(planning)". */
  key: string;
  /** The plan a task, chunk or session belongs to. */
  planId?: string;
}

export const emptyTotals = (): LedgerTotals => ({
  calls: 0,
  turns: 0,
  unreported: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  tokens: 0,
  costUsd: 0,
  unpriced: 0,
  durationMs: 0,
});

export function addEntry(t: LedgerTotals, e: LedgerEntry): LedgerTotals {
  const next = { ...t, durationMs: t.durationMs + (e.durationMs ?? 0) };
  if (e.kind === 'planning') next.calls++;
  else next.turns++;
  const u = e.usage;
  if (!u) return { ...next, unreported: next.unreported + 1 };
  return {
    ...next,
    inputTokens: next.inputTokens + u.inputTokens,
    outputTokens: next.outputTokens + u.outputTokens,
    cacheReadTokens: next.cacheReadTokens + u.cacheReadTokens,
    cacheWriteTokens: next.cacheWriteTokens + u.cacheWriteTokens,
    tokens: next.tokens + usageTokens({ ...u, cacheCreationTokens: u.cacheWriteTokens }),
    // Micro-dollars, so sums do not drift with the order of addition.
    costUsd: Math.round((next.costUsd + (u.costUsd ?? 0)) * 1e6) / 1e6,
    unpriced: next.unpriced + (u.costUsd === null ? 1 : 0),
  };
}

export const sumEntries = (entries: Iterable<LedgerEntry>): LedgerTotals => {
  let t = emptyTotals();
  for (const e of entries) t = addEntry(t, e);
  return t;
};

const PLANNING = '(planning)';

function keyOf(e: LedgerEntry, by: LedgerGrouping): string {
  switch (by) {
    case 'task':
      return e.kind === 'planning' ? PLANNING : (e.taskId ?? `${e.chunk ?? '?'} (chunk turn)`);
    case 'chunk':
      return e.kind === 'planning' ? PLANNING : (e.chunk ?? '?');
    case 'session':
      return e.sessionId ?? PLANNING;
    case 'plan':
      return e.planId;
    case 'repository':
      return e.repository ?? '(none)';
    case 'day':
      return e.at.slice(0, 10);
    case 'model':
      return e.model ?? '(unknown)';
  }
}

/** Sums entries per group, groups in order of first appearance. Task, chunk and session keys are scoped by plan. */
export function sumLedger(entries: Iterable<LedgerEntry>, by: LedgerGrouping): LedgerRow[] {
  const scoped = by === 'task' || by === 'chunk' || by === 'session';
  const rows = new Map<string, LedgerRow>();
  for (const e of entries) {
    const key = keyOf(e, by);
    const id = scoped ? `${e.planId}\u0000${key}` : key;
    const row = rows.get(id) ?? { key, ...(scoped ? { planId: e.planId } : {}), ...emptyTotals() };
    rows.set(id, { ...row, ...addEntry(row, e) });
  }
  return [...rows.values()];
}

export interface LedgerFilter {
  planId?: string;
  sessionId?: string;
  repository?: string;
  taskId?: string;
  chunk?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

export function filterLedger(entries: LedgerEntry[], f: LedgerFilter): LedgerEntry[] {
  return entries.filter(
    (e) =>
      (!f.planId || e.planId === f.planId) &&
      (!f.sessionId || e.sessionId === f.sessionId) &&
      (!f.repository || e.repository === f.repository) &&
      (!f.taskId || e.taskId === f.taskId) &&
      (!f.chunk || e.chunk === f.chunk) &&
      (!f.from || e.at.slice(0, 10) >= f.from) &&
      (!f.to || e.at.slice(0, 10) <= f.to),
  );
}

/** The expected spend of one turn from past turns that reported usage: their medians; null without any. */
export function typicalTurnSpend(entries: Iterable<LedgerEntry>): { usd: number; tokens: number } | null {
  const usd: number[] = [];
  const tokens: number[] = [];
  for (const e of entries) {
    if (e.kind !== 'turn' || !e.usage) continue;
    usd.push(e.usage.costUsd ?? 0);
    tokens.push(usageTokens({ ...e.usage, cacheCreationTokens: e.usage.cacheWriteTokens }));
  }
  if (usd.length === 0) return null;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  return { usd: median(usd), tokens: Math.round(median(tokens)) };
}
