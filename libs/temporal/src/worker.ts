import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { findProjectRoot } from './project-root';

/** Where the worker gets its workflow code from. */
export type WorkflowSource =
  | { kind: 'bundle'; codePath: string }
  | { kind: 'path'; workflowsPath: string; bundlerOptions: NonNullable<WorkerOptions['bundlerOptions']> };

/** `@chunkwise/<lib>` → `libs/<lib>/src`, as in tsconfig paths, for bundling workflows from sources. */
export function chunkwiseWebpackAliases(root: string = findProjectRoot()): Record<string, string> {
  const libsDir = join(root, 'libs');
  if (!existsSync(libsDir)) return {};
  const aliases: Record<string, string> = {};
  for (const name of readdirSync(libsDir)) {
    const src = join(libsDir, name, 'src');
    if (existsSync(src)) aliases[`@chunkwise/${name}$`] = src;
  }
  return aliases;
}

/** Bundler options that let the SDK's webpack bundler resolve tsconfig path aliases. */
export function chunkwiseBundlerOptions(root?: string): NonNullable<WorkerOptions['bundlerOptions']> {
  return {
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        alias: { ...chunkwiseWebpackAliases(root), ...(config.resolve?.alias as Record<string, string>) },
      },
    }),
  };
}

/** The workflows entry point next to this module: `workflows/index.ts` in sources, `dist/workflows/index.js` compiled. */
export function workflowsEntryPath(): string {
  const dir = resolve(__dirname, '..', '..', '..', 'workflows');
  const compiled = __filename.endsWith('.js');
  const preferred = join(dir, compiled ? 'index.js' : 'index.ts');
  if (existsSync(preferred)) return preferred;
  const other = join(dir, compiled ? 'index.ts' : 'index.js');
  return existsSync(other) ? other : preferred;
}

/** Default location of the prebuilt bundle written by setup (`dist/workflow-bundle.js`). */
export function defaultWorkflowBundlePath(root: string = findProjectRoot()): string {
  return join(root, 'dist', 'workflow-bundle.js');
}

/**
 * Picks the workflow code for a worker:
 * - `CHUNKWISE_WORKFLOW_BUNDLE=<file>` → that prebuilt bundle; `=off` → always bundle at start;
 * - running compiled code and `dist/workflow-bundle.js` exists and is not older than the compiled
 *   workflows → the prebuilt bundle (fast start, no webpack at runtime);
 * - otherwise `workflowsPath`, bundled by the SDK when the worker is created.
 */
export function resolveWorkflowSource(env: NodeJS.ProcessEnv = process.env): WorkflowSource {
  const setting = env.CHUNKWISE_WORKFLOW_BUNDLE?.trim();
  const workflowsPath = workflowsEntryPath();
  const viaPath: WorkflowSource = { kind: 'path', workflowsPath, bundlerOptions: chunkwiseBundlerOptions() };
  if (setting === 'off' || setting === '0' || setting === 'false') return viaPath;
  if (setting) {
    const codePath = resolve(setting);
    if (!existsSync(codePath)) throw new Error(`CHUNKWISE_WORKFLOW_BUNDLE=${setting}: file not found`);
    return { kind: 'bundle', codePath };
  }
  if (!workflowsPath.endsWith('.js')) return viaPath;
  const codePath = defaultWorkflowBundlePath();
  try {
    if (statSync(codePath).mtimeMs >= statSync(workflowsPath).mtimeMs) return { kind: 'bundle', codePath };
  } catch {
    // no bundle: fall through
  }
  return viaPath;
}

export interface ChunkwiseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Activity implementations (usually `import * as activities from '<root>/activities'`). */
  activities: object;
  /** Defaults to {@link resolveWorkflowSource}. */
  workflowSource?: WorkflowSource;
  /** Any other Worker option (tuning, identity, interceptors…). */
  overrides?: Partial<WorkerOptions>;
}

/** Creates (does not run) a Worker on the given connection, namespace and task queue. */
export async function createChunkwiseWorker(options: ChunkwiseWorkerOptions): Promise<Worker> {
  const { Worker } = await import('@temporalio/worker');
  const source = options.workflowSource ?? resolveWorkflowSource();
  const workflowOptions: Partial<WorkerOptions> =
    source.kind === 'bundle'
      ? { workflowBundle: { codePath: source.codePath } }
      : { workflowsPath: source.workflowsPath, bundlerOptions: source.bundlerOptions };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    shutdownGraceTime: '10 seconds',
    // A dead worker's sticky queue is abandoned quickly, so another worker takes the workflow over.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    ...workflowOptions,
    ...options.overrides,
  });
}
