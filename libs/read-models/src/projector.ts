/**
 * The projector: follows the event store from the read-model store's checkpoint and applies the events in
 * batches. One projector is active per read-model store (the store's projector lock); others stand by and
 * retry the lock every few seconds, then carry on from the stored checkpoint.
 *
 * Following is done by polling `readAll({ after, maxCount })` (every `pollIntervalMs` when idle, at once
 * while there is a backlog, and at once when `waitForPosition` asks for a position not projected yet), so
 * it works the same on every event-store adapter and always resumes from the checkpoint that was committed
 * together with the rows. A failing batch is logged and retried with exponential back-off from the stored
 * checkpoint: an event is never skipped.
 */
import type { EventStore, StoredEvent } from '@chunkwise/event-store';
import type { ReadModelStore } from './types';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  debug?(message: string): void;
}

export interface ProjectorOptions {
  /** Events per batch of the follow loop (one read-model transaction each). Default 500. */
  batchSize?: number;
  /**
   * Events per batch of catchUp and rebuild, which replay a backlog: larger transactions, each plan loaded
   * and written once per batch. Default 2000 (at least batchSize).
   */
  replayBatchSize?: number;
  /** Idle polling interval of the event store. Default 50 ms. */
  pollIntervalMs?: number;
  /** How often a standby tries to take the projector lock. Default 3 s. */
  lockRetryIntervalMs?: number;
  /** How often the active projector checks (and, for leases, renews) its lock. Default 5 s. */
  lockHeartbeatIntervalMs?: number;
  /** Longest back-off after repeated batch failures. Default 10 s. */
  maxBackoffMs?: number;
  /** Default: warnings and errors to the console, nothing else. */
  logger?: ProjectorLogger;
}

export interface ReplayProgress {
  /** Events applied so far by this replay. */
  events: number;
  /** Checkpoint after the last applied batch. */
  position: number;
}

export interface ReplayOptions {
  /** Called after every applied batch. */
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayResult {
  /** Events read and applied (events of every stream, including those that only move the checkpoint). */
  events: number;
  batches: number;
  /** Checkpoint before and after. */
  fromPosition: number;
  toPosition: number;
  durationMs: number;
  eventsPerSecond: number;
}

/** Another projector holds the read-model store's projector lock. */
export class ProjectorLockUnavailableError extends Error {
  constructor(what: string) {
    super(`cannot ${what}: another projector holds the read-model store's projector lock (stop it first)`);
    this.name = 'ProjectorLockUnavailableError';
  }
}

/** The projector lock was lost while a replay was running. */
export class ProjectorLockLostError extends Error {
  constructor(what: string) {
    super(`${what} aborted: the projector lock was lost`);
    this.name = 'ProjectorLockLostError';
  }
}

const consoleLogger: ProjectorLogger = {
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message, error) => console.error(message, error ?? ''),
};

/** Why the follow loop is failing: consecutive failed attempts, the last error's message, since when. */
export interface ProjectorFailure {
  attempts: number;
  message: string;
  since: string;
}

/** A batch the projector has committed to the read models: every event at a position in (after, checkpoint]. */
export interface AppliedBatch {
  /** The checkpoint before the batch. */
  after: number;
  /** The checkpoint after it (its last event's position). */
  checkpoint: number;
  /** The batch's events (of every stream), in position order. */
  events: readonly StoredEvent[];
}

interface Waiter {
  position: number;
  settle: (reached: boolean) => void;
}

export class Projector {
  private readonly batchSize: number;
  private readonly replayBatchSize: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly maxBackoffMs: number;
  private readonly logger: ProjectorLogger;

  private running = false;
  /** Holds the lock on behalf of the follow loop. */
  private active = false;
  private loop: Promise<void> | undefined;
  /** Next read position of the follow loop; undefined = re-read the stored checkpoint. */
  private cursor: number | undefined;
  /** Highest checkpoint this projector has committed (or read). */
  private knownCheckpoint = 0;
  private lastHeartbeat = 0;
  private standbyLogged = false;
  /** Consecutive failed batches of the follow loop. */
  private failures = 0;
  private lastFailure: ProjectorFailure | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly appliedListeners = new Set<(batch: AppliedBatch) => void>();
  private idlePollOverrideMs: number | undefined;
  /** Serializes lock changes and batch application between the follow loop, catchUp and rebuild. */
  private tail: Promise<unknown> = Promise.resolve();
  private wakePending = false;
  private waker: (() => void) | undefined;

