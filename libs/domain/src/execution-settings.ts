import { z } from 'zod';
import { zodIssues } from './zod-issues';
import { ValidationError } from './errors';

/** One source for each block's fields: the lenient schemas below and the strict write schemas are built from them. */
const timeoutSec = z.number().int().positive().max(86_400);
const commandAgentShape = {
  type: z.literal('command'),
  argv: z.array(z.string().min(1)).min(1, 'argv needs at least the program'),
  promptVia: z.enum(['stdin', 'file']).default('stdin'),
  timeoutSec: timeoutSec.default(1800),
  envAllowlist: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
};
const claudeCodeAgentShape = {
  type: z.literal('claude-code'),
  model: z.string().optional(),
  timeoutSec: timeoutSec.default(1800),
  /** Claude Code permission rules the turn may use beyond edits in the work tree, e.g. "Bash(npm test)". */
  allowedTools: z.array(z.string().min(1).max(500)).max(100).default([]),
  extraArgs: z.array(z.string()).default([]),
  envAllowlist: z.array(z.string()).default([]),
};
// The Messages API tool loop (libs/agents checks the fields in detail when it builds the runner).
const anthropicAgentShape = {
  type: z.literal('anthropic'),
  model: z.string().min(1).max(200).optional(),
  maxTokens: z.number().int().min(256).max(128_000).optional(),
  maxToolRounds: z.number().int().min(1).max(1000).optional(),
  allowCommands: z.array(z.string().min(1)).max(100).default([]),
  commandTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
  timeoutSec: timeoutSec.default(1800),
};
const qaGateShape = {
  name: z.string().min(1).max(100),
  argv: z.array(z.string().min(1)).min(1),
  timeoutSec: timeoutSec.default(600),
};

/**
 * The agent that runs a turn. `command` runs any CLI; `claude-code` the `claude` CLI headless;
 * `anthropic` a tool loop over the Messages API confined to the work tree.
 */
export const agentConfigSchema = z.discriminatedUnion('type', [
  z.object(commandAgentShape),
  z.object(claudeCodeAgentShape),
  z.object(anthropicAgentShape),
]);

export const qaGateSchema = z.object(qaGateShape);

export const turnScopeSchema = z.enum(['task', 'chunk']);

const settingsShape = {
  agent: agentConfigSchema.optional(),
  qaGates: z.array(qaGateSchema).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  maxParallel: z.number().int().min(1).max(32).optional(),
  turnScope: turnScopeSchema.optional(),
  noProgressBudget: z.number().int().min(0).max(20).optional(),
};

/**
 * The `execution` block of a plan document as stored data is read (plan-level settings override
 * repository defaults). Lenient about unknown keys: plans written by older versions stay executable.
 */
export const executionSettingsInputSchema = z.object(settingsShape);

type AsWritten<S extends z.ZodRawShape> = {
  [K in keyof S]: S[K] extends z.ZodDefault<infer I> ? z.ZodOptional<I> : S[K];
};
/** A shape as users write it: defaulted fields optional (nothing filled in), unknown keys refused. */
function asWritten<S extends z.ZodRawShape>(shape: S) {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape))
    out[k] = v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType).optional() : (v as z.ZodType);
  return z.strictObject(out as AsWritten<S>);
}

export const writtenAgentConfigSchema = z.discriminatedUnion('type', [
  asWritten(commandAgentShape),
  asWritten(claudeCodeAgentShape),
  asWritten(anthropicAgentShape),
]);
export const writtenQaGateSchema = asWritten(qaGateShape);

/**
 * The `execution` block as a request writes it (plan documents, PATCH, execute options,
 * repository defaults): every field checked, unknown keys refused at every level (a typo in a QA
 * gate is a 400 when the plan is written, not a surprise when it runs), and nothing filled in, so
 * the parsed value is exactly what was written and is stored as such.
 */
export const executionSettingsWriteSchema = z.strictObject({
  ...settingsShape,
  agent: writtenAgentConfigSchema.optional(),
  qaGates: z.array(writtenQaGateSchema).max(100).optional(),
});

export const resolvedExecutionSettingsSchema = z.object({
  agent: agentConfigSchema,
  qaGates: z.array(qaGateSchema).default([]),
  maxAttempts: z.number().int().min(1).max(20).default(3),
  maxParallel: z.number().int().min(1).max(32).default(4),
  turnScope: turnScopeSchema.default('task'),
  noProgressBudget: z.number().int().min(0).max(20).default(2),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type QaGate = z.infer<typeof qaGateSchema>;
export type TurnScope = z.infer<typeof turnScopeSchema>;
export type ExecutionSettingsInput = z.input<typeof executionSettingsInputSchema>;
export type WrittenExecutionSettings = z.output<typeof executionSettingsWriteSchema>;
export type ResolvedExecutionSettings = z.infer<typeof resolvedExecutionSettingsSchema>;

/** Later layers win: repository defaults, then the plan's settings, then the execute request's options. */
export function resolveExecutionSettings(
  ...layers: Array<ExecutionSettingsInput | null | undefined>
): ResolvedExecutionSettings {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) merged[k] = v;
  }
  return resolvedExecutionSettingsSchema.parse(merged);
}

/** Where the settings of a new session come from, weakest first. */
export interface SessionSettingsLayers {
  /** The defaults of the registered repository the plan targets (`repo:<id>`), if any. */
  repository?: ExecutionSettingsInput | null;
  /** The plan's `execution` block. */
  plan: unknown;
  /** The execute request's `options` (parsed at the edge: the API's body schema). */
  request?: ExecutionSettingsInput;
}

/**
 * The one place that resolves a session's execution settings: repository defaults < the plan's
 * settings < the request's options, key by key (a layer's qaGates replace the earlier list).
 * Throws ValidationError naming `execution` (the plan's block) or `execution.agent`; pure.
 */
export function sessionSettings(layers: SessionSettingsLayers): ResolvedExecutionSettings {
  const request = layers.request ?? {};
  // The plan's block is stored data (possibly written by an older version): checked here.
  const plan = executionSettingsInputSchema.safeParse(layers.plan ?? {});
  if (!plan.success)
    throw new ValidationError(zodIssues(plan.error, 'execution'), 'invalid execution settings in the plan');
  if (!layers.repository?.agent && !plan.data.agent && !request.agent) {
    throw new ValidationError(
      [
        {
          code: 'schema',
          path: 'execution.agent',
          message: 'execution.agent: no agent configured for this plan',
        },
      ],
      'cannot execute',
    );
  }
  return resolveExecutionSettings(layers.repository, plan.data, request);
}
