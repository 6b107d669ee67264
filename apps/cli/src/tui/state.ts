import type { PlanDiff, ReviewType, SessionProgress } from '@chunkwise/domain';
import type { PlanDetail, PlanSummary } from '../api-client';
import type { RefineMode, ReviewScope, SuggestionSet } from '../plan-api';
import { pickChunk } from './chunk-selection';

/**
 * The terminal UI's state and its one reducer: pure, no Ink, no I/O (the controller does the API
 * calls and dispatches what they answer). The modes are the planning state machine of seed 004:
 *
 *   normal → planning_active → plan_review_ready → (continue planning | quick edit → planning_active)
 *          | finalize → execution_active ⇄ execution_resumable (stop or pause → resume)
 */
export type Mode =
  'normal' | 'planning_active' | 'plan_review_ready' | 'execution_active' | 'execution_resumable';

/** The review modal's actions, in the order shown (Continue planning is the default). */
export const REVIEW_ACTIONS = ['continue', 'quick', 'review', 'finalize', 'cancel'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export type { ReviewScope };

/** A dialog over the current screen (text fields, pickers, details). */
export type Overlay =
  | { kind: 'none' }
  | { kind: 'describe'; text: string }
  | { kind: 'feedback'; mode: RefineMode; text: string }
  | { kind: 'task'; taskId: string }
  | { kind: 'review_type'; cursor: number }
  | { kind: 'review_scope'; type: ReviewType; cursor: number }
  | { kind: 'suggestions'; set: SuggestionSet; cursor: number; picked: string[] }
  /** Edit a task's description, then `verb` it (retry a failed task, approve a manual one, edit a pending one). */
  | { kind: 'edit_task'; taskId: string; verb: 'retry' | 'approve' | 'edit'; text: string }
  /** Typing a chunk selection (C03, C02-C04) by hand. */
  | { kind: 'selection'; text: string };

/** What changed in the last planning turn, highlighted in the modal. */
export interface Changes {
  from: number;
  to: number;
  tasks: string[];
  chunks: string[];
  removed: string[];
}

export interface QaResult {
  taskId: string | null;
  gate: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
}

/** How many QA results the live view keeps. */
const QA_SHOWN = 4;

export interface TuiState {
  mode: Mode;
  /** normal: the plans to open, the latest resumable first. */
  plans: PlanSummary[];
  plan: PlanDetail | null;
  changes: Changes | null;
  /** The task browser's cursor (review) or the chunk browser's (execution), and the plan list's (normal). */
  cursor: number;
  /** The focused review action (index in REVIEW_ACTIONS). */
  action: number;
  /** In the review modal: the task browser or the action bar has the keys. */
  focus: 'tasks' | 'actions';
  overlay: Overlay;
  busy: { label: string; since: number } | null;
  error: string | null;
  notice: string | null;
  progress: SessionProgress | null;
  /** The chunk browser's selection input, and the first pick of a range. */
  selection: string;
  anchor: string | null;
  /** The last QA gate results of the session (from the live event stream), newest last. */
  qa: QaResult[];
  /** Set when the UI should end (cancel from normal, q). */
  quit: boolean;
}

export const initialState: TuiState = {
  mode: 'normal',
  plans: [],
  plan: null,
  changes: null,
  cursor: 0,
  action: 0,
  focus: 'tasks',
  overlay: { kind: 'none' },
  busy: null,
  error: null,
  notice: null,
  progress: null,
  selection: '',
  anchor: null,
  qa: [],
  quit: false,
};

export type Action =
  | { type: 'plans_loaded'; plans: PlanSummary[] }
  /** Waiting for the API; `planning`: an LLM planning turn (the machine's planning-active state). */
  | { type: 'busy'; label: string; now: number; planning?: boolean }
  | { type: 'failed'; message: string }
  | { type: 'notice'; message: string | null }
  /** A plan to review (a draft): after generate, a refine, an apply, or opened. */
  | { type: 'plan_ready'; plan: PlanDetail; diff?: { from: number; to: number; diff: PlanDiff } }
  /** A finalized (or executed) plan: the execution view. */
  | { type: 'plan_frozen'; plan: PlanDetail }
  | { type: 'progress'; progress: SessionProgress | null; plan?: PlanDetail }
  | { type: 'qa'; result: QaResult }
  | { type: 'move'; delta: number }
  | { type: 'next_action'; delta: number }
  | { type: 'focus'; focus: 'tasks' | 'actions' }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'text'; text: string }
  | { type: 'pick_chunk' }
  | { type: 'selection'; text: string }
  /** Back to the plan list (cancel in the review: the draft stays). */
  | { type: 'home'; notice?: string }
  | { type: 'quit' };

/** Every task of the plan in browser order (chunk by chunk). */
export function planTasks(plan: PlanDetail | null) {
  return plan ? plan.chunks.flatMap((c) => c.tasks) : [];
}

/** The mode of a plan's execution view: resumable when its session is paused or stopped. */
export function executionMode(plan: PlanDetail, progress: SessionProgress | null): Mode {
  const status = progress?.status ?? plan.status;
  return status === 'paused' || status === 'stopped' ? 'execution_resumable' : 'execution_active';
}

