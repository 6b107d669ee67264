import { reviewTypeSchema, type ReviewType, type SessionProgress } from '@chunkwise/domain';
import type { ControlVerb, TaskVerb } from '../api-client';
import type { RefineMode, SuggestionSet } from '../plan-api';
import { selectedChunks } from './chunk-selection';
import { planTasks, REVIEW_ACTIONS, type Action, type ReviewScope, type TuiState } from './state';

/**
 * Every key of the terminal UI, in one place: what a key does in the current state (a reducer action
 * or an effect for the controller), and the help line that lists the keys. Pure, so it is tested
 * without a terminal.
 */

/** The keys Ink reports (a subset of its Key). */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  shift?: boolean;
}

/** What the controller does for the UI: the API calls. */
export type Effect =
  | { type: 'generate'; description: string }
  | { type: 'open'; planId: string }
  | { type: 'refine'; mode: RefineMode; feedback: string }
  | { type: 'review'; reviewType: ReviewType; scope: ReviewScope }
  | { type: 'apply'; set: SuggestionSet; ids: string[] }
  | { type: 'finalize' }
  | { type: 'execute'; chunks: string }
  | { type: 'control'; verb: ControlVerb }
  | { type: 'resume'; planId?: string }
  | { type: 'task'; verb: TaskVerb; taskId: string; body: Record<string, unknown> }
  | { type: 'quit' };

export type KeyResult = { action?: Action; effect?: Effect } | null;

export const REVIEW_TYPES: readonly ReviewType[] = reviewTypeSchema.options;

/** The scopes a review can take from where the task cursor is: the whole plan, its chunk, its task. */
export function reviewScopes(s: TuiState): ReviewScope[] {
  const task = planTasks(s.plan)[s.cursor];
  const scopes: ReviewScope[] = [{ scope: 'all' }];
  if (task) scopes.push({ scope: 'chunk', targetId: task.chunk }, { scope: 'task', targetId: task.id });
  return scopes;
}

/** A session's task that waits for the user: a failed one, or the next of a manual chunk. */
export function waitingTask(p: SessionProgress | null): { id: string; why: 'failed' | 'approval' } | null {
  if (!p || p.status !== 'paused') return null;
  if (p.pauseReason === 'task_failed' || p.pauseReason === 'chunk_failed') {
    const t = p.tasks.find((x) => x.status === 'failed' && !x.outOfScope);
    return t ? { id: t.id, why: 'failed' } : null;
  }
  if (p.pauseReason === 'approval') {
    const t = p.tasks.find((x) => x.chunk === p.currentChunk && x.status === 'pending' && !x.outOfScope);
    return t ? { id: t.id, why: 'approval' } : null;
  }
  return null;
}

/** Whether a session is live (not ended): the execute key starts one only when none is. */
const sessionLive = (p: SessionProgress | null) =>
  p !== null && (p.status === 'running' || p.status === 'paused');

/** Printable input (no control characters: those are keys, not text). */
const isText = (input: string, key: KeyInfo) =>
  input.length > 0 &&
  !key.ctrl &&
  !key.return &&
  !key.escape &&
  !key.tab &&
  [...input].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f);

/** Edits a one-line text field: printable input appends, backspace deletes. null: not an edit key. */
function editText(text: string, input: string, key: KeyInfo): string | null {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (isText(input, key)) return text + input;
  return null;
}

const descriptionOf = (s: TuiState, taskId: string) =>
  planTasks(s.plan).find((t) => t.id === taskId)?.description ?? '';

