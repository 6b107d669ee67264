import * as path from 'node:path';
import type { BudgetLimit } from '@chunkwise/domain';
import { ChatConfigError, chatConfigFromEnv, type ChatConfig } from './chat-config';
import { LlmConfigError, llmConfigFromEnv, type LlmConfig, type ModelPrice } from '@chunkwise/llm';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Environment variables understood by Chunkwise. Every one has a sane default for the embedded stack. */
export const envSchema = z.object({
  CHUNKWISE_HOST: z.string().default('127.0.0.1'),
  CHUNKWISE_PORT: port.default(8080),
  /** The gRPC port of the API process (on CHUNKWISE_HOST); unset or 0: no gRPC server. */
  CHUNKWISE_GRPC_PORT: port.optional(),
  CHUNKWISE_DATA_DIR: z.string().default('.chunkwise'),
  CHUNKWISE_EVENT_STORE: z.enum(['sqlite', 'postgres', 'kurrentdb']).default('sqlite'),
  /** SQLite file path or PostgreSQL URL; defaults to <data dir>/events.db for SQLite. */
  CHUNKWISE_EVENT_STORE_URL: z.string().optional(),
  KURRENTDB_URL: z.string().optional(),
  CHUNKWISE_READ_MODEL: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** SQLite file path or PostgreSQL URL; defaults to <data dir>/read-models.db for SQLite. */
  CHUNKWISE_READ_MODEL_URL: z.string().optional(),
  CHUNKWISE_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('chunkwise'),
  /** When set, every API request must carry `Authorization: Bearer <token>`. */
  CHUNKWISE_API_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Largest accepted request body, in bytes. */
  CHUNKWISE_BODY_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  CHUNKWISE_PROJECTOR: bool.default(true),
  CHUNKWISE_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  CHUNKWISE_TEMPORAL_NAMESPACE: z.string().default('default'),
  CHUNKWISE_TASK_QUEUE: z.string().default('chunkwise'),
  /** The Temporal Web UI, linked from the dashboard (`chunkwise up` sets it for its dev server). */
  CHUNKWISE_TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Names this host's task queue (work trees live here); defaults to the machine's host name. */
  CHUNKWISE_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
    .optional(),
  /** Seconds a session waits on its work tree's host (then on its liveness ping) before moving off it. */
  CHUNKWISE_HOST_GRACE_SEC: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Default budgets (docs/cost.md); a plan's own budget (PUT /plans/:id/budget) wins. */
  CHUNKWISE_BUDGET_USD: z.coerce.number().positive().optional(),
  CHUNKWISE_BUDGET_TOKENS: z.coerce.number().int().positive().optional(),
  CHUNKWISE_SESSION_BUDGET_USD: z.coerce.number().positive().optional(),
  CHUNKWISE_SESSION_BUDGET_TOKENS: z.coerce.number().int().positive().optional(),
  /** Prices that override the dated table, JSON: {"model-id": {"input": 3, "output": 15, "cacheRead": 0.1}} (USD per million tokens). */
  CHUNKWISE_PRICES: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(
        z.string().min(1),
        z
          .object({
            input: z.number().min(0),
            output: z.number().min(0),
            cacheRead: z.number().min(0).optional(),
          })
          .strict(),
      ),
    )
    .optional(),
});

export interface ChunkwiseConfig {
  host: string;
  port: number;
  /** gRPC port (on `host`); null when gRPC is off. */
  grpcPort?: number | null;
  dataDir: string;
  eventStore:
    | { kind: 'sqlite'; file: string }
    | { kind: 'postgres'; url: string; schema: string }
    | { kind: 'kurrentdb'; url: string };
  readModels: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };
  apiToken: string | null;
  bodyLimit: number;
  runProjector: boolean;
  logLevel: z.infer<typeof envSchema>['CHUNKWISE_LOG_LEVEL'];
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl?: string };
  hostId: string | null;
  /** How long a session waits on a silent host before it is declared lost (seconds). */
  hostGraceSec?: number;
  /** Planning with Claude (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, CHUNKWISE_LLM_*); defaults when absent. */
  llm?: LlmConfig;
  /** Default budgets per plan and per session (CHUNKWISE_[SESSION_]BUDGET_USD / _TOKENS); none when absent. */
  budgets?: { plan: BudgetLimit; session: BudgetLimit };
  /** Price overrides (CHUNKWISE_PRICES) applied with `configurePrices` at start-up. */
  prices?: Record<string, ModelPrice>;
  /** The chat (CHUNKWISE_CHAT_*); defaults when absent. */
  chat?: ChatConfig;
}

