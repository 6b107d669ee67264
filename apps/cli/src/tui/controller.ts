import { defaultTitle } from '../commands/plan';
import { isLive, type ApiClient, type ExecuteBody, type PlanDetail } from '../api-client';
import type { PlanningApi, RefineMode } from '../plan-api';
import { errorLines } from '../plan-errors';
import { reviewTypeName } from '../plan-render';
import { executeHint } from '../plan-session';
import { apiSource } from '../watch';
import type { Effect } from './keys';
import type { Action, QaResult, TuiState } from './state';

/**
 * The terminal UI's effects: every API call it makes, through the CLI's own clients (PlanningApi for
 * the planning turns, ApiClient for plans and sessions), with the answers dispatched to the reducer.
 * A failure is dispatched as an error shown in place; nothing here knows about Ink.
 */
export interface ControllerOptions {
  api: PlanningApi;
  dispatch: (a: Action) => void;
  getState: () => TuiState;
  /** Called for the quit effect (the Ink app exits). */
  exit: () => void;
  /** For a new plan: the repository it targets (path or repo:<id>). */
  repository?: string | null;
  /** For execute: the agent type when the plan configures none. */
  agent?: string;
  /** Drafts per continue-planning turn. */
  drafts?: number;
  now?: () => number;
  /** How often the live view re-reads the progress when no event arrives. */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TuiController {
  private following: AbortController | null = null;
  private lastProgress = '';

  constructor(private readonly o: ControllerOptions) {}

  private get client(): ApiClient {
    return this.o.api.client;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private plan(): PlanDetail {
    const plan = this.o.getState().plan;
    if (!plan) throw new Error('no plan is open');
    return plan;
  }

  /** The first screen: the plan given, else the plan list (the latest resumable plan first). */
  async start(planId?: string): Promise<void> {
    if (planId) return this.run({ type: 'open', planId });
    await this.guard(async () => this.o.dispatch({ type: 'plans_loaded', plans: await this.plans() }));
  }

  /** Runs one effect; errors are dispatched, never thrown. */
  run(effect: Effect): Promise<void> {
    return this.guard(() => this.effect(effect));
  }

  /** Stops following a session (the UI exits). */
  close(): void {
    this.following?.abort();
    this.following = null;
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.o.dispatch({
        type: 'failed',
        message: errorLines(executeHintOf(err, this.o.getState())).join('\n'),
      });
    }
  }

  private busy(label: string, planning = false): void {
    this.o.dispatch({ type: 'busy', label, now: this.now(), planning });
  }

  private async effect(e: Effect): Promise<void> {
    const { api, dispatch } = this.o;
    switch (e.type) {
      case 'quit':
        this.close();
        dispatch({ type: 'quit' });
        this.o.exit();
        return;
      case 'open': {
        this.busy(`opening plan ${e.planId}`);
        return this.show(await api.getPlan(e.planId));
      }
      case 'generate': {
        this.busy('generating a plan with Claude', true);
        const created = await api.generate({
          title: defaultTitle(e.description),
          description: e.description,
          ...(this.o.repository ? { repository: this.o.repository } : {}),
        });
        dispatch({ type: 'plan_ready', plan: await api.getPlan(created.id) });
        return;
      }
      case 'refine': {
        const plan = this.plan();
        this.busy(refineLabel(e.mode, this.o.drafts), true);
        const drafts = e.mode === 'multi' ? this.o.drafts : undefined;
        await api.refine(plan.id, { feedback: e.feedback, mode: e.mode, ...(drafts ? { drafts } : {}) });
        return this.changed(plan.id, plan.revision);
      }
      case 'review': {
        const plan = this.plan();
        const where = e.scope.scope === 'all' ? 'the whole plan' : `${e.scope.scope} ${e.scope.targetId}`;
        this.busy(`reviewing ${where}: ${reviewTypeName(e.reviewType)}`, true);
        const set = await api.review(plan.id, e.reviewType, e.scope);
        dispatch({ type: 'plan_ready', plan: await api.getPlan(plan.id) });
        if (set.suggestions.length === 0) {
          dispatch({ type: 'notice', message: 'the review has no suggestions' });
          return;
        }
        dispatch({ type: 'overlay', overlay: { kind: 'suggestions', set, cursor: 0, picked: [] } });
        return;
      }
      case 'apply': {
        const plan = this.plan();
        this.busy(`applying ${e.ids.join(', ')}`);
        await api.apply(plan.id, e.set.setId, e.ids);
        return this.changed(plan.id, plan.revision);
      }
      case 'finalize': {
        const plan = this.plan();
        this.busy(`finalizing revision ${plan.revision}`);
        await api.finalize(plan.id);
        return this.show(await api.getPlan(plan.id));
      }
      case 'execute': {
        const plan = this.plan();
        const body: ExecuteBody & { options?: { agent?: { type: string } } } = {};
        if (e.chunks) body.chunks = e.chunks;
        if (this.o.agent) body.options = { agent: { type: this.o.agent } };
        this.busy(`starting a session${e.chunks ? ` of ${e.chunks}` : ''}`);
        const started = await this.client.execute(plan.id, body);
        dispatch({
          type: 'notice',
          message: `started session ${started.sessionId} (revision ${started.revision})`,
        });
        this.lastProgress = '';
        await this.refresh(plan.id);
        return;
      }
      case 'control': {
        const plan = this.plan();
        await this.client.control(plan.id, e.verb);
        const said = {
          pause: 'pausing once the running turns finish',
          stop: 'stopping at the next boundary (resumable)',
          cancel: 'cancelling the session',
        };
        dispatch({ type: 'notice', message: said[e.verb] });
        return this.refresh(plan.id);
      }
      case 'resume': {
        const planId = e.planId ?? (await this.latestResumable());
        if (!planId) {
          dispatch({ type: 'failed', message: 'no plan has a paused or stopped session to resume' });
          return;
        }
        this.busy(`resuming plan ${planId}`);
        const answer = await this.client.resume(planId);
        if (this.o.getState().plan?.id !== planId) await this.show(await api.getPlan(planId));
        dispatch({
          type: 'notice',
          message:
            answer.action === 'resumed'
              ? `resumed session ${answer.sessionId}`
              : `started session ${answer.sessionId} from the stopped session's checkpoint`,
        });
        this.lastProgress = '';
        return this.refresh(planId);
      }
      case 'task': {
        const plan = this.plan();
        const answer = await this.client.taskAction(plan.id, e.taskId, e.verb, e.body);
        dispatch({ type: 'overlay', overlay: { kind: 'none' } });
        if (answer.accepted) dispatch({ type: 'notice', message: `${e.verb} ${e.taskId}: accepted` });
        else
          dispatch({
            type: 'failed',
            message: `${e.verb} ${e.taskId} rejected: ${answer.reason ?? 'no reason given'}`,
          });
        return this.refresh(plan.id);
      }
    }
  }

  /** A draft goes to the review modal; any other plan to the execution view, followed live. */
  private async show(plan: PlanDetail): Promise<void> {
    if (plan.status === 'draft') {
      this.close();
      this.o.dispatch({ type: 'plan_ready', plan });
      return;
    }
    this.o.dispatch({ type: 'plan_frozen', plan });
    this.follow(plan.id);
  }

  /** After a planning turn: the new revision, with what changed since `before`. */
  private async changed(planId: string, before: number): Promise<void> {
    const plan = await this.o.api.getPlan(planId);
    const diff = plan.revision !== before ? await this.o.api.diff(planId, before, plan.revision) : undefined;
    this.o.dispatch({ type: 'plan_ready', plan, diff });
  }

  private async plans() {
    const { plans } = await this.client.listPlans();
    // The latest resumable plan first (resume defaults to it), then the most recently updated.
    const rank = (status: string) => (status === 'paused' ? 0 : 1);
    return [...plans].sort(
      (a, b) => rank(a.status) - rank(b.status) || b.updatedAt.localeCompare(a.updatedAt),
    );
  }

  private async latestResumable(): Promise<string | undefined> {
    const { plans } = await this.client.listPlans({ status: 'paused' });
    return [...plans].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]?.id;
  }

