import type { PlanBudget, Spend } from './budget';
import { emptyUsage, type PlanningMode, type PlanUsage } from './planning';
import type { RollbackLedger } from './rollback-events';
import type { PlanContent, PlanStatus, TaskStatus } from './schemas';
import type { SessionCore } from './session';
import type { ReviewScope, ReviewType, Suggestion } from './suggestions';
import type { PlanSchedule } from './schedules';

export interface FeedbackEntry {
  revision: number;
  feedback: string;
  author: string | null;
  /** The planning mode of the refinement the feedback drove; null for feedback merely recorded. */
  mode?: PlanningMode | null;
}

/** A review's suggestions, kept so that any of them can be applied later. */
export interface SuggestionSetState {
  setId: string;
  /** The revision the review was made against. */
  revision: number;
  reviewType: ReviewType;
  scope: ReviewScope;
  targetId: string | null;
  suggestions: Suggestion[];
  /** Ids applied so far (each at most once). */
  applied: string[];
}

/** The decider's state of one plan: the fold of its events. */
/** The plan's latest execution session, as its events tell it. */
export interface PlanSessionInfo {
  sessionId: string;
  workflowId: string;
  status: 'running' | 'paused' | 'stopped' | 'completed' | 'failed' | 'cancelled';
  pauseReason: string | null;
  pauseDetail: string | null;
  /** A stopped session can be resumed by a new session from its checkpoint. */
  resumable: boolean;
  startedRevision: number;
}

export interface PlanState {
  exists: boolean;
  planId: string;
  status: PlanStatus;
  archived: boolean;
  /** Content revision; 0 before creation, 1 after. */
  revision: number;
  /** The revision frozen by the last finalize, while the plan is finalized. */
  finalizedRevision: number | null;
  content: PlanContent;
  feedback: FeedbackEntry[];
  session: PlanSessionInfo | null;
  /**
   * The latest session's state, folded with the workflow's own `evolveSession` (see plan-execution.ts).
   * Absent from states stored before it existed.
   */
  run?: SessionCore | null;
  /** Every session id, oldest first. */
  sessions: string[];
  /** LLM planning turns so far (generation counts as the first). */
  planningIterations: number;
  lastPlanningMode: PlanningMode | null;
  suggestionSets: Record<string, SuggestionSetState>;
  /** Tokens and estimated cost of every model call made for this plan. */
  usage: PlanUsage;
  /** The plan's budget as set by PlanBudgetSet (absent: the configured defaults). */
  budget?: PlanBudget;
  /** What every session's turns reported spending. */
  turnSpend?: Spend;
  /** Each session's commits and the rollback under way (docs/rollback.md); absent before the first session. */
  rollbacks?: RollbackLedger;
  /** The plan's schedules by id (see schedules.ts); absent until the first one. */
  schedules?: Record<string, PlanSchedule>;
}

export const emptyContent = (): PlanContent => ({
  title: '',
  description: '',
  repository: null,
  chunks: [],
  tasks: [],
  execution: null,
});

export function initialState(): PlanState {
  return {
    exists: false,
    planId: '',
    status: 'draft',
    archived: false,
    revision: 0,
    finalizedRevision: null,
    content: emptyContent(),
    feedback: [],
    session: null,
    run: null,
    sessions: [],
    planningIterations: 0,
    lastPlanningMode: null,
    suggestionSets: {},
    usage: emptyUsage(),
  };
}

export interface PlanStats {
  chunks: number;
  tasks: number;
  byStatus: Record<TaskStatus, number>;
  /** Fraction of tasks completed or skipped, 0..1. */
  progress: number;
}

export function planStats(content: PlanContent): PlanStats {
  const byStatus: Record<TaskStatus, number> = {
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    skipped: 0,
  };
  for (const t of content.tasks) byStatus[t.status]++;
  const done = byStatus.completed + byStatus.skipped;
  return {
    chunks: content.chunks.length,
    tasks: content.tasks.length,
    byStatus,
    progress: content.tasks.length === 0 ? 0 : done / content.tasks.length,
  };
}

/** Tasks of each chunk, chunks in plan order. */
export function tasksByChunk(content: PlanContent) {
  return content.chunks.map((chunk) => ({
    chunk,
    tasks: content.tasks.filter((t) => t.chunk === chunk.key),
  }));
}
