import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import {
  BudgetExceededError,
  describeBudgetExceeded,
  diffContents,
  DomainError,
  noLimit,
  planningBudgetCrossed,
  type BudgetDefaults,
  stateAtRevision,
  type LlmCall,
  type PlanDiff,
  type PlanState,
  type ReviewScope,
  type ReviewType,
  type SuggestionSetState,
} from '@chunkwise/domain';
import type { LlmCallRecord, LlmPort } from '@chunkwise/llm';
import { PlanNotFoundError, StaleRevisionError } from '../errors';
import type { ExecuteOptions, ExecuteResult, PlanCommandService } from '../plan-command-service';
import {
  judgeSchema,
  llmPlanSchema,
  llmRevisionSchema,
  normalizeChunkKeys,
  reviewSchema,
  type LlmRevision,
} from './planning-output';
import {
  DRAFT_ANGLES,
  generatePrompt,
  judgePrompt,
  PLANNER_SYSTEM,
  planContext,
  refinePrompt,
  reviewPrompt,
  type Depth,
} from './planning-prompts';
import { repositoryContext } from './repository-context';

export interface GenerateInput {
  title: string;
  description: string;
  /** A path or a registered repository reference (`repo:<id>`); its tree and key files become context. */
  repository?: string | null;
  targetChunks?: number;
  depth?: Depth;
}

export interface ReviewInput {
  type: ReviewType;
  scope: ReviewScope;
  targetId?: string | null;
}

export interface RefineInput {
  feedback: string;
  mode: 'multi' | 'single';
  /** Drafts made in parallel in multi mode (default 3). */
  drafts?: number;
  author?: string;
}

export interface PlanningServiceOptions {
  /** Resolves a plan's repository reference to a path on this machine (registered repositories). */
  resolveRepository?: (reference: string) => Promise<string>;
  /** Character budget of the repository context. */
  contextBudget?: number;
  /** Default budgets from configuration (docs/cost.md): planning calls check the plan's. */
  budgets?: BudgetDefaults;
}

const toCall = (c: LlmCallRecord): LlmCall => ({
  callId: c.callId,
  purpose: c.purpose,
  model: c.model,
  usage: c.usage,
  costUsd: c.costUsd,
  durationMs: c.durationMs,
  repaired: c.repaired,
});

export const DEFAULT_DRAFTS = 3;
export const MAX_DRAFTS = DRAFT_ANGLES.length;

/**
 * Planning with an LLM: generate, review, apply, refine, diff. Each turn asks the model through the
 * LLM port, then writes ONE command whose events carry the result and the calls' usage. A turn whose
 * output stays invalid (LlmOutputError) or that races another write (stale revision) writes nothing.
 */
