/**
 * The plan projection, as pure functions shared by every read-model store.
 *
 * A plan's read model is derived from the domain's own fold: the stored `PlanState` is advanced with the
 * domain's `evolve` (never a re-implementation of it), and the list row and the detail document are computed
 * from that state plus the times of the plan's first and last events. Events on a plan stream whose type the
 * domain does not know yet (execution events of later issues) leave the state unchanged but are recorded in
 * the history and move the stream revision and `updatedAt` on.
 */
import {
  evolve,
  initialState,
  isPlanEvent,
  isRollbackEvent,
  EXECUTION_EVENT_TYPES,
  PLAN_STREAM_PREFIX,
  planStats,
  tasksByChunk,
  type PlanState,
} from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';
import type { HistoryEntry, PlanDetail, PlanSummary } from './types';

/** What a store keeps per plan stream: the folded state and the bookkeeping of the projection. */
export interface ProjectedPlan {
  planId: string;
  state: PlanState;
  /** Stream revision (0-based) of the last projected event; -1 before the first. */
  streamRevision: number;
  /** Global position of the last projected event; 0 before the first. */
  lastPosition: number;
  /** Time of the event that created the plan (null while it does not exist). */
  createdAt: string | null;
  /** Time of the last projected event of the stream. */
  updatedAt: string | null;
}

export interface PlanTimestamps {
  createdAt: string;
  updatedAt: string;
}

/** A history row: the entry plus the plan it belongs to. */
export interface PlanHistoryRow extends HistoryEntry {
  planId: string;
}

/**
 * The projection met an event it cannot apply without losing information (a gap in a stream's revisions,
 * or a plan event before the plan's creation). The batch is not applied; the projector logs and retries.
 */
export class ProjectionError extends Error {
  constructor(
    message: string,
    readonly event: Pick<StoredEvent, 'id' | 'streamId' | 'revision' | 'position' | 'type'>,
  ) {
    super(message);
    this.name = 'ProjectionError';
  }
}

/** The plan id of a plan stream (`plan-<id>`), or null for any other stream. */
export function planIdOfStream(streamId: string): string | null {
  return streamId.startsWith(PLAN_STREAM_PREFIX) && streamId.length > PLAN_STREAM_PREFIX.length
    ? streamId.slice(PLAN_STREAM_PREFIX.length)
    : null;
}

export function emptyProjectedPlan(planId: string): ProjectedPlan {
  return {
    planId,
    state: initialState(),
    streamRevision: -1,
    lastPosition: 0,
    createdAt: null,
    updatedAt: null,
  };
}

/** `toISOString` output that parses back to itself (days up to 28, so that no date rolls over). */
const ISO_UTC_MS =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * ISO-8601 in UTC with milliseconds (what `Date#toISOString` gives), so that every store returns the same
 * text whatever its column type, and rows sort by time as text. Unparseable input is kept as it is.
 */
