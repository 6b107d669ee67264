import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';

export type PlanDiff = Schemas['PlanDiff'];
export type DiffBody = PlanDiff['diff'];
export type FieldChanges = DiffBody['tasks']['changed'][number]['changes'];
export type ReviewType = Schemas['ReviewPlan']['type'];
export type ReviewScope = NonNullable<Schemas['ReviewPlan']['scope']>;
export type RefineMode = NonNullable<Schemas['RefinePlan']['mode']>;
export type RefineResult = Schemas['RefineResult'];
export type PlanUsage = Schemas['PlanUsage'];

/** The four review types of the API, with the words the page shows for them. */
export const REVIEW_TYPES: ReadonlyArray<{ value: ReviewType; label: string }> = [
  { value: 'refine_descriptions', label: 'Refine descriptions' },
  { value: 'add_missing', label: 'Add missing tasks' },
  { value: 'optimize_order', label: 'Optimize order' },
  { value: 'break_down', label: 'Break down large tasks' },
];

/** Per-plan queries live under ['plan', id] so the live stream refreshes them (no polling). */
export const planningKeys = {
  diff: (id: string, from: number, to: number) => [...planKeys.plan(id), 'diff', from, to] as const,
  suggestions: (id: string, setId: string) => [...planKeys.plan(id), 'suggestions', setId] as const,
  usage: (id: string) => planKeys.usage(id),
  calls: (id: string) => [...planKeys.plan(id), 'llm-calls'] as const,
};

export const diffQuery = (id: string, from: number, to: number) =>
  queryOptions({
    queryKey: planningKeys.diff(id, from, to),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/plans/{id}/diff', { params: { path: { id }, query: { from, to } }, signal }),
      ),
  });

export const usageQuery = (id: string) =>
  queryOptions({
    queryKey: planningKeys.usage(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/usage', { params: { path: { id } }, signal })),
  });

const fetchSuggestionSet = async (id: string, setId: string, signal?: AbortSignal) =>
  unwrap(await api.GET('/api/plans/{id}/suggestions/{setId}', { params: { path: { id, setId } }, signal }));

/** A review's suggestions, as the client receives them (the review route answers the same shape). */
export type SuggestionSet = Awaited<ReturnType<typeof fetchSuggestionSet>>;
export type Suggestion = SuggestionSet['suggestions'][number];

export const suggestionSetQuery = (id: string, setId: string) =>
  queryOptions({
    queryKey: planningKeys.suggestions(id, setId),
    queryFn: ({ signal }) => fetchSuggestionSet(id, setId, signal),
  });

/** A planning turn that made a new revision: what the page shows the diff of. */
export interface Turn {
  from: number;
  to: number;
}

/** One LLM call made for the plan, as its LlmCallRecorded event holds it. */
export interface LlmCall {
  callId: string;
  revision: number;
  purpose: string;
  model: string;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheCreationInputTokens: number;
    cacheReadInputTokens: number;
  };
  costUsd: number;
  durationMs: number;
  repaired: boolean;
  recordedAt: string;
}

/** Every LLM call of the plan, oldest first (from the plan's events: the usage route only sums them). */
export const llmCallsQuery = (id: string) =>
  queryOptions({
    queryKey: planningKeys.calls(id),
    queryFn: async ({ signal }) => {
      const history = unwrap(await api.GET('/api/plans/{id}/history', { params: { path: { id } }, signal }));
      return history.entries
        .filter((e) => e.type === 'LlmCallRecorded')
        .map((e) => ({ ...(e.data as Omit<LlmCall, 'recordedAt'>), recordedAt: e.recordedAt }));
    },
  });
