import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { CliError } from './errors';
import { spawnNode, type ChildHandle } from './stack-support';

/** The API's HTTP contract as the CLI knows it (the same paths the API client calls). */
const API_PREFIX = '/api';
const HEALTH_PATH = `${API_PREFIX}/health`;
const DOCS_PATH = `${API_PREFIX}/docs`;

const API_START_TIMEOUT_MS = 60_000;

export interface ApiUrls {
  /** e.g. http://127.0.0.1:8080 (no trailing slash). */
  baseUrl: string;
  apiUrl: string;
  docsUrl: string;
  /** The web dashboard (served by the API at /). */
  dashboardUrl: string;
}

export interface ApiProcess extends ApiUrls {
  handle: ChildHandle;
}

/** Where a client reaches a server listening on host:port (a wildcard host is reached on loopback). */
export function apiUrlsOf(host: string, port: number): ApiUrls {
  const reachable =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const baseUrl = `http://${reachable}:${port}`;
  return {
    baseUrl,
    apiUrl: `${baseUrl}${API_PREFIX}`,
    docsUrl: `${baseUrl}${DOCS_PATH}`,
    dashboardUrl: `${baseUrl}/`,
  };
}

/**
 * Starts the built API (dist/apps/api/src/main.js) as a child process configured by `env` (the
 * same CHUNKWISE_* variables it reads when run alone), with its output in `logFile`, and resolves
 * once its health route answers. `config.port` must be a real port: the caller picks one for 0.
 * `onSpawn` receives the child at once, so that an interrupted start can still stop it.
 */
export async function startApiProcess(opts: {
  root: string;
  config: Pick<ChunkwiseConfig, 'host' | 'port'>;
  env: NodeJS.ProcessEnv;
  logFile: string;
  interrupted: () => boolean;
  onSpawn: (handle: ChildHandle) => void;
}): Promise<ApiProcess> {
  const { config, logFile } = opts;
  const script = join(opts.root, 'dist', 'apps', 'api', 'src', 'main.js');
  if (!existsSync(script)) {
    throw new CliError(`the API is not built: ${script} is missing`, [
      'run `npm run build` (or `npm run setup`)',
    ]);
  }
  const handle = spawnNode(script, { ...opts.env, NO_COLOR: opts.env.NO_COLOR ?? '1' }, logFile);
  opts.onSpawn(handle);
  const urls = apiUrlsOf(config.host, config.port);
  await waitForHealth(urls.baseUrl, handle, config, opts.interrupted);
  return { ...urls, handle };
}

/** Polls the health route until it answers (any HTTP status: 503 still means the API is up). */
async function waitForHealth(
  baseUrl: string,
  api: ChildHandle,
  config: Pick<ChunkwiseConfig, 'host' | 'port'>,
  interrupted: () => boolean,
): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void api.exited.then((e) => (exit = e));
  const deadline = Date.now() + API_START_TIMEOUT_MS;
  for (;;) {
    if (exit) {
      const log = api.tail();
      if (log.includes('EADDRINUSE')) {
        throw new CliError(`port ${config.port} on ${config.host} is already in use`, [
          'choose another port with --port N (or CHUNKWISE_PORT)',
        ]);
      }
      throw new CliError(
        `could not start the API: it exited (code ${exit.code}, signal ${exit.signal}); last lines of ${api.logFile}:`,
        log.split('\n'),
      );
    }
    if (interrupted()) return;
    const answered = await fetch(`${baseUrl}${HEALTH_PATH}`, { signal: AbortSignal.timeout(2_000) }).then(
      async (res) => {
        await res.body?.cancel();
        return true;
      },
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) {
      throw new CliError(
        `the API (pid ${api.pid}) does not answer ${baseUrl}${HEALTH_PATH} after ${API_START_TIMEOUT_MS / 1000} s; ` +
          `last lines of ${api.logFile}:`,
        api.tail().split('\n'),
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
