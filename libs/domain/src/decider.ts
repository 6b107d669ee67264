import type { PlanCommand } from './commands';
import { parsePlanDocument } from './document';
import { DomainError, ValidationError } from './errors';
import type { PlanEvent } from './events';
import type { ExecutionEvent } from './execution-events';
import { evolvePlanExecution, isExecutionEvent, storedEventTime } from './plan-execution';
import { evolveRollback, trackSessionCommits } from './rollback';
import { isRollbackEvent, type RollbackEvent } from './rollback-events';
import { chunkChangesSchema, taskIdSchema, type Chunk, type PlanContent, type Task } from './schemas';
import { initialState, type PlanState } from './state';
import { validatePlan } from './validation';
import { evolveSchedule, isScheduleEvent } from './schedules';
import { zodIssues } from './document';
import { addCall, llmCallSchema } from './planning';
import { addSpend, applyBudgetChange, budgetChangeSchema, noSpend, turnSpend } from './budget';
import { applySuggestions, suggestionConflict, suggestionListSchema } from './suggestions';

export { initialState };

/**
 * The plan decider (decide / evolve / initialState). `decide` is pure: it validates a command
 * against the current state and returns the events to append, or throws a DomainError. Every
 * content command is checked by applying its events and validating the result, so a stored plan
 * is always structurally valid.
 *
 * `decide` = `decidePlanCommand` (what happens) + `checkPlanInvariants` on the evolved state (is it
 * allowed). The write path calls the two apart, so that it evolves the new events only once.
 */
export function decide(command: PlanCommand, state: PlanState): PlanEvent[] {
  const events = decidePlanCommand(command, state);
  if (events.length > 0) checkPlanInvariants(command, events.reduce(evolve, state));
  return events;
}

/** Content changes must leave a structurally valid plan; other commands have no invariant to check here. */
export function checkPlanInvariants(command: { type: string }, next: PlanState): void {
  if (!CONTENT_CHANGES.has(command.type)) return;
  const issues = validatePlan(next.content);
  if (issues.length > 0) throw new ValidationError(issues, `${command.type} would leave the plan invalid`);
}

const CONTENT_CHANGES: ReadonlySet<string> = new Set<PlanCommand['type']>([
  'UpdatePlanDetails',
  'ReplacePlanContent',
  'AddChunk',
  'UpdateChunk',
  'RemoveChunk',
  'ReorderChunks',
  'AddTask',
  'UpdateTask',
  'RemoveTask',
  'MoveTask',
  'SetTaskDependencies',
  'SetChunkExecution',
]);

/** The events a plan command produces, without the invariant check on the resulting state. */
export function decidePlanCommand(command: PlanCommand, state: PlanState): PlanEvent[] {
  if (command.type === 'CreatePlan') {
    if (state.exists) throw new DomainError('plan_already_exists', `plan ${command.planId} already exists`);
    const parsed = parsePlanDocument(command.document);
    if (!parsed.ok) throw new ValidationError(parsed.issues, 'invalid plan document');
    return [
      {
        type: 'PlanCreated',
        data: {
          revision: 1,
          planId: command.planId,
          content: parsed.content,
          source: command.source ?? { kind: 'api' },
        },
      },
      ...llmCallEvents(command.llmCalls, 1),
    ];
  }
  if (!state.exists) throw new DomainError('plan_not_found', 'plan does not exist');
  if (state.archived) throw new DomainError('plan_archived', `plan ${state.planId} is archived`);

  switch (command.type) {
    case 'RecordFeedback': {
      const feedback = command.feedback.trim();
      if (!feedback) throw new DomainError('invalid_command', 'feedback must not be empty');
      return [
        {
          type: 'FeedbackRecorded',
          data: { revision: state.revision, feedback, author: command.author ?? null },
        },
      ];
    }
    case 'FinalizePlan': {
      if (state.status !== 'draft') throw frozen(state, 'finalize');
      const issues = validatePlan(state.content, { requireTasks: true });
      if (issues.length > 0) throw new ValidationError(issues, 'plan cannot be finalized');
      return [{ type: 'PlanFinalized', data: { revision: state.revision } }];
    }
    case 'ReopenPlan': {
      if (state.status === 'draft' || state.status === 'running' || state.status === 'paused') {
        throw new DomainError(
          'invalid_transition',
          state.status === 'draft'
            ? `plan ${state.planId} is already a draft`
            : `plan ${state.planId} is ${state.status}; only a finalized plan that is not executing can be reopened`,
        );
      }
      return [
        { type: 'PlanReopened', data: { revision: state.revision + 1, reason: command.reason ?? null } },
      ];
    }
    case 'ArchivePlan': {
      if (state.status === 'running' || state.status === 'paused') {
        throw new DomainError(
          'invalid_transition',
          `plan ${state.planId} is ${state.status}; cancel its session first`,
        );
      }
      return [{ type: 'PlanArchived', data: { revision: state.revision } }];
    }
    case 'SetPlanBudget': {
      const change = schemaCheck(budgetChangeSchema, command.change, 'budget');
      return [
        {
          type: 'PlanBudgetSet',
          data: {
            revision: state.revision,
            budget: applyBudgetChange(state.budget, change),
            author: command.author ?? null,
          },
        },
      ];
    }
    case 'RefinePlan':
    case 'CreateSuggestionSet':
    case 'ApplySuggestions':
      return decidePlanning(command, state);
    default:
      return decideContentChange(command, state);
  }
}

