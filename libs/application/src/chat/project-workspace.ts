import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatRun, RunResult } from '@chunkwise/domain';
import type { ResolvedContextPath } from './context-paths';

export interface FilepathEntry {
  path: string;
  kind: 'file' | 'folder';
  description: string;
}

const CONTEXT_TEMPLATE = `# Project context

What this project is, decisions made and constraints to respect. The chat reads this file at every
turn and adds to it; edit it freely.
`;
const MAX_CONTEXT_CHARS = 20_000;

/**
 * A chat project's workspace on disk (seed 002): `CONTEXT.md`, `filepaths.json` (files and
 * folders with descriptions), `runs/<run>/run_description.json`, and `deliverables/`, the source of
 * truth for outputs. The event stream stays the record; these files are its readable side.
 */
export class ProjectWorkspace {
  constructor(readonly root: string) {}

  /** Creates what is missing; never overwrites. */
  async ensure(): Promise<void> {
    await mkdirs(path.join(this.root, 'runs'));
    await mkdirs(path.join(this.root, 'deliverables'));
    await writeIfMissing(path.join(this.root, 'CONTEXT.md'), CONTEXT_TEMPLATE);
    await writeIfMissing(path.join(this.root, 'filepaths.json'), '{\n  "entries": []\n}\n');
  }

  async filepaths(): Promise<FilepathEntry[]> {
    try {
      const json = JSON.parse(await fs.readFile(path.join(this.root, 'filepaths.json'), 'utf8'));
      return Array.isArray(json?.entries) ? json.entries : [];
    } catch {
      return [];
    }
  }

  /** Adds (or updates the description of) the run's context paths. */
  async recordPaths(paths: ResolvedContextPath[], runId: string): Promise<void> {
    if (!paths.length) return;
    const entries = await this.filepaths();
    for (const p of paths) {
      const stat = await fs.stat(p.absolute).catch(() => null);
      const entry: FilepathEntry = {
        path: p.path,
        kind: stat?.isDirectory() ? 'folder' : 'file',
        description: `${p.permission === 'write' ? 'written' : 'read'} by run ${runId}`,
      };
      const i = entries.findIndex((e) => e.path === p.path);
      if (i >= 0)
        entries[i] = { ...entries[i], description: `${entries[i].description}; ${entry.description}` };
      else entries.push(entry);
    }
    await writeAtomic(path.join(this.root, 'filepaths.json'), `${JSON.stringify({ entries }, null, 2)}\n`);
  }

  /** runs/<run>/run_description.json: the parameters, the plan, and the result once there is one. */
  async describeRun(
    run: Pick<ChatRun, 'runId' | 'planId' | 'params' | 'launchedAt'>,
    result: RunResult | null,
  ): Promise<void> {
    const dir = path.join(this.root, 'runs', run.runId);
    await fs.mkdir(dir, { recursive: true });
    const description = {
      runId: run.runId,
      planId: run.planId,
      launchedAt: run.launchedAt,
      task: run.params.task,
      params: run.params,
      status: result?.status ?? 'running',
      result,
    };
    await writeAtomic(path.join(dir, 'run_description.json'), `${JSON.stringify(description, null, 2)}\n`);
    if (result) {
      const lines = [
        `# ${run.runId}: ${run.params.task.split('\n')[0]}`,
        '',
        result.summary,
        '',
        ...result.tasks.map(
          (t) => `- ${t.id} ${t.title}: ${t.status}${t.commit ? ` (${t.commit.slice(0, 12)})` : ''}`,
        ),
        ...(result.failures.length ? ['', '## Failures', '', ...result.failures.map((f) => `- ${f}`)] : []),
        '',
        `Cost: $${result.usage.costUsd.toFixed(4)}`,
      ];
      await writeAtomic(path.join(this.root, 'deliverables', `${run.runId}.md`), `${lines.join('\n')}\n`);
    }
  }

  /** What the model is shown of the workspace: CONTEXT.md, the file list and the deliverables. */
  async summary(): Promise<string> {
    const context = await fs.readFile(path.join(this.root, 'CONTEXT.md'), 'utf8').catch(() => '');
    const entries = await this.filepaths();
    const deliverables = await fs.readdir(path.join(this.root, 'deliverables')).catch(() => [] as string[]);
    return [
      '### CONTEXT.md',
      context.length > MAX_CONTEXT_CHARS ? `${context.slice(0, MAX_CONTEXT_CHARS)}\n…` : context,
      '### filepaths.json',
      entries.length ? entries.map((e) => `- ${e.path} (${e.kind}): ${e.description}`).join('\n') : '(empty)',
      '### deliverables/ (the source of truth for outputs)',
      deliverables.length ? deliverables.map((d) => `- deliverables/${d}`).join('\n') : '(empty)',
    ].join('\n');
  }
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir never settles under some file systems
 * (it loops on /proc), and a path given by a client must fail cleanly instead.
 */
async function mkdirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !(await fs.stat(d).catch(() => null)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing)
    await fs.mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
}

async function writeIfMissing(file: string, text: string): Promise<void> {
  await fs.writeFile(file, text, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}