export const noBudgets = (): NonNullable<ChunkwiseConfig['budgets']> => ({
  plan: { usd: null, tokens: null },
  session: { usd: null, tokens: null },
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ChunkwiseConfig {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const dataDir = path.resolve(e.CHUNKWISE_DATA_DIR);
  const pgUrl = (v: string | undefined, name: string) => {
    if (!v || !/^postgres(ql)?:\/\//.test(v))
      problems.push(`${name}: a postgres:// URL is required when the store is postgres`);
    return v ?? '';
  };

  let eventStore: ChunkwiseConfig['eventStore'];
  if (e.CHUNKWISE_EVENT_STORE === 'sqlite') {
    eventStore = {
      kind: 'sqlite',
      file: path.resolve(e.CHUNKWISE_EVENT_STORE_URL ?? path.join(dataDir, 'events.db')),
    };
  } else if (e.CHUNKWISE_EVENT_STORE === 'postgres') {
    eventStore = {
      kind: 'postgres',
      url: pgUrl(e.CHUNKWISE_EVENT_STORE_URL, 'CHUNKWISE_EVENT_STORE_URL'),
      schema: e.CHUNKWISE_PG_SCHEMA,
    };
  } else {
    const url = e.KURRENTDB_URL ?? e.CHUNKWISE_EVENT_STORE_URL;
    if (!url) problems.push('KURRENTDB_URL: required when CHUNKWISE_EVENT_STORE=kurrentdb');
    eventStore = { kind: 'kurrentdb', url: url ?? '' };
  }
  const readModels: ChunkwiseConfig['readModels'] =
    e.CHUNKWISE_READ_MODEL === 'sqlite'
      ? {
          kind: 'sqlite',
          file: path.resolve(e.CHUNKWISE_READ_MODEL_URL ?? path.join(dataDir, 'read-models.db')),
        }
      : {
          kind: 'postgres',
          url: pgUrl(e.CHUNKWISE_READ_MODEL_URL, 'CHUNKWISE_READ_MODEL_URL'),
          schema: `${e.CHUNKWISE_PG_SCHEMA}_read`,
        };
  let llm: LlmConfig | undefined;
  try {
    llm = llmConfigFromEnv(env);
  } catch (err) {
    if (err instanceof LlmConfigError) problems.push(...err.problems);
    else throw err;
  }
  let chat: ChatConfig | undefined;
  try {
    chat = chatConfigFromEnv(env);
  } catch (err) {
    if (err instanceof ChatConfigError) problems.push(...err.problems);
    else throw err;
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    host: e.CHUNKWISE_HOST,
    port: e.CHUNKWISE_PORT,
    grpcPort: e.CHUNKWISE_GRPC_PORT ? e.CHUNKWISE_GRPC_PORT : null,
    dataDir,
    eventStore,
    readModels,
    apiToken: e.CHUNKWISE_API_TOKEN ?? null,
    bodyLimit: e.CHUNKWISE_BODY_LIMIT,
    runProjector: e.CHUNKWISE_PROJECTOR,
    logLevel: e.CHUNKWISE_LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.CHUNKWISE_TEMPORAL_NAMESPACE,
      taskQueue: e.CHUNKWISE_TASK_QUEUE,
      ...(e.CHUNKWISE_TEMPORAL_UI_URL ? { uiUrl: e.CHUNKWISE_TEMPORAL_UI_URL.replace(/\/+$/, '') } : {}),
    },
    hostId: e.CHUNKWISE_HOST_ID ?? null,
    hostGraceSec: e.CHUNKWISE_HOST_GRACE_SEC,
    llm,
    budgets: {
      plan: { usd: e.CHUNKWISE_BUDGET_USD ?? null, tokens: e.CHUNKWISE_BUDGET_TOKENS ?? null },
      session: {
        usd: e.CHUNKWISE_SESSION_BUDGET_USD ?? null,
        tokens: e.CHUNKWISE_SESSION_BUDGET_TOKENS ?? null,
      },
    },
    prices: e.CHUNKWISE_PRICES ?? {},
    chat,
  };
}

/** Describes the configuration for logs: never includes secrets (token, URL passwords). */
export function describeConfig(c: ChunkwiseConfig): Record<string, unknown> {
  const redact = (u: string) => u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  return {
    listen: `${c.host}:${c.port}`,
    grpc: c.grpcPort ? `${c.host}:${c.grpcPort}` : 'off',
    dataDir: c.dataDir,
    eventStore:
      c.eventStore.kind === 'sqlite' ? c.eventStore : { ...c.eventStore, url: redact(c.eventStore.url) },
    readModels:
      c.readModels.kind === 'sqlite' ? c.readModels : { ...c.readModels, url: redact(c.readModels.url) },
    auth: c.apiToken ? 'bearer token required' : 'off',
    temporal: c.temporal,
    llm: c.llm
      ? { model: c.llm.model, baseURL: c.llm.baseURL, apiKey: c.llm.apiKey ? 'set' : 'not set' }
      : 'defaults',
  };
}
