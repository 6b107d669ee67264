/**
 * Activities of the plan session workflow. Thin and idempotent: the real work lives in libs
 * (git, agents, event store). Each may be retried after a worker crash, so each either repeats
 * harmlessly (reset + rerun a turn, rerun QA) or detects its own earlier success (commits carry
 * task trailers; events carry deterministic ids).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { buildPrompt, createAgentRunner, runProcess, turnSucceeded } from '@chunkwise/agents';
import {
  type AgentConfig,
  type ExecutionEvent,
  type QaGate,
  type SessionChunk,
  type SessionState,
  type SessionTask,
  type TurnUsage,
} from '@chunkwise/domain';
import { PlanCommandService } from '@chunkwise/application';
import type { EventStore } from '@chunkwise/event-store';
import {
  commitTask as gitCommitTask,
  ensureWorktree,
  filesOfCommit,
  findTaskCommit,
  git,
  isGitRepository,
  pushIfRemote,
  resetWorktree,
} from '@chunkwise/git';

export interface SessionActivityDeps {
  eventStore: EventStore;
  /** Work trees and turn outputs live here. */
  dataDir: string;
  /** The task queue of this host (activities that touch a work tree are routed to it). */
  hostTaskQueue: string;
  /** Heartbeat interval while a long activity runs. */
  heartbeatMs?: number;
}

export interface RunTurnInput {
  planId: string;
  sessionId: string;
  turnId: string;
  worktree: string;
  chunk: SessionChunk;
  /** null: one turn over the whole chunk. */
  task: SessionTask | null;
  state: SessionState;
  attempt: number;
  previousError: string | null;
  agent: AgentConfig;
}

export interface RunTurnResult {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  succeeded: boolean;
  error: string | null;
  /** Tasks the agent marked completed in the chunk-only plan (turnScope chunk). */
  markedDone: string[];
  outputTail: string;
  /** Tokens and cost, when the runner reports them. */
  usage: TurnUsage | null;
}

export interface QaGateRun {
  gate: string;
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
}

const TAIL = 4000;
const tail = (s: string, n = TAIL) => (s.length > n ? s.slice(s.length - n) : s);

