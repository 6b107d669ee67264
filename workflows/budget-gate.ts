/**
 * The budget gate (docs/cost.md): before each turn, what is spent plus the expected cost of the turns
 * in flight and of the next one is checked against the plan's and the session's budgets
 * (`turnBudgetCrossed`, pure, in the domain). When it would cross one, the session pauses with reason
 * `budget_exceeded` before the turn starts: a turn is never cut short for money.
 *
 * The budget the session carries is read again from the event store (the `readBudget` local activity)
 * before pausing and after every such pause, so raising the budget (PUT /plans/:id/budget) and
 * resuming continues where it stopped. In a parallel chunk the task that hits the gate first waits for
 * the turns in flight, then pauses once for all.
 *
 * Replay: sessions started before budgets carry no budget and never reach a command here; the rest is
 * behind the BUDGET_GATE_PATCH marker, so a history recorded without the gate replays without it.
 */
import { condition, patched, proxyLocalActivities } from '@temporalio/workflow';
import { turnBudgetCrossed, describeBudgetExceeded, type SessionBudget } from '@chunkwise/domain';
import type { SessionActivities } from '@chunkwise/contracts';
import { pauseHere } from './pausing';
import type { SessionRunner } from './session-runner';

export const BUDGET_GATE_PATCH = 'budget-gate-before-turns';

interface GateState {
  /** The budget as last read (null: as the session started). */
  budget: SessionBudget | null;
  /** Tasks waiting at the gate (parallel chunks). */
  waiting: number;
  /** The budget pause in progress, which every waiting task joins. */
  pausing: Promise<void> | null;
}

const gates = new WeakMap<SessionRunner, GateState>();

function gateOf(r: SessionRunner): GateState {
  let g = gates.get(r);
  if (!g) gates.set(r, (g = { budget: null, waiting: 0, pausing: null }));
  return g;
}

const reader = (r: SessionRunner) =>
  proxyLocalActivities<SessionActivities>({
    startToCloseTimeout: r.timeouts.shortMs,
    localRetryThreshold: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });

async function refresh(r: SessionRunner, g: GateState, started: SessionBudget): Promise<SessionBudget> {
  const reading = await reader(r).readBudget({ planId: r.state.planId, sessionId: r.state.sessionId });
  g.budget = { ...started, ...reading };
  return g.budget;
}

/** Waits until the next turn fits the budget; `what` names the turn for the pause's detail. */
export async function budgetGate(r: SessionRunner, what: string): Promise<void> {
  const started = r.state.budget;
  if (!started || !patched(BUDGET_GATE_PATCH)) return;
  const g = gateOf(r);
  // Turns in flight besides this task: tasks running minus those waiting here (this one included).
  const inFlight = () => Math.max(0, r.runningTasks - g.waiting - 1);
  for (;;) {
    if (g.pausing) {
      await g.pausing;
      continue;
    }
    if (!turnBudgetCrossed(r.state, g.budget ?? started, inFlight())) return;
    // What the session knows blocks: the budget may have been raised since it was read.
    if (!turnBudgetCrossed(r.state, await refresh(r, g, started), inFlight())) return;
    // Let the turns in flight end first (their cost counts), then pause once for everyone.
    g.waiting++;
    try {
      await condition(() => g.pausing !== null || r.runningTasks <= g.waiting);
    } finally {
      g.waiting--;
    }
    if (g.pausing) continue;
    const crossed = turnBudgetCrossed(r.state, g.budget ?? started, 0);
    if (!crossed) return;
    g.pausing = pauseHere(r, 'budget_exceeded', describeBudgetExceeded(crossed, what), () => false);
    try {
      await g.pausing;
    } finally {
      g.pausing = null;
    }
    await refresh(r, g, started);
  }
}