  /**
   * Follows a plan's session: every event on the plan's stream (SSE) is a reason to re-read the
   * progress, and a slow poll is the safety net when the stream is down (as `chunkwise watch` does).
   */
  private follow(planId: string): void {
    this.close();
    const abort = new AbortController();
    this.following = abort;
    const source = apiSource(this.client, planId);
    let reading = false;
    let again = false;
    const read = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          await this.refresh(planId).catch(() => undefined);
        } while (again && !abort.signal.aborted);
      } finally {
        reading = false;
      }
    };
    void (async () => {
      while (!abort.signal.aborted) {
        await source
          .stream?.((event) => {
            if (event.event === 'QaGateResult') this.qaResult(event.data);
            void read();
          }, abort.signal)
          .catch(() => undefined);
        if (!abort.signal.aborted) await sleep(2_000);
      }
    })();
    const timer = setInterval(() => void read(), this.o.pollMs ?? 1_000);
    abort.signal.addEventListener('abort', () => clearInterval(timer));
    void read();
  }

  private qaResult(frame: string): void {
    try {
      const { data } = JSON.parse(frame) as { data: QaResult };
      const { taskId, gate, passed, exitCode, durationMs } = data;
      this.o.dispatch({ type: 'qa', result: { taskId, gate, passed, exitCode, durationMs } });
    } catch {
      // not the frame this version knows: the progress still shows the outcome
    }
  }

  /** Reads the live progress (or, with no live session, the plan's state) and dispatches it if it changed. */
  private async refresh(planId: string): Promise<void> {
    const answer = await this.client.progress(planId);
    if (isLive(answer)) {
      const key = JSON.stringify({ ...answer, elapsedMs: Math.floor(answer.elapsedMs / 1000) });
      if (key === this.lastProgress) return;
      this.lastProgress = key;
      this.o.dispatch({ type: 'progress', progress: answer });
      return;
    }
    const plan = await this.o.api.getPlan(planId);
    const key = JSON.stringify({ status: plan.status, stream: plan.streamRevision });
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.o.dispatch({ type: 'progress', progress: null, plan });
  }
}

function executeHintOf(err: unknown, s: TuiState): unknown {
  return s.plan ? executeHint(err, s.plan.id) : err;
}

function refineLabel(mode: RefineMode, drafts: number | undefined): string {
  return mode === 'multi'
    ? `continue planning: ${drafts ? `${drafts} ` : ''}drafts in parallel, then a judge`
    : 'quick edit: one direct edit';
}