export function handleKey(s: TuiState, input: string, key: KeyInfo): KeyResult {
  if (s.busy) return null; // the model (or the API) works: keys wait, Ctrl-C still quits
  const o = s.overlay;
  const close: KeyResult = { action: { type: 'overlay', overlay: { kind: 'none' } } };

  // Dialogs first: they own the keys while open.
  switch (o.kind) {
    case 'describe':
    case 'feedback':
    case 'edit_task':
    case 'selection': {
      if (key.escape) return close;
      if (key.return) {
        const text = o.text.trim();
        if (o.kind === 'selection') return { action: { type: 'selection', text } };
        if (!text) return null;
        if (o.kind === 'describe') return { effect: { type: 'generate', description: text } };
        if (o.kind === 'feedback') return { effect: { type: 'refine', mode: o.mode, feedback: text } };
        const body: Record<string, unknown> =
          o.verb === 'edit'
            ? { description: text }
            : o.verb === 'approve'
              ? { action: 'execute', edit: { description: text } }
              : { edit: { description: text } };
        return { effect: { type: 'task', verb: o.verb, taskId: o.taskId, body } };
      }
      const text = editText(o.text, input, key);
      return text === null ? null : { action: { type: 'text', text } };
    }
    case 'task':
      return key.escape || key.return || input === 'q' ? close : null;
    case 'review_type': {
      if (key.escape) return close;
      if (key.upArrow || key.downArrow) return { action: { type: 'move', delta: key.upArrow ? -1 : 1 } };
      const n = Number(input);
      const index = key.return ? o.cursor : n >= 1 && n <= REVIEW_TYPES.length ? n - 1 : -1;
      const type = REVIEW_TYPES[Math.min(index, REVIEW_TYPES.length - 1)];
      if (index < 0 || !type) return null;
      return { action: { type: 'overlay', overlay: { kind: 'review_scope', type, cursor: 0 } } };
    }
    case 'review_scope': {
      if (key.escape) return close;
      if (key.upArrow || key.downArrow) return { action: { type: 'move', delta: key.upArrow ? -1 : 1 } };
      if (!key.return) return null;
      const scopes = reviewScopes(s);
      const scope = scopes[Math.min(o.cursor, scopes.length - 1)];
      return { effect: { type: 'review', reviewType: o.type, scope } };
    }
    case 'suggestions': {
      if (key.escape) return close;
      if (key.upArrow || key.downArrow) return { action: { type: 'move', delta: key.upArrow ? -1 : 1 } };
      const open = o.set.suggestions.filter((x) => !o.set.applied.includes(x.id)).map((x) => x.id);
      if (input === ' ') {
        const id = o.set.suggestions[o.cursor]?.id;
        if (!id || !open.includes(id)) return null;
        const picked = o.picked.includes(id) ? o.picked.filter((x) => x !== id) : [...o.picked, id];
        return { action: { type: 'overlay', overlay: { ...o, picked } } };
      }
      if (input === 'a') return { action: { type: 'overlay', overlay: { ...o, picked: open } } };
      if (key.return) {
        if (o.picked.length === 0)
          return {
            action: { type: 'notice', message: 'nothing picked: space picks a suggestion, a picks all' },
          };
        return { effect: { type: 'apply', set: o.set, ids: o.picked } };
      }
      return null;
    }
    case 'none':
      break;
  }

  const move = key.upArrow ? -1 : key.downArrow ? 1 : 0;
  switch (s.mode) {
    case 'normal': {
      if (move) return { action: { type: 'move', delta: move } };
      if (input === 'n') return { action: { type: 'overlay', overlay: { kind: 'describe', text: '' } } };
      if (key.return && s.plans[s.cursor]) return { effect: { type: 'open', planId: s.plans[s.cursor].id } };
      if (input === 'r') return { effect: { type: 'resume' } };
      if (input === 'q' || key.escape) return { effect: { type: 'quit' } };
      return null;
    }
    case 'planning_active':
      return null;
    case 'plan_review_ready':
      return reviewKey(s, input, key, move);
    case 'execution_active':
    case 'execution_resumable':
      return executionKey(s, input, key, move);
  }
}

function runReviewAction(s: TuiState, action: (typeof REVIEW_ACTIONS)[number]): KeyResult {
  switch (action) {
    case 'continue':
      return { action: { type: 'overlay', overlay: { kind: 'feedback', mode: 'multi', text: '' } } };
    case 'quick':
      return { action: { type: 'overlay', overlay: { kind: 'feedback', mode: 'single', text: '' } } };
    case 'review':
      return { action: { type: 'overlay', overlay: { kind: 'review_type', cursor: 0 } } };
    case 'finalize':
      return { effect: { type: 'finalize' } };
    case 'cancel':
      return {
        action: {
          type: 'home',
          notice: s.plan ? `plan ${s.plan.id} stays a draft at revision ${s.plan.revision}` : undefined,
        },
      };
  }
}

const HOTKEYS: Record<string, (typeof REVIEW_ACTIONS)[number]> = {
  c: 'continue',
  q: 'quick',
  r: 'review',
  f: 'finalize',
  x: 'cancel',
};

