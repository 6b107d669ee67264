/**
 * The live turn output (GET /plans/:id/turns/:turnId/output/stream) over real HTTP: the controller
 * and its query handler on a real SQLite event store, following a real file written the way a worker
 * writes it (libs/agents turn-log.ts), until the turn's TurnCompleted is appended.
 */
import 'reflect-metadata';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { BadRequestException, HttpException } from '@nestjs/common';
import { PlanNotFoundError } from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { turnOutputPath } from '@chunkwise/contracts';
import { planStreamId } from '@chunkwise/domain';
import { SqliteEventStore } from '@chunkwise/event-store';
import express from 'express';
import { openTurnLog } from '../../../../libs/agents/src/turn-log';
import { makeTempDir } from '../../../../test/support/temp-dir';
import { FollowTurnOutputHandler } from './session.handlers';
import { FollowTurnOutputQuery } from './session.commands';
import { SessionsController } from './sessions.controller';
import { endsTurn, sessionOfTurn } from './turn-end';
import { followFile } from './turn-output-follow';

jest.setTimeout(30_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('followFile (a real growing file)', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => (dir = makeTempDir('cw-follow-')));
  afterEach(() => dir.remove());

  it('sends what is there, then each write as it comes, and the rest once the turn has ended', async () => {
    const file = path.join(dir.path, 'turns', 'p1', 's_1-1.log');
    const log = await openTurnLog(file);
    log.write('first\n');
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    const got: string[] = [];
    const done = followFile(file, {
      ended,
      signal: new AbortController().signal,
      write: (c) => void got.push(c.toString()),
      checkMs: 5_000, // the watcher, not the safety interval, must bring the writes
    });
    await waitUntil(() => got.join('') === 'first\n');
    log.write('second\n');
    await waitUntil(() => got.join('') === 'first\nsecond\n');
    log.write('third');
    await log.close();
    end();
    expect(await done).toBe('first\nsecond\nthird'.length);
    expect(got.join('')).toBe('first\nsecond\nthird');
  });

  it('waits for a file that does not exist yet, and stops when aborted', async () => {
    const file = path.join(dir.path, 'later.log');
    const abort = new AbortController();
    const got: string[] = [];
    const done = followFile(file, {
      ended: new Promise(() => undefined),
      signal: abort.signal,
      write: (c) => void got.push(c.toString()),
      checkMs: 50,
    });
    await sleep(100);
    await fs.writeFile(file, 'hello');
    await waitUntil(() => got.join('') === 'hello');
    abort.abort();
    expect(await done).toBe(5);
  });
});

describe('turn ends', () => {
  it('a turn ends with its TurnCompleted or the end of its session', () => {
    expect(sessionOfTurn('s_abc-12')).toBe('s_abc');
    expect(endsTurn({ type: 'TurnCompleted', data: { turnId: 's_a-1' } }, 's_a-1')).toBe(true);
    expect(endsTurn({ type: 'TurnCompleted', data: { turnId: 's_a-2' } }, 's_a-1')).toBe(false);
    expect(endsTurn({ type: 'ExecutionCancelled', data: { sessionId: 's_a' } }, 's_a-1')).toBe(true);
    expect(endsTurn({ type: 'ExecutionCancelled', data: { sessionId: 's_b' } }, 's_a-1')).toBe(false);
    expect(endsTurn({ type: 'ExecutionPaused', data: { sessionId: 's_a' } }, 's_a-1')).toBe(false);
  });
});