function llmCallEvents(calls: unknown[] | undefined, revision: number): PlanEvent[] {
  return (calls ?? []).map((call) => ({
    type: 'LlmCallRecorded' as const,
    data: { revision, ...schemaCheck(llmCallSchema, call, 'llmCalls') },
  }));
}

/** LLM planning turns: each is checked like any content change, and carries its calls' usage in the same batch. */
function decidePlanning(
  command: Extract<PlanCommand, { type: 'RefinePlan' | 'CreateSuggestionSet' | 'ApplySuggestions' }>,
  state: PlanState,
): PlanEvent[] {
  if (state.status !== 'draft') throw frozen(state, 'plan further');
  switch (command.type) {
    case 'RefinePlan': {
      const feedback = command.feedback.trim();
      if (!feedback) throw new DomainError('invalid_command', 'feedback must not be empty');
      const parsed = parsePlanDocument(command.document);
      if (!parsed.ok) throw new ValidationError(parsed.issues, 'the refined plan is invalid');
      const revision = state.revision + 1;
      return [
        {
          type: 'PlanRefined',
          data: {
            revision,
            content: parsed.content,
            feedback,
            mode: command.mode,
            iteration: state.planningIterations + 1,
            drafts: command.drafts,
            rationale: command.rationale,
            model: command.model,
            author: command.author ?? null,
          },
        },
        ...llmCallEvents(command.llmCalls, revision),
      ];
    }
    case 'CreateSuggestionSet': {
      if (state.suggestionSets[command.setId])
        throw new DomainError('invalid_command', `suggestion set ${command.setId} already exists`);
      const suggestions = schemaCheck(suggestionListSchema, { suggestions: command.suggestions }, '');
      const ids = suggestions.suggestions.map((s) => s.id);
      if (new Set(ids).size !== ids.length)
        throw new DomainError('invalid_command', 'suggestion ids must be unique within a set');
      return [
        {
          type: 'SuggestionSetCreated',
          data: {
            revision: state.revision,
            setId: command.setId,
            reviewType: command.reviewType,
            scope: command.scope,
            targetId: command.targetId,
            suggestions: suggestions.suggestions,
            model: command.model,
          },
        },
        ...llmCallEvents(command.llmCalls, state.revision),
      ];
    }
    case 'ApplySuggestions': {
      const set = state.suggestionSets[command.setId];
      if (!set) {
        throw new DomainError(
          'suggestion_set_not_found',
          `suggestion set ${command.setId} not found in plan ${state.planId}`,
        );
      }
      const ids = [...new Set(command.ids)];
      if (ids.length === 0) throw new DomainError('invalid_command', 'choose at least one suggestion id');
      const unknown = ids.filter((id) => !set.suggestions.some((s) => s.id === id));
      if (unknown.length)
        throw new DomainError('invalid_command', `unknown suggestion ids: ${unknown.join(', ')}`);
      const again = ids.filter((id) => set.applied.includes(id));
      if (again.length)
        throw new DomainError('invalid_command', `suggestions already applied: ${again.join(', ')}`);
      // Keep the set's order: later suggestions may build on earlier ones.
      const chosen = set.suggestions.filter((s) => ids.includes(s.id));
      if (set.revision !== state.revision) {
        const conflicts = chosen
          .map((s) => [s.id, suggestionConflict(state.content, s)] as const)
          .filter(([, why]) => why !== null);
        if (conflicts.length) {
          throw new DomainError(
            'stale_suggestions',
            `suggestion set ${set.setId} was made against revision ${set.revision}, the plan is at ` +
              `${state.revision}, and some suggestions no longer apply: ` +
              conflicts.map(([id, why]) => `${id} (${why})`).join('; '),
          );
        }
      }
      const content = applySuggestions(state.content, chosen);
      return [
        {
          type: 'SuggestionsApplied',
          data: {
            revision: state.revision + 1,
            setId: set.setId,
            suggestionIds: chosen.map((s) => s.id),
            baseRevision: set.revision,
            content,
          },
        },
      ];
    }
  }
}

