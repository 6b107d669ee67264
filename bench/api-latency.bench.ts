/**
 * API read latency: GET /api/plans/:id under concurrent load.
 *
 *   npm run build && node dist/bench/api-latency.bench.js [--plans 1000] [--tasks 50] [--clients 50]
 *                                                         [--requests 20000] [--duration 30]
 *
 * Starts the real API (createApp, SQLite in a temp dir, in-process projector) on a random loopback
 * port, creates the plans through the HTTP API (POST /api/plans, 8 at a time), then a separate
 * load-generator process (so that client work does not share the server's event loop) runs
 * `--clients` concurrent keep-alive clients issuing GET /api/plans/:id for random plans until
 * `--requests` responses or `--duration` seconds, and prints p50/p90/p99/max and requests/s.
 * Loopback only; the temp dir is removed at the end.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@chunkwise/config';
import { startApi } from '../apps/api/src/app.factory';
import { printResult } from './support';

interface Options {
  plans: number;
  tasks: number;
  clients: number;
  requests: number;
  duration: number;
}

interface LoadResult {
  latenciesMs: number[];
  errors: number;
  elapsedMs: number;
  bytes: number;
}

function parseArgs(argv: string[]): Options & { loadUrl?: string; ids?: string } {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  const num = (name: string, def: number) => {
    const v = out[name] === undefined ? def : Number(out[name]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  return {
    plans: num('plans', 1000),
    tasks: num('tasks', 50),
    clients: num('clients', 50),
    requests: num('requests', 20_000),
    duration: num('duration', 30),
    loadUrl: out['load-url'],
  };
}

/** A plan document with `tasks` tasks in 5 chunks, each depending on the previous one. */
function planDocument(n: number, tasks: number) {
  const perChunk = Math.ceil(tasks / 5);
  return {
    title: `Bench plan ${n}`,
    description: `Plan ${n} of the API latency benchmark`,
    repository: `/repos/bench-${n % 20}`,
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `T${i + 1}`,
      chunk: `C${String(Math.floor(i / perChunk) + 1).padStart(2, '0')}_part`,
      title: `Task ${i + 1} of plan ${n}`,
      description: `Do step ${i + 1}. `.repeat(8),
      dependsOn: i > 0 ? [`T${i}`] : [],
      acceptance: [`step ${i + 1} works`, 'tests pass'],
    })),
  };
}

function httpJson(
  agent: Agent,
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      url,
      {
        method,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function seed(apiUrl: string, options: Options): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.plans) {
      const n = next++;
      const res = await httpJson(agent, `${apiUrl}/plans`, 'POST', planDocument(n, options.tasks));
      if (res.status !== 201) throw new Error(`POST /api/plans → ${res.status}: ${res.text.slice(0, 300)}`);
      ids.push((JSON.parse(res.text) as { id: string }).id);
      if (ids.length % 100 === 0 || ids.length === options.plans) {
        const s = (performance.now() - started) / 1000;
        console.log(
          `  created ${ids.length}/${options.plans} plans (${(ids.length / s).toFixed(0)} plans/s)`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  return ids;
}

/** The load generator (runs in a child process). */
async function load(url: string, ids: string[], options: Options): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const latenciesMs: number[] = [];
  let errors = 0;
  let bytes = 0;
  let issued = 0;
  const deadline = Date.now() + options.duration * 1000;
  const started = performance.now();
  const client = async () => {
    while (issued < options.requests && Date.now() < deadline) {
      issued++;
      const id = ids[Math.floor(Math.random() * ids.length)];
      const t0 = performance.now();
      try {
        const res = await httpJson(agent, `${url}/plans/${id}`, 'GET');
        latenciesMs.push(performance.now() - t0);
        bytes += res.text.length;
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latenciesMs, errors, elapsedMs, bytes };
}

function runLoadInChild(apiUrl: string, ids: string[], options: Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = (['plans', 'tasks', 'clients', 'requests', 'duration'] as const).flatMap((k) => [
      `--${k}`,
      String(options[k]),
    ]);
    const child = fork(__filename, ['--load-url', apiUrl, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m) => {
      const msg = m as { type: string; result?: LoadResult; error?: string };
      if (msg.type === 'ready') child.send({ ids });
      else if (msg.type === 'done' && msg.result) resolve(msg.result);
      else if (msg.type === 'error') reject(new Error(msg.error));
    });
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`load generator exited with ${code}`)),
    );
  });
}

/**
 * The raw baseline: a bare node:http server holding every plan's detail, as the API sent it (body and
 * content-type), in memory, and answering GET /api/plans/:id with those bytes. Same process, same client.
 */
async function rawServer(
  bodies: Map<string, { body: Buffer; type: string }>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const id = (req.url ?? '').slice('/api/plans/'.length);
    const found = bodies.get(id);
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': found.type,
      'content-length': found.body.length,
      'cache-control': 'no-store',
    });
    res.end(found.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
}

interface Figures {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mibPerSecond: number;
}

function figuresOf(result: LoadResult): Figures {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors: result.errors,
    rps: (sorted.length / result.elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    mibPerSecond: ((result.bytes / result.elapsedMs) * 1000) / 1024 / 1024,
  };
}

