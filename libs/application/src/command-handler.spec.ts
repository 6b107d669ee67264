import {
  planAggregate,
  type Aggregate,
  type PlanState,
  type PlanStreamCommand,
  type PlanStreamEvent,
} from '@chunkwise/domain';
import { SqliteEventStore, type EventStore, type NewEvent } from '@chunkwise/event-store';
import { CommandHandler } from './command-handler';
import { PlanNotFoundError, StaleRevisionError } from './errors';
import { PlanCommandService } from './plan-command-service';

const document = {
  title: 'Write path',
  repository: '/tmp/repo',
  tasks: [
    { id: 'A1', chunk: 'C01_a', title: 'first' },
    { id: 'A2', chunk: 'C01_a', title: 'second', dependsOn: ['A1'] },
  ],
};

/** The real SQLite store, with a hook that runs just before each append (to let another writer in). */
class RacingStore {
  beforeAppend: (() => Promise<void>) | undefined;
  appends = 0;
  constructor(readonly store: EventStore) {}
  asStore(): EventStore {
    return new Proxy(this.store, {
      get: (target, prop, receiver) => {
        if (prop !== 'append') return Reflect.get(target, prop, receiver);
        return async (streamId: string, events: NewEvent[], options: { expectedRevision: never }) => {
          this.appends++;
          await this.beforeAppend?.();
          return target.append(streamId, events, options);
        };
      },
    });
  }
}

