import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionProgress } from '@chunkwise/domain';
import type { TaskEdit, UpdateAnswer } from './session-workflow';

/** Fire-and-forget controls of a running session. */
export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal('stop');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');

/** Decisions the caller needs an answer to (accepted, or refused with a reason). */
export const approveTaskUpdate = defineUpdate<
  UpdateAnswer,
  [{ taskId: string; action: 'execute' | 'skip'; edit?: TaskEdit }]
>('approveTask');
export const retryTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; edit?: TaskEdit }]>('retryTask');
export const skipTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; reason?: string }]>('skipTask');
export const completeTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string }]>('completeTask');
export const editTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; edit: TaskEdit }]>('editTask');

/** Live progress of a running session. */
export const progressQuery = defineQuery<SessionProgress>('progress');
