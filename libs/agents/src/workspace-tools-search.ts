import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ToolError, type ResolvedPath, type WorkTree } from './workspace-tools-paths';

/** Directories never searched or descended into by the workspace tools. */
export const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export interface SearchOptions {
  pattern: string;
  /** Match the pattern as plain text rather than a regular expression. */
  literal: boolean;
  ignoreCase: boolean;
  maxResults: number;
  /** Files larger than this are skipped (generated or binary data, usually). */
  maxFileBytes: number;
  maxFiles: number;
  /** A whole search, regex evaluation included, is abandoned after this. */
  timeoutMs: number;
}

export interface SearchMatch {
  file: string;
  line: number;
  text: string;
}

export interface SearchResult {
  matches: SearchMatch[];
  filesScanned: number;
  /** Why the search stopped early, if it did. */
  truncated: string | null;
}

/**
 * The regex runs in a worker thread: a pattern with catastrophic backtracking would otherwise
 * block the event loop (and with it heartbeats and cancellation) for as long as it likes.
 */
const MATCHER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.source, workerData.flags);
parentPort.on('message', (files) => {
  const out = [];
  for (const f of files) {
    const lines = f.text.split('\\n');
    for (let i = 0; i < lines.length && out.length < workerData.max; i++) {
      if (re.test(lines[i])) out.push({ file: f.rel, line: i + 1, text: lines[i] });
    }
  }
  parentPort.postMessage(out);
});
`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MAX_LINE = 300;
const BATCH_BYTES = 4 * 1024 * 1024;

/** Files under `start` (or `start` itself), skipping .git, node_modules and symlinks (never followed). */
async function* walk(tree: WorkTree, start: ResolvedPath): AsyncGenerator<{ abs: string; rel: string }> {
  const st = await fs.stat(start.abs);
  if (st.isFile()) {
    yield { abs: start.abs, rel: start.rel };
    return;
  }
  const stack = [start.abs];
  while (stack.length) {
    const dir = stack.pop()!;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? 1 : -1)); // popped in name order
    const subdirs: string[] = [];
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) subdirs.push(abs);
      else if (e.isFile()) yield { abs, rel: path.relative(tree.realRoot, abs) };
    }
    stack.push(...subdirs);
  }
}

export async function searchTree(
  tree: WorkTree,
  start: ResolvedPath,
  o: SearchOptions,
  signal?: AbortSignal,
): Promise<SearchResult> {
  const source = o.literal ? escapeRegExp(o.pattern) : o.pattern;
  const flags = o.ignoreCase ? 'i' : '';
  try {
    new RegExp(source, flags); // compiling is cheap and safe; a syntax error is the model's to fix
  } catch (e) {
    throw new ToolError(`invalid regular expression: ${(e as Error).message}`);
  }

  const worker = new Worker(MATCHER_SOURCE, { eval: true, workerData: { source, flags, max: o.maxResults } });
  const deadline = Date.now() + o.timeoutMs;
  const match = (batch: Array<{ rel: string; text: string }>) =>
    new Promise<SearchMatch[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ToolError(`search took longer than ${o.timeoutMs} ms and was stopped`)),
        Math.max(0, deadline - Date.now()),
      );
      const onAbort = () => reject(new ToolError('search cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
      };
      worker.once('message', (m: SearchMatch[]) => (done(), resolve(m)));
      worker.once('error', (e) => (done(), reject(new ToolError(`search failed: ${e.message}`))));
      worker.postMessage(batch);
    });

  const matches: SearchMatch[] = [];
  let filesScanned = 0;
  let truncated: string | null = null;
  let batch: Array<{ rel: string; text: string }> = [];
  let batchBytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    const found = await match(batch);
    batch = [];
    batchBytes = 0;
    for (const m of found) {
      if (matches.length >= o.maxResults) break;
      matches.push({ ...m, text: m.text.length > MAX_LINE ? `${m.text.slice(0, MAX_LINE)}…` : m.text });
    }
  };
  try {
    for await (const f of walk(tree, start)) {
      if (matches.length >= o.maxResults) {
        truncated = `stopped at ${o.maxResults} matches`;
        break;
      }
      if (filesScanned >= o.maxFiles) {
        truncated = `stopped after ${o.maxFiles} files`;
        break;
      }
      if (signal?.aborted) throw new ToolError('search cancelled');
      const st = await fs.stat(f.abs).catch(() => null);
      if (!st || st.size > o.maxFileBytes) continue;
      const buf = await fs.readFile(f.abs).catch(() => null);
      if (!buf || buf.subarray(0, 8000).includes(0)) continue; // unreadable or binary
      filesScanned++;
      batch.push({ rel: f.rel, text: buf.toString('utf8') });
      batchBytes += buf.length;
      if (batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
    if (matches.length >= o.maxResults && !truncated) truncated = `stopped at ${o.maxResults} matches`;
    return { matches, filesScanned, truncated };
  } finally {
    await worker.terminate();
  }
}
