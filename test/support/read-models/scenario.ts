/**
 * Test support: a realistic editing session driven through the real PlanCommandService,
 * several plans edited concurrently (as by several API instances), with occasional write conflicts
 * retried the way a client would.
 */
import { PlanCommandService, StaleRevisionError, type ExecuteResult } from '@chunkwise/application';
import type { PlanCommand } from '@chunkwise/domain';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScenarioHooks {
  /** Called after every successful command (e.g. to check read-your-writes). */
  afterCommand?: (planId: string, result: ExecuteResult) => Promise<void> | void;
  /** Called between commands to let other work (the projector) interleave. */
  pause?: () => Promise<void>;
}

/** Executes a command, retrying on a stale revision like a client that reloads and resubmits. */
export async function executeWithRetry(
  service: PlanCommandService,
  planId: string,
  command: PlanCommand,
  actor: string,
): Promise<ExecuteResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await service.execute(planId, command, { actor, correlationId: `${planId}-${attempt}` });
    } catch (error) {
      if (!(error instanceof StaleRevisionError) || attempt >= 20) throw error;
    }
  }
}

/** The commands of one plan's life: drafting, review feedback, finalize, reopen, edits, finalize, maybe archive. */
export function planScript(planId: string, random: () => number, index: number): PlanCommand[] {
  const chunkCount = 2 + Math.floor(random() * 2);
  const chunks = Array.from({ length: chunkCount }, (_, c) => ({
    key: `C0${c + 1}_part${c + 1}`,
    title: `Part ${c + 1}`,
  }));
  const tasks = Array.from({ length: 3 + Math.floor(random() * 4) }, (_, t) => ({
    id: `T${t + 1}`,
    chunk: chunks[Math.min(chunkCount - 1, Math.floor((t * chunkCount) / 6))].key,
    title: `Task ${t + 1} of ${planId}`,
    description: `Do thing ${t + 1}`,
    acceptance: [`thing ${t + 1} works`],
    ...(t > 0 && random() < 0.5 ? { dependsOn: [`T${t}`] } : {}),
    ...(random() < 0.2 ? { status: 'completed' as const } : {}),
  }));
  const script: PlanCommand[] = [
    {
      type: 'CreatePlan',
      planId,
      document: {
        title: `Plan ${planId}`,
        repository: `git@example.com:acme/repo${index % 3}.git`,
        chunks,
        tasks,
      },
      source: { kind: index % 2 ? 'cli' : 'api' },
    },
    { type: 'RecordFeedback', feedback: `first review of ${planId}`, author: 'reviewer' },
    { type: 'AddChunk', chunk: { key: 'C09_docs', title: 'Docs', pauseAfter: true } },
    { type: 'AddTask', task: { id: 'D1', chunk: 'C09_docs', title: 'Write the docs', dependsOn: ['T1'] } },
    {
      type: 'UpdateTask',
      taskId: 'T1',
      changes: { title: `First task of ${planId}`, canRunInParallel: true },
    },
    { type: 'UpdatePlanDetails', changes: { description: `Plan ${planId}, revised` } },
    { type: 'SetChunkExecution', key: chunks[0].key, executionMode: 'parallel' },
    {
      type: 'AddTask',
      task: { id: 'T99', chunk: chunks[0].key, title: 'Extra', dependsOn: [] },
      beforeTaskId: 'T1',
    },
    { type: 'MoveTask', taskId: 'T99', toChunk: chunks[chunkCount - 1].key },
    { type: 'SetTaskDependencies', taskId: 'D1', dependsOn: ['T1', 'T2'] },
    { type: 'RecordFeedback', feedback: 'looks better' },
    { type: 'FinalizePlan' },
  ];
  if (random() < 0.6) {
    script.push(
      { type: 'ReopenPlan', reason: 'one more change' },
      { type: 'RemoveTask', taskId: 'T99' },
      { type: 'AddChunk', chunk: { key: 'C08_extra' }, index: 0 },
      { type: 'ReorderChunks', order: [...chunks.map((c) => c.key), 'C09_docs', 'C08_extra'] },
      { type: 'UpdateChunk', key: 'C09_docs', changes: { description: 'Documentation first' } },
      { type: 'FinalizePlan' },
    );
  }
  if (random() < 0.3) script.push({ type: 'ArchivePlan' });
  return script;
}

/**
 * Runs the scripts of `plans` plans concurrently, plus concurrent feedback on the first plan from several
 * "instances". Returns every successful result.
 */
export async function runPlanningScenario(
  service: PlanCommandService,
  options: { plans: number; seed: number; prefix?: string },
  hooks: ScenarioHooks = {},
): Promise<ExecuteResult[]> {
  const random = rng(options.seed);
  const prefix = options.prefix ?? 'plan';
  const ids = Array.from({ length: options.plans }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
  const scripts = ids.map((id, i) => planScript(id, random, i));
  const results: ExecuteResult[] = [];
  const run = async (planId: string, commands: PlanCommand[], actor: string): Promise<void> => {
    for (const command of commands) {
      const result = await executeWithRetry(service, planId, command, actor);
      results.push(result);
      await hooks.afterCommand?.(planId, result);
      await hooks.pause?.();
    }
  };
  await Promise.all(ids.map((id, i) => run(id, scripts[i], `user${i % 3}`)));
  // Several writers on one plan at once (feedback is accepted on any plan that is not archived).
  const target = ids.find((_, i) => !scripts[i].some((c) => c.type === 'ArchivePlan')) ?? ids[0];
  await Promise.all(
    [1, 2, 3].map((n) =>
      run(
        target,
        [{ type: 'RecordFeedback', feedback: `concurrent note ${n}`, author: `instance${n}` }],
        `instance${n}`,
      ),
    ),
  );
  return results;
}