function reviewKey(s: TuiState, input: string, key: KeyInfo, move: number): KeyResult {
  if (HOTKEYS[input]) return runReviewAction(s, HOTKEYS[input]);
  if (key.escape) return runReviewAction(s, 'cancel');
  if (key.tab) return { action: { type: 'focus', focus: s.focus === 'tasks' ? 'actions' : 'tasks' } };
  if (s.focus === 'actions') {
    if (key.leftArrow || key.rightArrow || move)
      return { action: { type: 'next_action', delta: key.leftArrow || move < 0 ? -1 : 1 } };
    if (key.return) return runReviewAction(s, REVIEW_ACTIONS[s.action]);
    return null;
  }
  if (move) return { action: { type: 'move', delta: move } };
  if (key.leftArrow || key.rightArrow)
    return { action: { type: 'next_action', delta: key.leftArrow ? -1 : 1 } };
  if (key.return) {
    const task = planTasks(s.plan)[s.cursor];
    return task ? { action: { type: 'overlay', overlay: { kind: 'task', taskId: task.id } } } : null;
  }
  return null;
}

function executionKey(s: TuiState, input: string, key: KeyInfo, move: number): KeyResult {
  const p = s.progress;
  if (move) return { action: { type: 'move', delta: move } };
  if (key.return || input === ' ') return { action: { type: 'pick_chunk' } };
  if (key.backspace || key.delete) return { action: { type: 'selection', text: '' } };
  if (input === 'i')
    return { action: { type: 'overlay', overlay: { kind: 'selection', text: s.selection } } };
  if (input === 'q' || key.escape) return { effect: { type: 'quit' } };
  if (input === 'x') {
    if (sessionLive(p))
      return { action: { type: 'failed', message: 'a session is live: pause, stop or cancel it first' } };
    const chunks = selectedChunks(s.plan?.chunks ?? [], s.selection);
    if ('error' in chunks) return { action: { type: 'failed', message: chunks.error } };
    return { effect: { type: 'execute', chunks: s.selection.trim() } };
  }
  if (input === 'p') return { effect: { type: 'control', verb: 'pause' } };
  if (input === 's') return { effect: { type: 'control', verb: 'stop' } };
  if (input === 'X') return { effect: { type: 'control', verb: 'cancel' } };
  if (input === 'r') return { effect: { type: 'resume', planId: s.plan?.id } };
  const waiting = waitingTask(p);
  if (!waiting) return null;
  const edit = (verb: 'retry' | 'approve' | 'edit') => ({
    action: {
      type: 'overlay' as const,
      overlay: { kind: 'edit_task' as const, taskId: waiting.id, verb, text: descriptionOf(s, waiting.id) },
    },
  });
  if (waiting.why === 'failed') {
    if (input === 't') return { effect: { type: 'task', verb: 'retry', taskId: waiting.id, body: {} } };
    if (input === 'e') return edit('retry');
    if (input === 'k') return { effect: { type: 'task', verb: 'skip', taskId: waiting.id, body: {} } };
    if (input === 'm') return { effect: { type: 'task', verb: 'complete', taskId: waiting.id, body: {} } };
  } else {
    if (input === 'a')
      return { effect: { type: 'task', verb: 'approve', taskId: waiting.id, body: { action: 'execute' } } };
    if (input === 'k')
      return { effect: { type: 'task', verb: 'approve', taskId: waiting.id, body: { action: 'skip' } } };
    if (input === 'e') return edit('approve');
  }
  return null;
}

/** The help line: the keys that do something now. */
export function helpLine(s: TuiState): string {
  if (s.busy) return 'working… · Ctrl-C quit';
  switch (s.overlay.kind) {
    case 'describe':
    case 'feedback':
    case 'edit_task':
    case 'selection':
      return 'type · Enter submit · Backspace delete · Esc back';
    case 'task':
      return 'Enter/Esc close';
    case 'review_type':
      return '↑↓ or 1-4 choose a review type · Enter next · Esc back';
    case 'review_scope':
      return '↑↓ choose the scope · Enter review · Esc back';
    case 'suggestions':
      return '↑↓ move · Space pick · a pick all · Enter apply · Esc back';
    case 'none':
      break;
  }
  switch (s.mode) {
    case 'normal':
      return '↑↓ move · Enter open · n new plan · r resume latest · q quit';
    case 'planning_active':
      return 'the model is working · Ctrl-C quit';
    case 'plan_review_ready':
      // The action bar names each action's key; this line stays within 80 columns.
      return '↑↓ tasks · Enter details · Tab/←→ actions · c q r f x: the actions below';
    default: {
      const keys = ['↑↓ chunks', 'Enter pick (twice: range)', 'i type', 'x execute'];
      keys.push('p pause', 's stop', 'r resume', 'X cancel');
      const waiting = waitingTask(s.progress);
      if (waiting?.why === 'failed') keys.push('t retry', 'e edit+retry', 'k skip', 'm mark complete');
      if (waiting?.why === 'approval') keys.push('a approve', 'k skip', 'e edit+approve');
      keys.push('q quit');
      return keys.join(' · ');
    }
  }
}
