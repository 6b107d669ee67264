import type { StreamEvent } from '../../live/plan-stream';

/** One QA gate's verdict on a turn (event QaGateResult). */
export interface QaResult {
  gate: string;
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
}

/** One agent turn (TurnStarted, then TurnCompleted and its QA results). */
export interface TurnInfo {
  turnId: string;
  chunk: string;
  taskId: string | null;
  attempt: number;
  startedAt: string;
  ended: null | {
    succeeded: boolean;
    exitCode: number | null;
    timedOut: boolean;
    durationMs: number;
    error: string | null;
  };
  qa: QaResult[];
}

export interface SessionLog {
  turns: TurnInfo[];
  /** The latest turn of each task (task-scope turns). */
  lastTurnOfTask: Map<string, TurnInfo>;
  /** The latest turn of each task that has QA results (the current one, or an earlier attempt). */
  lastQaTurnOfTask: Map<string, TurnInfo>;
  /** The latest chunk-scope turn of each chunk. */
  lastChunkTurn: Map<string, TurnInfo>;
  /** The last error of each task (TaskFailed / ChunkTurnFailed). */
  lastError: Map<string, string>;
  /** maxAttempts of the session (ExecutionStarted.options). */
  maxAttempts: number | null;
  /** ExecutionCompleted of the session. */
  completed: { commits: string[]; durationMs: number } | null;
  /** ExecutionFailed reason. */
  failedReason: string | null;
  /** ChunkCompleted per chunk. */
  chunkCompleted: Map<string, { commits: string[]; files: string[]; completed: string[]; skipped: string[] }>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

/** The recorded events and the live ones, once each, in order. */
export function mergeEvents(recorded: StreamEvent[] | undefined, live: StreamEvent[]): StreamEvent[] {
  const byPosition = new Map<number, StreamEvent>();
  for (const e of recorded ?? []) byPosition.set(e.position, e);
  for (const e of live) byPosition.set(e.position, e);
  return [...byPosition.values()].sort((a, b) => a.position - b.position);
}

/** What the events say about one session (events of other sessions are ignored). */
export function sessionLog(events: StreamEvent[], sessionId: string | null): SessionLog {
  const log: SessionLog = {
    turns: [],
    lastTurnOfTask: new Map(),
    lastQaTurnOfTask: new Map(),
    lastChunkTurn: new Map(),
    lastError: new Map(),
    maxAttempts: null,
    completed: null,
    failedReason: null,
    chunkCompleted: new Map(),
  };
  if (!sessionId) return log;
  const byId = new Map<string, TurnInfo>();
  for (const e of events) {
    const d = e.data;
    if (d.sessionId !== sessionId) continue;
    switch (e.type) {
      case 'ExecutionStarted': {
        const options = (d.options ?? {}) as Record<string, unknown>;
        log.maxAttempts = num(options.maxAttempts) ?? log.maxAttempts;
        break;
      }
      case 'TurnStarted': {
        const turn: TurnInfo = {
          turnId: str(d.turnId) ?? '',
          chunk: str(d.chunk) ?? '',
          taskId: str(d.taskId),
          attempt: num(d.attempt) ?? 1,
          startedAt: e.recordedAt,
          ended: null,
          qa: [],
        };
        byId.set(turn.turnId, turn);
        log.turns.push(turn);
        if (turn.taskId) log.lastTurnOfTask.set(turn.taskId, turn);
        else log.lastChunkTurn.set(turn.chunk, turn);
        break;
      }
      case 'TurnCompleted': {
        const turn = byId.get(str(d.turnId) ?? '');
        if (turn)
          turn.ended = {
            succeeded: d.succeeded === true,
            exitCode: num(d.exitCode),
            timedOut: d.timedOut === true,
            durationMs: num(d.durationMs) ?? 0,
            error: str(d.error),
          };
        break;
      }
      case 'QaGateResult': {
        const turn = byId.get(str(d.turnId) ?? '');
        const result: QaResult = {
          gate: str(d.gate) ?? '?',
          passed: d.passed === true,
          exitCode: num(d.exitCode),
          timedOut: d.timedOut === true,
          durationMs: num(d.durationMs) ?? 0,
          outputTail: str(d.outputTail) ?? '',
        };
        // A gate run again on the same turn (Mark complete) replaces its earlier verdict.
        if (turn) {
          turn.qa = [...turn.qa.filter((q) => q.gate !== result.gate), result];
          if (turn.taskId) log.lastQaTurnOfTask.set(turn.taskId, turn);
        }
        break;
      }
      case 'TaskFailed': {
        const taskId = str(d.taskId);
        if (taskId) log.lastError.set(taskId, str(d.error) ?? '');
        break;
      }
      case 'ChunkTurnFailed':
        for (const t of strings(d.tasks)) log.lastError.set(t, str(d.error) ?? '');
        break;
      case 'ChunkCompleted':
        log.chunkCompleted.set(str(d.chunk) ?? '', {
          commits: strings(d.commits),
          files: strings(d.files),
          completed: strings(d.completed),
          skipped: strings(d.skipped),
        });
        break;
      case 'ExecutionCompleted':
        log.completed = { commits: strings(d.commits), durationMs: num(d.durationMs) ?? 0 };
        break;
      case 'ExecutionFailed':
        log.failedReason = str(d.reason);
        break;
    }
  }
  return log;
}

/** "1 h 2 min", "3 min 4 s", "5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const shortSha = (sha: string) => sha.slice(0, 8);
