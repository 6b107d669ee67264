import { z } from 'zod';
import { executionSettingsWriteSchema } from './execution-settings';

/**
 * The parameters of the chat's `launch_run` tool (seed 002). A run is a plan generated from the
 * task and, unless it is planning only, one execution session of it. Pure: the schema is both the
 * tool's input_schema sent to Claude and the check of what Claude (or a user editing an approval)
 * sends back.
 */

export const contextPathSchema = z.strictObject({
  path: z.string().min(1).max(4096).describe('A file or folder inside the project or the repository'),
  permission: z
    .enum(['read', 'write'])
    .default('read')
    .describe('read: context only; write: the run may change it'),
});

/** Execution knobs a run may override; context_paths and agent_system_prompts are run parameters. */
const overrideShape = {
  maxAttempts: executionSettingsWriteSchema.shape.maxAttempts.describe(
    'Attempts per task before the run pauses (1-20)',
  ),
  maxParallel: executionSettingsWriteSchema.shape.maxParallel.describe(
    'Parallel tasks in a parallel chunk (1-32)',
  ),
  turnScope: executionSettingsWriteSchema.shape.turnScope.describe(
    'task: one agent turn per task (default); chunk: one turn per chunk',
  ),
  noProgressBudget: executionSettingsWriteSchema.shape.noProgressBudget.describe(
    'Turns without progress before a task fails',
  ),
  qaGates: executionSettingsWriteSchema.shape.qaGates.describe(
    'QA gates run after each turn: [{name, argv: [program, ...args], timeoutSec}]',
  ),
};

const REFUSED_OVERRIDES = ['context_paths', 'agent_system_prompts'] as const;

export const coordinationOverridesSchema = z
  .object(overrideShape)
  .catchall(z.unknown())
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if ((REFUSED_OVERRIDES as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is a launch_run parameter, not a coordination override; pass it at the top level`,
        });
      } else if (!(key in overrideShape)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown override ${key}; allowed: ${Object.keys(overrideShape).join(', ')}`,
        });
      }
    }
  })
  .transform((value) => value as { [K in keyof typeof overrideShape]?: z.output<(typeof overrideShape)[K]> });

export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const agentId = z.string().regex(AGENT_ID_PATTERN, 'an agent id such as claude-code');

export const launchRunSchema = z.strictObject({
  task: z
    .string()
    .trim()
    .min(1, 'task must not be empty')
    .max(20_000)
    .describe('What the run must accomplish'),
  context: z
    .string()
    .max(50_000)
    .optional()
    .describe(
      'Background, constraints and decisions from the conversation the run needs (it sees nothing else)',
    ),
  agent_mode: z
    .enum(['single', 'multi'])
    .default('multi')
    .describe('multi: several plan drafts judged into one (better, dearer); single: one draft (cheaper)'),
  agents: z
    .array(agentId)
    .min(1)
    .max(1, 'a run executes with one agent; launch another run for another agent')
    .optional()
    .describe(
      'The runner that executes the tasks (one of the configured agents); default: the first configured',
    ),
  refinement: z
    .boolean()
    .optional()
    .describe('Refine the generated plan in a review turn (default: on for multi, off for single)'),
  planning_mode: z
    .boolean()
    .default(false)
    .describe('Plan only: generate (and refine) the plan, do not execute it'),
  execute_after_planning: z
    .boolean()
    .default(false)
    .describe('With planning_mode: execute the plan as soon as it is made'),
  context_paths: z
    .array(contextPathSchema)
    .max(100)
    .default([])
    .describe('Files and folders the run needs, each with its permission'),
  agent_system_prompts: z
    .record(agentId, z.string().max(20_000))
    .default({})
    .describe('Extra system prompt text per agent id, for this run only'),
  coordination_overrides: coordinationOverridesSchema
    .optional()
    .describe('Execution overrides: maxAttempts, maxParallel, turnScope, noProgressBudget, qaGates'),
});

export type LaunchRunInput = z.input<typeof launchRunSchema>;
export type LaunchRunParams = z.output<typeof launchRunSchema>;

/** Whether the run refines its plan: as asked, else on for multi-draft planning. */
export const refines = (p: LaunchRunParams): boolean => p.refinement ?? p.agent_mode === 'multi';

/** Whether the run executes its plan. */
export const executes = (p: LaunchRunParams): boolean => !p.planning_mode || p.execute_after_planning;

/** The other tools the chat offers: their inputs. */
export const runIdInputSchema = z.strictObject({
  run_id: z.string().min(1).max(100).describe('The run id launch_run returned'),
});
export const cancelRunInputSchema = runIdInputSchema.extend({
  reason: z.string().max(2000).optional().describe('Why, recorded with the cancellation'),
});
export const listRunsInputSchema = z.strictObject({});
