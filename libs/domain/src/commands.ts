import type {
  ChunkChanges,
  ChunkInput,
  ExecutionMode,
  PlanDetailsChanges,
  TaskChanges,
  TaskInput,
} from './schemas';
import type { BudgetChange } from './budget';
import type { PlanSource } from './events';
import type { LlmCall } from './planning';
import type { ReviewScope, ReviewType, Suggestion } from './suggestions';

export type PlanCommand =
  | { type: 'CreatePlan'; planId: string; document: unknown; source?: PlanSource; llmCalls?: LlmCall[] }
  | {
      type: 'RefinePlan';
      document: unknown;
      feedback: string;
      mode: 'multi' | 'single';
      drafts: number;
      rationale: string | null;
      model: string;
      author?: string;
      llmCalls: LlmCall[];
    }
  | {
      type: 'CreateSuggestionSet';
      setId: string;
      reviewType: ReviewType;
      scope: ReviewScope;
      targetId: string | null;
      suggestions: Suggestion[];
      model: string;
      llmCalls: LlmCall[];
    }
  | { type: 'ApplySuggestions'; setId: string; ids: string[] }
  | { type: 'UpdatePlanDetails'; changes: PlanDetailsChanges }
  | { type: 'ReplacePlanContent'; document: unknown; reason: string }
  | { type: 'AddChunk'; chunk: ChunkInput; index?: number }
  | { type: 'UpdateChunk'; key: string; changes: ChunkChanges }
  | { type: 'RemoveChunk'; key: string }
  | { type: 'ReorderChunks'; order: string[] }
  | { type: 'AddTask'; task: TaskInput; beforeTaskId?: string }
  | { type: 'UpdateTask'; taskId: string; changes: TaskChanges }
  | { type: 'RemoveTask'; taskId: string }
  | { type: 'MoveTask'; taskId: string; toChunk: string; beforeTaskId?: string }
  | { type: 'SetTaskDependencies'; taskId: string; dependsOn: string[] }
  | { type: 'SetChunkExecution'; key: string; executionMode?: ExecutionMode; pauseAfter?: boolean }
  | { type: 'RecordFeedback'; feedback: string; author?: string }
  | { type: 'FinalizePlan' }
  | { type: 'ReopenPlan'; reason?: string }
  | { type: 'ArchivePlan' }
  | { type: 'SetPlanBudget'; change: BudgetChange; author?: string };

export type PlanCommandType = PlanCommand['type'];
