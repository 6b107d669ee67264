/**
 * Schedules on the real stack: the application from createApp (SQLite in a temp dir), the real
 * Temporal dev server and its Schedules, this host's session workers in-process (they run each
 * firing's `scheduledPlanRunWorkflow` and the sessions it starts), a real git repository and the
 * deterministic test agent as a real child process. Everything is asked through the REST API;
 * Temporal is asked directly only to show that a deleted schedule is gone.
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import request from 'supertest';
import { PlanCommandService } from '@chunkwise/application';
import { loadConfig } from '@chunkwise/config';
import { planStreamId } from '@chunkwise/domain';
import type { EventStore, StoredEvent } from '@chunkwise/event-store';
import {
  createNativeConnection,
  createTemporalClient,
  startTemporalDevServer,
  type TemporalDevServer,
} from '@chunkwise/temporal';
import { createApp } from '../apps/api/src/app.factory';
import { EVENT_STORE } from '../apps/api/src/infrastructure/tokens';
import { createScheduledRuns } from '../apps/worker/src/scheduled-runs';
import { createSessionWorkers } from '../apps/worker/src/session-workers';
import { AGENT, makeRepo } from './support/session-harness';
import { makeTempDir } from './support/temp-dir';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(300_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FIRINGS = ['ScheduleFired', 'ScheduleFiringSkipped', 'ScheduleFiringQueued'];

withTemporalCli('test/schedules.e2e.ts', ({ path: binary }) => {
  describe('schedules of finalized plans on Temporal Schedules', () => {
    const tmp = makeTempDir('cw-schedules-');
    const taskQueue = `chunkwise-sched-${Math.random().toString(36).slice(2, 8)}`;
    let server: TemporalDevServer;
    let app: NestExpressApplication;
    let connection: NativeConnection;
    let client: Client;
    let workers: Worker[] = [];
    let running: Array<Promise<void>> = [];
    let store: EventStore;
    let repo: string;
    const api = () => request(app.getHttpServer());

    beforeAll(async () => {
      server = await startTemporalDevServer({ dataDir: join(tmp.path, 'temporal'), binary, headless: true });
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'data'),
        TEMPORAL_ADDRESS: server.address,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_LOG_LEVEL: 'error',
      });
      mkdirSync(config.dataDir, { recursive: true });
      app = await createApp(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
      await app.init();
      store = app.get<EventStore>(EVENT_STORE);
      connection = await createNativeConnection({ address: server.address });
      ({ workers } = await createSessionWorkers({
        connection,
        namespace: 'default',
        taskQueue,
        eventStore: store,
        dataDir: config.dataDir,
        hostId: 'schedules-test-host',
        heartbeatMs: 500,
      }));
      running = workers.map((w) => w.run());
      client = await createTemporalClient({ address: server.address, namespace: 'default' });
      repo = makeRepo(join(tmp.path, 'target'));
    });

    afterAll(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await connection?.close();
      await client?.connection.close();
      await app?.close();
      await server?.stop();
      tmp.remove();
    });

    /** A plan of one task; finalized unless told otherwise. */
    async function plan(description: string, finalize = true): Promise<string> {
      const created = await api()
        .post('/api/plans')
        .send({
          title: 'scheduled',
          repository: repo,
          execution: {
            agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
            qaGates: [],
          },
          tasks: [{ id: 'T1', chunk: 'C01', title: 'work', description }],
        });
      expect(created.status).toBe(201);
      const planId: string = created.body.id;
      if (finalize) expect((await api().post(`/api/plans/${planId}/finalize`).send({})).status).toBe(200);
      return planId;
    }

    const events = (planId: string): Promise<StoredEvent[]> => store.readStream(planStreamId(planId));
    const ofType = async (planId: string, ...types: string[]) =>
      (await events(planId)).filter((e) => types.includes(e.type));

    async function waitFor<T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs = 90_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const value = await probe();
        if (value !== undefined) return value;
        await sleep(250);
      }
      throw new Error(`timed out waiting for ${what}`);
    }

    /** The first event of `type` (matching `where`) after `after` events of the stream. */
    const waitEvent = (
      planId: string,
      type: string,
      where: (data: Record<string, unknown>) => boolean = () => true,
      after = 0,
    ) =>
      waitFor(`${type} on ${planId}`, async () =>
        (await events(planId))
          .slice(after)
          .find((e) => e.type === type && where(e.data as Record<string, unknown>)),
      );

    const sessionEnded = (planId: string, sessionId: string) =>
      waitEvent(planId, 'ExecutionCompleted', (d) => d.sessionId === sessionId);

    test('bad requests are refused with a clear status, and nothing is recorded', async () => {
      const draft = await plan('write a.txt a', false);
      const onDraft = await api().post(`/api/plans/${draft}/schedules`).send({ every: '1h' });
      expect(onDraft.status).toBe(409);
      expect(onDraft.body.message).toMatch(/draft; finalize it/);
      expect((await api().post('/api/plans/p_doesnotexist/schedules').send({ every: '1h' })).status).toBe(
        404,
      );

      const planId = await plan('write a.txt a');
      const bad: Array<[unknown, RegExp]> = [
        [{ cron: '61 * * * *' }, /61 is outside 0-59/],
        [{ cron: 'every monday' }, /five fields/],
        [{ every: 'soon' }, /not an interval/],
        [{ at: '2001-01-01T00:00:00Z' }, /in the past/],
        [{}, /one of cron, every or at/],
        [{ every: '1h', cron: '* * * * *' }, /only one/],
        [{ every: '1h', overlap: 'sometimes' }, /overlap/],
      ];
      for (const [body, message] of bad) {
        const res = await api()
          .post(`/api/plans/${planId}/schedules`)
          .send(body as object);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.message).toMatch(message);
      }
      expect(await ofType(planId, 'ScheduleCreated')).toEqual([]);
      expect((await api().post(`/api/plans/${planId}/schedules/sch_nope/pause`).send({})).status).toBe(404);
      expect((await api().delete(`/api/plans/${planId}/schedules/sch_nope`)).status).toBe(404);
    });

    test('a schedule fires and starts sessions; pause stops it firing; resume and trigger fire again; delete removes it from Temporal', async () => {
      const planId = await plan('write out.txt scheduled');
      const created = await api()
        .post(`/api/plans/${planId}/schedules`)
        .send({ every: '3s', overlap: 'refuse', note: 'e2e' });
      expect(created.status).toBe(201);
      const scheduleId: string = created.body.scheduleId;
      const temporalId: string = created.body.temporalScheduleId;
      expect(created.headers.location).toBe(`/api/plans/${planId}/schedules/${scheduleId}`);
      expect(created.body).toMatchObject({
        planId,
        status: 'active',
        overlap: 'refuse',
        from: 'current',
        description: 'every 3s',
        spec: { kind: 'every', everyMs: 3000 },
        temporal: { paused: false },
      });
      expect(created.body.temporal.nextRunTimes.length).toBeGreaterThan(0);

      // It fires: a session starts through the execute path and completes.
      const fired = await waitEvent(planId, 'ScheduleFired', (d) => d.scheduleId === scheduleId);
      const sessionId = (fired.data as { sessionId: string }).sessionId;
      const requested = await waitEvent(planId, 'ExecutionRequested', (d) => d.sessionId === sessionId);
      expect(requested.revision).toBeLessThan(fired.revision);
      await waitEvent(planId, 'ExecutionStarted', (d) => d.sessionId === sessionId);
      await sessionEnded(planId, sessionId);

      const listed = await api().get(`/api/plans/${planId}/schedules`);
      expect(listed.status).toBe(200);
      expect(listed.body.schedules).toHaveLength(1);
      expect(listed.body.schedules[0]).toMatchObject({ scheduleId, status: 'active' });
      expect(listed.body.schedules[0].fired).toBeGreaterThanOrEqual(1);
      expect(listed.body.schedules[0].temporal.actionsTaken).toBeGreaterThanOrEqual(1);
      // Every plan's schedules (Temporal's listing catches up within moments).
      await waitFor('GET /api/schedules to list it', async () => {
        const all = await api().get('/api/schedules');
        expect(all.status).toBe(200);
        return (
          all.body.schedules.some((s: { scheduleId: string }) => s.scheduleId === scheduleId) || undefined
        );
      });

      // Pause: recorded, Temporal paused, and no firing over several intervals.
      const paused = await api()
        .post(`/api/plans/${planId}/schedules/${scheduleId}/pause`)
        .send({ note: 'hold' });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ status: 'paused', temporal: { paused: true, note: 'hold' } });
      const again = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/pause`).send({});
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/paused already/);
      const pausedTrigger = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/trigger`).send({});
      expect(pausedTrigger.status).toBe(409);
      // A firing taken just before the pause may still be finishing: wait for it, then count.
      await waitFor('the last firing before the pause to end', async () => {
        const d = await client.schedule.getHandle(temporalId).describe();
        return d.info.runningActions.length === 0 ? true : undefined;
      });
      await sleep(1000);
      const before = (await ofType(planId, ...FIRINGS)).length;
      const takenBefore = (await client.schedule.getHandle(temporalId).describe()).info.numActionsTaken;
      await sleep(10_000);
      expect((await ofType(planId, ...FIRINGS)).length).toBe(before);
      expect((await client.schedule.getHandle(temporalId).describe()).info.numActionsTaken).toBe(takenBefore);

      // Resume: it fires again.
      const resumed = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/resume`).send({});
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ status: 'active', temporal: { paused: false } });
      const count = (await events(planId)).length;
      await waitEvent(planId, 'ScheduleFired', (d) => d.scheduleId === scheduleId, count);

      // Trigger now: recorded, and a firing follows.
      const afterResume = (await events(planId)).length;
      const triggered = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/trigger`).send({});
      expect(triggered.status).toBe(202);
      await waitEvent(planId, 'ScheduleTriggered', (d) => d.scheduleId === scheduleId, afterResume);
      await waitFor(
        'a firing after the trigger',
        async () =>
          (await events(planId)).slice(afterResume).some((e) => FIRINGS.includes(e.type)) || undefined,
      );

      // Delete: recorded, gone from Temporal and from the plan's list; further actions refused.
      const deleted = await api().delete(`/api/plans/${planId}/schedules/${scheduleId}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ status: 'deleted' });
      await expect(client.schedule.getHandle(temporalId).describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
      expect((await ofType(planId, 'ScheduleDeleted')).map((e) => e.data)).toEqual([
        expect.objectContaining({ scheduleId }),
      ]);
      expect((await api().get(`/api/plans/${planId}/schedules`)).body.schedules).toEqual([]);
      const afterDelete = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/resume`).send({});
      expect(afterDelete.status).toBe(409);
      expect(afterDelete.body.message).toMatch(/deleted/);

      // Every action is on the plan's history (the read model).
      const history = await api().get(`/api/plans/${planId}/history`);
      expect(history.status).toBe(200);
      const types = history.body.entries.map((e: { type: string }) => e.type);
      for (const type of [
        'ScheduleCreated',
        'ScheduleFired',
        'SchedulePaused',
        'ScheduleResumed',
        'ScheduleTriggered',
        'ScheduleDeleted',
        'ExecutionStarted',
      ])
        expect(types).toContain(type);

      // Sessions started by the schedule end; nothing of it runs any more.
      await waitFor('the schedule’s last session to end', async () => {
        const detail = await api().get(`/api/plans/${planId}`);
        return detail.body.status === 'running' || detail.body.status === 'paused' ? undefined : true;
      });
    });

    test('overlap refuse: a firing while a session is active is recorded as skipped', async () => {
      const planId = await plan('sleep 6000\nwrite slow.txt slow');
      const started = await api().post(`/api/plans/${planId}/execute`).send({});
      expect(started.status).toBe(202);
      const manual: string = started.body.sessionId;
      const created = await api()
        .post(`/api/plans/${planId}/schedules`)
        .send({ every: '1h', overlap: 'refuse' });
      expect(created.status).toBe(201);
      const scheduleId: string = created.body.scheduleId;
      expect((await api().post(`/api/plans/${planId}/schedules/${scheduleId}/trigger`).send({})).status).toBe(
        202,
      );
      const skipped = await waitEvent(planId, 'ScheduleFiringSkipped', (d) => d.scheduleId === scheduleId);
      expect((skipped.data as { reason: string }).reason).toMatch(
        new RegExp(`session ${manual} .* is running`),
      );
      await sessionEnded(planId, manual);
      expect(await ofType(planId, 'ScheduleFired')).toEqual([]);
      expect((await api().delete(`/api/plans/${planId}/schedules/${scheduleId}`)).status).toBe(200);
    });

    test('overlap queue: a firing while a session is active runs once that session ends', async () => {
      const planId = await plan('sleep 5000\nwrite queued.txt q');
      const started = await api().post(`/api/plans/${planId}/execute`).send({});
      expect(started.status).toBe(202);
      const manual: string = started.body.sessionId;
      const created = await api()
        .post(`/api/plans/${planId}/schedules`)
        .send({ every: '1h', overlap: 'queue', from: 'beginning' });
      expect(created.status).toBe(201);
      const scheduleId: string = created.body.scheduleId;
      expect((await api().post(`/api/plans/${planId}/schedules/${scheduleId}/trigger`).send({})).status).toBe(
        202,
      );
      const queued = await waitEvent(planId, 'ScheduleFiringQueued', (d) => d.scheduleId === scheduleId);
      expect(queued.data).toMatchObject({ behind: manual });
      const fired = await waitEvent(planId, 'ScheduleFired', (d) => d.scheduleId === scheduleId);
      const sessionId = (fired.data as { sessionId: string }).sessionId;
      expect(sessionId).not.toBe(manual);
      const all = await events(planId);
      const manualEnd = all.findIndex(
        (e) => e.type === 'ExecutionCompleted' && (e.data as { sessionId: string }).sessionId === manual,
      );
      const scheduledStart = all.findIndex(
        (e) => e.type === 'ExecutionRequested' && (e.data as { sessionId: string }).sessionId === sessionId,
      );
      expect(manualEnd).toBeGreaterThan(-1);
      expect(scheduledStart).toBeGreaterThan(manualEnd);
      expect((queued.data as { firingId: string }).firingId).toBe(
        (fired.data as { firingId: string }).firingId,
      );
      await sessionEnded(planId, sessionId);
      expect((await api().delete(`/api/plans/${planId}/schedules/${scheduleId}`)).status).toBe(200);
    });

    test('crashes between the record and Temporal lose nothing: the recorded state wins and repairs Temporal', async () => {
      const planId = await plan('write repair.txt r');
      const created = await api().post(`/api/plans/${planId}/schedules`).send({ every: '1h' });
      expect(created.status).toBe(201);
      const { scheduleId, temporalScheduleId } = created.body as {
        scheduleId: string;
        temporalScheduleId: string;
      };

      // Recorded, but Temporal lacks it (its creation was interrupted): listed with a note; pause re-creates it.
      await client.schedule.getHandle(temporalScheduleId).delete();
      const listed = await api().get(`/api/plans/${planId}/schedules`);
      expect(listed.body.schedules[0]).toMatchObject({ scheduleId, status: 'active', temporal: null });
      expect(listed.body.schedules[0].temporalNote).toMatch(/re-creates it/);
      const paused = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/pause`).send({});
      expect(paused.status).toBe(200);
      expect(paused.body.temporal).toMatchObject({ paused: true });
      expect((await client.schedule.getHandle(temporalScheduleId).describe()).state.paused).toBe(true);
      // Recorded resumed, but Temporal still paused (the unpause call was lost): a retried resume is
      // refused as done already, and still unpauses Temporal.
      await app.get(PlanCommandService).execute(planId, { type: 'ResumeSchedule', scheduleId });
      const retried = await api().post(`/api/plans/${planId}/schedules/${scheduleId}/resume`).send({});
      expect(retried.status).toBe(409);
      expect((await client.schedule.getHandle(temporalScheduleId).describe()).state.paused).toBe(false);

      // A retried firing (same firing id, e.g. after a worker crash) starts one session, recorded once.
      const runs = createScheduledRuns({ connection, namespace: 'default', taskQueue, eventStore: store });
      const firing = { planId, scheduleId, firingId: `${temporalScheduleId}-retried` };
      const first = await runs.fire(firing);
      const second = await runs.fire(firing);
      expect(first).toMatchObject({ outcome: 'fired' });
      expect(second).toEqual(first);
      const sessionId = (first as { sessionId: string }).sessionId;
      expect(await ofType(planId, 'ScheduleFired')).toHaveLength(1);
      expect(
        (await ofType(planId, 'ExecutionRequested')).filter(
          (e) => (e.data as { sessionId: string }).sessionId === sessionId,
        ),
      ).toHaveLength(1);
      await sessionEnded(planId, sessionId);

      // Recorded deleted, but Temporal still has it (the delete call was lost): its next firing is
      // skipped and recorded, and removes it from Temporal.
      await app.get(PlanCommandService).execute(planId, { type: 'DeleteSchedule', scheduleId });
      await client.schedule.getHandle(temporalScheduleId).trigger();
      const skipped = await waitEvent(planId, 'ScheduleFiringSkipped', (d) => d.scheduleId === scheduleId);
      expect((skipped.data as { reason: string }).reason).toMatch(/is deleted/);
      await expect(client.schedule.getHandle(temporalScheduleId).describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
    });

    test('once at a time: fires once, then has no action left', async () => {
      const planId = await plan('write once.txt once');
      const at = new Date(Date.now() + 4000).toISOString();
      const created = await api().post(`/api/plans/${planId}/schedules`).send({ at });
      expect(created.status).toBe(201);
      expect(created.body.temporal).toMatchObject({ remainingActions: 1 });
      const fired = await waitEvent(planId, 'ScheduleFired', (d) => d.scheduleId === created.body.scheduleId);
      await sessionEnded(planId, (fired.data as { sessionId: string }).sessionId);
      const listed = await api().get(`/api/plans/${planId}/schedules`);
      expect(listed.body.schedules[0]).toMatchObject({ fired: 1, temporal: { remainingActions: 0 } });
      expect(listed.body.schedules[0].temporal.nextRunTimes).toEqual([]);
    });
  });
});
