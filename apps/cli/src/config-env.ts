import type { ChunkwiseConfig } from '@chunkwise/config';
import { CliError } from './errors';

/**
 * The server configuration for `up` and `replay`: the environment (CHUNKWISE_*), with the command
 * line on top. Returns the environment to hand to child processes too (absolute data dir).
 */
export async function loadCliConfig(
  baseEnv: NodeJS.ProcessEnv,
  overrides: { dataDir?: string; port?: number },
): Promise<{ config: ChunkwiseConfig; env: NodeJS.ProcessEnv }> {
  // Loaded on demand: the config library also brings every store adapter, which `plans` never needs.
  const { ConfigError, loadConfig } = await import('@chunkwise/config');
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  if (overrides.dataDir !== undefined) env.CHUNKWISE_DATA_DIR = overrides.dataDir;
  if (overrides.port !== undefined) env.CHUNKWISE_PORT = String(overrides.port);
  try {
    const config = loadConfig(env);
    env.CHUNKWISE_DATA_DIR = config.dataDir;
    return { config, env };
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError('invalid configuration (environment variables):', err.problems);
    throw err;
  }
}

/** `sqlite /path/events.db`, `postgres postgres://user:***@host/db (schema x)`. */
export function describeStore(s: ChunkwiseConfig['eventStore'] | ChunkwiseConfig['readModels']): string {
  if (s.kind === 'sqlite') return `sqlite ${s.file}`;
  const url = s.url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  return 'schema' in s ? `${s.kind} ${url} (schema ${s.schema})` : `${s.kind} ${url}`;
}
