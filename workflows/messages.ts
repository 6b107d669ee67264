/**
 * Message definitions shared by workflows, activities, workers and clients: task queue names,
 * search attribute keys, and (later) signals, queries and updates.
 *
 * This file is imported by workflow code, so it must stay deterministic and free of I/O: it may
 * import only `@temporalio/workflow`, `@temporalio/common` and other files under `workflows/`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The shared task queue every Chunkwise worker polls. */
export const CHUNKWISE_TASK_QUEUE = 'chunkwise';

/** Search attributes registered on the dev server at start and expected in production. */
export const ChunkwisePlanId = defineSearchAttributeKey('ChunkwisePlanId', SearchAttributeType.KEYWORD);
export const ChunkwisePlanTitle = defineSearchAttributeKey('ChunkwisePlanTitle', SearchAttributeType.TEXT);
export const ChunkwiseStatus = defineSearchAttributeKey('ChunkwiseStatus', SearchAttributeType.KEYWORD);

/** Name → Temporal CLI type, as `temporal server start-dev --search-attribute NAME=TYPE` expects. */
export const CHUNKWISE_SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword' | 'Text'>> = {
  ChunkwisePlanId: 'Keyword',
  ChunkwisePlanTitle: 'Text',
  ChunkwiseStatus: 'Keyword',
};

/** Input and output of the connectivity-check workflow. */
export interface PingResult {
  message: string;
  /** Which activity worker answered (host name and process id). */
  answeredBy: string;
}
