/**
 * Execution over HTTP: the real application from createApp (SQLite in a temp dir) driving plan
 * sessions on the real Temporal dev server, with this host's session workers in-process, a real
 * git repository, the deterministic test agent and QA gate as real child processes. Everything
 * is done through the API: repositories, execute, progress, approve, pause, resume, stop, the
 * live event stream, turn output, and the error statuses (409, 404, 503).
 */
import 'reflect-metadata';
import * as http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '@chunkwise/config';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import { startApiStack, type ApiStack } from './support/api-stack';
import { git, makeRepo, testAgentSettings } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface SseClient {
  events: Array<{ id: number; event: string; data: { type: string; data: Record<string, unknown> } }>;
  raw: string;
  close(): void;
  waitFor(pred: (types: string[]) => boolean, timeoutMs?: number): Promise<void>;
}

/** Connects to an SSE endpoint with plain http.get and parses frames as they arrive. */
function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const client: SseClient = {
      events: [],
      raw: '',
      close: () => undefined,
      waitFor: async (pred, timeoutMs = 60_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!pred(client.events.map((e) => e.event))) {
          if (Date.now() > deadline)
            throw new Error(`SSE: timed out; got ${client.events.map((e) => e.event).join(', ')}`);
          await sleep(50);
        }
      },
    };
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        client.raw += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split('\n')
              .filter((l) => l && !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
          );
          if (fields.event)
            client.events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) });
        }
      });
      client.close = () => req.destroy();
      resolve(client);
    });
    req.on('error', (e) => {
      if (!client.raw) reject(e);
    });
  });
}

