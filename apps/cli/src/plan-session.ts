import type { ExecuteBody, PlanDetail, SessionStarted } from './api-client';
import { watchPlan } from './commands/session';
import type { Context } from './context';
import { CliError } from './errors';
import type { Io } from './output';
import type {
  GenerateBody,
  PlanningApi,
  RefineMode,
  RefineResult,
  ReviewType,
  SuggestionSet,
} from './plan-api';
import { waitFor, type ProgressOptions } from './plan-progress';
import { renderDiff, renderPlanOverview, renderSuggestions, reviewTypeName, statusLine } from './plan-render';

/** One step of a planning session, as reported by `--json`. */
export type TurnRecord =
  | { action: 'generate'; revision: number }
  | { action: 'open'; revision: number }
  | {
      action: 'refine';
      mode: RefineMode;
      feedback: string;
      revision: number;
      summary: string;
      rationale: string | null;
    }
  | { action: 'review'; setId: string; reviewType: ReviewType; suggestions: number }
  | { action: 'apply'; setId: string; ids: string[]; revision: number }
  | { action: 'finalize'; revision: number }
  | { action: 'execute'; sessionId: string; workflowId: string; revision: number; exitCode: number | null };

export interface SessionOptions {
  ctx: Context;
  api: PlanningApi;
  progress: ProgressOptions;
  /** Drafts per multi-mode turn (the server's default when absent). */
  drafts?: number;
  /** Agent type for execution when the plan (and its repository) configure none, e.g. claude-code. */
  agent?: string;
}

/**
 * A plan being planned: each turn calls the API, then prints what it did and what changed (the diff
 * from the previous revision). Human text goes to stdout unless --json; progress goes to stderr.
 */
export class PlanningSession {
  readonly turns: TurnRecord[] = [];
  readonly sets = new Map<string, SuggestionSet>();

  private constructor(
    private readonly o: SessionOptions,
    public plan: PlanDetail,
  ) {}

  static async generate(o: SessionOptions, body: GenerateBody): Promise<PlanningSession> {
    const created = await waitFor(o.progress, 'generating a plan with Claude', () => o.api.generate(body));
    const session = new PlanningSession(o, await o.api.getPlan(created.id));
    session.turns.push({ action: 'generate', revision: created.revision });
    return session;
  }

  static async open(o: SessionOptions, id: string): Promise<PlanningSession> {
    const session = new PlanningSession(o, await o.api.getPlan(id));
    session.turns.push({ action: 'open', revision: session.plan.revision });
    return session;
  }

  get id(): string {
    return this.plan.id;
  }

  say(...lines: string[]): void {
    if (!this.o.ctx.json) this.o.ctx.io.out(lines.join('\n'));
  }

  showPlan(): void {
    this.say(...renderPlanOverview(this.plan));
  }

  /** A continue-planning (multi) or quick-edit (single) turn. */
  async refine(feedback: string, mode: RefineMode): Promise<RefineResult> {
    const before = this.plan.revision;
    const drafts = mode === 'multi' ? this.o.drafts : undefined;
    const label =
      mode === 'multi'
        ? `continue planning: ${drafts ? `${drafts} ` : ''}drafts in parallel, then a judge`
        : 'quick edit';
    const result = await waitFor(this.o.progress, label, () =>
      this.o.api.refine(this.id, { feedback, mode, ...(drafts ? { drafts } : {}) }),
    );
    this.turns.push({
      action: 'refine',
      mode,
      feedback,
      revision: result.revision,
      summary: result.summary,
      rationale: result.rationale,
    });
    this.say('', `${mode === 'multi' ? 'Continue planning' : 'Quick edit'} → revision ${result.revision}`);
    if (result.summary) this.say(`  summary: ${result.summary}`);
    if (result.rationale) this.say(`  judge: ${result.rationale}`);
    await this.changed(before);
    return result;
  }

  async review(type: ReviewType): Promise<SuggestionSet> {
    const set = await waitFor(this.o.progress, `reviewing: ${reviewTypeName(type)}`, () =>
      this.o.api.review(this.id, type),
    );
    this.sets.set(set.setId, set);
    this.turns.push({
      action: 'review',
      setId: set.setId,
      reviewType: type,
      suggestions: set.suggestions.length,
    });
    this.say('', ...renderSuggestions(set));
    return set;
  }

  async apply(set: SuggestionSet, ids: string[]): Promise<void> {
    const before = this.plan.revision;
    const result = await this.o.api.apply(this.id, set.setId, ids);
    this.sets.set(set.setId, { ...set, applied: [...set.applied, ...ids] });
    this.turns.push({ action: 'apply', setId: set.setId, ids, revision: result.revision });
    this.say('', `Applied ${ids.join(', ')} → revision ${result.revision}`);
    await this.changed(before);
  }

