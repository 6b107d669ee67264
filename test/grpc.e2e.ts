/**
 * The gRPC API end to end, with a real grpc-js client: the API from startApi with CHUNKWISE_GRPC_PORT
 * and a bearer token, the Temporal dev server, this host's session workers in-process, a real git
 * repository and the example agent (examples/agents/scripted-agent.js) as a real child process.
 * Every RPC of PlanService and SessionService, Watch during a real session (every event in order,
 * resumed from a position after a disconnect), each error code, auth, concurrent conflicting edits,
 * health and reflection.
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { loadConfig } from '@chunkwise/config';
import { planStreamId } from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import {
  createNativeConnection,
  getFreePort,
  startTemporalDevServer,
  type TemporalDevServer,
} from '@chunkwise/temporal';
import { type RunningApi, startApi } from '../apps/api/src/app.factory';
import { LOADER_OPTIONS, PROTO_FILES, protoDir } from '../apps/api/src/grpc/grpc-server';
import { EVENT_STORE } from '../apps/api/src/infrastructure/tokens';
import { FakeAnthropic } from './support/fake-anthropic';
import { createSessionWorkers } from '../apps/worker/src/session-workers';
import { git, makeRepo } from './support/session-harness';
import { makeTempDir } from './support/temp-dir';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const ROOT = resolve(__dirname, '..');
const AGENT = join(ROOT, 'examples', 'agents', 'scripted-agent.js');
const CHECK = join(ROOT, 'examples', 'agents', 'check.js');
const TOKEN = 'grpc-test-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type Ctor = new (address: string, credentials: grpc.ChannelCredentials) => Client;
type Answer = Record<string, unknown> & { result?: { id: string; revision: number } };
interface WatchEvent {
  type: string;
  position: number;
  streamRevision: number;
  recordedAt: string;
  dataJson: string;
}

const definition = loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  chunkwise: { v1: { PlanService: Ctor; SessionService: Ctor } };
};
const health = grpc.loadPackageDefinition(loadSync(healthProtoPath, LOADER_OPTIONS)) as unknown as {
  grpc: { health: { v1: { Health: Ctor } } };
};
const reflectionProto = join(
  ROOT,
  'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto',
);
const reflection = grpc.loadPackageDefinition(loadSync(reflectionProto, LOADER_OPTIONS)) as unknown as {
  grpc: { reflection: { v1: { ServerReflection: Ctor } } };
};

const auth = (token: string | null = TOKEN) => {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
};

function call<T = Answer>(client: Client, method: string, request: object, md = auth()): Promise<T> {
  return new Promise((resolvePromise, reject) =>
    client[method](request, md, (err: grpc.ServiceError | null, out: T) =>
      err ? reject(err) : resolvePromise(out),
    ),
  );
}

/** The error of a call that must fail. */
async function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

const errorBody = (e: grpc.ServiceError) =>
  JSON.parse(String(e.metadata.get('chunkwise-error')[0])) as Record<string, unknown> & {
    issues?: Array<{ message: string; path?: string }>;
  };

