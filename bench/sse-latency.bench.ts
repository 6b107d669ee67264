/**
 * Live stream latency: an event appended → its frame delivered on GET /api/plans/:id/stream, to every one of
 * `--subscribers` open streams of the plan.
 *
 *   npm run build && node dist/bench/sse-latency.bench.js [--subscribers 100] [--events 200] [--interval 25]
 *
 * Three processes, as in production: the API (createApp, SQLite in a temp dir, in-process projector) in
 * this one; an appender process that opens the same event-store file and writes `--events` plan events
 * (RecordFeedback through the domain's write path, as the worker writes execution events), one every
 * `--interval` ms on average (randomized); and a subscriber process holding the streams open (keep-alive
 * node:http clients, frames parsed as they come). The appender notes when each append returned (committed,
 * fsync'd) by position, the subscribers when each frame arrived (performance.timeOrigin + now(), one clock on
 * one machine): the figure is the difference, from the commit to the frame, over every frame of every
 * subscriber. Also shown: the same from the start of the write (the event carries that time), which adds the
 * appender's own read, decide and fsync. Frames are written only once the read models hold the event, so
 * the figure includes the projection.
 *
 * Baseline, in the same run: a bare node:http SSE server in this process with the same number of
 * subscribers, pushing frames of the same size from memory at the same pace (the transport's floor: write,
 * loopback, client parse). Loopback and a temp dir only; the temp dir is removed at the end.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PlanCommandService } from '@chunkwise/application';
import { loadConfig } from '@chunkwise/config';
import { SqliteEventStore } from '@chunkwise/event-store';
import { startApi } from '../apps/api/src/app.factory';
import { intArgs, printResult } from './support';

const now = () => performance.timeOrigin + performance.now();
const MARK = 'bench-sent-at:';
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Role = 'main' | 'appender' | 'subscriber';
function role(): Role {
  const r = process.env.SSE_BENCH_ROLE;
  return r === 'appender' || r === 'subscriber' ? r : 'main';
}

interface Options {
  subscribers: number;
  events: number;
  interval: number;
}

// ---- the subscriber process ----

/** One frame received: its id (the event's position), when it arrived, and the time its writer marked in it. */
type Arrival = [id: number, at: number, marked: number];