export class PlanningService {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly llm: () => LlmPort,
    private readonly options: PlanningServiceOptions = {},
  ) {}

  async generate(planId: string, input: GenerateInput, execute: ExecuteOptions = {}): Promise<ExecuteResult> {
    const depth = input.depth ?? 'standard';
    const context = input.repository ? await this.context(input.repository) : undefined;
    const llm = this.llm();
    const { value, calls } = await llm.structured({
      purpose: 'generate',
      system: PLANNER_SYSTEM,
      context,
      prompt: generatePrompt({ ...input, depth }),
      schema: llmPlanSchema,
      toolName: 'submit_plan',
      toolDescription: 'Submit the plan: chunks in order and their tasks.',
    });
    const plan = normalizeChunkKeys(value);
    return this.plans.execute(
      planId,
      {
        type: 'CreatePlan',
        planId,
        document: {
          title: input.title,
          description: input.description,
          repository: input.repository ?? null,
          chunks: plan.chunks,
          tasks: plan.tasks,
        },
        source: {
          kind: 'generate',
          model: llm.model,
          request: {
            title: input.title,
            description: input.description,
            repository: input.repository ?? null,
            targetChunks: input.targetChunks ?? null,
            depth,
          },
        },
        llmCalls: calls.map(toCall),
      },
      execute,
    );
  }

  async review(
    planId: string,
    input: ReviewInput,
    execute: ExecuteOptions = {},
  ): Promise<{ result: ExecuteResult; set: SuggestionSetState }> {
    const state = await this.current(planId, execute.expectedRevision);
    const targetId = input.scope === 'all' ? null : (input.targetId ?? null);
    if (input.scope !== 'all') {
      if (!targetId) throw new DomainError('invalid_command', `scope ${input.scope} needs a targetId`);
      const found =
        input.scope === 'chunk'
          ? state.content.chunks.some((c) => c.key === targetId)
          : state.content.tasks.some((t) => t.id === targetId);
      if (!found) {
        throw new DomainError(
          input.scope === 'chunk' ? 'chunk_not_found' : 'task_not_found',
          `${input.scope} ${targetId} not found in plan ${planId}`,
        );
      }
    }
    if (state.status !== 'draft') {
      throw new DomainError('plan_frozen', `plan ${planId} is ${state.status}; reopen it to review it`);
    }
    const llm = this.llm();
    const { value, calls } = await llm.structured({
      purpose: 'review',
      system: PLANNER_SYSTEM,
      context: await this.planContext(state),
      prompt: reviewPrompt(input.type, input.scope, targetId),
      schema: reviewSchema(state.content),
      toolName: 'submit_suggestions',
      toolDescription: 'Submit the review: a list of suggested changes to the plan.',
    });
    const setId = `set_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    // Ids are ours, short and unique within the set, whatever the model called them.
    const suggestions = value.suggestions.map((s, i) => ({ ...s, id: `s${i + 1}` }));
    const result = await this.plans.execute(
      planId,
      {
        type: 'CreateSuggestionSet',
        setId,
        reviewType: input.type,
        scope: input.scope,
        targetId,
        suggestions,
        model: llm.model,
        llmCalls: calls.map(toCall),
      },
      { ...execute, expectedRevision: state.revision },
    );
    return { result, set: result.state.suggestionSets[setId] };
  }

  async suggestionSet(planId: string, setId: string): Promise<SuggestionSetState> {
    // A read: archived plans still show their reviews.
    const { state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    const set = state.suggestionSets[setId];
    if (!set)
      throw new DomainError(
        'suggestion_set_not_found',
        `suggestion set ${setId} not found in plan ${planId}`,
      );
    return set;
  }

  apply(planId: string, setId: string, ids: string[], execute: ExecuteOptions = {}): Promise<ExecuteResult> {
    return this.plans.execute(planId, { type: 'ApplySuggestions', setId, ids }, execute);
  }

  async refine(
    planId: string,
    input: RefineInput,
    execute: ExecuteOptions = {},
  ): Promise<{ result: ExecuteResult; rationale: string | null; summary: string }> {
    const state = await this.current(planId, execute.expectedRevision);
    if (state.status !== 'draft') {
      throw new DomainError('plan_frozen', `plan ${planId} is ${state.status}; reopen it for more planning`);
    }
    const feedback = input.feedback.trim();
    if (!feedback) throw new DomainError('invalid_command', 'feedback must not be empty');
    const drafts =
      input.mode === 'single' ? 1 : Math.min(Math.max(input.drafts ?? DEFAULT_DRAFTS, 2), MAX_DRAFTS);
    // A multi-draft turn makes a call per draft and one for the judge.
    this.checkBudget(state, input.mode === 'single' ? 1 : drafts + 1, input.mode);
    const llm = this.llm();
    const context = await this.planContext(state);
    const ask = (purpose: string, angle?: string) =>
      llm.structured({
        purpose,
        system: PLANNER_SYSTEM,
        context,
        prompt: refinePrompt(feedback, angle),
        schema: llmRevisionSchema,
        toolName: 'submit_revision',
        toolDescription: 'Submit the whole revised plan and a summary of the changes.',
      });

    let revision: Omit<LlmRevision, 'summary'>;
    let summary: string;
    let rationale: string | null = null;
    const calls: LlmCallRecord[] = [];
    if (input.mode === 'single') {
      const r = await ask('refine-single');
      calls.push(...r.calls);
      ({ summary, ...revision } = r.value);
    } else {
      const settled = await Promise.allSettled(
        Array.from({ length: drafts }, (_, i) => ask('refine-draft', DRAFT_ANGLES[i])),
      );
      const made = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      // A draft that failed is left out; the turn fails only when none came back.
      if (made.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
      for (const m of made) calls.push(...m.calls);
      const judged = await llm.structured({
        purpose: 'refine-judge',
        system: PLANNER_SYSTEM,
        context,
        prompt: judgePrompt(
          feedback,
          made.map((m) => {
            const { summary: s, ...plan } = m.value;
            return { summary: s, plan };
          }),
        ),
        schema: judgeSchema(made.length),
        toolName: 'submit_judgement',
        toolDescription: 'Pick the best draft or merge them.',
      });
      calls.push(...judged.calls);
      rationale = judged.value.rationale;
      if (judged.value.decision === 'pick') {
        ({ summary, ...revision } = made[judged.value.pickedDraft! - 1].value);
      } else {
        revision = judged.value.merged!;
        summary = `merged ${made.length} drafts`;
      }
    }
    const plan = normalizeChunkKeys(revision);
    const result = await this.plans.execute(
      planId,
      {
        type: 'RefinePlan',
        document: {
          title: state.content.title,
          description: state.content.description,
          repository: state.content.repository,
          execution: state.content.execution,
          chunks: plan.chunks,
          tasks: plan.tasks,
        },
        feedback,
        mode: input.mode,
        drafts,
        rationale,
        model: llm.model,
        author: input.author,
        llmCalls: calls.map(toCall),
      },
      // Based on the revision the model saw: a write in between makes this a 409, not a silent overwrite.
      { ...execute, expectedRevision: state.revision },
    );
    return { result, rationale, summary };
  }

  async diff(
    planId: string,
    from: number,
    to: number,
  ): Promise<{ from: number; to: number; diff: PlanDiff }> {
    const { state, events } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    for (const r of [from, to]) {
      if (!Number.isInteger(r) || r < 1 || r > state.revision) {
        throw new DomainError(
          'invalid_command',
          `revision ${r} does not exist; plan ${planId} has revisions 1..${state.revision}`,
        );
      }
    }
    const a = stateAtRevision(events, from)!;
    const b = stateAtRevision(events, to)!;
    return { from, to, diff: diffContents(a.content, b.content) };
  }

  /** Refuses a planning turn whose calls (each at the plan's average so far) would cross the plan's budget. */
  private checkBudget(state: PlanState, calls: number, mode: string): void {
    if (!this.options.budgets && !state.budget) return;
    const defaults = this.options.budgets ?? { plan: noLimit(), session: noLimit() };
    const crossed = planningBudgetCrossed(state, defaults, calls);
    if (!crossed) return;
    const hint =
      mode === 'single'
        ? 'raise the budget'
        : 'raise the budget, or make a quick edit (mode single: one call)';
    throw new BudgetExceededError(
      crossed,
      `${describeBudgetExceeded(crossed, `${calls} planning call${calls === 1 ? '' : 's'}`)}; ${hint}`,
    );
  }

  private async current(planId: string, expectedRevision?: number): Promise<PlanState> {
    const { state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    if (state.archived) throw new DomainError('plan_archived', `plan ${planId} is archived`);
    if (expectedRevision !== undefined && expectedRevision !== state.revision) {
      throw new StaleRevisionError(planId, expectedRevision, state.revision);
    }
    return state;
  }

  private async planContext(state: PlanState): Promise<string> {
    const repo = state.content.repository
      ? await this.context(state.content.repository).catch(() => null)
      : null;
    return planContext(state.content, repo);
  }

  private async context(repository: string): Promise<string> {
    const root = this.options.resolveRepository
      ? await this.options.resolveRepository(repository)
      : repository;
    const stat = await fs.stat(root).catch(() => null);
    if (!stat?.isDirectory()) {
      throw new DomainError('invalid_command', `repository ${repository} is not a directory on this machine`);
    }
    return repositoryContext(root, { budget: this.options.contextBudget });
  }
}
