/**
 * Import of a large Task Master file.
 *
 *   npm run build && node dist/bench/import-taskmaster.bench.js [--tasks 5000] [--subtasks 3] [--runs 5]
 *
 * Generates a tagged tasks.json of `--tasks` task entries (top-level tasks with `--subtasks`
 * subtasks each, dependencies in every Task Master spelling: numbers, "parent.sub" strings and
 * sibling-local numbers), then times
 *   - the import through the library (parse, expand, order the chunks, validate), `--runs` times;
 *   - POST /api/plans/import on the real API (SQLite in a temp dir, in-process projector), which
 *     also stores the PlanCreated event and waits for the read models;
 *   - GET /api/plans/:id/export?format=taskmaster, and the import of that export.
 * Loopback and a temp dir only; the temp dir is removed at the end.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@chunkwise/config';
import { importPlan } from '@chunkwise/formats';
import { startApi } from '../apps/api/src/app.factory';
import { intArgs, printResult } from './support';

function taskMasterFile(total: number, subtasks: number): string {
  const perTop = subtasks + 1;
  const tops = Math.ceil(total / perTop);
  const tasks = Array.from({ length: tops }, (_, i) => {
    const id = i + 1;
    const dependencies = id === 1 ? [] : id % 10 === 0 && id > 2 ? [id - 1, String(id - 2)] : [id - 1];
    const subs = Array.from({ length: Math.min(subtasks, total - i * perTop - 1) }, (_, j) => ({
      id: j + 1,
      title: `Step ${j + 1} of task ${id}`,
      description: `Do step ${j + 1}.`,
      details: '',
      status: id % 3 === 0 ? 'done' : 'pending',
      // Sibling-local numbers, and now and then a "parent.sub" string into the previous task.
      dependencies: j === 0 ? (id > 1 && id % 7 === 0 ? [`${id - 1}.1`] : []) : [j],
      testStrategy: '',
    }));
    return {
      id,
      title: `Task ${id}`,
      description: `Implement part ${id} of the system.`,
      details: `Details for part ${id}: keep it small and tested.`,
      testStrategy: `Unit tests for part ${id}.`,
      priority: ['high', 'medium', 'low'][id % 3],
      dependencies,
      status: id % 3 === 0 ? 'done' : 'pending',
      subtasks: subs,
    };
  });
  return JSON.stringify(
    { master: { tasks, metadata: { description: 'bench', created: '', updated: '' } } },
    null,
    2,
  );
}

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const opts = intArgs({
    tasks: { default: 5000, min: 10, max: 100_000 },
    subtasks: { default: 3, min: 0, max: 20 },
    runs: { default: 5, min: 1, max: 50 },
  });
  const content = taskMasterFile(opts.tasks, opts.subtasks);
  console.log(
    `Task Master file: ${opts.tasks} task entries (${Math.ceil(opts.tasks / (opts.subtasks + 1))} top-level, ${opts.subtasks} subtasks each), ${(content.length / 1024 / 1024).toFixed(2)} MB`,
  );

  const times: number[] = [];
  let plan = importPlan({ content, filename: 'tasks.json' });
  for (let i = 0; i < opts.runs; i++) {
    const started = process.hrtime.bigint();
    plan = importPlan({ content, filename: 'tasks.json' });
    times.push(ms(started));
  }
  console.log(
    `library import: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms over ${opts.runs} runs ` +
      `→ ${plan.content.chunks.length} chunks, ${plan.content.tasks.length} tasks, ${plan.warnings.length} warnings`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'chunkwise-bench-import-'));
  const config = loadConfig({
    CHUNKWISE_DATA_DIR: dir,
    CHUNKWISE_PORT: '0',
    CHUNKWISE_HOST: '127.0.0.1',
    CHUNKWISE_BODY_LIMIT: String(64 * 1024 * 1024),
    CHUNKWISE_LOG_LEVEL: 'error',
  });
  const api = await startApi(config, { logger: ['error'], projectionTimeoutMs: 60_000 });
  try {
    let started = process.hrtime.bigint();
    const res = await fetch(`${api.apiUrl}/plans/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content, filename: 'tasks.json' }),
    });
    const answer = (await res.json()) as { id: string; tasks: number; chunks: number; message?: string };
    const importMs = ms(started);
    if (res.status !== 201) throw new Error(`import failed with HTTP ${res.status}: ${answer.message}`);
    console.log(
      `API import (POST /api/plans/import, stored and projected): ${importMs.toFixed(0)} ms → plan ${answer.id}, ${answer.chunks} chunks, ${answer.tasks} tasks`,
    );

    started = process.hrtime.bigint();
    const exported = await fetch(`${api.apiUrl}/plans/${answer.id}/export?format=taskmaster`);
    const body = (await exported.json()) as { files: Array<{ content: string }> };
    const exportMs = ms(started);
    console.log(`API export (GET /api/plans/:id/export?format=taskmaster): ${exportMs.toFixed(0)} ms`);
    started = process.hrtime.bigint();
    const back = importPlan({ content: body.files[0].content, filename: 'tasks.json' });
    console.log(
      `library import of the export: ${ms(started).toFixed(0)} ms → ${back.content.tasks.length} tasks`,
    );
    // Baseline: the library import alone (parse, expand, validate) in the same run; the API adds the HTTP
    // round trip, the event append and the projection.
    printResult(
      'import-taskmaster',
      {
        apiImportMs: Math.round(importMs),
        libraryImportMs: Math.round(median(times)),
        exportMs: Math.round(exportMs),
      },
      Math.round(median(times)),
      { value: median(times) / importMs, of: 'baseline/apiImportMs' },
    );
  } finally {
    await api.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
