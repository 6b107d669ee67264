import { PlanCommandService } from '@chunkwise/application';
import { planStreamId } from '@chunkwise/domain';
import { SqliteEventStore, type StoredEvent } from '@chunkwise/event-store';
import { Projector, SqliteReadModelStore } from '@chunkwise/read-models';
import { PlanEventFeed } from './plan-event-feed';

const doc = { title: 'P', tasks: [{ id: 'T1', chunk: 'C01_a', title: 'one' }] };
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('PlanEventFeed', () => {
  let events: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  let plans: PlanCommandService;
  let projector: Projector;
  let feed: PlanEventFeed | undefined;

  beforeEach(async () => {
    events = new SqliteEventStore(':memory:');
    readModels = new SqliteReadModelStore(':memory:');
    plans = new PlanCommandService(events);
    projector = new Projector(events, readModels, { pollIntervalMs: 10, logger: quiet });
    await plans.execute('a', { type: 'CreatePlan', planId: 'a', document: doc });
    await plans.execute('b', { type: 'CreatePlan', planId: 'b', document: doc });
  });
  afterEach(async () => {
    feed?.onApplicationShutdown();
    await projector.stop();
    await readModels.close();
    await events.close();
  });

  const feedback = (planId: string, text: string) =>
    plans.execute(planId, { type: 'RecordFeedback', feedback: text });

  /** Subscribes to plan `a`; each frame records the read models' checkpoint when it was written. */
  function follow(feedOf: PlanEventFeed, after: number) {
    const got: Array<{ event: StoredEvent; projected: number }> = [];
    const failures: unknown[] = [];
    const stop = feedOf.subscribe(
      planStreamId('a'),
      after,
      (event) => {
        // Synchronous read of the checkpoint the frame is written against.
        void readModels.getCheckpoint().then((projected) => got.push({ event, projected }));
      },
      (error) => failures.push(error),
    );
    return { got, failures, stop };
  }

  it('writes each event of the stream once, in order, once the read models hold it (in-process projector)', async () => {
    await projector.start();
    feed = new PlanEventFeed(events, readModels, projector);
    const head = await events.headPosition();
    const s = follow(feed, head);
    for (let i = 1; i <= 5; i++) {
      await feedback('a', `a${i}`);
      await feedback('b', `b${i}`);
    }
    await until(() => s.got.length === 5, 'five frames');
    await new Promise((r) => setTimeout(r, 50));
    expect(s.got.map((g) => (g.event.data as { feedback: string }).feedback)).toEqual([
      'a1',
      'a2',
      'a3',
      'a4',
      'a5',
    ]);
    for (const g of s.got) expect(g.projected).toBeGreaterThanOrEqual(g.event.position);
    expect(s.failures).toEqual([]);
  });

  it('catches a subscriber that starts behind up from the event store, then follows live', async () => {
    await feedback('a', 'old1');
    await feedback('a', 'old2');
    await projector.start();
    await projector.waitForPosition(await events.headPosition(), 5000);
    feed = new PlanEventFeed(events, readModels, projector);
    const s = follow(feed, 0);
    await until(() => s.got.length === 3, 'the backlog');
    await feedback('a', 'new');
    await until(() => s.got.length === 4, 'the live frame');
    expect(s.got.map((g) => g.event.type)).toEqual([
      'PlanCreated',
      'FeedbackRecorded',
      'FeedbackRecorded',
      'FeedbackRecorded',
    ]);
    expect(new Set(s.got.map((g) => g.event.position)).size).toBe(4);
  });

  it('without an active projector in this process: follows the stored checkpoint, never ahead of it', async () => {
    feed = new PlanEventFeed(events, readModels, null);
    const s = follow(feed, await events.headPosition());
    await feedback('a', 'x');
    // Not projected yet (nobody projects): nothing is written.
    await new Promise((r) => setTimeout(r, 450));
    expect(s.got).toEqual([]);
    // Another projector (another process, say) projects it: it comes with the next poll.
    await projector.catchUp();
    await until(() => s.got.length === 1, 'the frame after the projection');
    expect(s.got[0].projected).toBeGreaterThanOrEqual(s.got[0].event.position);
  });

  it('stops writing when the subscription ends', async () => {
    await projector.start();
    feed = new PlanEventFeed(events, readModels, projector);
    const s = follow(feed, await events.headPosition());
    await feedback('a', 'one');
    await until(() => s.got.length === 1, 'the first frame');
    s.stop();
    await feedback('a', 'two');
    await projector.waitForPosition(await events.headPosition(), 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.got).toHaveLength(1);
  });
});
