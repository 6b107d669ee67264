/**
 * The plan session workflow: executes a frozen plan revision chunk by chunk. Deterministic: it
 * imports only the pure domain, message definitions and the Temporal workflow API. Everything that
 * touches the world is an activity; every step is recorded as an event through an idempotent
 * activity whose event ids derive from (session, sequence number).
 */
import {
  CancellationScope,
  ApplicationFailure,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import {
  chunkTasks,
  currentChunk,
  dependenciesDone,
  nextChunkAfter,
  runnableTasks,
  sessionProgress,
  updateChunk,
  updateTask,
  type ExecutionEvent,
  type PauseReason,
  type SessionChunk,
  type SessionState,
  type SessionTask,
  type TurnUsage,
} from '@chunkwise/domain';
import type { SessionActivities } from '@chunkwise/contracts';
import {
  approveTaskUpdate,
  cancelSignal,
  completeTaskUpdate,
  editTaskUpdate,
  pauseSignal,
  progressQuery,
  resumeSignal,
  retryTaskUpdate,
  skipTaskUpdate,
  stopSignal,
  ChunkwiseStatus,
  type SessionOutcome,
  type SessionWorkflowInput,
  type TaskEdit,
  type UpdateAnswer,
} from '@chunkwise/contracts';

type Decision =
  | { kind: 'approve'; taskId: string; action: 'execute' | 'skip'; edit?: TaskEdit }
  | { kind: 'retry'; taskId: string; edit?: TaskEdit }
  | { kind: 'skip'; taskId: string; reason?: string }
  | { kind: 'complete'; taskId: string }
  | { kind: 'edit'; taskId: string; edit: TaskEdit };

class Stop extends Error {}

const accept = (): UpdateAnswer => ({ accepted: true, reason: null });
const reject = (reason: string): UpdateAnswer => ({ accepted: false, reason });

export async function planSessionWorkflow(input: SessionWorkflowInput): Promise<SessionOutcome> {
  let state: SessionState = input.state;
  const heartbeatTimeout = (input.timing?.heartbeatTimeoutSec ?? 30) * 1000;
  const maxEventsBeforeContinue = input.timing?.continueAsNewAfterEvents ?? 4000;
  const shortTimeout = (input.timing?.shortActivityTimeoutSec ?? 60) * 1000;

  // Recording events is quick bookkeeping on the workflow's own worker: a local activity (no task
  // queue round trip, one marker in the history instead of an activity's events). Idempotent by its
  // deterministic event ids, so a re-run after a crash is harmless. Retried until it lands.
  const bookkeeping = proxyLocalActivities<SessionActivities>({
    startToCloseTimeout: shortTimeout,
    localRetryThreshold: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });
  // Creating a work tree may take long on a big repository: it heartbeats instead.
  const setup = proxyActivities<SessionActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

  let pauseRequested = false;
  let resumeRequested = false;
  let stopRequested = false;
  let cancelRequested = null as { reason: string | null } | null;
  let eventsThisRun = 0;
  const decisions: Array<Decision & { id: number }> = [];
  const answers = new Map<number, UpdateAnswer>();
  let decisionSeq = 0;
  let runningTasks = 0;

  // ---- messages -------------------------------------------------------------------------------
  setHandler(progressQuery, () => sessionProgress(state, Date.now()));
  setHandler(pauseSignal, () => {
    pauseRequested = true;
  });
  setHandler(resumeSignal, () => {
    resumeRequested = true;
    pauseRequested = false;
  });
  setHandler(stopSignal, () => {
    stopRequested = true;
  });
  const scope = new CancellationScope();
  setHandler(cancelSignal, (arg) => {
    cancelRequested = { reason: arg?.reason ?? null };
    scope.cancel();
  });

  const findTask = (id: string) => state.tasks.find((t) => t.id === id && !t.outOfScope);
  const decide = async (d: Decision): Promise<UpdateAnswer> => {
    const id = ++decisionSeq;
    decisions.push({ ...d, id });
    await condition(() => answers.has(id));
    const answer = answers.get(id)!;
    answers.delete(id);
    return answer;
  };
  const validate = (allowed: SessionTask['status'][]) => (arg: { taskId: string }) => {
    const t = findTask(arg.taskId);
    if (!t) throw new Error(`task ${arg.taskId} is not part of this session`);
    if (!allowed.includes(t.status))
      throw new Error(`task ${arg.taskId} is ${t.status}; expected ${allowed.join(' or ')}`);
  };
  setHandler(approveTaskUpdate, (a) => decide({ kind: 'approve', ...a }), {
    validator: validate(['pending']),
  });
  setHandler(retryTaskUpdate, (a) => decide({ kind: 'retry', ...a }), { validator: validate(['failed']) });
  setHandler(skipTaskUpdate, (a) => decide({ kind: 'skip', ...a }), {
    validator: validate(['pending', 'failed']),
  });
  setHandler(completeTaskUpdate, (a) => decide({ kind: 'complete', ...a }), {
    validator: validate(['pending', 'failed']),
  });
  setHandler(editTaskUpdate, (a) => decide({ kind: 'edit', ...a }), {
    validator: validate(['pending', 'failed']),
  });

  // ---- helpers --------------------------------------------------------------------------------
  const base = () => ({ revision: state.revision, sessionId: state.sessionId });
  async function record(...events: ExecutionEvent[]): Promise<void> {
    const keyed = events.map((e) => ({
      key: `${state.sessionId}/${state.eventSeq++}`,
      type: e.type,
      data: e.data,
    }));
    eventsThisRun += events.length;
    // Recording must happen even while the session is being cancelled.
    await CancellationScope.nonCancellable(() =>
      bookkeeping.recordEvents({ planId: state.planId, events: keyed }),
    );
  }
  const setStatus = (
    status: SessionState['status'],
    reason: PauseReason | null = null,
    detail: string | null = null,
  ) => {
    state = { ...state, status, pauseReason: reason, pauseDetail: detail };
    upsertSearchAttributes([{ key: ChunkwiseStatus, value: status }]);
  };

  // ---- the work tree --------------------------------------------------------------------------
  const wt = await setup.prepareWorktree({
    planId: state.planId,
    sessionId: state.sessionId,
    branch: state.branch,
    repository: repositoryOf(input),
  });
  const local = proxyActivities<SessionActivities>({
    taskQueue: wt.taskQueue,
    startToCloseTimeout: Math.max(60, state.settings.agent.timeoutSec + 120) * 1000,
    heartbeatTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
  const gatesTimeout = state.settings.qaGates.reduce((s, g) => s + g.timeoutSec, 0) + 120;
  const localQa = proxyActivities<SessionActivities>({
    taskQueue: wt.taskQueue,
    startToCloseTimeout: gatesTimeout * 1000,
    heartbeatTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
  const localGit = proxyActivities<SessionActivities>({
    taskQueue: wt.taskQueue,
    startToCloseTimeout: '30 minutes',
    // Heartbeats (not the start-to-close timeout) notice a worker that died during a commit.
    heartbeatTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
  });

  if (!input.continued) {
    const inScope = state.chunks.filter((c) => c.status !== 'out_of_scope').map((c) => c.key);
    await record({
      type: 'ExecutionStarted',
      data: {
        ...base(),
        workflowId: workflowInfo().workflowId,
        from: input.from,
        target: input.target,
        chunks: inScope,
        options: {
          maxAttempts: state.settings.maxAttempts,
          maxParallel: state.settings.maxParallel,
          turnScope: state.settings.turnScope,
        },
        resumedFrom: input.resumedFrom,
      },
    });
  }

  // ---- decisions (updates) applied at safe points -----------------------------------------------
  async function applyDecisions(): Promise<void> {
    while (decisions.length > 0) {
      const d = decisions.shift()!;
      answers.set(d.id, await applyDecision(d));
    }
  }

  async function applyEdit(taskId: string, edit: TaskEdit | undefined): Promise<void> {
    if (!edit || Object.keys(edit).length === 0) return;
    const changes: TaskEdit = {};
    if (edit.title !== undefined) changes.title = edit.title;
    if (edit.description !== undefined) changes.description = edit.description;
    if (edit.acceptance !== undefined) changes.acceptance = edit.acceptance;
    state = updateTask(state, taskId, changes);
    await record({ type: 'TaskEdited', data: { ...base(), taskId, changes } });
  }

  async function skip(taskId: string, reason: string): Promise<void> {
    state = updateTask(state, taskId, { status: 'skipped', endedAt: Date.now() });
    await record({ type: 'TaskSkipped', data: { ...base(), taskId, reason } });
  }

  async function applyDecision(d: Decision): Promise<UpdateAnswer> {
    const t = findTask(d.taskId);
    if (!t) return reject(`task ${d.taskId} is not part of this session`);
    if (t.status === 'running') return reject(`task ${d.taskId} is running`);
    switch (d.kind) {
      case 'edit':
        await applyEdit(t.id, d.edit);
        return accept();
      case 'approve':
        if (t.status !== 'pending') return reject(`task ${t.id} is ${t.status}`);
        await applyEdit(t.id, d.edit);
        if (d.action === 'skip') await skip(t.id, 'skipped at approval');
        else approved.add(t.id);
        return accept();
      case 'retry':
        if (t.status !== 'failed') return reject(`task ${t.id} is ${t.status}, not failed`);
        await applyEdit(t.id, d.edit);
        state = updateTask(state, t.id, { status: 'pending', attempts: 0 });
        return accept();
      case 'skip':
        if (t.status !== 'pending' && t.status !== 'failed') return reject(`task ${t.id} is ${t.status}`);
        await skip(t.id, d.reason ?? 'skipped by the user');
        return accept();
      case 'complete': {
        // The user fixed it by hand in the work tree: the QA gates decide.
        const taskWt = wt.path;
        const qa = await runGates(t, `${state.sessionId}-manual-${t.id}`, taskWt);
        if (!qa.passed) return reject(`QA gates failed: ${qa.summary}`);
        const c = await localGit.commitTask({
          worktree: taskWt,
          sessionId: state.sessionId,
          taskId: t.id,
          title: t.title,
          branch: state.branch,
        });
        await completed(t, c.sha, c.files, true);
        return accept();
      }
    }
  }
  const approved = new Set<string>(input.approved ?? []);

  async function completed(t: SessionTask, sha: string | null, files: string[], manual: boolean) {
    const cur = findTask(t.id)!;
    state = updateTask(state, t.id, { status: 'completed', commitSha: sha, endedAt: Date.now() });
    if (sha && !state.commits.includes(sha)) state = { ...state, commits: [...state.commits, sha] };
    await record({
      type: 'TaskCompleted',
      data: { ...base(), taskId: t.id, sha, attempts: cur.attempts, files, manual },
    });
  }

  async function runGates(t: SessionTask | null, turnId: string, worktree: string) {
    if (state.settings.qaGates.length === 0) return { passed: true, summary: '' };
    const qa = await localQa.runQaGates({ worktree, gates: state.settings.qaGates, turnId });
    await record(
      ...qa.results.map((r): ExecutionEvent => ({
        type: 'QaGateResult',
        data: {
          ...base(),
          turnId,
          taskId: t?.id ?? null,
          gate: r.gate,
          passed: r.passed,
          exitCode: r.exitCode,
          timedOut: r.timedOut,
          durationMs: r.durationMs,
          outputTail: r.outputTail,
        },
      })),
    );
    const failed = qa.results.filter((r) => !r.passed);
    return {
      passed: failed.length === 0,
      summary: failed
        .map(
          (r) =>
            `QA gate "${r.gate}" failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}):\n${r.outputTail}`,
        )
        .join('\n\n'),
    };
  }

  // ---- pausing ------------------------------------------------------------------------------
  /** Waits while paused, applying decisions; throws Stop when stop or cancel is requested. */
  async function pauseHere(reason: PauseReason, detail: string | null, until: () => boolean): Promise<void> {
    const next = currentChunk(state);
    // Cleared before the pause becomes visible (query, event), so a resume sent on seeing it is never lost.
    resumeRequested = false;
    setStatus('paused', reason, detail);
    await record({ type: 'ExecutionPaused', data: { ...base(), reason, detail, next: next?.key ?? null } });
    for (;;) {
      await condition(
        () => decisions.length > 0 || resumeRequested || stopRequested || cancelRequested !== null || until(),
      );
      if (cancelRequested || stopRequested) throw new Stop();
      await applyDecisions();
      if (resumeRequested || until()) break;
    }
    resumeRequested = false;
    pauseRequested = false;
    setStatus('running');
    await record({ type: 'ExecutionResumed', data: base() });
  }

  /** Before the run ends: updates still queued are answered (rejected), then every handler finishes. */
  async function finishHandlers(why: string): Promise<void> {
    for (;;) {
      while (decisions.length > 0) {
        const d = decisions.shift()!;
        answers.set(d.id, reject(`the session ${why}`));
      }
      await condition(() => allHandlersFinished() || decisions.length > 0);
      if (decisions.length === 0 && allHandlersFinished()) return;
    }
  }

  /**
   * Continue-as-new at a safe boundary (no turn running) once this run has recorded enough events,
   * so the history of a long plan stays small. Queued decisions are applied first: an update
   * handler must never be left waiting across runs.
   */
  async function maybeContinueAsNew(): Promise<void> {
    if (runningTasks > 0 || !currentChunk(state)) return;
    if (eventsThisRun < maxEventsBeforeContinue && !workflowInfo().continueAsNewSuggested) return;
    for (;;) {
      await applyDecisions();
      await condition(() => allHandlersFinished() || decisions.length > 0);
      if (decisions.length === 0 && allHandlersFinished()) break;
    }
    if (cancelRequested || stopRequested || pauseRequested) return; // handled at the boundary
    await continueAsNew<typeof planSessionWorkflow>({
      ...input,
      state,
      continued: true,
      approved: [...approved],
    });
  }

  /** The safe boundary between turns: honour stop, cancel, pause and queued decisions. */
  async function boundary(): Promise<void> {
    if (cancelRequested) throw new Stop();
    // A stop is graceful: running turns finish first.
    if (stopRequested && runningTasks === 0) throw new Stop();
    await applyDecisions();
    if (pauseRequested && runningTasks === 0) await pauseHere('user', null, () => false);
    await maybeContinueAsNew();
  }

  // ---- one task ---------------------------------------------------------------------------
  // Parallel tasks run in their own work trees and are merged back one at a time.
  let integration: Promise<unknown> = Promise.resolve();

  /** Runs a task's turns until it passes its QA gates (then commits) or runs out of attempts. */
  async function executeTask(task: SessionTask, chunk: SessionChunk): Promise<void> {
    const parallel = chunk.executionMode === 'parallel';
    const where = parallel
      ? await localGit.prepareTaskWorktree({
          sessionWorktree: wt.path,
          branch: state.branch,
          taskId: task.id,
        })
      : { path: wt.path, branch: state.branch };
    let t = task;
    while (t.attempts < state.settings.maxAttempts) {
      const attempt = t.attempts + 1;
      const turnId = `${state.sessionId}-${++state.turnSeq}`;
      state = updateTask(state, t.id, {
        status: 'running',
        attempts: attempt,
        startedAt: t.startedAt ?? Date.now(),
      });
      await record({
        type: 'TurnStarted',
        data: { ...base(), turnId, chunk: chunk.key, taskId: t.id, attempt },
      });
      t = findTask(t.id)!;
      const turn = await local.runTurn({
        planId: state.planId,
        sessionId: state.sessionId,
        turnId,
        worktree: where.path,
        chunk,
        task: t,
        state,
        attempt,
        previousError: t.lastError,
        agent: state.settings.agent,
      });
      await recordTurn(turnId, t.id, turn);
      let error: string | null = turn.succeeded ? null : turn.error;
      if (error === null) {
        const qa = await runGates(t, turnId, where.path);
        if (qa.passed) {
          const c = await localGit.commitTask({
            worktree: where.path,
            sessionId: state.sessionId,
            taskId: t.id,
            title: t.title,
            branch: where.branch,
          });
          if (!parallel) return completed(t, c.sha, c.files, false);
          // Merged in the order tasks finish; dependents start only after their dependencies merged.
          const merging = integration.then(() =>
            localGit.integrateTask({
              sessionWorktree: wt.path,
              taskWorktree: where.path,
              sessionId: state.sessionId,
              taskId: t.id,
              branch: state.branch,
            }),
          );
          integration = merging.catch(() => undefined);
          const m = await merging;
          if (m.ok) return completed(t, m.sha, m.files, false);
          // A merge conflict fails the task outright: retrying the same change would conflict again.
          return failTask(t, attempt, `merge conflict: ${m.conflict}`, true);
        }
        error = qa.summary;
      }
      const final = attempt >= state.settings.maxAttempts;
      await failTask(t, attempt, error ?? 'unknown error', final);
      t = findTask(t.id)!;
      if (cancelRequested) throw new Stop();
    }
  }

  async function failTask(t: SessionTask, attempts: number, error: string, final: boolean): Promise<void> {
    state = updateTask(state, t.id, {
      status: final ? 'failed' : 'pending',
      lastError: error,
      endedAt: final ? Date.now() : null,
    });
    await record({ type: 'TaskFailed', data: { ...base(), taskId: t.id, attempts, error, final } });
  }

  async function recordTurn(
    turnId: string,
    taskId: string | null,
    turn: {
      exitCode: number | null;
      timedOut: boolean;
      durationMs: number;
      succeeded: boolean;
      error: string | null;
      usage?: TurnUsage | null;
    },
  ) {
    await record({
      type: 'TurnCompleted',
      data: {
        ...base(),
        turnId,
        taskId,
        exitCode: turn.exitCode,
        timedOut: turn.timedOut,
        durationMs: turn.durationMs,
        succeeded: turn.succeeded,
        error: turn.error,
        usage: turn.usage ?? null,
      },
    });
  }

  // ---- one chunk, task by task ------------------------------------------------------------
  async function runChunkByTask(chunk: SessionChunk): Promise<void> {
    const inFlight = new Map<string, Promise<void>>();
    for (;;) {
      await boundary();
      const pending = chunkTasks(state, chunk.key).filter((t) => t.status === 'pending');
      const failed = chunkTasks(state, chunk.key).filter((t) => t.status === 'failed');
      if (pending.length === 0 && failed.length === 0 && inFlight.size === 0) return;

      if (failed.length > 0 && inFlight.size === 0) {
        const f = failed[0];
        await pauseHere(
          'task_failed',
          `task ${f.id} failed after ${f.attempts} attempts: ${truncate(f.lastError ?? '', 500)}`,
          () => chunkTasks(state, chunk.key).every((t) => t.status !== 'failed'),
        );
        continue;
      }

      if (chunk.executionMode === 'manual' && inFlight.size === 0) {
        const next = pending[0];
        if (next && !approved.has(next.id)) {
          await pauseHere(
            'approval',
            `task ${next.id} waits for approval: ${next.title}`,
            () => approved.has(next.id) || findTask(next.id)!.status !== 'pending',
          );
          continue;
        }
      }

      const slots = chunk.executionMode === 'parallel' ? state.settings.maxParallel : 1;
      const startable =
        failed.length > 0
          ? []
          : runnableTasks(state, chunk, inFlight.size, slots).filter((t) => !inFlight.has(t.id));
      if (pauseRequested || stopRequested || cancelRequested) {
        // Let running turns finish, start nothing new.
      } else {
        for (const t of startable) {
          runningTasks++;
          const p = executeTask(t, chunk).finally(() => {
            runningTasks--;
            inFlight.delete(t.id);
          });
          inFlight.set(t.id, p);
        }
      }
      if (inFlight.size === 0) {
        if (startable.length === 0 && pending.length > 0 && !pauseRequested) {
          // Nothing can start: pending tasks wait on dependencies that are not done.
          const blocked = pending.filter((t) => !dependenciesDone(state, t)).map((t) => t.id);
          throw ApplicationFailure.nonRetryable(
            `chunk ${chunk.key}: tasks ${blocked.join(', ')} wait on dependencies that cannot complete`,
          );
        }
        continue;
      }
      await Promise.race(inFlight.values());
    }
  }

  // ---- one chunk in a single turn -----------------------------------------------------------
  async function runChunkAsOneTurn(chunk: SessionChunk): Promise<void> {
    let noProgress = 0;
    for (;;) {
      await boundary();
      const open = chunkTasks(state, chunk.key).filter(
        (t) => t.status === 'pending' || t.status === 'failed',
      );
      if (open.length === 0) return;
      const turnId = `${state.sessionId}-${++state.turnSeq}`;
      const attempt = noProgress + 1;
      await record({
        type: 'TurnStarted',
        data: { ...base(), turnId, chunk: chunk.key, taskId: null, attempt },
      });
      const turn = await local.runTurn({
        planId: state.planId,
        sessionId: state.sessionId,
        turnId,
        worktree: wt.path,
        chunk,
        task: null,
        state,
        attempt,
        previousError: noProgress > 0 ? (open[0].lastError ?? null) : null,
        agent: state.settings.agent,
      });
      await recordTurn(turnId, null, turn);
      // A timed-out or failed turn never counts as progress, whatever it marked.
      const marked = turn.succeeded ? open.filter((t) => turn.markedDone.includes(t.id)) : [];
      let error = turn.succeeded ? null : turn.error;
      if (marked.length > 0) {
        const qa = await runGates(null, turnId, wt.path);
        if (qa.passed) {
          const c = await localGit.commitTask({
            worktree: wt.path,
            sessionId: state.sessionId,
            taskId: marked.map((t) => t.id).join('+'),
            title: `${chunk.title}: ${marked.map((t) => t.title).join('; ')}`,
            branch: state.branch,
          });
          for (const t of marked) await completed(t, c.sha, c.files, false);
          noProgress = 0;
          continue;
        }
        error = qa.summary;
      }
      noProgress++;
      for (const t of open)
        state = updateTask(state, t.id, { lastError: error ?? 'the turn marked no task done' });
      if (noProgress > state.settings.noProgressBudget) {
        updateChunkStatus(chunk.key, 'failed');
        await pauseHere(
          'chunk_failed',
          `chunk ${chunk.key} made no progress in ${noProgress} turns: ${truncate(error ?? 'no task marked done', 500)}`,
          () => false,
        );
        noProgress = 0;
      }
    }
  }

  function updateChunkStatus(key: string, status: SessionChunk['status']) {
    state = updateChunk(state, key, { status });
  }

  // ---- main loop ----------------------------------------------------------------------------
  try {
    await scope.run(async () => {
      for (;;) {
        await boundary();
        const chunk = currentChunk(state);
        if (!chunk) break;
        if (chunk.status !== 'running') {
          updateChunkStatus(chunk.key, 'running');
          await record({ type: 'ChunkStarted', data: { ...base(), chunk: chunk.key } });
        }
        if (state.settings.turnScope === 'chunk') await runChunkAsOneTurn(chunk);
        else await runChunkByTask(chunk);

        const ts = chunkTasks(state, chunk.key);
        // From the tasks' shas, not from this run's count: the chunk may span several runs.
        const chunkShas = new Set(ts.map((t) => t.commitSha).filter((x): x is string => !!x));
        const commits = state.commits.filter((sha) => chunkShas.has(sha));
        updateChunkStatus(chunk.key, 'completed');
        const files = commits.length ? await localGit.filesChanged({ worktree: wt.path, shas: commits }) : [];
        await record({
          type: 'ChunkCompleted',
          data: {
            ...base(),
            chunk: chunk.key,
            completed: ts.filter((t) => t.status === 'completed').map((t) => t.id),
            skipped: ts.filter((t) => t.status === 'skipped').map((t) => t.id),
            commits,
            files,
          },
        });
        if (chunk.pauseAfter && nextChunkAfter(state, chunk.key)) {
          const next = nextChunkAfter(state, chunk.key)!;
          const done = ts.filter((t) => t.status === 'completed').length;
          await pauseHere(
            'chunk_completed',
            `chunk ${chunk.key} completed: ${done} tasks, ${commits.length} commits, ${files.length} files changed; next: ${next.key} (${next.title})`,
            () => false,
          );
        }
      }
    });
  } catch (err) {
    // Continue-as-new is thrown as an error: it must end this run, never count as a failure.
    if (err instanceof ContinueAsNew) throw err;
    if (cancelRequested || isCancellation(err)) {
      setStatus('cancelled');
      await record({
        type: 'ExecutionCancelled',
        data: { ...base(), reason: (cancelRequested as { reason: string | null } | null)?.reason ?? null },
      });
      await finishHandlers('was cancelled');
      return { status: 'cancelled', state };
    }
    if (err instanceof Stop && stopRequested) {
      setStatus('stopped');
      await record({
        type: 'ExecutionStopped',
        data: { ...base(), resumable: true, chunk: currentChunk(state)?.key ?? null },
      });
      await finishHandlers('was stopped');
      return { status: 'stopped', state };
    }
    if (err instanceof Stop) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    log.error('session failed', { reason });
    setStatus('failed');
    await record({ type: 'ExecutionFailed', data: { ...base(), reason } });
    await finishHandlers('has failed');
    return { status: 'failed', state };
  }

  setStatus('completed');
  await record({
    type: 'ExecutionCompleted',
    data: {
      ...base(),
      commits: state.commits,
      durationMs: state.elapsedBeforeMs + (Date.now() - state.startedAt),
    },
  });
  await finishHandlers('has completed');
  return { status: 'completed', state };
}

function repositoryOf(input: SessionWorkflowInput): string {
  return input.repository;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
