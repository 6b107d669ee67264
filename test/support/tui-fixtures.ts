/**
 * Plans and session progress for the terminal UI's tests (reducer specs and component tests): built
 * with the domain's own schemas and stats, so they have the shape the API answers.
 */
import {
  chunkSchema,
  emptyUsage,
  planStats,
  taskSchema,
  type PlanContent,
  type SessionProgress,
  type TaskStatus,
} from '@chunkwise/domain';
import type { PlanDetail } from '../../apps/cli/src/api-client';
import { initialState, type TuiState } from '../../apps/cli/src/tui/state';

type TaskSpec = [id: string, chunk: string, title: string, dependsOn?: string[], status?: TaskStatus];

const CHUNKS = [
  ['C01_core', 'Core library'],
  ['C02_api', 'HTTP API'],
  ['C03_cli', 'Command line'],
  ['C04_docs', 'Documentation'],
] as const;

const TASKS: TaskSpec[] = [
  ['T1', 'C01_core', 'greet(name) function'],
  ['T2', 'C01_core', 'farewell(name) function', ['T1']],
  ['T3', 'C02_api', 'GET /greet route', ['T1']],
  ['T4', 'C02_api', 'GET /farewell route', ['T2']],
  ['T5', 'C03_cli', 'CLI entry point', ['T3']],
  ['T6', 'C04_docs', 'README usage section', ['T5']],
];

/** A plan as `GET /plans/:id` answers it; `status` per task id overrides pending. */
export function planDetail(
  o: { status?: PlanDetail['status']; revision?: number; statuses?: Record<string, TaskStatus> } = {},
): PlanDetail {
  const chunks = CHUNKS.map(([key, title]) => chunkSchema.parse({ key, title }));
  const tasks = TASKS.map(([id, chunk, title, dependsOn = []]) =>
    taskSchema.parse({
      id,
      chunk,
      title,
      description: `${title}, with tests`,
      acceptance: [`${title} works`, 'tests pass'],
      dependsOn,
      status: o.statuses?.[id] ?? 'pending',
    }),
  );
  const content: PlanContent = {
    title: 'Greeter',
    description: 'A greeting service',
    chunks,
    tasks,
  } as PlanContent;
  const stats = planStats(content);
  const status = o.status ?? 'draft';
  const revision = o.revision ?? 3;
  return {
    id: 'p_test1',
    title: 'Greeter',
    description: 'A greeting service',
    status,
    archived: false,
    revision,
    finalizedRevision: status === 'draft' ? null : revision,
    repository: null,
    chunkCount: chunks.length,
    taskCount: tasks.length,
    completedCount: stats.byStatus.completed,
    failedCount: stats.byStatus.failed,
    progress: stats.progress,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    execution: null,
    chunks: chunks.map((c) => {
      const own = tasks.filter((t) => t.chunk === c.key);
      return { ...c, tasks: own, stats: planStats({ ...content, tasks: own } as PlanContent) };
    }),
    stats,
    feedback: [],
    planningIterations: 3,
    lastPlanningMode: 'single',
    usage: emptyUsage(),
    streamRevision: 7,
  };
}

/** A live session's progress: C01 completed, C02 running T3 (after a failed attempt), C03 next, C04 out of scope. */
export function sessionProgress(over: Partial<SessionProgress> = {}): SessionProgress {
  const task = (id: string, chunk: string, title: string, status: TaskStatus, extra = {}) => ({
    id,
    chunk,
    title,
    status,
    attempts: status === 'pending' ? 0 : 1,
    lastError: null,
    commitSha: status === 'completed' ? 'abc1234def' : null,
    outOfScope: chunk === 'C04_docs',
    startedAt: null,
    endedAt: null,
    ...extra,
  });
  const chunk = (
    key: string,
    title: string,
    status: SessionProgress['chunks'][number]['status'],
    counts: number[],
  ) => ({
    key,
    title,
    executionMode: 'sequential' as const,
    pauseAfter: false,
    status,
    total: counts[0],
    completed: counts[1],
    skipped: 0,
    failed: counts[2] ?? 0,
    running: counts[3] ?? 0,
  });
  return {
    planId: 'p_test1',
    sessionId: 's_live1',
    revision: 3,
    status: 'running',
    pauseReason: null,
    pauseDetail: null,
    currentChunk: 'C02_api',
    nextChunk: 'C03_cli',
    chunks: [
      chunk('C01_core', 'Core library', 'completed', [2, 2]),
      chunk('C02_api', 'HTTP API', 'running', [2, 0, 0, 1]),
      chunk('C03_cli', 'Command line', 'pending', [1, 0]),
      chunk('C04_docs', 'Documentation', 'out_of_scope', [1, 0]),
    ],
    tasks: [
      task('T1', 'C01_core', 'greet(name) function', 'completed'),
      task('T2', 'C01_core', 'farewell(name) function', 'completed'),
      task('T3', 'C02_api', 'GET /greet route', 'running', { attempts: 2, lastError: 'check failed: lint' }),
      task('T4', 'C02_api', 'GET /farewell route', 'pending'),
      task('T5', 'C03_cli', 'CLI entry point', 'pending'),
      task('T6', 'C04_docs', 'README usage section', 'pending'),
    ],
    totals: { tasks: 5, completed: 2, skipped: 0, failed: 0, running: 1, pending: 2 },
    commits: ['abc1234def', 'def5678abc'],
    elapsedMs: 42_000,
    branch: 'chunkwise/p_test1/s_live1',
    ...over,
  };
}

/** The review modal on a draft at revision 3, with T2 and T4 changed by the last turn. */
export function reviewState(over: Partial<TuiState> = {}): TuiState {
  return {
    ...initialState,
    mode: 'plan_review_ready',
    plan: planDetail(),
    changes: { from: 2, to: 3, tasks: ['T2', 'T4'], chunks: [], removed: ['T9'] },
    ...over,
  };
}

/** The execute view of the finalized plan, no session yet. */
export function executionState(over: Partial<TuiState> = {}): TuiState {
  return { ...initialState, mode: 'execution_active', plan: planDetail({ status: 'ready' }), ...over };
}
