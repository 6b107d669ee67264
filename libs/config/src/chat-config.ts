import { agentConfigSchema, AGENT_ID_PATTERN, type AgentConfig } from '@chunkwise/domain';
import { z } from 'zod';

/** The chat (interactive mode): its model, approvals, budget, compaction and the agents runs may use. */
export interface ChatConfig {
  /** The orchestrating model; null: the planning model (CHUNKWISE_LLM_MODEL). */
  model: string | null;
  /** Launch runs without asking the user first (a run over the budget still asks). */
  autoApprove: boolean;
  /** USD the conversation and its runs may spend before a run needs the user's approval; null: no budget. */
  budgetUsd: number | null;
  /** Prompt tokens (as the last call reported them) above which older turns are summarised. */
  compactTokens: number;
  /** Messages kept verbatim after a compaction (at least). */
  keepMessages: number;
  /** Runners a run may name in `agents`, by id; the first is the default. */
  agents: Record<string, AgentConfig>;
  /** How long a chat turn follows a running run before handing back "still running". */
  runWaitSec: number;
}

const bool = (name: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: `${name} must be true or false` })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .positive(`${name} must be positive`);

const DEFAULT_AGENTS: Record<string, AgentConfig> = {
  'claude-code': agentConfigSchema.parse({ type: 'claude-code' }),
  anthropic: agentConfigSchema.parse({ type: 'anthropic' }),
};

const chatEnvSchema = z.object({
  CHUNKWISE_CHAT_MODEL: z
    .string()
    .regex(/^[A-Za-z0-9._:@[\]/-]+$/, 'CHUNKWISE_CHAT_MODEL must be a model id such as claude-sonnet-5-5')
    .optional(),
  CHUNKWISE_CHAT_AUTO_APPROVE: bool('CHUNKWISE_CHAT_AUTO_APPROVE').default(false),
  CHUNKWISE_CHAT_BUDGET_USD: z.coerce
    .number({ error: 'CHUNKWISE_CHAT_BUDGET_USD must be a number of dollars' })
    .positive('CHUNKWISE_CHAT_BUDGET_USD must be positive')
    .optional(),
  CHUNKWISE_CHAT_COMPACT_TOKENS: positiveInt('CHUNKWISE_CHAT_COMPACT_TOKENS').default(120_000),
  CHUNKWISE_CHAT_KEEP_MESSAGES: positiveInt('CHUNKWISE_CHAT_KEEP_MESSAGES').default(8),
  CHUNKWISE_CHAT_RUN_WAIT_SEC: positiveInt('CHUNKWISE_CHAT_RUN_WAIT_SEC').default(3600),
  CHUNKWISE_CHAT_AGENTS: z.string().optional(),
});

export class ChatConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid chat configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ChatConfigError';
  }
}

/** `CHUNKWISE_CHAT_AGENTS`: a JSON object of agent id → agent config (the plan's `execution.agent` shape). */
function parseAgents(raw: string | undefined, problems: string[]): Record<string, AgentConfig> {
  if (raw === undefined) return DEFAULT_AGENTS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    problems.push(`CHUNKWISE_CHAT_AGENTS: not JSON (${(e as Error).message})`);
    return {};
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || Object.keys(json).length === 0) {
    problems.push('CHUNKWISE_CHAT_AGENTS: must be a non-empty JSON object of agent id → agent config');
    return {};
  }
  const agents: Record<string, AgentConfig> = {};
  for (const [id, value] of Object.entries(json)) {
    if (!AGENT_ID_PATTERN.test(id)) problems.push(`CHUNKWISE_CHAT_AGENTS.${id}: not a valid agent id`);
    const parsed = agentConfigSchema.safeParse(value);
    if (parsed.success) agents[id] = parsed.data;
    else
      problems.push(
        ...parsed.error.issues.map((i) => `CHUNKWISE_CHAT_AGENTS.${[id, ...i.path].join('.')}: ${i.message}`),
      );
  }
  return agents;
}

/** Reads the chat settings; throws ChatConfigError naming every bad variable. */
export function chatConfigFromEnv(env: Record<string, string | undefined>): ChatConfig {
  const present = Object.fromEntries(
    Object.keys(chatEnvSchema.shape)
      .map((k) => [k, env[k]?.trim()] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = chatEnvSchema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const agents = parseAgents(present.CHUNKWISE_CHAT_AGENTS, problems);
  if (!parsed.success || problems.length) throw new ChatConfigError(problems);
  const e = parsed.data;
  return {
    model: e.CHUNKWISE_CHAT_MODEL ?? null,
    autoApprove: e.CHUNKWISE_CHAT_AUTO_APPROVE,
    budgetUsd: e.CHUNKWISE_CHAT_BUDGET_USD ?? null,
    compactTokens: e.CHUNKWISE_CHAT_COMPACT_TOKENS,
    keepMessages: e.CHUNKWISE_CHAT_KEEP_MESSAGES,
    agents,
    runWaitSec: e.CHUNKWISE_CHAT_RUN_WAIT_SEC,
  };
}
