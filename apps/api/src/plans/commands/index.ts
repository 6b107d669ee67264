import {
  AddChunkHandler,
  RemoveChunkHandler,
  ReorderChunksHandler,
  UpdateChunkHandler,
} from './chunk.handlers';
import {
  ArchivePlanHandler,
  CreatePlanHandler,
  FinalizePlanHandler,
  RecordFeedbackHandler,
  ReopenPlanHandler,
  UpdatePlanDetailsHandler,
} from './plan.handlers';
import {
  AddTaskHandler,
  MoveTaskHandler,
  RemoveTaskHandler,
  SetTaskDependenciesHandler,
  UpdateTaskHandler,
} from './task.handlers';

export * from './plan.commands';
export * from './chunk.commands';
export * from './task.commands';

export const COMMAND_HANDLERS = [
  CreatePlanHandler,
  UpdatePlanDetailsHandler,
  ArchivePlanHandler,
  FinalizePlanHandler,
  ReopenPlanHandler,
  RecordFeedbackHandler,
  AddChunkHandler,
  UpdateChunkHandler,
  RemoveChunkHandler,
  ReorderChunksHandler,
  AddTaskHandler,
  UpdateTaskHandler,
  SetTaskDependenciesHandler,
  MoveTaskHandler,
  RemoveTaskHandler,
];
