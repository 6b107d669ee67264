import type { Chunk, PlanningMode, PlanStats, PlanStatus, PlanUsage, Task } from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';

/** One row of the plan list. */
export interface PlanSummary {
  id: string;
  title: string;
  /** The plan's description (the list shows it on each card). */
  description: string;
  status: PlanStatus;
  archived: boolean;
  revision: number;
  finalizedRevision: number | null;
  repository: string | null;
  chunkCount: number;
  taskCount: number;
  completedCount: number;
  failedCount: number;
  /** Fraction of tasks completed or skipped, 0..1. */
  progress: number;
  createdAt: string;
  updatedAt: string;
}

/** The plan with its chunks in order, each holding its tasks, and stats per chunk and plan. */
export interface PlanDetail extends PlanSummary {
  execution: Record<string, unknown> | null;
  chunks: Array<Chunk & { tasks: Task[]; stats: PlanStats }>;
  stats: PlanStats;
  feedback: Array<{ revision: number; feedback: string; author: string | null; mode: PlanningMode | null }>;
  /** LLM planning turns so far (generation is the first) and the mode of the last one. */
  planningIterations: number;
  lastPlanningMode: PlanningMode | null;
  /** Tokens and estimated cost of every model call made for the plan. */
  usage: PlanUsage;
  /** Stream revision of the last projected event (for idempotency and debugging). */
  streamRevision: number;
}

/** One event in a plan's history. */
export interface HistoryEntry {
  position: number;
  streamRevision: number;
  /** Plan content revision after the event. */
  revision: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
  eventId: string;
}

/** A plan's detail serialized as JSON (UTF-8), with the revision an HTTP answer names in its ETag. */
export interface PlanDetailJson {
  body: Buffer;
  revision: number;
  streamRevision: number;
}

export interface PlanListFilter {
  status?: PlanStatus;
  repository?: string;
  includeArchived?: boolean;
  limit?: number;
  offset?: number;
}

/**
 * Storage of the read models. `applyEvents` projects a batch and moves the checkpoint in ONE
 * transaction, skipping events already applied, so replays and crashes never double-apply.
 */
export interface ReadModelStore {
  init(): Promise<void>;
  getCheckpoint(): Promise<number>;
  applyEvents(events: StoredEvent[]): Promise<void>;
  /** Drops every read model and the checkpoint (for a rebuild from zero). */
  reset(): Promise<void>;
  listPlans(filter?: PlanListFilter): Promise<PlanSummary[]>;
  getPlan(id: string): Promise<PlanDetail | null>;
  /**
   * The detail of `getPlan` as JSON bytes (`JSON.stringify` of it), for a store that can serve it without
   * building and serializing it on every read (SQLite keeps it per plan and stream revision). Never staler
   * than `getPlan` at the same moment.
   */
  getPlanJson?(id: string): Promise<PlanDetailJson | null>;
  getHistory(id: string): Promise<HistoryEntry[] | null>;
  /** Takes the single-active-projector lock if free (PostgreSQL advisory lock; SQLite file lock). */
  tryAcquireProjectorLock(): Promise<boolean>;
  releaseProjectorLock(): Promise<void>;
  close(): Promise<void>;
}