/** Opens `count` streams of `url`, records every frame with a mark, until `expected` each. */
async function subscribe(
  url: string,
  count: number,
  expected: number,
  timeoutMs: number,
): Promise<Arrival[]> {
  const latencies: Arrival[] = [];
  let opened = 0;
  let complete = 0;
  return new Promise((resolve, reject) => {
    const requests: Array<ReturnType<typeof get>> = [];
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      for (const r of requests) r.destroy();
      resolve(latencies);
    };
    for (let i = 0; i < count; i++) {
      let seen = 0;
      let buffer = '';
      const req = get(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`stream answered ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const mark = frame.indexOf(MARK);
            if (mark < 0) {
              if (frame.startsWith('retry:') && ++opened === count) process.send?.({ type: 'open' });
              continue;
            }
            const id = /^id: (\d+)$/m.exec(frame);
            latencies.push([Number(id?.[1]), at, Number.parseFloat(frame.slice(mark + MARK.length))]);
            if (++seen === expected && ++complete === count) finish();
          }
        });
      });
      req.on('error', (e) => reject(e));
      requests.push(req);
    }
  });
}

// ---- the appender process ----

async function append(eventsFile: string, planId: string, options: Options): Promise<void> {
  const store = new SqliteEventStore(eventsFile);
  const plans = new PlanCommandService(store);
  const writes: number[] = [];
  const commits: Array<[number, number]> = [];
  try {
    for (let i = 0; i < options.events; i++) {
      await delay(options.interval * (0.5 + Math.random()));
      const t0 = now();
      const written = await plans.execute(planId, {
        type: 'RecordFeedback',
        feedback: `${MARK}${t0.toFixed(3)}`,
      });
      const committed = now();
      writes.push(committed - t0);
      commits.push([written.position, committed]);
    }
    const sorted = writes.sort((a, b) => a - b);
    console.log(
      `  appender: a write (read the stream, decide, append with synchronous=FULL) took p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
    );
  } finally {
    await store.close();
  }
  await new Promise<void>((resolve) => process.send!({ type: 'commits', commits }, () => resolve()));
}

// ---- the raw baseline ----

async function rawSse(): Promise<{ url: string; push: (text: string) => void; close: () => void }> {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
    });
    req.socket.setNoDelay(true);
    res.write('retry: 2000\n: raw\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let position = 0;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    push: (text) => {
      position++;
      const frame = `id: ${position}\nevent: FeedbackRecorded\ndata: ${text}\n\n`;
      for (const res of clients) res.write(frame);
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

// ---- the main process ----

function child(env: Record<string, string>, argv: string[]): ChildProcess {
  return fork(__filename, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs the subscriber process on `url`; resolves once its streams are open with a function awaiting the result. */
function subscribers(url: string): Promise<() => Promise<Arrival[]>> {
  const proc = child({ SSE_BENCH_ROLE: 'subscriber', SSE_BENCH_URL: url }, process.argv.slice(2));
  let result: (v: Arrival[]) => void;
  let failed: (e: Error) => void;
  const done = new Promise<Arrival[]>((resolve, reject) => {
    result = resolve;
    failed = reject;
  });
  return new Promise((resolve, reject) => {
    proc.on('message', (m) => {
      const msg = m as { type: string; latencies?: Arrival[]; error?: string };
      if (msg.type === 'open') resolve(() => done);
      else if (msg.type === 'done') result(msg.latencies!);
      else if (msg.type === 'error') {
        reject(new Error(msg.error));
        failed(new Error(msg.error));
      }
    });
    proc.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`subscriber process exited with ${code}`));
        failed(new Error(`subscriber process exited with ${code}`));
      }
    });
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

interface Figures {
  frames: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function figuresOf(latencies: number[]): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    frames: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

async function main(options: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-bench-sse-'));
  const config = loadConfig({
    CHUNKWISE_DATA_DIR: dir,
    CHUNKWISE_HOST: '127.0.0.1',
    CHUNKWISE_PORT: '0',
    CHUNKWISE_LOG_LEVEL: 'warn',
  });
  const api = await startApi(config, { logger: ['error', 'warn'] });
  const raw = await rawSse();
  try {
    const created = await fetch(`${api.apiUrl}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'sse bench', tasks: [{ id: 'T1', chunk: 'C01_a', title: 'one' }] }),
    });
    if (created.status !== 201) throw new Error(`POST /api/plans → ${created.status}`);
    const planId = ((await created.json()) as { id: string }).id;
    console.log(
      `sse-latency: ${options.subscribers} subscribers, ${options.events} events, one every ~${options.interval} ms`,
    );

    // Baseline: the raw server pushes a frame of the same shape at the same pace.
    const rawDone = await subscribers(raw.url);
    for (let i = 0; i < options.events; i++) {
      await delay(options.interval * (0.5 + Math.random()));
      raw.push(
        JSON.stringify({
          type: 'FeedbackRecorded',
          position: i + 1,
          streamRevision: i + 1,
          recordedAt: new Date().toISOString(),
          data: { revision: 1, feedback: `${MARK}${now().toFixed(3)}`, author: null },
        }),
      );
    }
    // Raw: the mark is the push time itself.
    const rawFigures = figuresOf((await rawDone()).map(([, at, marked]) => at - marked));

    // The API: streams opened first, then the appender process writes.
    const apiDone = await subscribers(`${api.apiUrl}/plans/${planId}/stream`);
    const appender = child(
      {
        SSE_BENCH_ROLE: 'appender',
        SSE_BENCH_EVENTS_FILE: config.eventStore.kind === 'sqlite' ? config.eventStore.file : '',
        SSE_BENCH_PLAN: planId,
      },
      process.argv.slice(2),
    );
    const committedAt = new Map<number, number>();
    appender.on('message', (m) => {
      for (const [position, at] of (m as { commits: Array<[number, number]> }).commits)
        committedAt.set(position, at);
    });
    const appended = new Promise<void>((resolve, reject) =>
      appender.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`appender exited with ${code}`)),
      ),
    );
    const [arrivals] = await Promise.all([apiDone(), appended]);
    // From the commit (the appender's append returned) to the frame; and from the start of the write.
    const figures = figuresOf(
      arrivals.map(([id, at]) => at - (committedAt.get(id) ?? Number.NaN)).filter((v) => !Number.isNaN(v)),
    );
    const fromWrite = figuresOf(arrivals.map(([, at, marked]) => at - marked));
    const fmt = (v: number) => `${v.toFixed(2)} ms`;
    const show = (what: string, f: Figures) =>
      console.log(
        `${what}\n  frames ${f.frames}/${options.events * options.subscribers}  p50 ${fmt(f.p50)}  p90 ${fmt(f.p90)}  p99 ${fmt(f.p99)}  max ${fmt(f.max)}`,
      );
    show('raw node:http SSE, frames pushed from memory (baseline)', rawFigures);
    show('GET /api/plans/:id/stream, appended by another process: from the commit', figures);
    show('  the same from the start of the write (read, decide, append with fsync)', fromWrite);
    const missing = options.events * options.subscribers - figures.frames;
    if (missing > 0) {
      console.error(`${missing} frames never arrived`);
      process.exitCode = 1;
    }
    const r2 = (v: number) => Math.round(v * 100) / 100;
    printResult(
      'sse-latency',
      {
        p99Ms: r2(figures.p99),
        p50Ms: r2(figures.p50),
        maxMs: r2(figures.max),
        rawP50Ms: r2(rawFigures.p50),
        fromWriteP99Ms: r2(fromWrite.p99),
        subscribers: options.subscribers,
        events: options.events,
        frames: figures.frames,
      },
      r2(rawFigures.p99),
      { value: rawFigures.p99 / figures.p99, of: 'baseline/p99Ms' },
    );
  } finally {
    raw.close();
    await api.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const options = intArgs({
  subscribers: { default: 100, min: 1, max: 1000 },
  events: { default: 200, min: 1, max: 10_000 },
  interval: { default: 25, min: 1, max: 10_000 },
});
const timeout = options.events * options.interval * 2 + 30_000;

const run: Record<Role, () => Promise<void>> = {
  main: () => main(options),
  appender: () => append(process.env.SSE_BENCH_EVENTS_FILE!, process.env.SSE_BENCH_PLAN!, options),
  subscriber: async () => {
    const latencies = await subscribe(
      process.env.SSE_BENCH_URL!,
      options.subscribers,
      options.events,
      timeout,
    );
    await new Promise<void>((resolve) => process.send!({ type: 'done', latencies }, () => resolve()));
  },
};

run[role()]().then(
  () => {
    if (role() !== 'main') process.exit(0);
  },
  (e: unknown) => {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (role() === 'subscriber') process.send?.({ type: 'error', error: text }, () => process.exit(1));
    else {
      console.error(text);
      process.exit(1);
    }
  },
);