function frozen(state: PlanState, what: string) {
  return new DomainError(
    'plan_frozen',
    `plan ${state.planId} is ${state.status === 'ready' ? 'finalized' : state.status} at revision ${state.finalizedRevision ?? state.revision}; cannot ${what} (reopen it for more planning)`,
  );
}

function schemaCheck<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: any } },
  value: unknown,
  path: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(zodIssues(r.error, path), 'invalid command');
  return r.data;
}

function findTask(state: PlanState, taskId: string): Task {
  const task = state.content.tasks.find((t) => t.id === taskId);
  if (!task) throw new DomainError('task_not_found', `task ${taskId} not found in plan ${state.planId}`);
  return task;
}

function findChunk(state: PlanState, key: string): Chunk {
  const chunk = state.content.chunks.find((c) => c.key === key);
  if (!chunk) throw new DomainError('chunk_not_found', `chunk ${key} not found in plan ${state.planId}`);
  return chunk;
}

/** Index in the flat task list where a task lands in `chunk`: before `beforeTaskId`, else after the chunk's last task. */
function insertionIndex(tasks: readonly Task[], chunk: string, beforeTaskId?: string): number {
  if (beforeTaskId !== undefined) {
    const i = tasks.findIndex((t) => t.id === beforeTaskId);
    if (i < 0) throw new DomainError('task_not_found', `task ${beforeTaskId} not found`);
    if (tasks[i].chunk !== chunk) {
      throw new DomainError(
        'invalid_command',
        `task ${beforeTaskId} is in chunk ${tasks[i].chunk}, not ${chunk}`,
      );
    }
    return i;
  }
  let last = -1;
  tasks.forEach((t, i) => {
    if (t.chunk === chunk) last = i;
  });
  return last < 0 ? tasks.length : last + 1;
}

const changed = <T extends object>(current: T, changes: Partial<T>): Partial<T> => {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(changes) as Array<[keyof T, T[keyof T]]>) {
    if (v !== undefined && JSON.stringify(current[k]) !== JSON.stringify(v)) out[k] = v;
  }
  return out;
};

/**
 * Content changes. A command's fields are typed by the domain's schemas, and untrusted input is
 * parsed with those same schemas once, at the edge (the API's bodies extend them); here only
 * what they mean is checked: against the plan's state, and by validating the resulting plan.
 */
