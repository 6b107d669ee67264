/** Message definitions live in workflows/messages.ts (workflow code imports them from there). */
export {
  CHUNKWISE_TASK_QUEUE,
  CHUNKWISE_SEARCH_ATTRIBUTES,
  ChunkwisePlanId,
  ChunkwisePlanTitle,
  ChunkwiseStatus,
} from '../../../workflows/messages';