withTemporalCli('test/api-sessions.e2e.ts', ({ path: binary }) => {
  describe('execution over the REST API', () => {
    const tmp = makeTempDir('cw-api-sessions-');
    let stack: ApiStack;
    let app: NestExpressApplication;
    let baseUrl: string;
    let api: () => ReturnType<typeof request>;
    const agentLog = join(tmp.path, 'agent-log');

    beforeAll(async () => {
      stack = await startApiStack({ binary, root: tmp.path, hostId: 'api-test-host' });
      ({ app, baseUrl } = stack);
      api = () => request(app.getHttpServer());
    });

    afterAll(async () => {
      await stack?.close();
      tmp.remove();
    });

    const progress = async (planId: string) => {
      const res = await api().get(`/api/plans/${planId}/progress`);
      expect(res.status).toBe(200);
      return res.body as {
        live: boolean;
        status: string;
        pauseReason: string | null;
        pauseDetail: string | null;
        currentChunk: string | null;
        sessionId: string | null;
        chunks: Array<{ key: string; status: string; total: number; completed: number }>;
        tasks: Array<{ id: string; status: string; attempts: number; commitSha: string | null }>;
        totals: { completed: number };
      };
    };
    const waitProgress = async (
      planId: string,
      until: (p: Awaited<ReturnType<typeof progress>>) => boolean,
      timeoutMs = 60_000,
    ) => {
      const deadline = Date.now() + timeoutMs;
      let last: Awaited<ReturnType<typeof progress>> | undefined;
      while (Date.now() < deadline) {
        last = await progress(planId);
        if (until(last)) return last;
        await sleep(100);
      }
      throw new Error(
        `timed out on progress; last: ${JSON.stringify(last && { ...last, tasks: undefined })}`,
      );
    };

    let repositoryId = '';
    let repo = '';

    test('repositories: register a git repository, list it, get it; non-repositories and duplicates are refused', async () => {
      repo = makeRepo(join(tmp.path, 'target'));
      mkdirSync(join(tmp.path, 'not-a-repo'));
      const notRepo = await api()
        .post('/api/repositories')
        .send({ path: join(tmp.path, 'not-a-repo') });
      expect(notRepo.status).toBe(400);
      expect(notRepo.body.message).toMatch(/not a git repository/);
      expect((await api().post('/api/repositories').send({ path: 'relative/path' })).status).toBe(400);
      expect(
        (
          await api()
            .post('/api/repositories')
            .send({ path: join(tmp.path, 'missing') })
        ).status,
      ).toBe(400);

      const created = await api()
        .post('/api/repositories')
        .send({
          path: repo,
          name: 'target',
          defaults: {
            ...testAgentSettings(agentLog),
            maxAttempts: 5,
          },
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ path: repo, name: 'target' });
      repositoryId = created.body.id;
      expect(created.headers.location).toBe(`/api/repositories/${repositoryId}`);
      const dup = await api().post('/api/repositories').send({ path: repo });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ code: 'repository_exists', repositoryId });

      const list = await api().get('/api/repositories');
      expect(list.status).toBe(200);
      expect(list.body.repositories.map((r: { id: string }) => r.id)).toEqual([repositoryId]);
      expect((await api().get(`/api/repositories/${repositoryId}`)).body.defaults.maxAttempts).toBe(5);
      expect((await api().get('/api/repositories/r_000000000000')).status).toBe(404);
    });

    test('a 2-chunk plan driven through the API: execute, progress, pause, resume, approve, stop, resume (restarted), completion', async () => {
      const doc = {
        title: 'API driven',
        repository: `repo:${repositoryId}`,
        // Overrides the repository's maxAttempts; agent and QA gates come from the repository.
        execution: { maxAttempts: 2 },
        chunks: [
          { key: 'C01_build', title: 'Build', pauseAfter: true },
          { key: 'C02_review', title: 'Review', executionMode: 'manual' },
        ],
        tasks: [
          { id: 'A1', chunk: 'C01_build', title: 'first', description: 'write src/a1.txt a1' },
          { id: 'A2', chunk: 'C01_build', title: 'second', description: 'sleep 1500\nwrite src/a2.txt a2' },
          { id: 'B1', chunk: 'C02_review', title: 'third', description: 'write src/b1.txt b1' },
          { id: 'B2', chunk: 'C02_review', title: 'fourth', description: 'write src/b2.txt b2' },
        ],
      };
      const created = await api().post('/api/plans').send(doc);
      expect(created.status).toBe(201);
      const planId: string = created.body.id;

      // A draft cannot be executed; an unknown plan is 404; a never-executed plan has no session.
      const draft = await api().post(`/api/plans/${planId}/execute`).send({});
      expect(draft.status).toBe(409);
      expect(draft.body).toMatchObject({ code: 'not_executable' });
      expect(draft.body.message).toMatch(/draft/);
      expect((await api().post('/api/plans/p_doesnotexist/execute').send({})).status).toBe(404);
      const noSession = await api().post(`/api/plans/${planId}/pause`).send({});
      expect(noSession.status).toBe(404);
      expect(noSession.body.code).toBe('no_session');
      expect((await api().post(`/api/plans/${planId}/execute`).send({ from: 'sideways' })).status).toBe(400);

      expect((await api().post(`/api/plans/${planId}/finalize`).send({})).status).toBe(200);
      const before = await progress(planId);
      expect(before).toMatchObject({ live: false, status: 'ready', sessionId: null });
      expect(before.chunks.map((c) => [c.key, c.total])).toEqual([
        ['C01_build', 2],
        ['C02_review', 2],
      ]);

      // Follow the plan's events live from here on.
      const sse = await openSse(`${baseUrl}/api/plans/${planId}/stream`);
      /**
       * Waits for the ExecutionPaused event of `reason` on the stream. The workflow reports
       * "paused" through its query before it has recorded ExecutionPaused, and a resume signal
       * arriving in between is currently lost (the workflow clears resumeRequested after the
       * record); a client resumes after seeing the event.
       */
      const pausedRecorded = (reason: string) =>
        sse.waitFor(() =>
          sse.events.some((e) => e.event === 'ExecutionPaused' && e.data.data.reason === reason),
        );
      try {
        const started = await api()
          .post(`/api/plans/${planId}/execute`)
          .send({ from: 'beginning', options: { maxParallel: 3 } });
        expect(started.status).toBe(202);
        expect(started.body).toMatchObject({ planId, revision: 1 });
        expect(started.body.sessionId).toMatch(/^s_/);
        expect(started.body.workflowId).toContain(planId);
        const again = await api().post(`/api/plans/${planId}/execute`).send({});
        expect(again.status).toBe(409);
        expect(again.body.message).toMatch(/already has an active session/);

        // Pause mid-chunk (A2 is slow): honoured at the next boundary.
        await waitProgress(planId, (p) => p.live && p.totals.completed >= 1);
        const paused = await api().post(`/api/plans/${planId}/pause`).send({ reason: 'coffee' });
        expect(paused.status).toBe(202);
        expect(paused.body).toMatchObject({ planId, sessionId: started.body.sessionId, signal: 'pause' });
        const atPause = await waitProgress(planId, (p) => p.status === 'paused');
        expect(atPause.pauseReason).toBe('user');
        expect(atPause.live).toBe(true);
        // Resume only once the pause is recorded (the stream shows it): see pausedRecorded.
        await pausedRecorded('user');

        let resumed = await api().post(`/api/plans/${planId}/resume`).send();
        expect(resumed.status).toBe(200);
        expect(resumed.body).toMatchObject({ action: 'resumed', sessionId: started.body.sessionId });

        // pauseAfter on C01: the session pauses when the chunk completes, saying what comes next.
        const afterC01 = await waitProgress(planId, (p) => p.pauseReason === 'chunk_completed');
        await pausedRecorded('chunk_completed');
        expect(afterC01.live).toBe(true);
        expect(afterC01.chunks[0]).toMatchObject({
          key: 'C01_build',
          status: 'completed',
          total: 2,
          completed: 2,
        });
        expect(afterC01.chunks[1]).toMatchObject({ key: 'C02_review', status: 'pending', completed: 0 });
        for (const id of ['A1', 'A2']) {
          const t = afterC01.tasks.find((x) => x.id === id)!;
          expect(t.status).toBe('completed');
          expect(t.commitSha).toMatch(/^[0-9a-f]{40}$/);
        }
        expect(afterC01.pauseDetail).toMatch(/next: C02_review/);

        // Retrying a task that has not failed is refused with the workflow's reason.
        const retry = await api().post(`/api/plans/${planId}/tasks/A1/retry`).send({});
        expect(retry.status).toBe(409);
        expect(retry.body).toMatchObject({ code: 'update_rejected', accepted: false });
        expect(retry.body.reason).toBeTruthy();
        expect(
          (await api().post(`/api/plans/${planId}/tasks/A1/approve`).send({ action: 'later' })).status,
        ).toBe(400);

        resumed = await api().post(`/api/plans/${planId}/resume`).send();
        expect(resumed.body.action).toBe('resumed');

        // The manual chunk waits for an approval before each task.
        await waitProgress(planId, (p) => p.pauseReason === 'approval' && /B1/.test(p.pauseDetail ?? ''));
        const approved = await api()
          .post(`/api/plans/${planId}/tasks/B1/approve`)
          .send({ action: 'execute' });
        expect(approved.status).toBe(200);
        expect(approved.body).toEqual({ accepted: true, reason: null });
        await waitProgress(planId, (p) => p.pauseReason === 'approval' && /B2/.test(p.pauseDetail ?? ''));

        // Stop: the session ends resumable; progress then comes from the read models.
        const stopped = await api().post(`/api/plans/${planId}/stop`).send({});
        expect(stopped.status).toBe(202);
        const afterStop = await waitProgress(planId, (p) => !p.live && p.totals.completed === 3);
        expect(afterStop.tasks.find((t) => t.id === 'B2')!.status).toBe('pending');
        expect((await api().post(`/api/plans/${planId}/pause`).send({})).status).toBe(409);

        const restarted = await api().post(`/api/plans/${planId}/resume`).send();
        expect(restarted.status).toBe(200);
        expect(restarted.body.action).toBe('restarted');
        expect(restarted.body.sessionId).not.toBe(started.body.sessionId);
        await waitProgress(planId, (p) => p.live && p.pauseReason === 'approval');
        const b2 = await api().post(`/api/plans/${planId}/tasks/B2/approve`).send({});
        expect(b2.body).toEqual({ accepted: true, reason: null });

        // Completion, as the read models tell it.
        const deadline = Date.now() + 60_000;
        let detail = (await api().get(`/api/plans/${planId}`)).body;
        while (detail.status !== 'completed' && Date.now() < deadline) {
          await sleep(150);
          detail = (await api().get(`/api/plans/${planId}`)).body;
        }
        expect(detail.status).toBe('completed');
        const tasks = detail.chunks.flatMap((c: { tasks: unknown[] }) => c.tasks) as Array<{
          id: string;
          status: string;
          commitSha: string | null;
        }>;
        expect(tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
        for (const t of tasks) expect(t.commitSha).toMatch(/^[0-9a-f]{40}$/);
        const final = await progress(planId);
        expect(final).toMatchObject({ live: false, status: 'completed' });
        expect(final.totals.completed).toBe(4);

        // One commit per task on the session branch (a restarted session keeps the first one's branch).
        const branch = `chunkwise/${planId}/${started.body.sessionId}`;
        expect(git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n')).toEqual([
          'A1: first',
          'A2: second',
          'B1: third',
          'B2: fourth',
        ]);
        expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');

        // History holds the execution events; settings were merged repository < plan < request.
        const history = await api().get(`/api/plans/${planId}/history`);
        const types: string[] = history.body.entries.map((e: { type: string }) => e.type);
        for (const t of [
          'ExecutionRequested',
          'ExecutionStarted',
          'ChunkStarted',
          'TurnStarted',
          'QaGateResult',
          'TaskCompleted',
          'ChunkCompleted',
          'ExecutionPaused',
          'ExecutionResumed',
          'ExecutionStopped',
          'ExecutionCompleted',
        ])
          expect(types).toContain(t);
        const startedEvent = history.body.entries.find(
          (e: { type: string }) => e.type === 'ExecutionStarted',
        );
        // maxAttempts from the plan (over the repository's 5), maxParallel from the request.
        expect(startedEvent.data.options).toMatchObject({ maxAttempts: 2, maxParallel: 3 });
        // The agent and the QA gate came from the repository's defaults.
        const gates = history.body.entries.filter((e: { type: string }) => e.type === 'QaGateResult');
        expect(gates.map((e: { data: { gate: string } }) => e.data.gate)).toEqual(['qa', 'qa', 'qa', 'qa']);

        // The stream delivered the events live, each with its position as id.
        await sse.waitFor((seen) => seen.includes('ExecutionCompleted'));
        const seen = sse.events.map((e) => e.event);
        expect(seen[0]).toBe('ExecutionRequested');
        expect(seen).toEqual(
          expect.arrayContaining(['ExecutionStarted', 'TaskCompleted', 'ExecutionStopped']),
        );
        expect(sse.raw).toMatch(/^id: \d+$/m);
        const positions = sse.events.map((e) => e.id);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(sse.events.find((e) => e.event === 'TaskCompleted')!.data.data.taskId).toBe('A1');

        // Reconnecting with Last-Event-ID continues after that position (and ?after= does the same).
        const resumeAt = sse.events[2];
        const replay = await openSse(`${baseUrl}/api/plans/${planId}/stream`, {
          'Last-Event-ID': String(resumeAt.id),
        });
        try {
          await replay.waitFor((s) => s.length >= 3);
          expect(replay.events[0].id).toBe(sse.events[3].id);
          expect(replay.events.slice(0, 3).map((e) => e.event)).toEqual(seen.slice(3, 6));
        } finally {
          replay.close();
        }
        const fromStart = await openSse(`${baseUrl}/api/plans/${planId}/stream?after=0`);
        try {
          await fromStart.waitFor((s) => s.length >= 1);
          expect(fromStart.events[0].event).toBe('PlanCreated');
        } finally {
          fromStart.close();
        }

        // Turn output: the agent's own words, as text; bad ids refused, unknown ones 404.
        const turn = history.body.entries.find(
          (e: { type: string; data: { taskId: string } }) =>
            e.type === 'TurnStarted' && e.data.taskId === 'B1',
        );
        const out = await api().get(`/api/plans/${planId}/turns/${turn.data.turnId}/output`);
        expect(out.status).toBe(200);
        expect(out.headers['content-type']).toMatch(/^text\/plain/);
        expect(out.text).toContain('agent: did B1 (attempt 1)');
        const traversal = await api().get(`/api/plans/${planId}/turns/..%2F..%2Fevents.db/output`);
        expect(traversal.status).toBe(400);
        const unknown = await api().get(`/api/plans/${planId}/turns/s_0000000000-99/output`);
        expect(unknown.status).toBe(404);
        expect(unknown.body.message).toMatch(/no kept output/);
        expect((await api().get('/api/plans/p_doesnotexist/turns/s_1-1/output')).status).toBe(404);
      } finally {
        sse.close();
      }
    });

    test('a two-repository plan over the API: progress per repository, each task’s repository, a chunk’s diff from both', async () => {
      const second = makeRepo(join(tmp.path, 'second'));
      const registered = await api().post('/api/repositories').send({ path: second, name: 'second' });
      expect(registered.status).toBe(201);
      const ref = `repo:${registered.body.id}`;
      const created = await api()
        .post('/api/plans')
        .send({
          title: 'Two repositories over the API',
          repository: `repo:${repositoryId}`,
          tasks: [
            { id: 'M1', chunk: 'C01', title: 'main', description: 'write m.txt main' },
            { id: 'S1', chunk: 'C01', title: 'second', description: 'write s.txt second', repository: ref },
          ],
        });
      expect(created.status).toBe(201);
      const planId = created.body.id as string;
      // The field is editable like any other, until the plan is finalized.
      const moved = await api().patch(`/api/plans/${planId}/tasks/M1`).send({ repository: null });
      expect(moved.status).toBe(200);
      expect((await api().get(`/api/plans/${planId}`)).body.chunks[0].tasks[1].repository).toBe(ref);
      await api().post(`/api/plans/${planId}/finalize`).send({});
      expect((await api().post(`/api/plans/${planId}/execute`).send({})).status).toBe(202);
      await waitProgress(planId, (p) => p.status === 'completed');

      const body = (await api().get(`/api/plans/${planId}/progress`)).body as {
        tasks: Array<{ id: string; repository?: string; commitSha: string }>;
        repositories: Array<{ repository: string | null; completed: number; commits: string[] }>;
      };
      expect(body.tasks.map((t) => [t.id, t.repository ?? null])).toEqual([
        ['M1', null],
        ['S1', ref],
      ]);
      expect(body.repositories.map((r) => [r.repository, r.completed, r.commits.length])).toEqual([
        [null, 1, 1],
        [ref, 1, 1],
      ]);
      const diff = await api().get(`/api/plans/${planId}/chunks/C01/diff`);
      expect(diff.status).toBe(200);
      expect(diff.body.missing).toEqual([]);
      expect(diff.body.files.map((f: { path: string }) => f.path).sort()).toEqual(['m.txt', 's.txt']);
      expect(diff.body.commits.map((c: { taskId: string }) => c.taskId).sort()).toEqual(['M1', 'S1']);
    });

    test('a plan naming an unregistered repository is not executable; the stream of an unknown plan is 404', async () => {
      const created = await api()
        .post('/api/plans')
        .send({
          title: 'Nowhere',
          repository: 'repo:r_0123456789ab',
          tasks: [{ id: 'N1', chunk: 'C01', title: 'n' }],
        });
      await api().post(`/api/plans/${created.body.id}/finalize`).send({});
      const res = await api().post(`/api/plans/${created.body.id}/execute`).send({});
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/not registered/);
      expect((await api().get('/api/plans/p_doesnotexist/stream')).status).toBe(404);
      expect((await api().get(`/api/plans/${created.body.id}/stream?after=x`)).status).toBe(400);
    });

    test('the OpenAPI document describes the execution routes', async () => {
      const doc = (await api().get('/api/docs-json')).body;
      for (const p of [
        '/api/plans/{id}/execute',
        '/api/plans/{id}/resume',
        '/api/plans/{id}/pause',
        '/api/plans/{id}/stop',
        '/api/plans/{id}/cancel',
        '/api/plans/{id}/tasks/{taskId}/approve',
        '/api/plans/{id}/tasks/{taskId}/retry',
        '/api/plans/{id}/tasks/{taskId}/skip',
        '/api/plans/{id}/tasks/{taskId}/complete',
        '/api/plans/{id}/tasks/{taskId}/edit',
        '/api/plans/{id}/progress',
        '/api/plans/{id}/stream',
        '/api/plans/{id}/turns/{turnId}/output',
        '/api/repositories',
        '/api/repositories/{id}',
      ])
        expect(Object.keys(doc.paths)).toContain(p);
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
      for (const r of new Set(refs)) expect(doc.components.schemas).toHaveProperty(r.split('/').pop()!);
      expect(doc.paths['/api/plans/{id}/stream'].get.responses['200'].content).toHaveProperty(
        'text/event-stream',
      );
      expect(doc.components.schemas.ExecutePlan.properties.from.enum).toEqual([
        'beginning',
        'current',
        'chunk',
        'task',
      ]);
    });
  });

  describe('without Temporal', () => {
    test('execution routes answer 503 with a clear message; plan routes keep working', async () => {
      const dir = makeTempDir('cw-api-no-temporal-');
      const port = await closedPort();
      const app = await createApp(
        loadConfig({
          CHUNKWISE_DATA_DIR: dir.path,
          TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
          CHUNKWISE_LOG_LEVEL: 'error',
        }),
        { logger: false, temporalConnectTimeoutMs: 1000 },
      );
      try {
        const api = () => request(app.getHttpServer());
        const created = await api()
          .post('/api/plans')
          .send({ title: 'Offline', repository: '/tmp/x', tasks: [{ id: 'O1', chunk: 'C01', title: 'o' }] });
        expect(created.status).toBe(201);
        const planId = created.body.id;
        expect((await api().post(`/api/plans/${planId}/finalize`).send({})).status).toBe(200);
        const t0 = Date.now();
        const res = await api().post(`/api/plans/${planId}/execute`).send({});
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('temporal_unavailable');
        expect(res.body.message).toContain(`Temporal is not reachable at 127.0.0.1:${port}`);
        expect(res.body.message).toContain('chunkwise up');
        expect(Date.now() - t0).toBeLessThan(8000);
        // Nothing was requested: the plan is still ready, and plan routes answer.
        const detail = await api().get(`/api/plans/${planId}`);
        expect(detail.status).toBe(200);
        expect(detail.body.status).toBe('ready');
        expect((await api().get(`/api/plans/${planId}/progress`)).body).toMatchObject({
          live: false,
          status: 'ready',
        });
        expect((await api().post(`/api/plans/${planId}/resume`).send()).status).toBe(503);
        expect((await api().get('/api/health')).status).toBe(200);
      } finally {
        await app.close();
        dir.remove();
      }
    });
  });
});