function decideContentChange(
  command: Exclude<
    PlanCommand,
    {
      type:
        | 'CreatePlan'
        | 'RecordFeedback'
        | 'FinalizePlan'
        | 'ReopenPlan'
        | 'ArchivePlan'
        | 'RefinePlan'
        | 'CreateSuggestionSet'
        | 'ApplySuggestions'
        | 'SetPlanBudget';
    }
  >,
  state: PlanState,
): PlanEvent[] {
  if (state.status !== 'draft') throw frozen(state, 'change its content');
  const revision = state.revision + 1;
  const { content } = state;
  let events: PlanEvent[];

  switch (command.type) {
    case 'UpdatePlanDetails': {
      const changes = changed(
        {
          title: content.title,
          description: content.description,
          repository: content.repository,
          execution: content.execution,
        },
        command.changes,
      );
      events = Object.keys(changes).length
        ? [{ type: 'PlanDetailsUpdated', data: { revision, changes } }]
        : [];
      break;
    }
    case 'ReplacePlanContent': {
      const parsed = parsePlanDocument(command.document);
      if (!parsed.ok) throw new ValidationError(parsed.issues, 'invalid plan document');
      events = [
        { type: 'PlanContentReplaced', data: { revision, content: parsed.content, reason: command.reason } },
      ];
      break;
    }
    case 'AddChunk': {
      const input = command.chunk;
      if (content.chunks.some((c) => c.key === input.key))
        throw new DomainError('chunk_exists', `chunk ${input.key} already exists`);
      const index = command.index ?? content.chunks.length;
      if (!Number.isInteger(index) || index < 0 || index > content.chunks.length) {
        throw new DomainError(
          'invalid_command',
          `chunk index ${index} is out of range 0..${content.chunks.length}`,
        );
      }
      const chunk: Chunk = {
        key: input.key,
        title: input.title ?? input.key,
        description: input.description ?? '',
        executionMode: input.executionMode ?? 'sequential',
        pauseAfter: input.pauseAfter ?? false,
      };
      events = [{ type: 'ChunkAdded', data: { revision, chunk, index } }];
      break;
    }
    case 'UpdateChunk': {
      const chunk = findChunk(state, command.key);
      const input = command.changes;
      const text = changed(
        { title: chunk.title, description: chunk.description },
        { title: input.title, description: input.description },
      );
      events = [];
      if (Object.keys(text).length)
        events.push({ type: 'ChunkUpdated', data: { revision, key: chunk.key, changes: text } });
      events.push(...configureChunk(chunk, input.executionMode, input.pauseAfter, revision));
      break;
    }
    case 'SetChunkExecution': {
      const chunk = findChunk(state, command.key);
      const input = schemaCheck(
        chunkChangesSchema,
        { executionMode: command.executionMode, pauseAfter: command.pauseAfter },
        'chunk',
      );
      events = configureChunk(chunk, input.executionMode, input.pauseAfter, revision);
      break;
    }
    case 'RemoveChunk': {
      findChunk(state, command.key);
      const inside = content.tasks.filter((t) => t.chunk === command.key).map((t) => t.id);
      if (inside.length) {
        throw new DomainError(
          'chunk_not_empty',
          `chunk ${command.key} still holds tasks ${inside.join(', ')}; move or remove them first`,
        );
      }
      events = [{ type: 'ChunkRemoved', data: { revision, key: command.key } }];
      break;
    }
    case 'ReorderChunks': {
      const current = content.chunks.map((c) => c.key);
      const wanted = command.order;
      const same =
        wanted.length === current.length &&
        new Set(wanted).size === wanted.length &&
        wanted.every((k) => current.includes(k));
      if (!same) {
        throw new DomainError(
          'invalid_command',
          `order must list every chunk exactly once: ${current.join(', ')}`,
        );
      }
      events =
        wanted.join('\0') === current.join('\0')
          ? []
          : [{ type: 'ChunksReordered', data: { revision, order: [...wanted] } }];
      break;
    }
    case 'AddTask': {
      const parsed = parsePlanDocument({
        title: 'x',
        chunks: content.chunks,
        tasks: [...content.tasks, command.task],
      });
      if (!parsed.ok) throw new ValidationError(parsed.issues, 'task cannot be added');
      const task = parsed.content.tasks[parsed.content.tasks.length - 1];
      const index = insertionIndex(content.tasks, task.chunk, command.beforeTaskId);
      events = [{ type: 'TaskAdded', data: { revision, task: { ...task, status: 'pending' }, index } }];
      break;
    }
    case 'UpdateTask': {
      const task = findTask(state, command.taskId);
      const changes = changed(task, command.changes);
      events = Object.keys(changes).length
        ? [{ type: 'TaskUpdated', data: { revision, taskId: task.id, changes } }]
        : [];
      break;
    }
    case 'RemoveTask': {
      findTask(state, command.taskId);
      const dependents = content.tasks.filter((t) => t.dependsOn.includes(command.taskId)).map((t) => t.id);
      if (dependents.length) {
        throw new DomainError(
          'invalid_command',
          `task ${command.taskId} is a dependency of ${dependents.join(', ')}; change their dependencies first`,
        );
      }
      events = [{ type: 'TaskRemoved', data: { revision, taskId: command.taskId } }];
      break;
    }
    case 'MoveTask': {
      const task = findTask(state, command.taskId);
      findChunk(state, command.toChunk);
      if (command.beforeTaskId === task.id)
        throw new DomainError('invalid_command', 'a task cannot be moved before itself');
      const without = content.tasks.filter((t) => t.id !== task.id);
      const index = insertionIndex(without, command.toChunk, command.beforeTaskId);
      const from = content.tasks.indexOf(task);
      events =
        task.chunk === command.toChunk && index === from
          ? []
          : [{ type: 'TaskMoved', data: { revision, taskId: task.id, toChunk: command.toChunk, index } }];
      break;
    }
    case 'SetTaskDependencies': {
      const task = findTask(state, command.taskId);
      const deps = [...new Set(command.dependsOn.map(String))];
      for (const d of deps) schemaCheck(taskIdSchema, d, 'dependsOn');
      events =
        JSON.stringify(deps) === JSON.stringify(task.dependsOn)
          ? []
          : [{ type: 'TaskDependenciesSet', data: { revision, taskId: task.id, dependsOn: deps } }];
      break;
    }
  }

  return events;
}

