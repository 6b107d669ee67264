import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore, StoredEvent } from '@chunkwise/event-store';
import type { AppliedBatch, ReadModelStore } from '@chunkwise/read-models';
import type { ApiProjector } from '../infrastructure/api-projector';
import { EVENT_STORE, PROJECTOR, READ_MODEL_STORE } from '../infrastructure/tokens';

/** How often the feed checks the stored checkpoint when no projector of this process tells it about batches. */
export const FEED_POLL_MS = 200;
/**
 * The idle polling of this process's projector while streams are open (its default, 50 ms, otherwise): an
 * event appended by another process (the worker's execution events) reaches the streams within this. An
 * empty poll is one indexed read of the event store.
 */
export const FEED_PROJECTOR_POLL_MS = 10;
const READ_PAGE = 500;

/** The projector as the feed uses it: the API's, plus its in-process notification of committed batches. */
type FeedProjector = ApiProjector & {
  onApplied?(listener: (batch: AppliedBatch) => void): () => void;
  setIdlePollInterval?(ms?: number): void;
};

interface Subscriber {
  streamId: string;
  /** Every event up to this global position has been considered (written when it is of the stream). */
  after: number;
  /** Catch up to at least this position (already projected) from the event store. */
  target: number;
  busy: boolean;
  ended: boolean;
  write(event: StoredEvent): void;
  fail(error: unknown): void;
}

/**
 * The events of plan streams for the live streams (`GET /plans/:id/stream`), delivered once the read models
 * hold them (a client that refetches on a frame reads the state it announces), in order, each once.
 *
 * One feed serves every open stream. When this process's projector is the active one, it hands over each
 * batch right after committing it, and the batch's events are written at once to the subscribers of their
 * streams, whoever appended them (this process or another: the projector follows the event store). When it
 * is not (a standby, or the projector runs in another process), the feed looks at the stored checkpoint every
 * FEED_POLL_MS and reads what it passed from the event store. A subscriber that is behind (resuming from
 * Last-Event-ID, or a batch it missed) is caught up from the event store up to a projected position, then
 * follows the batches again.
 */
@Injectable()
export class PlanEventFeed implements OnApplicationShutdown {
  private readonly logger = new Logger('PlanEventFeed');
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTOR) private readonly projector: FeedProjector | null,
  ) {}

  onApplicationShutdown(): void {
    this.stop();
  }

  /**
   * Follows `streamId` after global position `after`: `write` gets each event of the stream once projected,
   * in order; `fail` is called once if the event store cannot be read (the subscription is over then).
   * Returns the function that ends the subscription.
   */
  subscribe(
    streamId: string,
    after: number,
    write: (event: StoredEvent) => void,
    fail: (error: unknown) => void,
  ): () => void {
    const sub: Subscriber = { streamId, after, target: after, busy: false, ended: false, write, fail };
    this.subscribers.add(sub);
    this.start();
    // What is projected already is caught up at once; the rest comes with the batches (or the poll).
    if (this.projector?.isActive) this.catchUp(sub, this.projector.checkpoint);
    else void this.poll();
    return () => {
      sub.ended = true;
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  private start(): void {
    if (!this.unlisten && this.projector?.onApplied) {
      this.unlisten = this.projector.onApplied((batch) => this.onBatch(batch));
      this.projector.setIdlePollInterval?.(FEED_PROJECTOR_POLL_MS);
    }
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), FEED_POLL_MS);
      this.timer.unref();
    }
  }

  private stop(): void {
    if (this.unlisten) {
      this.unlisten();
      this.unlisten = undefined;
      this.projector?.setIdlePollInterval?.();
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A batch this process's projector committed: written straight from memory to the subscribers in step. */
  private onBatch(batch: AppliedBatch): void {
    for (const sub of this.subscribers) {
      if (sub.ended) continue;
      if (sub.busy || sub.after < batch.after) {
        this.catchUp(sub, batch.checkpoint);
        continue;
      }
      for (const event of batch.events) {
        if (event.position > sub.after && event.streamId === sub.streamId) sub.write(event);
      }
      if (batch.checkpoint > sub.after) sub.after = batch.checkpoint;
    }
  }

  /** The safety net, and the only path when no projector of this process is active: the stored checkpoint. */
  private async poll(): Promise<void> {
    if (this.polling || this.subscribers.size === 0) return;
    this.polling = true;
    try {
      const projected = this.projector?.isActive
        ? this.projector.checkpoint
        : await this.readModels.getCheckpoint();
      for (const sub of this.subscribers) if (sub.after < projected) this.catchUp(sub, projected);
    } catch (error) {
      this.logger.warn(`reading the read models' checkpoint failed: ${message(error)}`);
    } finally {
      this.polling = false;
    }
  }

  /** Reads the subscriber's events up to `upTo` (projected) from the event store; one reader per subscriber. */
  private catchUp(sub: Subscriber, upTo: number): void {
    if (upTo > sub.target) sub.target = upTo;
    if (sub.busy || sub.ended || sub.after >= sub.target) return;
    sub.busy = true;
    void (async () => {
      try {
        while (!sub.ended && sub.after < sub.target) {
          const target = sub.target;
          const events = await this.eventStore.readAll({ after: sub.after, maxCount: READ_PAGE });
          let last = sub.after;
          let beyond = false;
          for (const event of events) {
            if (sub.ended) break;
            if (event.position > target) {
              beyond = true;
              break;
            }
            if (event.streamId === sub.streamId) sub.write(event);
            last = event.position;
          }
          // An event past the target, or the end of the store: every event up to the target was considered.
          sub.after = beyond || events.length < READ_PAGE ? Math.max(last, target) : last;
        }
      } catch (error) {
        if (!sub.ended) {
          sub.ended = true;
          this.subscribers.delete(sub);
          sub.fail(error);
        }
      } finally {
        sub.busy = false;
      }
    })();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