export function normalizeTimestamp(value: string): string {
  // What every event store writes (Date#toISOString) comes back unchanged: skip the parse and format.
  if (ISO_UTC_MS.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/**
 * Applies one event of the plan's own stream. Returns null when the event was applied before (its stream
 * revision is not beyond the stored one): that is what makes replays and repeated batches harmless.
 * Throws ProjectionError on a revision gap, so that nothing is ever skipped silently.
 */
export function projectPlanEvent(
  plan: ProjectedPlan,
  event: StoredEvent,
): { plan: ProjectedPlan; history: PlanHistoryRow } | null {
  if (event.revision <= plan.streamRevision) return null;
  if (plan.streamRevision >= 0 && event.revision !== plan.streamRevision + 1) {
    throw new ProjectionError(
      `stream ${event.streamId}: event ${event.id} has revision ${event.revision} but the projection is at ` +
        `${plan.streamRevision}; revisions ${plan.streamRevision + 1}..${event.revision - 1} are missing`,
      event,
    );
  }
  const known = isPlanEvent(event);
  if (known && !plan.state.exists && event.type !== 'PlanCreated') {
    throw new ProjectionError(
      `stream ${event.streamId}: ${event.type} (revision ${event.revision}, position ${event.position}) ` +
        'arrived before the plan was created; its PlanCreated event is missing',
      event,
    );
  }
  const recordedAt = normalizeTimestamp(event.recordedAt);
  // Plan, execution and rollback events fold through the domain's evolve; anything else is history only.
  const state =
    known || isExecutionEvent(event) || isRollbackEvent(event)
      ? evolve(plan.state, event as any)
      : plan.state;
  const next: ProjectedPlan = {
    planId: plan.planId,
    state,
    streamRevision: event.revision,
    lastPosition: event.position,
    createdAt: plan.state.exists ? plan.createdAt : state.exists ? recordedAt : null,
    updatedAt: recordedAt,
  };
  return {
    plan: next,
    history: {
      planId: plan.planId,
      eventId: event.id,
      position: event.position,
      streamRevision: event.revision,
      revision: state.revision,
      type: event.type,
      data: event.data,
      metadata: event.metadata ?? {},
      recordedAt,
    },
  };
}

export interface ProjectedBatch {
  /** Plans changed by the batch that exist (the rows to upsert), in order of first change. */
  plans: ProjectedPlan[];
  /** One row per newly applied event of a plan stream, in global order. */
  history: PlanHistoryRow[];
  /** Highest global position in the batch (0 for an empty batch): the checkpoint after it. */
  checkpoint: number;
}

/** The plan ids of the plan streams a batch touches (what a store must load before `projectBatch`). */
export function planIdsOf(events: readonly StoredEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const id = planIdOfStream(event.streamId);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}

/**
 * Projects a batch of events in global order. `load` returns the stored projection of a plan (undefined when
 * there is none); each plan is loaded at most once and then kept in memory for the rest of the batch.
 * Events of other streams only move the checkpoint.
 */
export function projectBatch(
  events: readonly StoredEvent[],
  load: (planId: string) => ProjectedPlan | undefined,
): ProjectedBatch {
  const cache = new Map<string, ProjectedPlan>();
  const changed = new Set<string>();
  const history: PlanHistoryRow[] = [];
  let checkpoint = 0;
  for (const event of events) {
    if (event.position > checkpoint) checkpoint = event.position;
    const planId = planIdOfStream(event.streamId);
    if (planId === null) continue;
    let plan = cache.get(planId);
    if (!plan) {
      plan = load(planId) ?? emptyProjectedPlan(planId);
      cache.set(planId, plan);
    }
    const result = projectPlanEvent(plan, event);
    if (!result) continue;
    cache.set(planId, result.plan);
    changed.add(planId);
    history.push(result.history);
  }
  const plans: ProjectedPlan[] = [];
  for (const id of changed) {
    const plan = cache.get(id);
    if (plan && plan.state.exists) plans.push(plan);
  }
  return { plans, history, checkpoint };
}

/** The plan-list row of a plan state. */
export function projectSummary(planId: string, state: PlanState, timestamps: PlanTimestamps): PlanSummary {
  const stats = planStats(state.content);
  return {
    id: planId,
    title: state.content.title,
    description: state.content.description,
    status: state.status,
    archived: state.archived,
    revision: state.revision,
    finalizedRevision: state.finalizedRevision,
    repository: state.content.repository,
    chunkCount: stats.chunks,
    taskCount: stats.tasks,
    completedCount: stats.byStatus.completed,
    failedCount: stats.byStatus.failed,
    progress: stats.progress,
    createdAt: timestamps.createdAt,
    updatedAt: timestamps.updatedAt,
  };
}

/** The plan-detail document: chunks in plan order, each with its tasks and stats. */
export function projectDetail(
  planId: string,
  state: PlanState,
  timestamps: PlanTimestamps & { streamRevision: number },
): PlanDetail {
  const { content } = state;
  return {
    ...projectSummary(planId, state, timestamps),
    execution: content.execution,
    chunks: tasksByChunk(content).map(({ chunk, tasks }) => ({
      ...chunk,
      tasks,
      stats: planStats({ ...content, chunks: [chunk], tasks }),
    })),
    stats: planStats(content),
    feedback: state.feedback.map((f) => ({
      revision: f.revision,
      feedback: f.feedback,
      author: f.author,
      mode: f.mode ?? null,
    })),
    planningIterations: state.planningIterations,
    lastPlanningMode: state.lastPlanningMode,
    usage: state.usage,
    streamRevision: timestamps.streamRevision,
  };
}

/** The list row of a stored projection (which must exist). */
export function summaryOf(plan: ProjectedPlan): PlanSummary {
  return projectSummary(plan.planId, plan.state, timestampsOf(plan));
}

/** The detail document of a stored projection (which must exist). */
export function detailOf(plan: ProjectedPlan): PlanDetail {
  return projectDetail(plan.planId, plan.state, {
    ...timestampsOf(plan),
    streamRevision: plan.streamRevision,
  });
}

function timestampsOf(plan: ProjectedPlan): PlanTimestamps {
  const updatedAt = plan.updatedAt ?? plan.createdAt ?? '';
  return { createdAt: plan.createdAt ?? updatedAt, updatedAt };
}

const isExecutionEvent = (e: { type: string }) =>
  (EXECUTION_EVENT_TYPES as readonly string[]).includes(e.type);