  constructor(
    private readonly eventStore: EventStore,
    private readonly store: ReadModelStore,
    options: ProjectorOptions = {},
  ) {
    this.batchSize = positiveInt(options.batchSize ?? 500, 'batchSize');
    this.replayBatchSize = positiveInt(
      options.replayBatchSize ?? Math.max(2000, this.batchSize),
      'replayBatchSize',
    );
    this.pollIntervalMs = positiveInt(options.pollIntervalMs ?? 50, 'pollIntervalMs');
    this.lockRetryIntervalMs = positiveInt(options.lockRetryIntervalMs ?? 3000, 'lockRetryIntervalMs');
    this.heartbeatMs = positiveInt(options.lockHeartbeatIntervalMs ?? 5000, 'lockHeartbeatIntervalMs');
    this.maxBackoffMs = positiveInt(options.maxBackoffMs ?? 10_000, 'maxBackoffMs');
    this.logger = options.logger ?? consoleLogger;
  }

  /** Whether start() was called and stop() not yet. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Whether this projector holds the lock and is following (false while it stands by). */
  get isActive(): boolean {
    return this.active;
  }

  /** Set while the follow loop's batches keep failing (cleared by the next applied batch); for health checks. */
  get failure(): ProjectorFailure | undefined {
    return this.lastFailure;
  }

  /** The highest checkpoint this projector knows to be committed. */
  get checkpoint(): number {
    return this.knownCheckpoint;
  }

  /**
   * Starts following in the background. Resolves after the first attempt to take the lock: the projector
   * is then either active (catching up, then following) or a standby that retries every few seconds.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.standbyLogged = false;
    await this.exclusive(() => this.acquire());
    this.loop = this.run();
  }

  /** Stops following (waiting for the batch in flight) and releases the lock. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
    await this.exclusive(async () => {
      if (!this.active) return;
      this.active = false;
      try {
        await this.store.releaseProjectorLock();
        this.logger.log('projector: stopped and released the lock');
      } catch (error) {
        this.logger.warn(`projector: releasing the lock failed: ${message(error)}`);
      }
    });
  }

  /**
   * Applies everything after the stored checkpoint up to the current head, then returns. Uses the lock of
   * the running projector if this one is active; otherwise takes the lock for the duration (and throws
   * ProjectorLockUnavailableError when another projector holds it). Errors are thrown, not retried.
   */
  catchUp(options: ReplayOptions = {}): Promise<ReplayResult> {
    return this.exclusive(() => this.withLock('catch up', () => this.replay(false, options)));
  }

  /** Drops every read model and replays the whole event store from position 0. Same locking as catchUp. */
  rebuild(options: ReplayOptions = {}): Promise<ReplayResult> {
    return this.exclusive(() => this.withLock('rebuild', () => this.replay(true, options)));
  }