/** Event ids are UUID-shaped hashes of (session, sequence): a retried append is a no-op. */
export function eventIdFromKey(key: string): string {
  const h = createHash('sha256').update(`chunkwise-event:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const worktreePathFor = (dataDir: string, branch: string) =>
  path.join(dataDir, 'worktrees', branch.replace(/[^A-Za-z0-9._-]+/g, '__'));
export const turnOutputPath = (dataDir: string, planId: string, turnId: string) =>
  path.join(
    dataDir,
    'turns',
    planId.replace(/[^A-Za-z0-9_-]/g, '_'),
    `${turnId.replace(/[^A-Za-z0-9_-]/g, '_')}.log`,
  );

function chunkPlan(state: SessionState, chunk: SessionChunk) {
  return {
    plan: state.planTitle,
    revision: state.revision,
    chunk: { key: chunk.key, title: chunk.title, executionMode: chunk.executionMode },
    tasks: state.tasks
      .filter((t) => t.chunk === chunk.key && !t.outOfScope)
      .map((t) => ({
        id: t.id,
        title: t.title,
        description: t.description,
        acceptance: t.acceptance,
        dependsOn: t.dependsOn,
        status: t.status,
      })),
  };
}

function fullPlan(state: SessionState) {
  return {
    plan: state.planTitle,
    revision: state.revision,
    chunks: state.chunks.map((c) => ({
      key: c.key,
      title: c.title,
      executionMode: c.executionMode,
      tasks: state.tasks
        .filter((t) => t.chunk === c.key)
        .map((t) => ({
          id: t.id,
          title: t.title,
          description: t.description,
          acceptance: t.acceptance,
          dependsOn: t.dependsOn,
          status: t.status,
        })),
    })),
  };
}

/** Keeps a long activity alive in Temporal's eyes and lets it learn of cancellation. */
function startHeartbeat(ms: number, details: () => unknown): () => void {
  const ctx = Context.current();
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), ms);
  return () => clearInterval(timer);
}

/** Runs `work` while heartbeating: a worker that dies during it is noticed at the heartbeat timeout. */
async function heartbeating<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const stop = startHeartbeat(ms, () => null);
  try {
    return await work();
  } finally {
    stop();
  }
}

/** True when an earlier attempt of this activity ran (and may have died half-way, e.g. with its worker). */
const isRetry = () => Context.current().info.attempt > 1;

/**
 * After a crash, git may have left its lock files behind in the work tree's git directory; every
 * later git command would then fail. Called only on a retried activity: the only writer of this
 * work tree was the earlier attempt of this very activity, which is gone.
 */
async function clearStaleGitLocks(worktree: string): Promise<void> {
  const gitDir = await git(worktree, ['rev-parse', '--absolute-git-dir'], { allowFail: true }).catch(
    () => null,
  );
  if (!gitDir || gitDir.code !== 0) return;
  const dir = gitDir.stdout.trim();
  const common = (
    await git(worktree, ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      allowFail: true,
    }).catch(() => null)
  )?.stdout.trim();
  const branch = (
    await git(worktree, ['symbolic-ref', '-q', 'HEAD'], { allowFail: true }).catch(() => null)
  )?.stdout.trim();
  const locks = [path.join(dir, 'index.lock'), path.join(dir, 'HEAD.lock')];
  if (common && branch) locks.push(path.join(common, `${branch}.lock`));
  for (const lock of locks) await fs.rm(lock, { force: true }).catch(() => undefined);
}

/**
 * An agent runs in its own process group, so it outlives a worker killed with SIGKILL and could
 * go on writing into the work tree while the retried turn runs. Before a retried turn, every
 * process started for a turn in this work tree (recognised by the plan file in its environment)
 * is killed. Linux only (/proc); elsewhere a no-op.
 */
async function killLeftoverAgents(planFile: string): Promise<number> {
  const marker = `CHUNKWISE_PLAN_FILE=${planFile}`;
  const entries = await fs.readdir('/proc').catch(() => [] as string[]);
  let killed = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await fs.readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(marker)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}

export function createSessionActivities(deps: SessionActivityDeps) {
  const heartbeatMs = deps.heartbeatMs ?? 2000;

  return {
    async recordEvents(input: {
      planId: string;
      events: Array<{ key: string; type: string; data: unknown }>;
    }): Promise<void> {
      // The plan's write path; deterministic ids make a retried batch a no-op.
      await new PlanCommandService(deps.eventStore).execute(
        input.planId,
        {
          type: 'RecordExecutionEvents',
          events: input.events.map(({ type, data }) => ({ type, data }) as ExecutionEvent),
        },
        { eventId: (_e, i) => eventIdFromKey(input.events[i].key), metadata: { source: 'session' } },
      );
    },

    async prepareWorktree(input: {
      planId: string;
      sessionId: string;
      branch: string;
      repository: string;
    }): Promise<{ path: string; taskQueue: string; head: string }> {
      if (!(await isGitRepository(input.repository).catch(() => false))) {
        throw ApplicationFailure.nonRetryable(
          `repository ${input.repository} is not a git repository on this worker`,
          'RepositoryNotFound',
        );
      }
      return heartbeating(heartbeatMs, async () => {
        const wt = await ensureWorktree({
          repository: input.repository,
          path: worktreePathFor(deps.dataDir, input.branch),
          branch: input.branch,
        });
        return { path: wt.path, taskQueue: deps.hostTaskQueue, head: wt.head };
      });
    },

    async prepareTaskWorktree(input: {
      sessionWorktree: string;
      branch: string;
      taskId: string;
    }): Promise<{ path: string; branch: string }> {
      const branch = `${input.branch}--${input.taskId}`;
      const wt = await heartbeating(heartbeatMs, () =>
        ensureWorktree({
          repository: input.sessionWorktree,
          path: `${input.sessionWorktree}.tasks/${input.taskId.replace(/[^A-Za-z0-9._-]/g, '_')}`,
          branch,
          base: input.branch,
        }),
      );
      return { path: wt.path, branch };
    },

    async runTurn(input: RunTurnInput): Promise<RunTurnResult> {
      const dir = path.join(input.worktree, '.chunkwise');
      await fs.mkdir(dir, { recursive: true });
      const planFile = path.join(dir, 'plan.json');
      if (isRetry()) {
        // The previous attempt's agent may still be running (its worker died): stop it first.
        const killed = await killLeftoverAgents(planFile);
        if (killed > 0) log.warn('killed leftover agent processes of an earlier attempt', { killed });
        await clearStaleGitLocks(input.worktree);
      }
      // Every turn starts from the last commit: a retried or resumed turn never sees half-done work.
      await resetWorktree(input.worktree);
      const fullPlanFile = path.join(dir, 'full_plan.json');
      const promptFile = path.join(dir, 'prompt.md');
      await fs.writeFile(planFile, JSON.stringify(chunkPlan(input.state, input.chunk), null, 2));
      // Read-only from the previous turn: replace, do not write through.
      await fs.rm(fullPlanFile, { force: true });
      await fs.writeFile(fullPlanFile, JSON.stringify(fullPlan(input.state), null, 2));
      await fs.chmod(fullPlanFile, 0o444).catch(() => undefined);
      const chunkTaskIds = input.state.tasks
        .filter((t) => t.chunk === input.chunk.key && !t.outOfScope)
        .map((t) => t.id);
      const prompt = buildPrompt({
        planTitle: input.state.planTitle,
        chunk: input.chunk,
        task: input.task,
        chunkTaskIds,
        planFile,
        fullPlanFile,
        attempt: input.attempt,
        previousError: input.previousError,
      });

      const outFile = turnOutputPath(deps.dataDir, input.planId, input.turnId);
      await fs.mkdir(path.dirname(outFile), { recursive: true });
      const out = await fs.open(outFile, 'w');
      let bytes = 0;
      const stop = startHeartbeat(heartbeatMs, () => ({ turnId: input.turnId, outputBytes: bytes }));
      try {
        const runner = createAgentRunner(input.agent);
        const r = await runner.run(
          {
            cwd: input.worktree,
            prompt,
            taskId: input.task?.id ?? null,
            chunk: input.chunk.key,
            attempt: input.attempt,
            planFile,
            fullPlanFile,
            promptFile,
            timeoutSec: input.agent.timeoutSec,
          },
          {
            signal: Context.current().cancellationSignal,
            onOutput: (chunk) => {
              bytes += chunk.length;
              void out.write(chunk);
            },
          },
        );
        if (Context.current().cancellationSignal.aborted)
          throw ApplicationFailure.create({ message: 'turn cancelled', nonRetryable: true });
        let markedDone: string[] = [];
        if (!input.task) {
          const after = JSON.parse(await fs.readFile(planFile, 'utf8').catch(() => '{"tasks":[]}')) as {
            tasks?: Array<{ id: string; status: string }>;
          };
          markedDone = (after.tasks ?? [])
            .filter((t) => t.status === 'completed' && chunkTaskIds.includes(t.id))
            .map((t) => t.id);
        }
        const succeeded = turnSucceeded(r);
        const error = succeeded
          ? null
          : r.startError
            ? `the agent could not start: ${r.startError}`
            : r.agentError
              ? `${r.agentError}\n${tail(r.output, 2000)}`
              : r.timedOut
                ? `the agent timed out after ${input.agent.timeoutSec} s\n${tail(r.output, 2000)}`
                : `the agent exited with ${r.exitCode ?? r.signal}\n${tail(r.output, 2000)}`;
        return {
          exitCode: r.exitCode,
          timedOut: r.timedOut,
          durationMs: r.durationMs,
          succeeded,
          error,
          markedDone,
          usage: r.usage ?? null,
          outputTail: tail(r.output),
        };
      } finally {
        stop();
        await out.close();
      }
    },

    async runQaGates(input: {
      worktree: string;
      gates: QaGate[];
      turnId: string;
    }): Promise<{ results: QaGateRun[] }> {
      const results: QaGateRun[] = [];
      const stop = startHeartbeat(heartbeatMs, () => ({ turnId: input.turnId, gates: results.length }));
      try {
        for (const gate of input.gates) {
          const r = await runProcess({
            argv: gate.argv,
            cwd: input.worktree,
            env: {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? '',
              LANG: process.env.LANG ?? 'C.UTF-8',
              CI: 'true',
            },
            timeoutMs: gate.timeoutSec * 1000,
            signal: Context.current().cancellationSignal,
          });
          results.push({
            gate: gate.name,
            passed: r.exitCode === 0 && !r.timedOut && r.startError === null,
            exitCode: r.exitCode,
            timedOut: r.timedOut,
            durationMs: r.durationMs,
            outputTail: tail(r.startError ? `could not start: ${r.startError}` : r.output),
          });
        }
        return { results };
      } finally {
        stop();
      }
    },

    async commitTask(input: {
      worktree: string;
      sessionId: string;
      taskId: string;
      title: string;
      branch: string;
    }): Promise<{ sha: string; created: boolean; files: string[]; pushed: boolean }> {
      return heartbeating(heartbeatMs, async () => {
        if (isRetry()) await clearStaleGitLocks(input.worktree);
        const c = await gitCommitTask(input.worktree, input);
        const pushed = await pushIfRemote(input.worktree, input.branch).catch(() => false);
        return { ...c, pushed };
      });
    },

    /** Cherry-picks a parallel task's commit onto the session branch; idempotent; a conflict is reported, not thrown. */
    async integrateTask(input: {
      sessionWorktree: string;
      taskWorktree: string;
      sessionId: string;
      taskId: string;
      branch: string;
    }): Promise<{ ok: boolean; sha: string | null; files: string[]; conflict: string | null }> {
      return heartbeating(heartbeatMs, () => integrate(input));
    },

    async filesChanged(input: { worktree: string; shas: string[] }): Promise<string[]> {
      const all = new Set<string>();
      for (const sha of input.shas)
        for (const f of await filesOfCommit(input.worktree, sha).catch(() => [])) all.add(f);
      return [...all].sort();
    },
  };

  async function integrate(input: {
    sessionWorktree: string;
    taskWorktree: string;
    sessionId: string;
    taskId: string;
    branch: string;
  }): Promise<{ ok: boolean; sha: string | null; files: string[]; conflict: string | null }> {
    if (isRetry()) {
      await clearStaleGitLocks(input.sessionWorktree);
      // A cherry-pick interrupted by a crash is abandoned; it is redone below.
      await git(input.sessionWorktree, ['cherry-pick', '--abort'], { allowFail: true });
      await git(input.sessionWorktree, ['reset', '--hard', 'HEAD'], { allowFail: true });
    }
    const already = await findTaskCommit(input.sessionWorktree, input.sessionId, input.taskId);
    if (already)
      return {
        ok: true,
        sha: already,
        files: await filesOfCommit(input.sessionWorktree, already),
        conflict: null,
      };
    const sha = await findTaskCommit(input.taskWorktree, input.sessionId, input.taskId);
    if (!sha) throw ApplicationFailure.nonRetryable(`no commit for task ${input.taskId} in its work tree`);
    const r = await git(
      input.sessionWorktree,
      ['cherry-pick', '--allow-empty', '--keep-redundant-commits', sha],
      { allowFail: true },
    );
    if (r.code !== 0) {
      const status = (
        await git(input.sessionWorktree, ['diff', '--name-only', '--diff-filter=U'], { allowFail: true })
      ).stdout.trim();
      await git(input.sessionWorktree, ['cherry-pick', '--abort'], { allowFail: true });
      return {
        ok: false,
        sha: null,
        files: [],
        conflict: `${status ? `conflicting files: ${status.split('\n').join(', ')}. ` : ''}${tail(r.stderr || r.stdout, 2000)}`,
      };
    }
    const head = (await git(input.sessionWorktree, ['rev-parse', 'HEAD'])).stdout.trim();
    await pushIfRemote(input.sessionWorktree, input.branch).catch(() => false);
    return { ok: true, sha: head, files: await filesOfCommit(input.sessionWorktree, head), conflict: null };
  }
}

export type SessionActivities = ReturnType<typeof createSessionActivities>;
