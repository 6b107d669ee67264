import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