describe('GET /plans/:id/turns/:turnId/output/stream (real HTTP, real event store, real file)', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: SqliteEventStore;
  let server: http.Server;
  let controller: SessionsController;
  let base: string;
  const planId = 'p_follow0000001';
  let n = 0;
  const append = (type: string, data: Record<string, unknown>) =>
    store.append(planStreamId(planId), [{ id: `e-${++n}`, type, data }], { expectedRevision: 'any' });

  beforeEach(async () => {
    dir = makeTempDir('cw-follow-http-');
    store = new SqliteEventStore(path.join(dir.path, 'events.db'), { pollIntervalMs: 20 });
    const config = { dataDir: dir.path } as ChunkwiseConfig;
    const handler = new FollowTurnOutputHandler(store, config);
    const queries = { execute: (q: FollowTurnOutputQuery) => handler.execute(q) };
    controller = new SessionsController({} as never, queries as never);
    const app = express();
    app.get('/api/plans/:id/turns/:turnId/output/stream', (req, res) => {
      controller
        .turnOutputStream(String(req.params.id), String(req.params.turnId), req, res)
        .catch((e: unknown) => {
          const status = e instanceof HttpException ? e.getStatus() : 500;
          res.status(status).json({ message: e instanceof Error ? e.message : String(e) });
        });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await append('PlanCreated', { title: 'x' });
  });

  afterEach(async () => {
    controller.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    dir.remove();
  });

  it('streams the output as the agent writes it and ends when the turn completes', async () => {
    const turnId = 's_live-1';
    await append('TurnStarted', { sessionId: 's_live', turnId, chunk: 'C1', taskId: 'T1', attempt: 1 });
    const log = await openTurnLog(turnOutputPath(dir.path, planId, turnId));
    log.write('Reading the task…\n');
    const client = get(`${base}/api/plans/${planId}/turns/${turnId}/output/stream`);
    const res = await client.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['content-length']).toBeUndefined(); // chunked: it keeps coming
    await waitUntil(() => client.body() === 'Reading the task…\n');
    log.write('Édition du fichier ✓\n');
    await waitUntil(() => client.body().endsWith('✓\n'));
    expect(client.ended()).toBe(false);
    log.write('done');
    await log.close();
    await append('TurnCompleted', { sessionId: 's_live', turnId, taskId: 'T1', succeeded: true });
    await client.end;
    expect(client.body()).toBe('Reading the task…\nÉdition du fichier ✓\ndone');
  });

  it('sends the whole output of a turn that has ended, then ends', async () => {
    const turnId = 's_old-2';
    await fs.mkdir(path.dirname(turnOutputPath(dir.path, planId, turnId)), { recursive: true });
    await fs.writeFile(turnOutputPath(dir.path, planId, turnId), 'all of it');
    await append('TurnStarted', { sessionId: 's_old', turnId, chunk: 'C1', taskId: 'T1', attempt: 2 });
    await append('ExecutionCancelled', { sessionId: 's_old', reason: null });
    const client = get(`${base}/api/plans/${planId}/turns/${turnId}/output/stream`);
    await client.end;
    expect(client.body()).toBe('all of it');
  });

  it('404 for a turn that never started or a plan that does not exist; 400 for a bad turn id', async () => {
    expect((await get(`${base}/api/plans/${planId}/turns/s_none-1/output/stream`).response).statusCode).toBe(
      404,
    );
    const handler = new FollowTurnOutputHandler(store, { dataDir: dir.path } as ChunkwiseConfig);
    // (The app's exception filter answers PlanNotFoundError with 404.)
    await expect(handler.execute(new FollowTurnOutputQuery('p_nope', 's_none-1'))).rejects.toBeInstanceOf(
      PlanNotFoundError,
    );
    await expect(handler.execute(new FollowTurnOutputQuery(planId, '..%2Fevents'))).rejects.toBeInstanceOf(
      BadRequestException,
    );
  });

  it('stops following when the client goes away', async () => {
    const turnId = 's_gone-1';
    await append('TurnStarted', { sessionId: 's_gone', turnId, chunk: 'C1', taskId: 'T1', attempt: 1 });
    const client = get(`${base}/api/plans/${planId}/turns/${turnId}/output/stream`);
    await client.response;
    client.abort();
    // The server side ends: shutting down finds nothing left to end, and the server closes.
    await waitUntil(() => (controller as unknown as { following: Set<unknown> }).following.size === 0);
  });
});

function get(url: string) {
  let body = '';
  let ended = false;
  let req!: http.ClientRequest;
  let endResolve!: () => void;
  const end = new Promise<void>((r) => (endResolve = r));
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        ended = true;
        endResolve();
      });
      res.on('error', () => endResolve());
      resolve(res);
    });
    req.on('error', reject);
  });
  return { response, end, body: () => body, ended: () => ended, abort: () => req.destroy() };
}

async function waitUntil(pred: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}