function changesOf(answer: { from: number; to: number; diff: PlanDiff }): Changes {
  const { diff } = answer;
  return {
    from: answer.from,
    to: answer.to,
    tasks: [...diff.tasks.added.map((t) => t.id), ...diff.tasks.changed.map((t) => t.id)],
    chunks: [...diff.chunks.added.map((c) => c.key), ...diff.chunks.changed.map((c) => c.key)],
    removed: [...diff.tasks.removed.map((t) => t.id), ...diff.chunks.removed.map((c) => c.key)],
  };
}

const clamp = (n: number, length: number) => (length <= 0 ? 0 : Math.max(0, Math.min(length - 1, n)));

/** How many rows the cursor moves over in the current view. */
function cursorLength(s: TuiState): number {
  if (s.mode === 'normal') return s.plans.length;
  if (s.mode === 'plan_review_ready' || s.mode === 'planning_active') return planTasks(s.plan).length;
  return s.plan?.chunks.length ?? 0;
}

export function reducer(s: TuiState, a: Action): TuiState {
  switch (a.type) {
    case 'plans_loaded':
      return { ...s, plans: a.plans, busy: null, cursor: clamp(s.cursor, a.plans.length) };
    case 'busy':
      return {
        ...s,
        busy: { label: a.label, since: a.now },
        error: null,
        notice: null,
        overlay: { kind: 'none' },
        // A planning turn: the model works; the modal comes back with its answer.
        mode: a.planning ? 'planning_active' : s.mode,
      };
    case 'failed':
      // Errors are shown in place; a failed planning turn goes back to the review it started from.
      return {
        ...s,
        busy: null,
        error: a.message,
        mode: s.mode === 'planning_active' ? (s.plan ? 'plan_review_ready' : 'normal') : s.mode,
      };
    case 'notice':
      return { ...s, notice: a.message };
    case 'plan_ready': {
      const changes = a.diff ? changesOf(a.diff) : null;
      const tasks = planTasks(a.plan);
      // The cursor goes to the first changed task, so what changed is in view.
      const firstChanged = changes ? tasks.findIndex((t) => changes.tasks.includes(t.id)) : -1;
      return {
        ...s,
        mode: 'plan_review_ready',
        plan: a.plan,
        changes,
        busy: null,
        error: null,
        overlay: { kind: 'none' },
        action: 0,
        focus: 'tasks',
        cursor: firstChanged >= 0 ? firstChanged : clamp(s.mode === 'normal' ? 0 : s.cursor, tasks.length),
      };
    }
    case 'plan_frozen': {
      const current = a.plan.chunks.findIndex((c) => c.stats.progress < 1);
      return {
        ...s,
        mode: executionMode(a.plan, null),
        plan: a.plan,
        changes: null,
        busy: null,
        overlay: { kind: 'none' },
        cursor: Math.max(0, current),
      };
    }
    case 'progress': {
      const plan = a.plan ?? s.plan;
      if (!plan) return s;
      return { ...s, plan, progress: a.progress, mode: executionMode(plan, a.progress), busy: null };
    }
    case 'qa':
      return { ...s, qa: [...s.qa, a.result].slice(-QA_SHOWN) };
    case 'move': {
      if (s.overlay.kind === 'review_type' || s.overlay.kind === 'review_scope') {
        return { ...s, overlay: { ...s.overlay, cursor: Math.max(0, s.overlay.cursor + a.delta) } };
      }
      if (s.overlay.kind === 'suggestions') {
        const cursor = clamp(s.overlay.cursor + a.delta, s.overlay.set.suggestions.length);
        return { ...s, overlay: { ...s.overlay, cursor } };
      }
      return { ...s, cursor: clamp(s.cursor + a.delta, cursorLength(s)) };
    }
    case 'next_action':
      return {
        ...s,
        action: (s.action + a.delta + REVIEW_ACTIONS.length) % REVIEW_ACTIONS.length,
      };
    case 'focus':
      return { ...s, focus: a.focus };
    case 'overlay':
      return { ...s, overlay: a.overlay, error: a.overlay.kind === 'none' ? s.error : null };
    case 'text': {
      const o = s.overlay;
      if (o.kind === 'describe' || o.kind === 'feedback' || o.kind === 'edit_task' || o.kind === 'selection')
        return { ...s, overlay: { ...o, text: a.text } };
      return s;
    }
    case 'pick_chunk': {
      const order = s.plan?.chunks.map((c) => c.key) ?? [];
      const key = order[s.cursor];
      if (!key) return s;
      const next = pickChunk(order, { selection: s.selection, anchor: s.anchor }, key);
      return { ...s, ...next };
    }
    case 'selection':
      return {
        ...s,
        selection: a.text,
        anchor: null,
        overlay: s.overlay.kind === 'selection' ? { kind: 'none' } : s.overlay,
      };
    case 'home':
      return {
        ...initialState,
        plans: s.plans,
        notice: a.notice ?? null,
      };
    case 'quit':
      return { ...s, quit: true };
  }
}
