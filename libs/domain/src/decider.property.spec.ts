import fc from 'fast-check';
import type { PlanCommand } from './commands';
import { decide, evolve, fold, initialState } from './decider';
import { DomainError } from './errors';
import type { PlanEvent } from './events';
import type { PlanState } from './state';
import { validatePlan } from './validation';

const ids = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'];
const keys = ['C1', 'C2', 'C3', 'C4'];
const id = fc.constantFrom(...ids);
const key = fc.constantFrom(...keys);

const command: fc.Arbitrary<PlanCommand> = fc.oneof(
  fc.record({
    type: fc.constant('AddChunk' as const),
    chunk: fc.record({ key, title: fc.constant('c') }),
    index: fc.option(fc.nat(4), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('RemoveChunk' as const), key }),
  fc.record({ type: fc.constant('ReorderChunks' as const), order: fc.shuffledSubarray(keys) }),
  fc.record({
    type: fc.constant('UpdateChunk' as const),
    key,
    changes: fc.record({ title: fc.constantFrom('a', 'b'), pauseAfter: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('SetChunkExecution' as const),
    key,
    executionMode: fc.constantFrom('sequential' as const, 'parallel' as const, 'manual' as const),
  }),
  fc.record({
    type: fc.constant('AddTask' as const),
    task: fc.record({
      id,
      chunk: key,
      title: fc.constant('t'),
      dependsOn: fc.uniqueArray(id, { maxLength: 3 }),
    }),
    beforeTaskId: fc.option(id, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('UpdateTask' as const),
    taskId: id,
    changes: fc.record({ title: fc.constantFrom('x', 'y') }),
  }),
  fc.record({ type: fc.constant('RemoveTask' as const), taskId: id }),
  fc.record({
    type: fc.constant('MoveTask' as const),
    taskId: id,
    toChunk: key,
    beforeTaskId: fc.option(id, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('SetTaskDependencies' as const),
    taskId: id,
    dependsOn: fc.uniqueArray(id, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('RecordFeedback' as const), feedback: fc.constantFrom('more tests', ' ') }),
  fc.constant({ type: 'FinalizePlan' as const }),
  fc.constant({ type: 'ReopenPlan' as const }),
  fc.constant({ type: 'UpdatePlanDetails' as const, changes: { description: 'd' } }),
);

describe('plan decider properties', () => {
  it('random command sequences keep the invariants', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state: PlanState = initialState();
        const stored: PlanEvent[] = [];
        const create = decide({ type: 'CreatePlan', planId: 'p', document: { title: 'p' } }, state);
        stored.push(...create);
        state = create.reduce(evolve, state);

        for (const c of commands) {
          const before = state;
          let events: PlanEvent[];
          try {
            events = decide(c, state);
          } catch (e) {
            // Only domain refusals are allowed, and a refusal changes nothing.
            expect(e).toBeInstanceOf(DomainError);
            expect(state).toBe(before);
            continue;
          }
          stored.push(...events);
          state = events.reduce(evolve, state);

          // Every stored state is structurally valid.
          expect(validatePlan(state.content)).toEqual([]);
          // Revisions never go backwards; content changes move them by exactly one.
          expect(state.revision).toBeGreaterThanOrEqual(before.revision);
          expect(state.revision - before.revision).toBeLessThanOrEqual(1);
          // A finalized plan always validates, including the non-empty rule, and its content is frozen.
          if (state.status === 'ready') {
            expect(validatePlan(state.content, { requireTasks: true })).toEqual([]);
            expect(state.finalizedRevision).toBe(state.revision);
            if (before.status === 'ready') expect(state.content).toBe(before.content);
          }
        }
        // Folding the stored events always gives the decider's state.
        expect(fold(stored)).toEqual(state);
        // Folding a serialised copy (as an event store returns it) gives the same state.
        expect(fold(JSON.parse(JSON.stringify(stored)))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});