withTemporalCli('test/grpc.e2e.ts', ({ path: binary }) => {
  describe('the gRPC API on the real stack', () => {
    const tmp = makeTempDir('cw-grpc-');
    const taskQueue = `chunkwise-grpc-${Math.random().toString(36).slice(2, 8)}`;
    let server: TemporalDevServer;
    let api: RunningApi;
    let connection: NativeConnection;
    let workers: Worker[] = [];
    let running: Array<Promise<void>> = [];
    let repo: string;
    let plans: Client;
    let sessions: Client;
    let address: string;
    let eventStore: EventStore;
    let fake: FakeAnthropic;

    beforeAll(async () => {
      fake = await FakeAnthropic.start();
      server = await startTemporalDevServer({ dataDir: join(tmp.path, 'temporal'), binary, headless: true });
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'data'),
        CHUNKWISE_PORT: '0',
        CHUNKWISE_GRPC_PORT: String(await getFreePort()),
        TEMPORAL_ADDRESS: server.address,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_API_TOKEN: TOKEN,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: 'test-key',
        CHUNKWISE_LOG_LEVEL: 'error',
      });
      mkdirSync(config.dataDir, { recursive: true });
      api = await startApi(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
      address = api.grpcAddress!;
      eventStore = api.app.get<EventStore>(EVENT_STORE);
      connection = await createNativeConnection({ address: server.address });
      ({ workers } = await createSessionWorkers({
        connection,
        namespace: 'default',
        taskQueue,
        eventStore,
        dataDir: config.dataDir,
        hostId: 'grpc-test-host',
        heartbeatMs: 500,
      }));
      running = workers.map((w) => w.run());
      repo = makeRepo(join(tmp.path, 'target'));
      const credentials = grpc.credentials.createInsecure();
      plans = new loaded.chunkwise.v1.PlanService(address, credentials);
      sessions = new loaded.chunkwise.v1.SessionService(address, credentials);
    });

    afterAll(async () => {
      plans?.close();
      sessions?.close();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await connection?.close();
      await api?.app.close();
      await server?.stop();
      await fake?.close();
      tmp.remove();
    });

    const document = (title: string) => ({
      title,
      repository: repo,
      execution: {
        agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
        qaGates: [{ name: 'check', argv: [process.execPath, CHECK] }],
      },
      chunks: [
        { key: 'C01_build', title: 'Build' },
        { key: 'C02_finish', title: 'Finish' },
      ],
      tasks: [
        {
          id: 'T1',
          chunk: 'C01_build',
          title: 'first',
          description: 'sleep 1500\nwrite a.js exports.a = 1;',
        },
        {
          id: 'T2',
          chunk: 'C01_build',
          title: 'second',
          description: 'write b.js exports.b = 2;',
          dependsOn: ['T1'],
        },
        { id: 'T3', chunk: 'C02_finish', title: 'third', description: 'write c.js exports.c = 3;' },
      ],
    });

    const create = async (title: string) =>
      (await call(plans, 'createPlan', { documentJson: JSON.stringify(document(title)) })).result!;

    const planStatus = async (planId: string) =>
      (await call<{ status: string }>(plans, 'getPlan', { planId })).status;

    async function waitStatus(planId: string, want: string, timeoutMs = 120_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        last = await planStatus(planId);
        if (last === want) return;
        await sleep(200);
      }
      throw new Error(`plan ${planId}: timed out waiting for ${want}; last status ${last}`);
    }

    /** Follows Watch, collecting events, until `until` says stop (then cancels the call). */
    function watch(
      request: { planId: string; afterPosition?: number },
      until: (events: WatchEvent[]) => boolean,
    ): { events: WatchEvent[]; done: Promise<WatchEvent[]> } {
      const events: WatchEvent[] = [];
      const stream = sessions.watch(request, auth()) as grpc.ClientReadableStream<WatchEvent>;
      const done = new Promise<WatchEvent[]>((resolvePromise, reject) => {
        stream.on('data', (e: WatchEvent) => {
          events.push(e);
          if (until(events)) {
            stream.cancel();
            resolvePromise(events);
          }
        });
        stream.on('error', (err: grpc.ServiceError) => {
          if (err.code === grpc.status.CANCELLED) resolvePromise(events);
          else reject(err);
        });
        stream.on('end', () => resolvePromise(events));
      });
      return { events, done };
    }

    it('answers the standard health check and server reflection', async () => {
      const client = new health.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
      try {
        const answer = await call<{ status: string }>(client, 'check', { service: '' }, new grpc.Metadata());
        expect(answer.status).toBe('SERVING');
        const plan = await call<{ status: string }>(client, 'check', { service: 'chunkwise.v1.PlanService' });
        expect(plan.status).toBe('SERVING');
      } finally {
        client.close();
      }

      const r = new reflection.grpc.reflection.v1.ServerReflection(
        address,
        grpc.credentials.createInsecure(),
      );
      try {
        const stream = r.serverReflectionInfo() as grpc.ClientDuplexStream<object, Record<string, unknown>>;
        const answers: Array<Record<string, unknown>> = [];
        const done = new Promise<void>((ok, ko) => {
          stream.on('data', (a) => {
            answers.push(a);
            if (answers.length === 2) stream.end();
          });
          stream.on('end', () => ok());
          stream.on('error', ko);
        });
        stream.write({ listServices: '' });
        stream.write({ fileContainingSymbol: 'chunkwise.v1.SessionService' });
        await done;
        const services = (
          answers[0].listServicesResponse as { service: Array<{ name: string }> }
        ).service.map((s) => s.name);
        expect(services).toEqual(
          expect.arrayContaining([
            'chunkwise.v1.PlanService',
            'chunkwise.v1.SessionService',
            'grpc.health.v1.Health',
          ]),
        );
        const files = (answers[1].fileDescriptorResponse as { fileDescriptorProto: Buffer[] })
          .fileDescriptorProto;
        expect(files.length).toBeGreaterThan(0);
        const descriptor = Buffer.concat(files).toString('latin1');
        expect(descriptor).toContain('chunkwise.v1');
        expect(descriptor).toContain('SessionService');
        expect(descriptor).toContain('Watch');
        // The protos as written: tools such as grpcurl build requests by these field names.
        expect(descriptor).toContain('plan_id');
        expect(descriptor).not.toContain('planId');
      } finally {
        r.close();
      }
    });

    it('UNAUTHENTICATED without the bearer token, or with a wrong one', async () => {
      for (const md of [auth(null), auth('not-the-token')]) {
        const e = await failure(call(plans, 'listPlans', {}, md));
        expect(e.code).toBe(grpc.status.UNAUTHENTICATED);
        expect(e.details).toMatch(/bearer token/);
      }
      const e = await failure(call(sessions, 'getProgress', { planId: 'p_x' }, auth(null)));
      expect(e.code).toBe(grpc.status.UNAUTHENTICATED);
      // The stream too.
      const stream = sessions.watch(
        { planId: 'p_x' },
        auth('wrong-token'),
      ) as grpc.ClientReadableStream<WatchEvent>;
      const streamed = await new Promise<grpc.ServiceError>((resolvePromise) => {
        stream.on('data', () => undefined);
        stream.on('error', resolvePromise);
      });
      expect(streamed.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it('every plan RPC, on the same handlers as REST', async () => {
      const created = await create('Plan RPCs');
      expect(created.id).toMatch(/^p_/);
      expect(created.revision).toBeGreaterThan(0);
      const planId = created.id;

      const got = await call<{ id: string; revision: number; status: string; planJson: string }>(
        plans,
        'getPlan',
        { planId },
      );
      expect(got).toMatchObject({ id: planId, revision: created.revision, status: 'draft' });
      expect(JSON.parse(got.planJson).chunks.map((c: { key: string }) => c.key)).toEqual([
        'C01_build',
        'C02_finish',
      ]);

      const listed = await call<{ plans: Array<{ id: string; title: string }> }>(plans, 'listPlans', {
        limit: 1000,
      });
      expect(listed.plans.find((p) => p.id === planId)?.title).toBe('Plan RPCs');

      const valid = await call<{ result: { valid: boolean } }>(plans, 'validatePlan', { planId });
      expect(valid.result.valid).toBe(true);

      let revision = created.revision;
      const step = async (method: string, request: object) => {
        const out = await call(plans, method, { planId, expectedRevision: revision, ...request });
        expect(out.result!.revision).toBeGreaterThanOrEqual(revision);
        revision = out.result!.revision;
      };
      await step('updatePlan', { changesJson: JSON.stringify({ description: 'over gRPC' }) });
      await step('addChunk', { chunkJson: JSON.stringify({ key: 'C03_extra', title: 'Extra' }) });
      await step('updateChunk', { chunkKey: 'C03_extra', changesJson: JSON.stringify({ title: 'More' }) });
      await step('addTask', {
        taskJson: JSON.stringify({
          id: 'T4',
          chunk: 'C03_extra',
          title: 'fourth',
          description: 'write d.js',
        }),
      });
      await step('updateTask', { taskId: 'T4', changesJson: JSON.stringify({ title: 'fourth, edited' }) });
      const edited = JSON.parse(
        (await call<{ planJson: string }>(plans, 'getPlan', { planId })).planJson,
      ) as {
        description: string;
        chunks: Array<{ key: string; title: string; tasks: Array<{ title: string }> }>;
      };
      expect(edited.description).toBe('over gRPC');
      expect(edited.chunks.find((c) => c.key === 'C03_extra')).toMatchObject({
        title: 'More',
        tasks: [expect.objectContaining({ title: 'fourth, edited' })],
      });
      await step('removeTask', { taskId: 'T4' });
      await step('removeChunk', { chunkKey: 'C03_extra' });

      const atFirst = await call<{ revision: number; planJson: string }>(plans, 'getPlan', {
        planId,
        revision: created.revision,
      });
      expect(atFirst.revision).toBe(created.revision);
      expect(JSON.parse(atFirst.planJson).description ?? '').not.toBe('over gRPC');

      const history = JSON.parse(
        (await call<{ historyJson: string }>(plans, 'getHistory', { planId })).historyJson,
      ) as { entries: Array<{ type: string }> };
      expect(history.entries.map((e) => e.type)).toEqual(
        expect.arrayContaining(['PlanCreated', 'ChunkAdded', 'TaskAdded', 'TaskRemoved', 'ChunkRemoved']),
      );

      const exported = await call<{ revision: number; files: Array<{ name: string; content: string }> }>(
        plans,
        'exportPlan',
        { planId, format: 'chunkwise', json: true },
      );
      expect(exported.revision).toBe(revision);
      const imported = JSON.parse(
        (
          await call<{ resultJson: string }>(plans, 'importPlan', {
            requestJson: JSON.stringify({ format: 'chunkwise', content: exported.files[0].content }),
          })
        ).resultJson,
      ) as { id: string; tasks: number };
      expect(imported.id).toMatch(/^p_/);
      expect(imported.id).not.toBe(planId);
      expect(imported.tasks).toBe(3);

      await step('finalizePlan', {});
      expect(await planStatus(planId)).toBe('ready');
      await step('reopenPlan', { reason: 'more planning' });
      expect(await planStatus(planId)).toBe('draft');
      await step('archivePlan', {});
      const archived = await call<{ plans: Array<{ id: string }> }>(plans, 'listPlans', { limit: 1000 });
      expect(archived.plans.map((p) => p.id)).not.toContain(planId);
    });

    it('INVALID_ARGUMENT with every validation problem; ValidateDocument lists them without storing', async () => {
      const bad = {
        title: 'Bad',
        chunks: [
          { key: 'C01', title: 'A' },
          { key: 'C01', title: 'B' },
        ],
        tasks: 5,
      };
      const e = await failure(call(plans, 'createPlan', { documentJson: JSON.stringify(bad) }));
      expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
      const body = errorBody(e);
      expect(body.code).toBe('validation_failed');
      expect(body.issues!.length).toBeGreaterThanOrEqual(1);
      expect(e.metadata.get('chunkwise-error-code')).toEqual(['validation_failed']);
      // The standard rich error model too (google.rpc.Status with a BadRequest; decoded in grpc-errors.spec.ts).
      const details = e.metadata.get('grpc-status-details-bin')[0] as Buffer;
      expect(Buffer.isBuffer(details)).toBe(true);
      expect(details.toString('latin1')).toContain('type.googleapis.com/google.rpc.BadRequest');

      const notJson = await failure(call(plans, 'createPlan', { documentJson: '{nope' }));
      expect(notJson.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorBody(notJson).issues![0].path).toBe('document_json');

      const incomplete = { title: 'Incomplete', chunks: [{ key: 'C01', title: 'A' }], tasks: [] };
      const checked = await call<{ result: { valid: boolean; issues: Array<{ code: string }> } }>(
        plans,
        'validateDocument',
        { documentJson: JSON.stringify(incomplete) },
      );
      expect(checked.result.valid).toBe(false);
      expect(checked.result.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['empty_plan']));

      const badChanges = await failure(
        call(plans, 'updatePlan', {
          planId: 'p_whatever',
          changesJson: JSON.stringify({ nope: 1, title: 5 }),
        }),
      );
      expect(badChanges.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorBody(badChanges).issues!.length).toBeGreaterThanOrEqual(2);
    });

    it('NOT_FOUND, ABORTED with the current revision, FAILED_PRECONDITION', async () => {
      const missing = await failure(call(plans, 'getPlan', { planId: 'p_doesnotexist' }));
      expect(missing.code).toBe(grpc.status.NOT_FOUND);
      const missingTask = await failure(call(sessions, 'getProgress', { planId: 'p_doesnotexist' }));
      expect(missingTask.code).toBe(grpc.status.NOT_FOUND);

      const { id: planId, revision } = await create('Errors');
      await call(plans, 'updateTask', {
        planId,
        taskId: 'T3',
        changesJson: JSON.stringify({ title: 'now' }),
        expectedRevision: revision,
      });
      const stale = await failure(
        call(plans, 'updateTask', {
          planId,
          taskId: 'T3',
          changesJson: JSON.stringify({ title: 'too late' }),
          expectedRevision: revision,
        }),
      );
      expect(stale.code).toBe(grpc.status.ABORTED);
      expect(stale.metadata.get('chunkwise-current-revision')).toEqual([String(revision + 1)]);
      expect(errorBody(stale)).toMatchObject({ code: 'stale_revision', currentRevision: revision + 1 });

      await call(plans, 'finalizePlan', { planId });
      const frozen = await failure(
        call(plans, 'updateTask', { planId, taskId: 'T3', changesJson: JSON.stringify({ title: 'x' }) }),
      );
      expect(frozen.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(errorBody(frozen).code).toBe('plan_frozen');

      const noSession = await failure(call(sessions, 'pause', { planId }));
      expect([grpc.status.FAILED_PRECONDITION, grpc.status.NOT_FOUND]).toContain(noSession.code);
      const noTask = await failure(call(sessions, 'completeTask', { planId, taskId: 'T1' }));
      expect([grpc.status.FAILED_PRECONDITION, grpc.status.NOT_FOUND]).toContain(noTask.code);
    });

    it('concurrent conflicting edits: one wins, the rest ABORTED', async () => {
      const { id: planId, revision } = await create('Concurrent');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          call(plans, 'updateTask', {
            planId,
            taskId: 'T1',
            changesJson: JSON.stringify({ title: `edit ${i}` }),
            expectedRevision: revision,
          }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(5);
      for (const o of lost) {
        expect((o.reason as grpc.ServiceError).code).toBe(grpc.status.ABORTED);
        expect((o.reason as grpc.ServiceError).metadata.get('chunkwise-current-revision')).toEqual([
          String(revision + 1),
        ]);
      }
    });

    it('a real session: Execute, Pause, Resume, progress; Watch sees every event in order and resumes after a disconnect', async () => {
      const { id: planId } = await create('Session over gRPC');
      await call(plans, 'finalizePlan', { planId });
      const start = await eventStore.headPosition();
      const ended = (events: WatchEvent[]) => events.some((e) => e.type === 'ExecutionCompleted');

      // A watcher that stays for the whole session, and one that disconnects after three events.
      const whole = watch({ planId, afterPosition: start }, ended);
      const first = watch({ planId, afterPosition: start }, (events) => events.length >= 3);

      const executed = JSON.parse(
        (await call<{ resultJson: string }>(sessions, 'execute', { planId })).resultJson,
      ) as { sessionId: string };
      expect(executed.sessionId).toBeTruthy();
      const progress = JSON.parse(
        (await call<{ progressJson: string }>(sessions, 'getProgress', { planId })).progressJson,
      ) as { tasks?: unknown[] };
      expect(progress).toBeTruthy();

      await call(sessions, 'pause', { planId, reason: 'a break' });
      await waitStatus(planId, 'paused');
      const resumed = JSON.parse(
        (await call<{ resultJson: string }>(sessions, 'resume', { planId })).resultJson,
      ) as Record<string, unknown>;
      expect(resumed).toBeTruthy();
      await waitStatus(planId, 'completed');
      expect(git(repo, 'log', '--oneline', '--all').split('\n').length).toBeGreaterThanOrEqual(4);

      const before = await first.done;
      expect(before).toHaveLength(3);
      const rest = await watch({ planId, afterPosition: before[2].position }, ended).done;
      const all = await whole.done;

      const stored = (await eventStore.readStream(planStreamId(planId))).filter((e) => e.position > start);
      const upToCompletion = stored.slice(0, stored.findIndex((e) => e.type === 'ExecutionCompleted') + 1);
      const summary = (events: Array<{ type: string; position: number }>) =>
        events.map((e) => `${e.position}:${e.type}`);
      expect(summary(all)).toEqual(summary(upToCompletion));
      expect(summary([...before, ...rest])).toEqual(summary(upToCompletion));
      expect(all.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'ExecutionRequested',
          'ExecutionStarted',
          'TaskCompleted',
          'ExecutionPaused',
          'ExecutionResumed',
          'ExecutionCompleted',
        ]),
      );
      expect(JSON.parse(all[0].dataJson)).toBeTruthy();

      const done = JSON.parse(
        (await call<{ progressJson: string }>(sessions, 'getProgress', { planId })).progressJson,
      ) as { status: string };
      expect(done.status).toBe('completed');
      const chunkDiff = JSON.parse(
        (await call<{ diffJson: string }>(sessions, 'getChunkDiff', { planId, chunkKey: 'C01_build' }))
          .diffJson,
      ) as { commits: unknown[] };
      expect(chunkDiff.commits.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(chunkDiff)).toContain('a.js');
      const cancelled = await failure(call(sessions, 'cancel', { planId }));
      expect([grpc.status.FAILED_PRECONDITION, grpc.status.NOT_FOUND]).toContain(cancelled.code);

      // Rollback: the session's commits undone, its tasks pending; then nothing is left to undo.
      const badBody = await failure(call(sessions, 'rollback', { planId, bodyJson: '{"nope": 1}' }));
      expect(badBody.code).toBe(grpc.status.INVALID_ARGUMENT);
      const rolledBack = JSON.parse(
        (await call<{ resultJson: string }>(sessions, 'rollback', { planId })).resultJson,
      ) as { status: string; outcome: { ok: boolean; tasks: string[]; results: Array<{ method: string }> } };
      expect(rolledBack.status).toBe('completed');
      expect(rolledBack.outcome.ok).toBe(true);
      expect(rolledBack.outcome.tasks.length).toBeGreaterThanOrEqual(2);
      expect(rolledBack.outcome.results.map((r) => r.method)).toEqual(['reset']);
      const after = JSON.parse(
        (await call<{ progressJson: string }>(sessions, 'getProgress', { planId })).progressJson,
      ) as { tasks: Array<{ status: string }> };
      expect(after.tasks.every((t) => t.status === 'pending')).toBe(true);
      const nothing = await failure(call(sessions, 'rollback', { planId }));
      expect(nothing.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(nothing.details).toMatch(/no commits to roll back/);
    });

    it('task actions and session control on a manual chunk: Edit, Approve, Retry, Skip, Complete, Stop, Resume', async () => {
      interface Progress {
        live: boolean;
        status: string;
        pauseReason?: string | null;
        pauseDetail?: string | null;
        tasks: Array<{ id: string; status: string }>;
      }
      const progress = async (planId: string) =>
        JSON.parse(
          (await call<{ progressJson: string }>(sessions, 'getProgress', { planId })).progressJson,
        ) as Progress;
      const waitProgress = async (planId: string, ok: (p: Progress) => boolean) => {
        const deadline = Date.now() + 90_000;
        let last: Progress | undefined;
        while (Date.now() < deadline) {
          last = await progress(planId);
          if (ok(last)) return last;
          await sleep(200);
        }
        throw new Error(`plan ${planId}: progress never matched; last ${JSON.stringify(last)}`);
      };
      const awaiting = (taskId: string) => (p: Progress) =>
        p.live && p.pauseReason === 'approval' && new RegExp(taskId).test(p.pauseDetail ?? '');
      const answer = (r: { resultJson: string }) => JSON.parse(r.resultJson) as Record<string, unknown>;

      const doc = document('Manual');
      const { id: planId } = (
        await call(plans, 'createPlan', {
          documentJson: JSON.stringify({
            ...doc,
            chunks: [{ key: 'C01_manual', title: 'By hand', executionMode: 'manual' }],
            tasks: [
              { id: 'M1', chunk: 'C01_manual', title: 'one', description: 'write m1.js exports.m = 1;' },
              { id: 'M2', chunk: 'C01_manual', title: 'two', description: 'write m2.js exports.m = 2;' },
              { id: 'M3', chunk: 'C01_manual', title: 'three', description: 'write m3.js exports.m = 3;' },
              { id: 'M4', chunk: 'C01_manual', title: 'four', description: 'write m4.js exports.m = 4;' },
            ],
          }),
        })
      ).result!;
      await call(plans, 'finalizePlan', { planId });
      await call(sessions, 'execute', { planId, bodyJson: JSON.stringify({ from: 'beginning' }) });

      await waitProgress(planId, awaiting('M1'));
      expect(
        answer(
          await call(sessions, 'editTask', {
            planId,
            taskId: 'M1',
            editJson: JSON.stringify({ title: 'one!' }),
          }),
        ),
      ).toEqual({ accepted: true, reason: null });
      const badEdit = await failure(
        call(sessions, 'editTask', { planId, taskId: 'M1', editJson: '{"nope": 1}' }),
      );
      expect(badEdit.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(
        answer(
          await call(sessions, 'approveTask', { planId, taskId: 'M1', bodyJson: '{"action":"execute"}' }),
        ),
      ).toEqual({ accepted: true, reason: null });

      await waitProgress(planId, awaiting('M2'));
      const retry = await failure(call(sessions, 'retryTask', { planId, taskId: 'M1' }));
      expect(retry.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(errorBody(retry).code).toBe('update_rejected');
      expect(
        answer(
          await call(sessions, 'skipTask', { planId, taskId: 'M2', bodyJson: '{"reason":"not needed"}' }),
        ),
      ).toEqual({ accepted: true, reason: null });

      await waitProgress(planId, awaiting('M3'));
      // Complete by hand: the QA gates decide (they pass: nothing in the work tree breaks them).
      expect(answer(await call(sessions, 'completeTask', { planId, taskId: 'M3' }))).toEqual({
        accepted: true,
        reason: null,
      });

      await waitProgress(planId, awaiting('M4'));
      expect(answer(await call(sessions, 'stop', { planId, reason: 'later' }))).toMatchObject({
        signal: 'stop',
      });
      await waitProgress(planId, (p) => !p.live);
      const restarted = answer(await call(sessions, 'resume', { planId }));
      expect(restarted.action).toBe('restarted');
      for (;;) {
        const p = await waitProgress(planId, (x) => x.status === 'completed' || awaiting('M\\d')(x));
        if (p.status === 'completed') break;
        const next = /M\d/.exec(p.pauseDetail ?? '')![0];
        await call(sessions, 'approveTask', { planId, taskId: next, bodyJson: '{"action":"skip"}' });
        await sleep(300);
      }
      const final = await progress(planId);
      expect(final.tasks.find((t) => t.id === 'M1')!.status).toBe('completed');
      expect(final.tasks.find((t) => t.id === 'M2')!.status).toBe('skipped');
      expect(final.tasks.find((t) => t.id === 'M3')!.status).toBe('completed');
      expect(final.tasks.find((t) => t.id === 'M4')!.status).toBe('skipped');
    });

    it('Watch of an unknown plan is NOT_FOUND; a bad position INVALID_ARGUMENT', async () => {
      await expect(watch({ planId: 'p_doesnotexist' }, () => true).done).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
      await expect(
        watch({ planId: 'p_doesnotexist', afterPosition: -1 }, () => true).done,
      ).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
      });
    });

    it('planning RPCs: generate, review, suggestions, apply, refine (the Claude stand-in), usage, diff', async () => {
      fake.enqueue({
        stopReason: 'tool_use',
        usage: { input_tokens: 100, output_tokens: 50 },
        content: [
          {
            type: 'tool_use',
            name: 'submit_plan',
            input: {
              title: 'Generated',
              description: 'by the stand-in',
              chunks: [{ key: 'core', title: 'Core', description: 'core', executionMode: 'sequential' }],
              tasks: [
                {
                  id: 'T1',
                  chunk: 'core',
                  title: 'Do it',
                  description: 'it',
                  acceptance: ['done'],
                  dependsOn: [],
                  canRunInParallel: false,
                },
              ],
            },
          },
        ],
      });
      const generated = await call<{ result: { id: string; revision: number }; resultJson: string }>(
        plans,
        'generatePlan',
        { bodyJson: JSON.stringify({ title: 'Generated', description: 'Make it' }) },
      );
      const planId = generated.result.id;
      expect(generated.result.revision).toBe(1);
      expect(JSON.parse(generated.resultJson).usage).toBeTruthy();
      const usage = JSON.parse(
        (await call<{ usageJson: string }>(plans, 'getUsage', { planId })).usageJson,
      ) as { planId: string; calls: number };
      expect(usage).toMatchObject({ planId, calls: 1 });

      await call(plans, 'updateTask', {
        planId,
        taskId: 'T1',
        changesJson: JSON.stringify({ title: 'Do it now' }),
      });
      const diff = JSON.parse(
        (await call<{ diffJson: string }>(plans, 'diffRevisions', { planId, fromRevision: 1, toRevision: 2 }))
          .diffJson,
      ) as { planId: string };
      expect(diff.planId).toBe(planId);
      expect(JSON.stringify(diff)).toContain('Do it now');

      // Review (a suggestion set), apply one suggestion, refine in one draft: each one stand-in turn.
      const t9 = {
        id: 'T9',
        chunk: 'C01_core',
        title: 'Test it',
        description: 'end to end',
        acceptance: ['done'],
        dependsOn: ['T1'],
        canRunInParallel: false,
      };
      fake.enqueue({
        stopReason: 'tool_use',
        usage: { input_tokens: 100, output_tokens: 50 },
        content: [
          {
            type: 'tool_use',
            name: 'submit_suggestions',
            input: {
              suggestions: [
                { id: 'x', kind: 'add_task', reasoning: 'untested', before: null, after: { task: t9 } },
              ],
            },
          },
        ],
      });
      const set = JSON.parse(
        (
          await call<{ suggestionsJson: string }>(plans, 'reviewPlan', {
            planId,
            bodyJson: JSON.stringify({ type: 'add_missing' }),
          })
        ).suggestionsJson,
      ) as { setId: string; suggestions: Array<{ id: string }> };
      expect(set.suggestions.map((x) => x.id)).toEqual(['s1']);
      const again = JSON.parse(
        (await call<{ suggestionsJson: string }>(plans, 'getSuggestions', { planId, setId: set.setId }))
          .suggestionsJson,
      ) as { setId: string };
      expect(again.setId).toBe(set.setId);
      const applied = await call(plans, 'applySuggestions', { planId, setId: set.setId, ids: ['s1'] });
      expect(applied.result!.revision).toBe(3);

      fake.enqueue({
        stopReason: 'tool_use',
        usage: { input_tokens: 100, output_tokens: 50 },
        content: [
          {
            type: 'tool_use',
            name: 'submit_revision',
            input: {
              title: 'Generated',
              description: 'refined',
              chunks: [{ key: 'C01_core', title: 'Core', description: 'core', executionMode: 'sequential' }],
              tasks: [
                {
                  id: 'T1',
                  chunk: 'C01_core',
                  title: 'Do it, refined',
                  description: 'it',
                  acceptance: ['done'],
                  dependsOn: [],
                  canRunInParallel: false,
                },
                t9,
              ],
              summary: 'renamed T1',
            },
          },
        ],
      });
      const refined = await call<{ result: { revision: number }; resultJson: string }>(plans, 'refinePlan', {
        planId,
        bodyJson: JSON.stringify({ feedback: 'rename T1', mode: 'single' }),
      });
      expect(refined.result.revision).toBe(4);
      expect(JSON.parse(refined.resultJson)).toMatchObject({ mode: 'single' });
      const plan = JSON.parse((await call<{ planJson: string }>(plans, 'getPlan', { planId })).planJson) as {
        chunks: Array<{ tasks: Array<{ id: string; title: string }> }>;
      };
      expect(plan.chunks.flatMap((c) => c.tasks.map((t) => `${t.id}:${t.title}`))).toEqual([
        'T1:Do it, refined',
        'T9:Test it',
      ]);

      const badDiff = await failure(call(plans, 'diffRevisions', { planId, fromRevision: 0, toRevision: 2 }));
      expect(badDiff.code).toBe(grpc.status.INVALID_ARGUMENT);
      const noSet = await failure(call(plans, 'getSuggestions', { planId, setId: 's_nope' }));
      expect(noSet.code).toBe(grpc.status.NOT_FOUND);
      const noIds = await failure(call(plans, 'applySuggestions', { planId, setId: 's_nope', ids: [] }));
      expect(noIds.code).toBe(grpc.status.INVALID_ARGUMENT);
      const emptyFeedback = await failure(
        call(plans, 'refinePlan', { planId, bodyJson: JSON.stringify({ feedback: ' ' }) }),
      );
      expect(emptyFeedback.code).toBe(grpc.status.INVALID_ARGUMENT);
      const badReview = await failure(
        call(plans, 'reviewPlan', { planId, bodyJson: JSON.stringify({ type: 'nonsense' }) }),
      );
      expect(badReview.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('UNAVAILABLE when Temporal is down', async () => {
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'down'),
        CHUNKWISE_PORT: '0',
        CHUNKWISE_GRPC_PORT: String(await getFreePort()),
        TEMPORAL_ADDRESS: `127.0.0.1:${await getFreePort()}`,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_LOG_LEVEL: 'error',
      });
      mkdirSync(config.dataDir, { recursive: true });
      const down = await startApi(config, { logger: false, temporalConnectTimeoutMs: 1000 });
      const client = new loaded.chunkwise.v1.PlanService(
        down.grpcAddress!,
        grpc.credentials.createInsecure(),
      );
      const s = new loaded.chunkwise.v1.SessionService(down.grpcAddress!, grpc.credentials.createInsecure());
      try {
        const { result } = await call(client, 'createPlan', {
          documentJson: JSON.stringify(document('No Temporal')),
        });
        await call(client, 'finalizePlan', { planId: result!.id });
        const e = await failure(call(s, 'execute', { planId: result!.id }));
        expect(e.code).toBe(grpc.status.UNAVAILABLE);
        expect(errorBody(e).code).toBe('temporal_unavailable');
      } finally {
        client.close();
        s.close();
        await down.app.close();
      }
    });
  });
});
