import type { PlanBudget } from './budget';
import type { LlmCall, PlanningMode } from './planning';
import type { ReviewScope, ReviewType, Suggestion } from './suggestions';
import { SCHEDULE_EVENT_TYPES, type ScheduleEvent } from './schedules';
import type {
  Chunk,
  ChunkChanges,
  ExecutionMode,
  PlanContent,
  PlanDetailsChanges,
  Task,
  TaskChanges,
} from './schemas';

/**
 * Events on a plan's stream (`plan-<id>`). Every event carries `revision`: the plan's content
 * revision after the event. Content changes bump it by one; feedback, finalize and archive record
 * the revision they apply to; reopen starts the next revision.
 */
interface Base {
  revision: number;
}

export type PlanEvent =
  | { type: 'PlanCreated'; data: Base & { planId: string; content: PlanContent; source: PlanSource } }
  | { type: 'PlanDetailsUpdated'; data: Base & { changes: PlanDetailsChanges } }
  | { type: 'PlanContentReplaced'; data: Base & { content: PlanContent; reason: string } }
  | { type: 'ChunkAdded'; data: Base & { chunk: Chunk; index: number } }
  | {
      type: 'ChunkUpdated';
      data: Base & { key: string; changes: Omit<ChunkChanges, 'executionMode' | 'pauseAfter'> };
    }
  | {
      type: 'ChunkExecutionConfigured';
      data: Base & { key: string; executionMode: ExecutionMode; pauseAfter: boolean };
    }
  | { type: 'ChunkRemoved'; data: Base & { key: string } }
  | { type: 'ChunksReordered'; data: Base & { order: string[] } }
  | { type: 'TaskAdded'; data: Base & { task: Task; index: number } }
  | { type: 'TaskUpdated'; data: Base & { taskId: string; changes: TaskChanges } }
  | { type: 'TaskRemoved'; data: Base & { taskId: string } }
  | { type: 'TaskMoved'; data: Base & { taskId: string; toChunk: string; index: number } }
  | { type: 'TaskDependenciesSet'; data: Base & { taskId: string; dependsOn: string[] } }
  | { type: 'FeedbackRecorded'; data: Base & { feedback: string; author: string | null } }
  | { type: 'PlanFinalized'; data: Base }
  | { type: 'PlanReopened'; data: Base & { reason: string | null } }
  | { type: 'PlanArchived'; data: Base }
  | {
      type: 'PlanRefined';
      data: Base & {
        content: PlanContent;
        feedback: string;
        mode: PlanningMode;
        /** The plan's planning iteration this turn made (generation is iteration 1). */
        iteration: number;
        drafts: number;
        /** Multi mode: the judge's reasoning for the draft it picked or the merge it made. */
        rationale: string | null;
        model: string;
        author: string | null;
      };
    }
  | {
      type: 'SuggestionSetCreated';
      data: Base & {
        setId: string;
        reviewType: ReviewType;
        scope: ReviewScope;
        targetId: string | null;
        suggestions: Suggestion[];
        model: string;
      };
    }
  | {
      type: 'SuggestionsApplied';
      data: Base & { setId: string; suggestionIds: string[]; baseRevision: number; content: PlanContent };
    }
  | { type: 'LlmCallRecorded'; data: Base & LlmCall }
  /** The plan's budget after a change (any status but archived: raising it lets a paused session go on). */
  | { type: 'PlanBudgetSet'; data: Base & { budget: PlanBudget; author: string | null } }
  /** Schedules of the plan and their firings (schedules.ts). */
  | ScheduleEvent;

export type PlanEventType = PlanEvent['type'];

export interface PlanSource {
  kind: 'api' | 'cli' | 'import' | 'generate' | 'template';
  format?: string;
  detail?: string;
  /** Imports: the file name, a sha256 of the input and how many warnings the import gave. */
  filename?: string;
  sha256?: string;
  warnings?: number;
  /** Generation: the model and the request that produced the plan. */
  model?: string;
  request?: Record<string, unknown>;
  /** Created from a template: its name, the version rendered and the parameter values. */
  template?: { name: string; version: number; params: Record<string, string> };
}

export const PLAN_EVENT_TYPES: readonly PlanEventType[] = [
  'PlanCreated',
  'PlanDetailsUpdated',
  'PlanContentReplaced',
  'ChunkAdded',
  'ChunkUpdated',
  'ChunkExecutionConfigured',
  'ChunkRemoved',
  'ChunksReordered',
  'TaskAdded',
  'TaskUpdated',
  'TaskRemoved',
  'TaskMoved',
  'TaskDependenciesSet',
  'FeedbackRecorded',
  'PlanFinalized',
  'PlanReopened',
  'PlanArchived',
  'PlanRefined',
  'SuggestionSetCreated',
  'SuggestionsApplied',
  'LlmCallRecorded',
  'PlanBudgetSet',
  ...SCHEDULE_EVENT_TYPES,
];

export function isPlanEvent(event: { type: string }): event is PlanEvent {
  return (PLAN_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Stream name of a plan. One concept, one place. */
export const planStreamId = (planId: string) => `plan-${planId}`;
export const PLAN_STREAM_PREFIX = 'plan-';