describe('CommandHandler (the write path) on the SQLite event store', () => {
  let sqlite: SqliteEventStore;
  let plans: PlanCommandService;
  const stream = async (id: string) => sqlite.readStream(`plan-${id}`);

  beforeEach(async () => {
    sqlite = new SqliteEventStore(':memory:');
    plans = new PlanCommandService(sqlite);
    await plans.execute('p1', { type: 'CreatePlan', planId: 'p1', document });
  });
  afterEach(() => sqlite.close());

  it('refuses a stale client revision with 409 naming the current one, and writes nothing', async () => {
    await plans.execute(
      'p1',
      { type: 'UpdatePlanDetails', changes: { title: 'Two' } },
      { expectedRevision: 1 },
    );
    const before = await stream('p1');
    const stale = plans.execute(
      'p1',
      { type: 'UpdatePlanDetails', changes: { title: 'Three' } },
      { expectedRevision: 1 },
    );
    await expect(stale).rejects.toBeInstanceOf(StaleRevisionError);
    await expect(stale).rejects.toMatchObject({ expectedRevision: 1, currentRevision: 2 });
    expect(await stream('p1')).toEqual(before);
  });

  it('refuses a client revision when another writer gets in between read and append (no re-decide)', async () => {
    const racing = new RacingStore(sqlite);
    const handler = new PlanCommandService(racing.asStore());
    racing.beforeAppend = async () => {
      racing.beforeAppend = undefined;
      await plans.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Theirs' } });
    };
    const write = handler.execute(
      'p1',
      { type: 'UpdatePlanDetails', changes: { title: 'Mine' } },
      { expectedRevision: 1 },
    );
    await expect(write).rejects.toMatchObject({ name: 'StaleRevisionError', currentRevision: 2 });
    expect(racing.appends).toBe(1);
    const events = await stream('p1');
    expect(events.map((e) => (e.data as { changes?: { title?: string } }).changes?.title)).toEqual([
      undefined,
      'Theirs',
    ]);
  });

  it('decides again on a fresh read when no client revision is given, under concurrent writers', async () => {
    const writers = ['one', 'two', 'three', 'four', 'five'].map((feedback) =>
      plans.execute('p1', { type: 'RecordFeedback', feedback }),
    );
    const results = await Promise.all(writers);
    expect(results.every((r) => r.events.length === 1)).toBe(true);
    const feedback = (await stream('p1')).filter((e) => e.type === 'FeedbackRecorded');
    expect(feedback.map((e) => (e.data as { feedback: string }).feedback).sort()).toEqual([
      'five',
      'four',
      'one',
      'three',
      'two',
    ]);
    // Re-deciding sees what the others wrote: content changes still get consecutive revisions.
    const edits = await Promise.all(
      ['x', 'y', 'z'].map((title) =>
        plans.execute('p1', { type: 'UpdateTask', taskId: 'A1', changes: { title } }),
      ),
    );
    expect(edits.map((e) => e.revision).sort()).toEqual([2, 3, 4]);
  });

  it('gives up after a bounded number of decisions (409), writing nothing of its own', async () => {
    const racing = new RacingStore(sqlite);
    const handler = new PlanCommandService(racing.asStore(), { maxAttempts: 3 });
    let n = 0;
    racing.beforeAppend = () =>
      plans.execute('p1', { type: 'RecordFeedback', feedback: `other ${++n}` }).then(() => undefined);
    await expect(handler.execute('p1', { type: 'RecordFeedback', feedback: 'mine' })).rejects.toBeInstanceOf(
      StaleRevisionError,
    );
    expect(racing.appends).toBe(3);
    const texts = (await stream('p1')).map((e) => (e.data as { feedback?: string }).feedback);
    expect(texts).not.toContain('mine');
    expect(texts.filter(Boolean)).toEqual(['other 1', 'other 2', 'other 3']);
  });

  it('lets two concurrent execution requests start one session only', async () => {
    await plans.execute('p1', { type: 'FinalizePlan' });
    const request = (sessionId: string) =>
      plans.execute('p1', {
        type: 'RequestExecution',
        sessionId,
        workflowId: `wf-${sessionId}`,
        revision: 1,
        from: 'current',
        target: null,
        chunks: null,
        resumedFrom: null,
      });
    const outcomes = await Promise.allSettled([request('s_a'), request('s_b')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'invalid_transition' });
    expect((await stream('p1')).filter((e) => e.type === 'ExecutionRequested')).toHaveLength(1);
  });

  it('records a batch with deterministic ids once: a retried batch is a no-op, even after other writes', async () => {
    await plans.execute('p1', { type: 'FinalizePlan' });
    const batch: PlanStreamEvent[] = [
      {
        type: 'ExecutionRequested',
        data: {
          revision: 1,
          sessionId: 's_1',
          workflowId: 'wf',
          from: 'current',
          target: null,
          chunks: null,
          resumedFrom: null,
        },
      },
      { type: 'TaskSkipped', data: { revision: 1, sessionId: 's_1', taskId: 'A1', reason: 'user' } },
    ];
    const keys = ['s_1-requested', 's_1-skip-A1'];
    const record = () =>
      plans.execute(
        'p1',
        { type: 'RecordExecutionEvents', events: batch as never },
        { eventId: (_e, i) => keys[i], metadata: { source: 'session' } },
      );
    const first = await record();
    const stored = await stream('p1');
    await plans.execute('p1', { type: 'RecordFeedback', feedback: 'meanwhile' });
    const again = await record();
    const after = await stream('p1');
    expect(after).toHaveLength(stored.length + 1);
    expect(after.filter((e) => keys.includes(e.id)).map((e) => e.revision)).toEqual(
      stored.filter((e) => keys.includes(e.id)).map((e) => e.revision),
    );
    expect(again.position).toBe(first.position);
    expect(stored.find((e) => e.id === keys[0])?.metadata).toMatchObject({ source: 'session' });
  });

  it('evolves the new events once per write, and checks the invariants on that one result', async () => {
    let evolves = 0;
    const checked: PlanState[] = [];
    const counting: Aggregate<PlanStreamCommand, PlanStreamEvent, PlanState> = {
      ...planAggregate,
      evolve: (s, e) => {
        evolves++;
        return planAggregate.evolve(s, e);
      },
      check: (c, next) => {
        checked.push(next);
        planAggregate.check!(c, next);
      },
    };
    const handler = new CommandHandler(sqlite, counting, { notFound: (id) => new PlanNotFoundError(id) });
    const history = (await stream('p1')).length;
    const result = await handler.execute('p1', {
      type: 'AddTask',
      task: { id: 'A3', chunk: 'C01_a', title: 'third' },
    });
    expect(result.events).toHaveLength(1);
    expect(evolves).toBe(history + 1); // the fold of the stream, then the one new event
    expect(checked).toEqual([result.state]);

    // An invariant broken by the new events: refused, nothing written.
    await expect(
      handler.execute('p1', { type: 'SetTaskDependencies', taskId: 'A1', dependsOn: ['A2'] }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await stream('p1')).toHaveLength(history + 1);
  });

  it('answers 404 for a command on a plan that does not exist', async () => {
    await expect(plans.execute('nope', { type: 'FinalizePlan' })).rejects.toBeInstanceOf(PlanNotFoundError);
  });

  it("keeps a fold per stream: reads only the events after it, and sees other writers' events", async () => {
    const racing = new RacingStore(sqlite);
    const reads: Array<number | undefined> = [];
    const store = new Proxy(racing.asStore(), {
      get: (target, prop, receiver) => {
        if (prop !== 'readStream') return Reflect.get(target, prop, receiver);
        return (id: string, options?: { fromRevision?: number }) => {
          reads.push(options?.fromRevision);
          return target.readStream(id, options);
        };
      },
    });
    const cached = new PlanCommandService(store);
    const other = new PlanCommandService(sqlite, { cachedStreams: 0 });
    await cached.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Two' } });
    // Another writer (another process) appends in between: the next command folds its event too.
    await other.execute('p1', { type: 'UpdatePlanDetails', changes: { description: 'from elsewhere' } });
    const r = await cached.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Three' } });
    expect(reads).toEqual([undefined, 2]);
    expect(r.state).toEqual((await plans.load('p1')).state);
    expect(r.state.content.description).toBe('from elsewhere');
    // A stale client revision is still refused against what is stored now.
    await other.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Four' } });
    await expect(
      cached.execute(
        'p1',
        { type: 'UpdatePlanDetails', changes: { title: 'Five' } },
        { expectedRevision: r.revision },
      ),
    ).rejects.toBeInstanceOf(StaleRevisionError);
  });
});
