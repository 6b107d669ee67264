/// <reference types="jest" />
/**
 * The behaviour every EventStore adapter must have. Each adapter's spec calls describeEventStoreContract with
 * a factory that returns a fresh store (it may share a server with earlier tests: the suite uses unique stream
 * names and positions relative to the head at the start of each test, so it also runs against a KurrentDB
 * server that already holds events).
 */
import { randomUUID } from 'node:crypto';
import {
  EventIdConflictError,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  WrongExpectedRevisionError,
} from '@chunkwise/event-store';

export interface EventStoreFixture {
  store: EventStore;
  cleanup(): Promise<void>;
}

export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture | undefined;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      const f = fixture;
      fixture = undefined;
      await f?.cleanup();
    });

    const stream = (label: string): string => `contract-${label}-${randomUUID()}`;
    const event = (
      type = 'Happened',
      data: unknown = { n: 1 },
      metadata?: Record<string, unknown>,
    ): NewEvent => ({
      id: randomUUID(),
      type,
      data,
      ...(metadata ? { metadata } : {}),
    });
    const events = (count: number, type = 'Happened'): NewEvent[] =>
      Array.from({ length: count }, (_, i) => event(type, { i }));
    const ids = (list: Array<{ id: string }>): string[] => list.map((e) => e.id);

    /** Events of the given streams appended after `after` (other tests' or other clients' events ignored). */
    const readAllOf = async (after: number, streams: string[]): Promise<StoredEvent[]> =>
      (await store.readAll({ after })).filter((e) => streams.includes(e.streamId));

    async function expectRejection<E extends Error>(
      promise: Promise<unknown>,
      type: new (...args: any[]) => E,
    ): Promise<E> {
      let caught: unknown;
      try {
        await promise;
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(type);
      return caught as E;
    }

    async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    describe('append and read', () => {
      it('stores events with 0-based revisions, increasing positions and the given content', async () => {
        const s = stream('basic');
        const head = await store.headPosition();
        const batch = [
          event(
            'Created',
            { title: 'plan', nested: { list: [1, 2, 3], flag: true, nothing: null } },
            { actor: 'me' },
          ),
          event('Renamed', { title: 'plän ✓ 日本' }),
        ];
        const result = await store.append(s, batch, { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1);
        expect(result.position).toBeGreaterThan(head);

        const read = await store.readStream(s);
        expect(read.map((e) => [e.id, e.streamId, e.type, e.revision])).toEqual([
          [batch[0].id, s, 'Created', 0],
          [batch[1].id, s, 'Renamed', 1],
        ]);
        expect(read[0].data).toEqual(batch[0].data);
        expect(read[0].metadata).toEqual({ actor: 'me' });
        expect(read[1].data).toEqual({ title: 'plän ✓ 日本' });
        expect(read[1].metadata).toEqual({});
        expect(read[0].position).toBeGreaterThan(head);
        expect(read[1].position).toBeGreaterThan(read[0].position);
        expect(read[1].position).toBe(result.position);
        for (const e of read) {
          expect(new Date(e.recordedAt).toISOString()).toBe(e.recordedAt);
          expect(Math.abs(Date.parse(e.recordedAt) - Date.now())).toBeLessThan(60_000);
        }
      });

      it('returns [] for a stream that does not exist', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const s = stream('any');
        expect((await store.append(s, [event()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.append(s, [event()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(1);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1]);
      });

      it('keeps order within a stream and global order across streams', async () => {
        const a = stream('order-a');
        const b = stream('order-b');
        const head = await store.headPosition();
        const appended: NewEvent[] = [];
        let revA: number | 'no_stream' = 'no_stream';
        let revB: number | 'no_stream' = 'no_stream';
        for (let round = 0; round < 3; round++) {
          const ea = events(2, 'A');
          revA = (await store.append(a, ea, { expectedRevision: revA })).nextExpectedRevision;
          const eb = events(1, 'B');
          revB = (await store.append(b, eb, { expectedRevision: revB })).nextExpectedRevision;
          appended.push(...ea, ...eb);
        }
        const all = await readAllOf(head, [a, b]);
        expect(ids(all)).toEqual(ids(appended));
        for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);

        const streamA = await store.readStream(a);
        expect(streamA.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(ids(streamA)).toEqual(ids(appended.filter((e) => e.type === 'A')));
        expect((await store.readStream(b)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('readAll({ after }) is exclusive and honours maxCount', async () => {
        const s = stream('after');
        const head = await store.headPosition();
        const batch = events(5);
        await store.append(s, batch, { expectedRevision: 'no_stream' });
        const mine = await readAllOf(head, [s]);
        expect(ids(mine)).toEqual(ids(batch));

        const afterSecond = await store.readAll({ after: mine[1].position });
        expect(ids(afterSecond.filter((e) => e.streamId === s))).toEqual(ids(batch.slice(2)));
        expect(afterSecond.every((e) => e.position > mine[1].position)).toBe(true);

        const two = await store.readAll({ after: mine[0].position, maxCount: 2 });
        expect(two).toHaveLength(2);
        expect(two[0].position).toBeGreaterThan(mine[0].position);
        expect(ids(two)).toEqual(ids(batch.slice(1, 3)));

        expect(await store.readAll({ after: mine[4].position, maxCount: 0 })).toEqual([]);
      });

      it('readStream honours fromRevision and maxCount', async () => {
        const s = stream('range');
        const batch = events(6);
        await store.append(s, batch, { expectedRevision: 'no_stream' });
        expect(ids(await store.readStream(s, { fromRevision: 2 }))).toEqual(ids(batch.slice(2)));
        expect(ids(await store.readStream(s, { fromRevision: 1, maxCount: 3 }))).toEqual(
          ids(batch.slice(1, 4)),
        );
        expect(ids(await store.readStream(s, { maxCount: 2 }))).toEqual(ids(batch.slice(0, 2)));
        expect(await store.readStream(s, { fromRevision: 6 })).toEqual([]);
      });

      it('headPosition is the position of the last event appended', async () => {
        const before = await store.headPosition();
        expect(before).toBeGreaterThanOrEqual(0);
        const r1 = await store.append(stream('head'), events(2), { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(r1.position);
        const r2 = await store.append(stream('head'), events(1), { expectedRevision: 'no_stream' });
        expect(r2.position).toBeGreaterThan(r1.position);
        expect(await store.headPosition()).toBe(r2.position);
      });

      it('a 1 MiB payload round-trips intact', async () => {
        const s = stream('big');
        const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 "\\\n\t{}[]é✓日本😀';
        let blob = '';
        let seed = 12345;
        while (blob.length < 1024 * 1024) {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          blob += alphabet[seed % alphabet.length];
        }
        const big = event('Big', { blob, length: blob.length }, { note: blob.slice(0, 1000) });
        await store.append(s, [big], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(s);
        expect((read.data as { blob: string }).blob.length).toBe(blob.length);
        expect((read.data as { blob: string }).blob === blob).toBe(true);
        expect(read.data).toEqual(big.data);
        expect(read.metadata).toEqual(big.metadata);
      });
    });

    describe('optimistic concurrency', () => {
      it('a stale expected revision fails with WrongExpectedRevisionError and writes nothing', async () => {
        const s = stream('stale');
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const error = await expectRejection(
          store.append(s, events(3), { expectedRevision: 0 }),
          WrongExpectedRevisionError,
        );
        expect(error.streamId).toBe(s);
        expect(error.expected).toBe(0);
        expect(error.actual).toBe(1);
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await readAllOf(head, [s])).toEqual([]);
        // A correct expected revision still works afterwards.
        expect((await store.append(s, events(1), { expectedRevision: 1 })).nextExpectedRevision).toBe(2);
      });

      it('an expected revision ahead of the stream fails too', async () => {
        const s = stream('ahead');
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        await expectRejection(
          store.append(s, events(1), { expectedRevision: 5 }),
          WrongExpectedRevisionError,
        );
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it("'no_stream' on an existing stream fails", async () => {
        const s = stream('exists');
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const error = await expectRejection(
          store.append(s, events(1), { expectedRevision: 'no_stream' }),
          WrongExpectedRevisionError,
        );
        expect(error.actual).toBe(0);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it("'stream_exists' on a missing stream fails, and succeeds once it exists", async () => {
        const s = stream('absent');
        const error = await expectRejection(
          store.append(s, events(1), { expectedRevision: 'stream_exists' }),
          WrongExpectedRevisionError,
        );
        expect(error.actual).toBe(-1);
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        expect(
          (await store.append(s, events(1), { expectedRevision: 'stream_exists' })).nextExpectedRevision,
        ).toBe(1);
      });

      it('a numeric expected revision on a missing stream fails', async () => {
        const s = stream('numeric-missing');
        const error = await expectRejection(
          store.append(s, events(1), { expectedRevision: 0 }),
          WrongExpectedRevisionError,
        );
        expect(error.actual).toBe(-1);
        expect(await store.readStream(s)).toEqual([]);
      });

      it('a multi-event append is atomic: a batch that fails writes none of its events', async () => {
        const s = stream('atomic');
        const first = events(2);
        await store.append(s, first, { expectedRevision: 'no_stream' });
        const head = await store.headPosition();

        // Rejected by the revision check.
        const stale = events(4);
        await expectRejection(
          store.append(s, stale, { expectedRevision: 'no_stream' }),
          WrongExpectedRevisionError,
        );

        // Rejected because one event of the batch is already stored (the others are new).
        const mixed = [event('New1'), first[1], event('New2')];
        await expectRejection(store.append(s, mixed, { expectedRevision: 1 }), EventIdConflictError);

        const stored = await store.readStream(s);
        expect(ids(stored)).toEqual(ids(first));
        const written = ids(await readAllOf(head, [s]));
        expect(written).toEqual([]);
        for (const e of [...stale, mixed[0], mixed[2]]) expect(written).not.toContain(e.id);
      });

      it('20 concurrent appenders retrying on conflicts lose and duplicate nothing', async () => {
        const s = stream('race');
        const appenders = 20;
        const perAppender = 5;
        let conflicts = 0;
        const appended: string[] = [];
        const appender = async (worker: number): Promise<void> => {
          for (let k = 0; k < perAppender; k++) {
            const e = event('Raced', { worker, k });
            for (;;) {
              const current = await store.readStream(s);
              const expected = current.length === 0 ? 'no_stream' : current[current.length - 1].revision;
              try {
                await store.append(s, [e], { expectedRevision: expected });
                appended.push(e.id);
                break;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
                conflicts++;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: appenders }, (_, worker) => appender(worker)));

        const final = await store.readStream(s);
        expect(final).toHaveLength(appenders * perAppender);
        expect(final.map((e) => e.revision)).toEqual(Array.from({ length: final.length }, (_, i) => i));
        expect(new Set(ids(final)).size).toBe(final.length);
        expect(new Set(ids(final))).toEqual(new Set(appended));
        for (let i = 1; i < final.length; i++)
          expect(final[i].position).toBeGreaterThan(final[i - 1].position);
        // Each appender's own events keep their order.
        for (let worker = 0; worker < appenders; worker++) {
          const ks = final
            .map((e) => e.data as { worker: number; k: number })
            .filter((d) => d.worker === worker);
          expect(ks.map((d) => d.k)).toEqual([0, 1, 2, 3, 4]);
        }
        // The race is real: with 20 appenders some attempts must have lost.
        expect(conflicts).toBeGreaterThan(0);
      }, 60_000);
    });

    describe('idempotency by event id', () => {
      it('appending the same batch twice stores one copy and returns the same result', async () => {
        const s = stream('idem');
        const batch = events(3);
        const first = await store.append(s, batch, { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const second = await store.append(s, batch, { expectedRevision: 'no_stream' });
        expect(second).toEqual(first);
        expect(await store.readStream(s)).toHaveLength(3);
        expect(await store.headPosition()).toBe(head);
        // The stream goes on from the original result.
        expect(
          (await store.append(s, events(1), { expectedRevision: first.nextExpectedRevision }))
            .nextExpectedRevision,
        ).toBe(3);
      });

      it('a retry with the original (now stale) expected revision is still a no-op after later appends', async () => {
        const s = stream('idem-late');
        const original = events(2);
        const first = await store.append(s, original, { expectedRevision: 'no_stream' });
        await store.append(s, events(2), { expectedRevision: 1 });
        const retry = await store.append(s, original, { expectedRevision: 'no_stream' });
        expect(retry).toEqual(first);
        const stored = await store.readStream(s);
        expect(stored).toHaveLength(4);
        expect(new Set(ids(stored)).size).toBe(4);
      });

      it('a single event appended twice with expected revisions is stored once', async () => {
        const s = stream('idem-single');
        const e = event();
        const first = await store.append(s, [e], { expectedRevision: 'no_stream' });
        const again = await store.append(s, [e], { expectedRevision: 'no_stream' });
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position).toBe(first.position);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('a batch partly stored already is rejected as a conflict and writes nothing', async () => {
        const s = stream('idem-partial');
        const batch = events(2);
        await store.append(s, batch, { expectedRevision: 'no_stream' });
        const extra = event();
        const error = await expectRejection(
          store.append(s, [batch[0], batch[1], extra], { expectedRevision: 'no_stream' }),
          EventIdConflictError,
        );
        expect(error.message).toContain(s);
        expect(ids(await store.readStream(s))).toEqual(ids(batch));
      });
    });

    describe('follow', () => {
      it('delivers existing then new events in global order, exactly once, and stop() ends it', async () => {
        const a = stream('follow-a');
        const b = stream('follow-b');
        const start = await store.headPosition();
        const existing = [...events(3, 'Existing')];
        await store.append(a, existing.slice(0, 2), { expectedRevision: 'no_stream' });
        await store.append(b, existing.slice(2), { expectedRevision: 'no_stream' });

        const seen: StoredEvent[] = [];
        const sub = store.follow({ after: start, pollIntervalMs: 20 }, (e) => {
          if (e.streamId === a || e.streamId === b) seen.push(e);
        });
        await waitFor(() => seen.length >= 3, 'the existing events');

        const live = events(4, 'Live');
        await store.append(a, live.slice(0, 2), { expectedRevision: 1 });
        await store.append(b, live.slice(2, 3), { expectedRevision: 0 });
        await store.append(a, live.slice(3), { expectedRevision: 3 });
        await waitFor(() => seen.length >= 7, 'the new events');
        // Give a duplicate delivery the chance to show up.
        await new Promise((resolve) => setTimeout(resolve, 150));

        expect(ids(seen)).toEqual(ids([...existing, ...live]));
        for (let i = 1; i < seen.length; i++) expect(seen[i].position).toBeGreaterThan(seen[i - 1].position);
        expect(ids(seen)).toEqual(ids(await readAllOf(start, [a, b])));

        await sub.stop();
        await sub.done;
        expect(sub.error).toBeUndefined();
        await store.append(a, events(2, 'AfterStop'), { expectedRevision: 4 });
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(seen).toHaveLength(7);
      }, 30_000);

      it('starts after the given position (exclusive) and waits for a slow handler before the next event', async () => {
        const s = stream('follow-after');
        const batch = events(4);
        await store.append(s, batch, { expectedRevision: 'no_stream' });
        const stored = await store.readStream(s);

        const seen: string[] = [];
        let running = 0;
        let overlap = false;
        const sub = store.follow({ after: stored[1].position, pollIntervalMs: 20 }, async (e) => {
          if (e.streamId !== s) return;
          running++;
          if (running > 1) overlap = true;
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push(e.id);
          running--;
        });
        await waitFor(() => seen.length >= 2, 'events after the start position');
        await sub.stop();
        expect(seen).toEqual(ids(batch.slice(2)));
        expect(overlap).toBe(false);
      }, 30_000);

      it('stop() waits for the running handler and no event is delivered afterwards', async () => {
        const s = stream('follow-stop');
        const start = await store.headPosition();
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        let inHandler = false;
        let calls = 0;
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const sub = store.follow({ after: start, pollIntervalMs: 20 }, async (e) => {
          if (e.streamId !== s) return;
          calls++;
          inHandler = true;
          await gate;
          inHandler = false;
        });
        await waitFor(() => calls === 1, 'the first delivery');
        let stopped = false;
        const stopping = sub.stop().then(() => (stopped = true));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(stopped).toBe(false);
        expect(inHandler).toBe(true);
        release();
        await stopping;
        expect(inHandler).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(calls).toBe(1);
        expect(sub.error).toBeUndefined();
      }, 30_000);

      it('stop() called from inside the handler does not deadlock', async () => {
        const s = stream('follow-self-stop');
        const start = await store.headPosition();
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        const seen: string[] = [];
        const sub = store.follow({ after: start, pollIntervalMs: 20 }, async (e) => {
          if (e.streamId !== s) return;
          seen.push(e.id);
          await sub.stop();
        });
        await sub.done;
        expect(seen).toHaveLength(1);
        expect(sub.error).toBeUndefined();
      }, 30_000);

      it('a handler error ends the subscription: done resolves and error holds the cause', async () => {
        const s = stream('follow-error');
        const start = await store.headPosition();
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        let calls = 0;
        const boom = new Error('handler failed');
        const sub = store.follow({ after: start, pollIntervalMs: 20 }, (e) => {
          if (e.streamId !== s) return;
          calls++;
          throw boom;
        });
        await sub.done;
        expect(sub.error).toBe(boom);
        expect(calls).toBe(1);
        await sub.stop();
      }, 30_000);
    });

    describe('write probe (health)', () => {
      it('probeWrite, when the adapter has one, succeeds repeatedly and never writes an event', async () => {
        if (!store.probeWrite) return; // an adapter without a write probe is checked by reads
        const s = stream('probe');
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const all = await store.readAll();
        await store.probeWrite();
        await store.probeWrite();
        expect(await store.headPosition()).toBe(head);
        expect(ids(await store.readAll())).toEqual(ids(all));
        await store.append(s, events(1), { expectedRevision: 1 });
        expect(await store.headPosition()).toBeGreaterThan(head);
      });
    });
  });
}