function configureChunk(
  chunk: Chunk,
  executionMode: Chunk['executionMode'] | undefined,
  pauseAfter: boolean | undefined,
  revision: number,
): PlanEvent[] {
  const mode = executionMode ?? chunk.executionMode;
  const pause = pauseAfter ?? chunk.pauseAfter;
  if (mode === chunk.executionMode && pause === chunk.pauseAfter) return [];
  return [
    {
      type: 'ChunkExecutionConfigured',
      data: { revision, key: chunk.key, executionMode: mode, pauseAfter: pause },
    },
  ];
}

const mapTasks = (content: PlanContent, id: string, f: (t: Task) => Task): PlanContent => ({
  ...content,
  tasks: content.tasks.map((t) => (t.id === id ? f(t) : t)),
});

/** Applies one event to the state. Total and pure: unknown events leave the state unchanged. */
export function evolve(state: PlanState, event: PlanEvent | ExecutionEvent | RollbackEvent): PlanState {
  if (isRollbackEvent(event)) return evolveRollback(state, event);
  if (isExecutionEvent(event)) {
    const next = trackSessionCommits(evolvePlanExecution(state, event, storedEventTime(event)), event);
    // Every session's turns count against the plan's budget, not only the current session's.
    return event.type === 'TurnCompleted' && event.data.usage
      ? { ...next, turnSpend: addSpend(next.turnSpend ?? noSpend(), turnSpend(event.data.usage)) }
      : next;
  }
  if (isScheduleEvent(event)) return evolveSchedule(state, event);
  const { content } = state;
  const revision = event.data.revision;
  switch (event.type) {
    case 'PlanCreated': {
      const generated = event.data.source?.kind === 'generate';
      return {
        ...initialState(),
        exists: true,
        planId: event.data.planId,
        revision,
        content: event.data.content,
        planningIterations: generated ? 1 : 0,
        lastPlanningMode: generated ? 'generate' : null,
      };
    }
    case 'PlanRefined':
      return {
        ...state,
        revision,
        content: event.data.content,
        planningIterations: event.data.iteration,
        lastPlanningMode: event.data.mode,
        feedback: [
          ...state.feedback,
          { revision, feedback: event.data.feedback, author: event.data.author, mode: event.data.mode },
        ],
      };
    case 'SuggestionSetCreated': {
      const { setId, reviewType, scope, targetId, suggestions } = event.data;
      return {
        ...state,
        suggestionSets: {
          ...state.suggestionSets,
          [setId]: { setId, revision, reviewType, scope, targetId, suggestions, applied: [] },
        },
      };
    }
    case 'SuggestionsApplied': {
      const set = state.suggestionSets[event.data.setId];
      return {
        ...state,
        revision,
        content: event.data.content,
        suggestionSets: set
          ? {
              ...state.suggestionSets,
              [set.setId]: { ...set, applied: [...set.applied, ...event.data.suggestionIds] },
            }
          : state.suggestionSets,
      };
    }
    case 'PlanBudgetSet':
      return { ...state, budget: event.data.budget };
    case 'LlmCallRecorded': {
      const { revision: _r, ...call } = event.data;
      return { ...state, usage: addCall(state.usage, call) };
    }
    case 'PlanDetailsUpdated':
      return { ...state, revision, content: { ...content, ...event.data.changes } };
    case 'PlanContentReplaced':
      return { ...state, revision, content: event.data.content };
    case 'ChunkAdded': {
      const chunks = [...content.chunks];
      chunks.splice(event.data.index, 0, event.data.chunk);
      return { ...state, revision, content: { ...content, chunks } };
    }
    case 'ChunkUpdated':
      return {
        ...state,
        revision,
        content: {
          ...content,
          chunks: content.chunks.map((c) => (c.key === event.data.key ? { ...c, ...event.data.changes } : c)),
        },
      };
    case 'ChunkExecutionConfigured': {
      const { key, executionMode, pauseAfter } = event.data;
      return {
        ...state,
        revision,
        content: {
          ...content,
          chunks: content.chunks.map((c) => (c.key === key ? { ...c, executionMode, pauseAfter } : c)),
        },
      };
    }
    case 'ChunkRemoved':
      return {
        ...state,
        revision,
        content: { ...content, chunks: content.chunks.filter((c) => c.key !== event.data.key) },
      };
    case 'ChunksReordered': {
      const byKey = new Map(content.chunks.map((c) => [c.key, c]));
      const chunks = event.data.order.map((k) => byKey.get(k)).filter((c): c is Chunk => c !== undefined);
      return { ...state, revision, content: { ...content, chunks } };
    }
    case 'TaskAdded': {
      const tasks = [...content.tasks];
      tasks.splice(event.data.index, 0, event.data.task);
      return { ...state, revision, content: { ...content, tasks } };
    }
    case 'TaskUpdated':
      return {
        ...state,
        revision,
        content: mapTasks(content, event.data.taskId, (t) => ({ ...t, ...event.data.changes })),
      };
    case 'TaskRemoved':
      return {
        ...state,
        revision,
        content: { ...content, tasks: content.tasks.filter((t) => t.id !== event.data.taskId) },
      };
    case 'TaskMoved': {
      const task = content.tasks.find((t) => t.id === event.data.taskId);
      if (!task) return { ...state, revision };
      const tasks = content.tasks.filter((t) => t !== task);
      tasks.splice(event.data.index, 0, { ...task, chunk: event.data.toChunk });
      return { ...state, revision, content: { ...content, tasks } };
    }
    case 'TaskDependenciesSet':
      return {
        ...state,
        revision,
        content: mapTasks(content, event.data.taskId, (t) => ({ ...t, dependsOn: event.data.dependsOn })),
      };
    case 'FeedbackRecorded':
      return {
        ...state,
        feedback: [...state.feedback, { revision, feedback: event.data.feedback, author: event.data.author }],
      };
    case 'PlanFinalized':
      return { ...state, status: 'ready', finalizedRevision: revision };
    case 'PlanReopened':
      return { ...state, status: 'draft', finalizedRevision: null, revision };
    case 'PlanArchived':
      return { ...state, archived: true };
    default:
      return state;
  }
}

/** Folds events (in stream order) into a state. Non-plan events are ignored. */
export function fold(
  events: Iterable<{ type: string; data: unknown }>,
  from: PlanState = initialState(),
): PlanState {
  let state = from;
  for (const e of events) state = evolve(state, e as PlanEvent);
  return state;
}

/** The state as it was at content revision `revision` (the fold of every event up to it). */
export function stateAtRevision(
  events: Iterable<{ type: string; data: unknown }>,
  revision: number,
): PlanState | null {
  let state = initialState();
  for (const e of events) {
    const ev = e as PlanEvent;
    if (ev.data && typeof ev.data.revision === 'number' && ev.data.revision > revision) break;
    state = evolve(state, ev);
  }
  return state.exists ? state : null;
}
