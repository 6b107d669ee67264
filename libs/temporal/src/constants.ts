/** Message definitions live in @chunkwise/contracts; re-exported for the Temporal helpers' users. */
export {
  CHUNKWISE_TASK_QUEUE,
  CHUNKWISE_SEARCH_ATTRIBUTES,
  ChunkwisePlanId,
  ChunkwisePlanTitle,
  ChunkwiseStatus,
} from '@chunkwise/contracts';
