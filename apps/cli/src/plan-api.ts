import type { PlanDiff, PlanUsage, ReviewType, Suggestion, SuggestionSetState } from '@chunkwise/domain';
import { ApiError, type ApiClient, type PlanDetail, type PlanRef } from './api-client';
import { longJsonRequest } from './plan-http';

/** The planning routes of the API (generate, review, apply, refine, diff, usage), typed. */

export type Depth = 'brief' | 'standard' | 'detailed';
/** What a review looks at: the whole plan, or one chunk or task (by key or id). */
export type ReviewScope = { scope: 'all' } | { scope: 'chunk' | 'task'; targetId: string };
export type RefineMode = 'multi' | 'single';

export interface GenerateBody {
  title: string;
  description: string;
  repository?: string | null;
  targetChunks?: number;
  depth?: Depth;
}

export interface GenerateResult extends PlanRef {
  usage: PlanUsage;
}

/** A review's suggestion set as the API answers it: the plan's set, with the plan id. */
export interface SuggestionSet extends SuggestionSetState {
  planId: string;
}

export interface RefineResult extends PlanRef {
  mode: RefineMode;
  planningIterations: number;
  /** Multi mode: the judge's reasoning. */
  rationale: string | null;
  summary: string;
  usage: PlanUsage;
}

export interface DiffAnswer {
  planId: string;
  from: number;
  to: number;
  diff: PlanDiff;
}

export interface UsageAnswer extends PlanUsage {
  planId: string;
}

export type { PlanDiff, PlanUsage, ReviewType, Suggestion };

/**
 * How long one LLM turn may take before the CLI gives up waiting (the server's own per-call limit,
 * CHUNKWISE_LLM_TIMEOUT_MS, defaults to 10 minutes, and a multi-draft turn is drafts then a judge).
 */
export const TURN_TIMEOUT_MS = 30 * 60_000;

/** The `code` of an API error body (`llm_unavailable`, `stale_suggestions`, …), if any. */
export function errorCode(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const code = (err.body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class PlanningApi {
  constructor(
    readonly client: ApiClient,
    private readonly token: string | null,
    private readonly turnTimeoutMs = TURN_TIMEOUT_MS,
  ) {}

  getPlan(id: string): Promise<PlanDetail> {
    return this.client.getPlan(id);
  }

  finalize(id: string): Promise<PlanRef> {
    return this.client.finalizePlan(id);
  }

  /** An LLM turn: creates a draft plan. */
  generate(body: GenerateBody): Promise<GenerateResult> {
    return this.turn('/plans/generate', body);
  }

  /** An LLM turn: a suggestion set (the plan itself does not change), of the whole plan or one chunk or task. */
  review(id: string, type: ReviewType, scope: ReviewScope = { scope: 'all' }): Promise<SuggestionSet> {
    return this.turn(`/plans/${encodeURIComponent(id)}/review`, { type, ...scope });
  }

  /** An LLM turn: the next revision, from the feedback (multi: drafts and a judge; single: one edit). */
  refine(id: string, body: { feedback: string; mode: RefineMode; drafts?: number }): Promise<RefineResult> {
    return this.turn(`/plans/${encodeURIComponent(id)}/refine`, body);
  }

  apply(id: string, setId: string, ids: string[]): Promise<PlanRef> {
    return this.client.request(
      'POST',
      `/plans/${encodeURIComponent(id)}/suggestions/${encodeURIComponent(setId)}/apply`,
      { body: { json: { ids } } },
    );
  }

  diff(id: string, from: number, to: number): Promise<DiffAnswer> {
    return this.client.request('GET', `/plans/${encodeURIComponent(id)}/diff`, {
      query: { from: String(from), to: String(to) },
    });
  }

  usage(id: string): Promise<UsageAnswer> {
    return this.client.request('GET', `/plans/${encodeURIComponent(id)}/usage`);
  }

  private turn<T>(path: string, body: unknown): Promise<T> {
    return longJsonRequest<T>({
      method: 'POST',
      url: new URL(this.client.base + path),
      token: this.token,
      body,
      timeoutMs: this.turnTimeoutMs,
      root: this.client.root,
    });
  }
}
