import type { Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client';
import type { Io } from './output';

/** What every command gets: where to write, the global options, and an API client on demand. */
export interface Context {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** `--json`: machine-readable output on stdout. */
  json: boolean;
  /** `--api`, else CHUNKWISE_API_URL, else the default. */
  apiUrl: string;
  client(): ApiClient;
}

export interface Deps {
  io: Io;
  env: NodeJS.ProcessEnv;
}

/** Builds the context of a command from its options and its parents' (global) options. */
export function contextOf(command: Command, deps: Deps): Context {
  const globals = command.optsWithGlobals<{ api?: string; json?: boolean }>();
  const apiUrl = globals.api ?? (deps.env.CHUNKWISE_API_URL || DEFAULT_API_URL);
  let client: ApiClient | undefined;
  return {
    io: deps.io,
    env: deps.env,
    json: globals.json === true,
    apiUrl,
    client: () => (client ??= new ApiClient({ url: apiUrl, token: deps.env.CHUNKWISE_API_TOKEN || null })),
  };
}
