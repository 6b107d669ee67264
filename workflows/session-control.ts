/**
 * What the user asked of a running session: the signals' flags, and the updates (decisions) queued
 * until the runner reaches a safe point to apply them. The state itself never changes here.
 */
import { allHandlersFinished, CancellationScope, condition } from '@temporalio/workflow';
import type { TaskEdit, UpdateAnswer } from '@chunkwise/contracts';

export type Decision =
  | { kind: 'approve'; taskId: string; action: 'execute' | 'skip'; edit?: TaskEdit }
  | { kind: 'retry'; taskId: string; edit?: TaskEdit }
  | { kind: 'skip'; taskId: string; reason?: string }
  | { kind: 'complete'; taskId: string }
  | { kind: 'edit'; taskId: string; edit: TaskEdit };

export const accept = (): UpdateAnswer => ({ accepted: true, reason: null });
export const reject = (reason: string): UpdateAnswer => ({ accepted: false, reason });

/** Thrown at a safe point to end the run on a stop or cancel request. */
export class Stop extends Error {}

export class SessionControl {
  pauseRequested = false;
  resumeRequested = false;
  stopRequested = false;
  cancelRequested: { reason: string | null } | null = null;
  /** The scope the run executes in: a cancel request cancels it (and the running activities). */
  readonly scope = new CancellationScope();
  private readonly queue: Array<Decision & { id: number }> = [];
  private readonly answers = new Map<number, UpdateAnswer>();
  private seq = 0;

  pause(): void {
    this.pauseRequested = true;
  }

  resume(): void {
    this.resumeRequested = true;
    this.pauseRequested = false;
  }

  stop(): void {
    this.stopRequested = true;
  }

  cancel(reason: string | null): void {
    this.cancelRequested = { reason };
    this.scope.cancel();
  }

  get stopping(): boolean {
    return this.stopRequested || this.cancelRequested !== null;
  }

  get hasDecisions(): boolean {
    return this.queue.length > 0;
  }

  /** An update's handler: queues the decision and waits for the runner's answer. */
  async decide(d: Decision): Promise<UpdateAnswer> {
    const id = ++this.seq;
    this.queue.push({ ...d, id });
    await condition(() => this.answers.has(id));
    const answer = this.answers.get(id)!;
    this.answers.delete(id);
    return answer;
  }

  /** Applies the queued decisions in order, answering each. */
  async applyDecisions(apply: (d: Decision) => Promise<UpdateAnswer>): Promise<void> {
    while (this.queue.length > 0) {
      const d = this.queue.shift()!;
      this.answers.set(d.id, await apply(d));
    }
  }

  /** Applies decisions until every update handler has finished (none may wait across runs). */
  async settle(apply: (d: Decision) => Promise<UpdateAnswer>): Promise<void> {
    for (;;) {
      await this.applyDecisions(apply);
      await condition(() => allHandlersFinished() || this.queue.length > 0);
      if (this.queue.length === 0 && allHandlersFinished()) return;
    }
  }

  /** Before the run ends: updates still queued are answered (rejected), then every handler finishes. */
  async finish(why: string): Promise<void> {
    await this.settle(async () => reject(`the session ${why}`));
  }
}
