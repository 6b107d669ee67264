/**
 * The deterministic runner of one plan session. Its state is a SessionState that changes only by
 * recording events: `record` folds each event with the domain's `evolveSession` and appends it
 * through an idempotent activity whose event ids derive from (session, sequence number). So the
 * plan's read model, folding the same events with the same function, sees the same session.
 */
import {
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  ContinueAsNew,
  isCancellation,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  chunkTasks,
  currentChunk,
  evolveSession,
  nextChunkAfter,
  repositoryWorktreeKey,
  sessionRepositories,
  taskRepository,
  type ExecutionEvent,
  type SessionState,
  type SessionTask,
} from '@chunkwise/domain';
import {
  hostSetupActivities,
  sessionTimeouts,
  sharedActivities,
  worktreeActivities,
  type SessionTimeouts,
  type WorktreeActivities,
} from './activity-proxies';
import { runChunkAsOneTurn } from './chunk-as-one-turn';
import { runChunkByTask } from './chunk-by-task';
import { maybeContinueAsNew } from './continue-as-new';
import { guardHost, hostAnswers, HostLost, isNoRemoteToRecover } from './host-failover';
import { ChunkwiseStatus, type SessionOutcome, type SessionWorkflowInput } from '@chunkwise/contracts';
import { pauseHere, safePoint } from './pausing';
import { SessionControl, Stop } from './session-control';

/**
 * Marks the end-of-session removal of task work trees in the history. Sessions whose history ended
 * before it existed replay without it (a query on a closed session); sessions in flight when the
 * worker was upgraded run it when they end.
 */
export const REMOVE_TASK_WORKTREES_PATCH = 'remove-task-worktrees-at-session-end';

export class SessionRunner {
  readonly control = new SessionControl();
  readonly timeouts: SessionTimeouts;
  private readonly shared: ReturnType<typeof sharedActivities>;
  #state: SessionState;
  /** Events recorded by this run (continue-as-new counts from here). */
  eventsThisRun = 0;
  /** Task turns in flight (parallel chunks run several). */
  runningTasks = 0;
  /** The session's work tree (the plan's repository), and the activities routed to its host. */
  worktree!: { path: string; taskQueue: string; head?: string };
  /** Work trees of the tasks' other repositories (multi-repository plans), on the same host, by reference. */
  repositoryWorktrees: Record<string, string> = {};
  /** Where each other repository's branch began (for ExecutionStarted: rollback resets to it). */
  private repositoryHeads: Record<string, string> = {};
  /** Set when this run rebuilt the work tree after a lost host: the other repositories are rebuilt too. */
  private recoveredFrom: string | undefined;
  acts!: WorktreeActivities;
  /** Parallel tasks merge back one at a time, in the order they finish. */
  integration: Promise<unknown> = Promise.resolve();

  constructor(readonly input: SessionWorkflowInput) {
    // Approvals carried by an older continue-as-new input join the state's own list.
    const carried = input.approved ?? [];
    const approved = [...new Set([...(input.state.approved ?? []), ...carried])];
    this.#state = { ...input.state, approved };
    this.timeouts = sessionTimeouts(input.timing);
    this.shared = sharedActivities(this.timeouts);
  }

  get state(): SessionState {
    return this.#state;
  }