  /**
   * Resolves true once the read models include the event at `position` (checkpoint >= position), false
   * after `timeoutMs`. Notified in-process when this projector applies a batch; otherwise (the active
   * projector runs elsewhere) it polls the store's checkpoint.
   */
  async waitForPosition(position: number, timeoutMs = 10_000): Promise<boolean> {
    if (position <= this.knownCheckpoint) return true;
    const stored = await this.readCheckpoint();
    if (stored !== undefined && stored >= position) return true;
    // Cut the idle poll short (but not a back-off after failures).
    if (this.active && this.failures === 0) this.wake();
    return new Promise<boolean>((resolve) => {
      let pollBusy = false;
      const waiter: Waiter = {
        position,
        settle: (reached) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(deadline);
          clearInterval(poll);
          resolve(reached);
        },
      };
      const deadline = setTimeout(() => waiter.settle(false), Math.max(0, timeoutMs));
      const poll = setInterval(
        () => {
          if (this.active || pollBusy) return;
          pollBusy = true;
          void this.readCheckpoint().then((cp) => {
            pollBusy = false;
            if (cp !== undefined && cp >= position) waiter.settle(true);
          });
        },
        Math.max(20, this.pollIntervalMs),
      );
      // The deadline keeps the process alive while someone waits; the poll alone must not.
      poll.unref?.();
      this.waiters.add(waiter);
    });
  }

  /**
   * Calls `listener` with every batch this projector commits from now on (follow loop, catch-up and
   * rebuild, which starts again from position 0), right after the commit and before waitForPosition's
   * waiters are told. In-process only: batches committed by a projector elsewhere are not seen. Returns the
   * function that removes the listener. A listener that throws is logged and kept.
   */
  onApplied(listener: (batch: AppliedBatch) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /**
   * Polls the event store every `ms` when idle instead of every pollIntervalMs, until called again without
   * an argument (e.g. while someone follows the events live and another process may append). A shorter
   * interval cuts the current wait short.
   */
  setIdlePollInterval(ms?: number): void {
    this.idlePollOverrideMs = ms === undefined ? undefined : positiveInt(ms, 'idle poll interval');
    if (ms !== undefined && this.active && this.failures === 0) this.wake();
  }

  private notifyApplied(batch: AppliedBatch): void {
    for (const listener of this.appliedListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.error(`projector: a listener of applied batches failed: ${message(error)}`, error);
      }
    }
  }

  // ---- the follow loop ----

  private async run(): Promise<void> {
    this.failures = 0;
    while (this.running) {
      if (!this.active) {
        await this.sleep(this.lockRetryIntervalMs);
        if (!this.running) break;
        const acquired = await this.exclusive(() => this.acquire());
        if (!acquired) continue;
      }
      try {
        const applied = await this.exclusive(() => this.step());
        if (this.failures > 0)
          this.logger.log(`projector: recovered after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.lastFailure = undefined;
        if (applied < this.batchSize) await this.sleep(this.idlePollOverrideMs ?? this.pollIntervalMs);
      } catch (error) {
        this.failures += 1;
        this.lastFailure = {
          attempts: this.failures,
          message: message(error),
          since: this.lastFailure?.since ?? new Date().toISOString(),
        };
        const delay = Math.min(this.maxBackoffMs, this.pollIntervalMs * 2 ** Math.min(this.failures, 16));
        this.logger.error(
          `projector: applying the batch after position ${this.cursor ?? '(stored checkpoint)'} failed ` +
            `(attempt ${this.failures}); retrying from the stored checkpoint in ${delay} ms: ${message(error)}`,
          error,
        );
        this.cursor = undefined;
        await this.sleep(delay);
      }
    }
  }

  /** Takes the lock for the follow loop. Never throws. */
  private async acquire(): Promise<boolean> {
    if (this.active) return true;
    let acquired = false;
    try {
      await this.store.init();
      acquired = await this.store.tryAcquireProjectorLock();
    } catch (error) {
      this.logger.warn(`projector: could not try the projector lock: ${message(error)}`);
    }
    if (acquired) {
      this.active = true;
      this.cursor = undefined;
      this.lastHeartbeat = Date.now();
      this.standbyLogged = false;
      this.logger.log('projector: took the projector lock; active');
    } else if (!this.standbyLogged) {
      this.standbyLogged = true;
      this.logger.log(
        `projector: another projector holds the lock; standing by (retrying every ${this.lockRetryIntervalMs} ms)`,
      );
    }
    return acquired;
  }

  /** One batch of the follow loop; returns the number of events applied. */
  private async step(): Promise<number> {
    if (!this.active || !this.running) return 0;
    if (!(await this.heartbeat())) {
      this.active = false;
      this.logger.warn('projector: lost the projector lock; standing by');
      return 0;
    }
    if (this.cursor === undefined) {
      this.cursor = await this.store.getCheckpoint();
      this.advanceKnown(this.cursor);
    }
    const batch = await this.eventStore.readAll({ after: this.cursor, maxCount: this.batchSize });
    if (batch.length === 0) return 0;
    await this.store.applyEvents(batch);
    const after = this.cursor;
    this.cursor = lastPosition(batch);
    this.notifyApplied({ after, checkpoint: this.cursor, events: batch });
    this.advanceKnown(this.cursor);
    this.logger.debug?.(`projector: applied ${batch.length} event(s) up to position ${this.cursor}`);
    return batch.length;
  }

  /** Checks (and renews) the lock when a heartbeat is due; false when it is lost. */
  private async heartbeat(): Promise<boolean> {
    if (Date.now() - this.lastHeartbeat < this.heartbeatMs) return true;
    let held = false;
    try {
      held = await this.store.tryAcquireProjectorLock();
    } catch (error) {
      this.logger.warn(`projector: checking the projector lock failed: ${message(error)}`);
    }
    this.lastHeartbeat = Date.now();
    return held;
  }

  // ---- catch-up and rebuild ----

  private async withLock<T>(what: string, work: () => Promise<T>): Promise<T> {
    await this.store.init();
    if (this.active) return work();
    if (!(await this.store.tryAcquireProjectorLock())) throw new ProjectorLockUnavailableError(what);
    this.lastHeartbeat = Date.now();
    try {
      return await work();
    } finally {
      await this.store.releaseProjectorLock();
    }
  }

  private async replay(reset: boolean, options: ReplayOptions): Promise<ReplayResult> {
    const what = reset ? 'rebuild' : 'catch up';
    const started = performance.now();
    if (reset) {
      await this.store.reset();
      this.knownCheckpoint = 0;
      this.cursor = undefined;
    }
    const fromPosition = await this.store.getCheckpoint();
    let position = fromPosition;
    let events = 0;
    let batches = 0;
    for (;;) {
      if (!(await this.heartbeat())) {
        this.active = false;
        this.cursor = undefined;
        throw new ProjectorLockLostError(what);
      }
      const batch: StoredEvent[] = await this.eventStore.readAll({
        after: position,
        maxCount: this.replayBatchSize,
      });
      if (batch.length === 0) break;
      await this.store.applyEvents(batch);
      const before = position;
      position = lastPosition(batch);
      events += batch.length;
      batches += 1;
      this.notifyApplied({ after: before, checkpoint: position, events: batch });
      this.advanceKnown(position);
      if (this.active) this.cursor = position;
      options.onProgress?.({ events, position });
      if (batch.length < this.replayBatchSize) break;
    }
    const durationMs = performance.now() - started;
    const result: ReplayResult = {
      events,
      batches,
      fromPosition,
      toPosition: position,
      durationMs,
      eventsPerSecond: durationMs > 0 ? (events * 1000) / durationMs : 0,
    };
    this.logger.log(
      `projector: ${what} applied ${events} event(s) in ${batches} batch(es), ` +
        `positions ${fromPosition}..${position}, ${Math.round(durationMs)} ms`,
    );
    return result;
  }

  // ---- helpers ----

  private advanceKnown(position: number): void {
    if (position > this.knownCheckpoint) this.knownCheckpoint = position;
    for (const waiter of [...this.waiters]) if (waiter.position <= this.knownCheckpoint) waiter.settle(true);
  }

  private async readCheckpoint(): Promise<number | undefined> {
    try {
      return await this.store.getCheckpoint();
    } catch {
      return undefined;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private wake(): void {
    this.wakePending = true;
    this.waker?.();
  }

  /** Waits `ms`, or less when woken or stopped. A wake-up that came while busy ends the next wait at once. */
  private sleep(ms: number): Promise<void> {
    if (this.wakePending || !this.running) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waker = undefined;
        this.wakePending = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.waker = finish;
    });
  }
}

function lastPosition(batch: readonly StoredEvent[]): number {
  let max = 0;
  for (const e of batch) if (e.position > max) max = e.position;
  return max;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`Projector: ${name} must be a positive integer`);
  return value;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