function report(what: string, f: Figures, elapsedMs: number): void {
  const fmt = (v: number) => `${v.toFixed(2)} ms`;
  console.log(what);
  console.log(`  requests   ${f.requests} (${f.errors} errors) in ${(elapsedMs / 1000).toFixed(1)} s`);
  console.log(`  throughput ${f.rps.toFixed(0)} requests/s, ${f.mibPerSecond.toFixed(1)} MiB/s`);
  console.log(`  p50 ${fmt(f.p50)}  p90 ${fmt(f.p90)}  p99 ${fmt(f.p99)}  max ${fmt(f.max)}`);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));

  if (options.loadUrl) {
    // Child: wait for the plan ids, generate the load, report.
    const loadUrl = options.loadUrl;
    process.once('message', (m) => {
      const { ids } = m as { ids: string[] };
      load(loadUrl, ids, options).then(
        (result) => process.send?.({ type: 'done', result }, () => process.exit(0)),
        (e: unknown) => process.send?.({ type: 'error', error: String(e) }, () => process.exit(1)),
      );
    });
    process.send?.({ type: 'ready' });
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-bench-api-'));
  const config = loadConfig({
    CHUNKWISE_DATA_DIR: dir,
    CHUNKWISE_HOST: '127.0.0.1',
    CHUNKWISE_PORT: '0',
    CHUNKWISE_LOG_LEVEL: 'warn',
  });
  console.log(
    `api-latency: SQLite in ${dir}; ${options.plans} plans × ${options.tasks} tasks; ${options.clients} clients`,
  );
  const api = await startApi(config, { logger: ['error', 'warn'] });
  try {
    console.log(`API on ${api.apiUrl}`);
    const seedStarted = performance.now();
    const ids = await seed(api.apiUrl, options);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const sample = await httpJson(new Agent(), `${api.apiUrl}/plans/${ids[0]}`, 'GET');
    console.log(
      `seeded ${ids.length} plans in ${seedSeconds.toFixed(1)} s (${(ids.length / seedSeconds).toFixed(0)} plans/s); ` +
        `a plan detail is ${(sample.text.length / 1024).toFixed(1)} KiB`,
    );

    // The baseline's bytes: every plan's detail as the API sends it.
    const bodies = new Map<string, { body: Buffer; type: string }>();
    for (const id of ids) {
      const res = await fetch(`${api.apiUrl}/plans/${id}`);
      bodies.set(id, {
        body: Buffer.from(await res.arrayBuffer()),
        type: res.headers.get('content-type') ?? 'application/json',
      });
    }
    const raw = await rawServer(bodies);
    try {
      // Warm-up of both (JIT, SQLite page cache), not measured.
      const warm = { ...options, requests: Math.min(2000, options.requests), duration: 5 };
      await runLoadInChild(raw.url, ids, warm);
      await runLoadInChild(api.apiUrl, ids, warm);
      console.log(
        `load: up to ${options.requests} requests or ${options.duration} s, ${options.clients} concurrent keep-alive clients`,
      );
      // Server CPU per request (this process serves both): steadier than requests/s on a busy machine.
      let cpu0 = process.cpuUsage();
      const rawResult = await runLoadInChild(raw.url, ids, options);
      const rawCpu = process.cpuUsage(cpu0);
      cpu0 = process.cpuUsage();
      const result = await runLoadInChild(api.apiUrl, ids, options);
      const apiCpu = process.cpuUsage(cpu0);
      const perRequestUs = (c: NodeJS.CpuUsage, n: number) => (c.user + c.system) / Math.max(1, n);
      const rawFigures = figuresOf(rawResult);
      const figures = figuresOf(result);
      console.log('');
      report('raw node:http, the same bytes from memory (baseline)', rawFigures, rawResult.elapsedMs);
      report('GET /api/plans/:id', figures, result.elapsedMs);
      console.log(`  ratio      ${(figures.rps / rawFigures.rps).toFixed(2)}x the raw server's requests/s`);
      const apiUs = perRequestUs(apiCpu, figures.requests);
      const rawUs = perRequestUs(rawCpu, rawFigures.requests);
      console.log(
        `  server CPU per request: API ${apiUs.toFixed(0)} µs, raw ${rawUs.toFixed(0)} µs (${(rawUs / apiUs).toFixed(2)}x)`,
      );
      if (result.errors > 0 || rawResult.errors > 0) process.exitCode = 1;
      const r2 = (v: number) => Math.round(v * 100) / 100;
      printResult(
        'api-latency',
        {
          requestsPerSecond: Math.round(figures.rps),
          p50Ms: r2(figures.p50),
          p99Ms: r2(figures.p99),
          rawP50Ms: r2(rawFigures.p50),
          rawP99Ms: r2(rawFigures.p99),
          detailKiB: r2(sample.text.length / 1024),
          serverCpuUsPerRequest: Math.round(apiUs),
          rawServerCpuUsPerRequest: Math.round(rawUs),
          clients: options.clients,
          errors: result.errors,
        },
        Math.round(rawFigures.rps),
        { value: figures.rps / rawFigures.rps, of: 'requestsPerSecond/baseline' },
      );
    } finally {
      raw.server.closeAllConnections();
      raw.server.close();
    }
  } finally {
    await api.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