  /** Finalizes the current revision (nothing to do when it is already the finalized one). */
  async finalize(): Promise<void> {
    if (this.plan.status !== 'draft' && this.plan.finalizedRevision === this.plan.revision) return;
    const result = await this.o.api.finalize(this.id);
    this.turns.push({ action: 'finalize', revision: result.revision });
    this.plan = await this.o.api.getPlan(this.id);
    this.say('', `Finalized plan ${this.id} at revision ${result.revision}`);
  }

  /** Starts a session of the finalized revision; with `watch`, follows it like `chunkwise execute --watch`. */
  async execute(watch: boolean): Promise<number> {
    const body: ExecuteBody & { options?: { agent?: { type: string } } } = {};
    if (this.o.agent) body.options = { agent: { type: this.o.agent } };
    let started: SessionStarted;
    try {
      started = await this.o.ctx.client().execute(this.id, body);
    } catch (err) {
      throw executeHint(err, this.id);
    }
    const turn: TurnRecord = { ...started, action: 'execute', exitCode: null };
    this.turns.push(turn);
    this.say(
      `started session ${started.sessionId} of plan ${this.id} (revision ${started.revision}); workflow ${started.workflowId}`,
    );
    if (!watch) {
      this.say(`  watch it with: chunkwise watch ${this.id}`);
      return 0;
    }
    // With --json the live lines go to stderr, so stdout stays one JSON document.
    const ctx = this.o.ctx.json ? { ...this.o.ctx, io: toStderr(this.o.ctx.io) } : this.o.ctx;
    turn.exitCode = await watchPlan(ctx, this.id, true);
    return turn.exitCode;
  }

  async reload(): Promise<void> {
    this.plan = await this.o.api.getPlan(this.id);
  }

  /** After a turn: the new plan, then what changed since `before`, then where things stand. */
  private async changed(before: number): Promise<void> {
    this.plan = await this.o.api.getPlan(this.id);
    if (this.plan.revision !== before && !this.o.ctx.json) {
      this.say(...renderDiff(await this.o.api.diff(this.id, before, this.plan.revision)));
    }
    this.say(`  ${statusLine(this.plan)}`);
  }

  /** The machine-readable summary printed by --json. */
  summary(): Record<string, unknown> {
    const p = this.plan;
    return {
      planId: p.id,
      title: p.title,
      status: p.status,
      revision: p.revision,
      finalizedRevision: p.finalizedRevision,
      planningIterations: p.planningIterations,
      lastPlanningMode: p.lastPlanningMode,
      chunks: p.chunks.length,
      tasks: p.taskCount,
      usage: p.usage,
      turns: this.turns,
      suggestionSets: [...this.sets.values()],
    };
  }
}

function toStderr(io: Io): Io {
  return { out: (t) => io.err(t), err: (t) => io.err(t), write: (t) => io.err(t) };
}

/** A plan without an agent cannot run: say how to give it one. */
export function executeHint(err: unknown, planId: string): unknown {
  if (!(err instanceof CliError)) return err;
  const text = [err.message, ...err.details].join('\n');
  if (!/execution\.agent/.test(text)) return err;
  return new CliError(`plan ${planId} is finalized, but no agent is configured to execute it`, [
    ...err.details,
    `pass one: chunkwise plan --plan ${planId} --execute --watch --agent claude-code`,
    'or set execution.agent in the plan, or agent defaults on its registered repository',
  ]);
}

/**
 * Which suggestions to apply: `all` (those not applied yet), `none` or empty, or a comma list of
 * numbers (as listed) and/or ids (`1,3` or `s1,s3`). Returns the ids, or an error message.
 */
export function parseSelection(answer: string, set: SuggestionSet): { ids: string[] } | { error: string } {
  const text = answer.trim().toLowerCase();
  if (text === '' || text === 'none' || text === 'n') return { ids: [] };
  const open = set.suggestions.filter((s) => !set.applied.includes(s.id)).map((s) => s.id);
  if (text === 'all' || text === 'a') return { ids: open };
  const ids: string[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const byNumber = /^\d+$/.test(part) ? set.suggestions[Number(part) - 1]?.id : undefined;
    const id = byNumber ?? set.suggestions.find((s) => s.id.toLowerCase() === part)?.id;
    if (!id) {
      const range = set.suggestions.length ? `1-${set.suggestions.length}` : 'none';
      return { error: `no suggestion "${part}" (choose among ${range}, "all" or "none")` };
    }
    if (set.applied.includes(id)) return { error: `suggestion ${id} is applied already` };
    if (!ids.includes(id)) ids.push(id);
  }
  return { ids };
}