  base() {
    return { revision: this.#state.revision, sessionId: this.#state.sessionId };
  }

  findTask(id: string): SessionTask | undefined {
    return this.#state.tasks.find((t) => t.id === id && !t.outOfScope);
  }

  /** The session's work tree and branch in a repository (null: the plan's). */
  worktreeOf(repository: string | null): { path: string; branch: string } {
    const path = repository === null ? this.worktree.path : this.repositoryWorktrees[repository];
    if (path === undefined)
      throw ApplicationFailure.nonRetryable(`no work tree for repository ${repository}`);
    return { path, branch: this.#state.branch };
  }

  /** The QA gates of tasks in a repository: its own (registered defaults), else the session's. */
  gatesOf(repository: string | null) {
    const target = repository === null ? undefined : this.input.repositories?.[repository];
    return target ? target.qaGates : this.#state.settings.qaGates;
  }

  /**
   * Records events: each is folded into the state at once (before anything else can interleave, so
   * concurrent parallel branches never reuse an event or turn number), then appended. The append is
   * retried until it lands and is never cancelled, so the state never runs ahead of the stream for good.
   */
  async record(...events: ExecutionEvent[]): Promise<void> {
    const status = this.#state.status;
    const keyed = events.map((e) => {
      const key = `${this.#state.sessionId}/${this.#state.eventSeq}`;
      this.#state = evolveSession(this.#state, e, Date.now());
      return { key, type: e.type, data: e.data };
    });
    if (this.#state.status !== status)
      upsertSearchAttributes([{ key: ChunkwiseStatus, value: this.#state.status }]);
    this.eventsThisRun += events.length;
    await CancellationScope.nonCancellable(() =>
      this.shared.bookkeeping.recordEvents({ planId: this.#state.planId, events: keyed }),
    );
  }

  /** The next turn's id, from the count of TurnStarted events folded so far. */
  nextTurnId(): string {
    return `${this.#state.sessionId}-${this.#state.turnSeq + 1}`;
  }

  async run(): Promise<SessionOutcome> {
    const s = this.#state;
    try {
      this.worktree = await this.prepareWorktree();
      await this.prepareRepositoryWorktrees();
    } catch (err) {
      return this.ended(err);
    }
    const { taskQueue } = this.worktree;
    const acts = worktreeActivities(taskQueue, s.settings, this.timeouts);
    const grace = this.timeouts.hostGraceMs;
    this.acts = {
      agent: guardHost(acts.agent, taskQueue, grace),
      qa: guardHost(acts.qa, taskQueue, grace),
      git: guardHost(acts.git, taskQueue, grace),
      cleanup: acts.cleanup,
    };
    if (!this.input.continued) await this.recordStart();
    try {
      await this.control.scope.run(() => this.runChunks());
    } catch (err) {
      if (err instanceof HostLost) return this.moveOffLostHost(err);
      return this.ended(err);
    }
    await this.removeTaskWorktrees();
    await this.record({
      type: 'ExecutionCompleted',
      data: {
        ...this.base(),
        commits: this.#state.commits,
        durationMs: this.#state.elapsedBeforeMs + (Date.now() - this.#state.startedAt),
      },
    });
    await this.control.finish('has completed');
    return { status: 'completed', state: this.#state };
  }

  /**
   * The session's work tree, on any live host; after a host was lost, rebuilt from the session
   * branch on the repository's remote (recorded as SessionMoved). Without a remote the session
   * pauses (host_lost); on resume it goes back to the lost host if it answers again, or tries the
   * remote again.
   */
  private async prepareWorktree(): Promise<{ path: string; taskQueue: string; head?: string }> {
    const s = this.#state;
    const request = {
      planId: s.planId,
      sessionId: s.sessionId,
      branch: s.branch,
      repository: this.input.repository,
    };
    const grace = this.timeouts.hostGraceMs;
    let from = this.input.relocateFrom;
    const stay = this.input.hostQueue;
    if (!from && stay) {
      // A continued run stays where the work tree is, unless that host is gone meanwhile.
      try {
        return await guardHost(hostSetupActivities(stay, this.timeouts), stay, grace).prepareWorktree(
          request,
        );
      } catch (err) {
        if (!(err instanceof HostLost)) throw err;
        await this.record({
          type: 'HostLost',
          data: { ...this.base(), taskQueue: stay, tasks: [], detail: err.message },
        });
        from = stay;
      }
    }
    if (!from) return this.shared.setup.prepareWorktree(request);
    for (;;) {
      try {
        const wt = await this.shared.setup.prepareWorktree({
          ...request,
          recoverFromRemote: true,
          lostTaskQueue: from,
        });
        this.recoveredFrom = from;
        await this.record({
          type: 'SessionMoved',
          data: { ...this.base(), from, to: wt.taskQueue, head: wt.head },
        });
        return wt;
      } catch (err) {
        if (!isNoRemoteToRecover(err)) throw err;
      }
      await pauseHere(
        this,
        'host_lost',
        `the host of ${from} is lost and the repository has no remote (origin) to rebuild the session branch from: bring the host back (same CHUNKWISE_HOST_ID) or add a remote, then resume`,
        () => false,
      );
      if (await hostAnswers(from, grace))
        return hostSetupActivities(from, this.timeouts).prepareWorktree(request);
    }
  }

  /**
   * The work trees of the tasks' other repositories, on the host of the primary one (one host holds
   * a session's work trees, so they fail over together). Only sessions of multi-repository plans
   * make these calls, so the histories of other sessions are unchanged.
   */
  private async prepareRepositoryWorktrees(): Promise<void> {
    const targets = this.input.repositories ?? {};
    const s = this.#state;
    const setup = hostSetupActivities(this.worktree.taskQueue, this.timeouts);
    // A repository named twice (its path and its `repo:<id>`, or the plan's own) has one work tree.
    const byPath = new Map<string, string>([[this.input.repository, this.worktree.path]]);
    for (const reference of sessionRepositories(s)) {
      const target = targets[reference];
      if (!target)
        throw ApplicationFailure.nonRetryable(
          `tasks work in ${reference}, which the session was not given (execute the plan again)`,
        );
      const known = byPath.get(target.path);
      if (known !== undefined) {
        this.repositoryWorktrees[reference] = known;
        continue;
      }
      const wt = await setup.prepareWorktree({
        planId: s.planId,
        sessionId: s.sessionId,
        branch: s.branch,
        repository: target.path,
        repositoryKey: repositoryWorktreeKey(reference),
        ...(this.recoveredFrom ? { recoverFromRemote: true, lostTaskQueue: this.recoveredFrom } : {}),
      });
      this.repositoryWorktrees[reference] = wt.path;
      this.repositoryHeads[reference] = wt.head;
      byPath.set(target.path, wt.path);
    }
  }

  /**
   * The host that held the work tree is gone: its turns in flight go back to pending (HostLost, their
   * attempt not counted), and the session continues as new on a live host, which rebuilds the work
   * tree from the remote. A commit the lost host made but did not push is made again there; one it
   * pushed is found by its trailers, so no task is committed twice.
   */
  private async moveOffLostHost(lost: HostLost): Promise<SessionOutcome> {
    const tasks = this.#state.tasks.filter((t) => t.status === 'running').map((t) => t.id);
    log.warn('the session host is lost: moving the session', { taskQueue: lost.taskQueue, tasks });
    await this.record({
      type: 'HostLost',
      data: { ...this.base(), taskQueue: lost.taskQueue, tasks, detail: lost.message },
    });
    // Typed by name (not the function) so that this module does not import the workflow's.
    return continueAsNew<(input: SessionWorkflowInput) => Promise<SessionOutcome>>({
      ...this.input,
      state: this.#state,
      continued: true,
      relocateFrom: lost.taskQueue,
    });
  }

  private async recordStart(): Promise<void> {
    const { settings } = this.#state;
    await this.record({
      type: 'ExecutionStarted',
      data: {
        ...this.base(),
        workflowId: workflowInfo().workflowId,
        from: this.input.from,
        target: this.input.target,
        chunks: this.#state.chunks.filter((c) => c.status !== 'out_of_scope').map((c) => c.key),
        options: {
          maxAttempts: settings.maxAttempts,
          maxParallel: settings.maxParallel,
          turnScope: settings.turnScope,
        },
        resumedFrom: this.input.resumedFrom,
        // Where the session's branch began: a rollback of the session resets it there (docs/rollback.md).
        head: this.worktree.head ?? null,
        ...(Object.keys(this.repositoryHeads).length ? { repositoryHeads: this.repositoryHeads } : {}),
      },
    });
  }

  /** The safe boundary between turns: stop, cancel, pause, queued decisions, continue-as-new. */
  async boundary(): Promise<void> {
    await safePoint(this);
    await maybeContinueAsNew(this);
  }

  private async runChunks(): Promise<void> {
    for (;;) {
      await this.boundary();
      const chunk = currentChunk(this.#state);
      if (!chunk) return;
      if (chunk.status !== 'running')
        await this.record({ type: 'ChunkStarted', data: { ...this.base(), chunk: chunk.key } });
      if (this.#state.settings.turnScope === 'chunk') await runChunkAsOneTurn(this, chunk);
      else await runChunkByTask(this, chunk);

      const ts = chunkTasks(this.#state, chunk.key);
      // From the tasks' shas, not from this run's count: the chunk may span several runs.
      const chunkShas = new Set(ts.map((t) => t.commitSha).filter((x): x is string => !!x));
      const commits = this.#state.commits.filter((sha) => chunkShas.has(sha));
      const files = await this.filesChanged(ts, commits);
      const ids = (status: SessionTask['status']) => ts.filter((t) => t.status === status).map((t) => t.id);
      await this.record({
        type: 'ChunkCompleted',
        data: {
          ...this.base(),
          chunk: chunk.key,
          completed: ids('completed'),
          skipped: ids('skipped'),
          commits,
          files,
        },
      });
      const next = nextChunkAfter(this.#state, chunk.key);
      if (chunk.pauseAfter && next) {
        await pauseHere(
          this,
          'chunk_completed',
          `chunk ${chunk.key} completed: ${ids('completed').length} tasks, ${commits.length} commits, ${files.length} files changed; next: ${next.key} (${next.title})`,
          () => false,
        );
      }
    }
  }

  /** The files the commits changed, asked in each repository's work tree (the plan's alone: one call). */
  private async filesChanged(tasks: SessionTask[], commits: string[]): Promise<string[]> {
    const files: string[] = [];
    for (const repository of [null, ...sessionRepositories({ tasks })]) {
      const own = new Set(
        tasks.filter((t) => taskRepository(t) === repository && t.commitSha).map((t) => t.commitSha),
      );
      const shas = commits.filter((c) => own.has(c));
      if (shas.length === 0) continue;
      files.push(...(await this.acts.git.filesChanged({ worktree: this.worktreeOf(repository).path, shas })));
    }
    return [...new Set(files)];
  }

  /**
   * Nothing left behind: when the session ends (completed, stopped, cancelled or failed), the task
   * work trees and task branches of its parallel chunks go, a failed or conflicting task's too
   * (its branch was named in the task's error while the session paused on it). The session branch
   * (it holds the commits) and the session work tree stay: a stopped session resumes from them.
   * Never cancelled with the session, and never fails it: a leftover is only untidy.
   */
  private async removeTaskWorktrees(): Promise<void> {
    if (!this.acts || !patched(REMOVE_TASK_WORKTREES_PATCH)) return;
    try {
      const worktrees = [...new Set([this.worktree.path, ...Object.values(this.repositoryWorktrees)])];
      for (const sessionWorktree of worktrees)
        await CancellationScope.nonCancellable(() =>
          this.acts.cleanup.removeTaskWorktrees({ sessionWorktree, branch: this.#state.branch }),
        );
    } catch (err) {
      log.warn('could not remove the task work trees of the ended session', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** How the run ended when the chunks did not all complete. */
  private async ended(err: unknown): Promise<SessionOutcome> {
    // Continue-as-new is thrown as an error: it must end this run, never count as a failure.
    if (err instanceof ContinueAsNew) throw err;
    const { control } = this;
    const cancelled = !!control.cancelRequested || isCancellation(err);
    // A Stop nobody asked for is rethrown below: the run does not end here.
    if (cancelled || !(err instanceof Stop) || control.stopRequested) await this.removeTaskWorktrees();
    if (control.cancelRequested || isCancellation(err)) {
      const reason = control.cancelRequested?.reason ?? null;
      await this.record({ type: 'ExecutionCancelled', data: { ...this.base(), reason } });
      await control.finish('was cancelled');
      return { status: 'cancelled', state: this.#state };
    }
    if (err instanceof Stop && control.stopRequested) {
      const chunk = currentChunk(this.#state)?.key ?? null;
      await this.record({ type: 'ExecutionStopped', data: { ...this.base(), resumable: true, chunk } });
      await control.finish('was stopped');
      return { status: 'stopped', state: this.#state };
    }
    if (err instanceof Stop) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    log.error('session failed', { reason });
    await this.record({ type: 'ExecutionFailed', data: { ...this.base(), reason } });
    await control.finish('has failed');
    return { status: 'failed', state: this.#state };
  }
}
