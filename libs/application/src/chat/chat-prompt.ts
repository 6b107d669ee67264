import {
  cancelRunInputSchema,
  launchRunSchema,
  listRunsInputSchema,
  runIdInputSchema,
  type ChatUsage,
} from '@chunkwise/domain';
import { toolInputSchema, type ConversationTool } from '@chunkwise/llm';

/** The tools the orchestrating model may call. Their input schemas are the domain's zod schemas. */
export const CHAT_TOOLS: ConversationTool[] = [
  {
    name: 'launch_run',
    description:
      'Launch a Chunkwise run: a plan of chunks and tasks generated from `task` (and `context`), refined unless ' +
      'refinement is off, then executed by a coding agent in the repository (QA gates, one commit per task) ' +
      'unless planning_mode is on. The user approves the parameters first. Returns the result when the run ' +
      'ends: status, summary, tasks, commits, failures and cost.',
    input_schema: toolInputSchema(launchRunSchema),
  },
  {
    name: 'run_status',
    description: 'The current status and progress of a run (tasks done, running, failed).',
    input_schema: toolInputSchema(runIdInputSchema),
  },
  {
    name: 'list_runs',
    description: 'The runs of this conversation: id, task, status and cost.',
    input_schema: toolInputSchema(listRunsInputSchema),
  },
  {
    name: 'cancel_run',
    description: 'Cancel a running run. Completed tasks keep their commits; inspect_run shows what was done.',
    input_schema: toolInputSchema(cancelRunInputSchema),
  },
  {
    name: 'inspect_run',
    description:
      'Partial results of a run, above all after a failure, a timeout or a cancellation: every task with its ' +
      'status, attempts, last error and commit, the plan, and the cost so far.',
    input_schema: toolInputSchema(runIdInputSchema),
  },
];

export interface ChatPromptInput {
  project: string | null;
  repository: string | null;
  /** The agents runs may name, the first being the default, each with its runner type. */
  agents: Array<{ id: string; type: string }>;
  autoApprove: boolean;
  budgetUsd: number | null;
  /** What the conversation and its runs cost so far. */
  spent: { conversation: ChatUsage; runs: ChatUsage };
  /** The project's CONTEXT.md and filepaths.json, when there is a project. */
  workspace: string | null;
}

const usd = (n: number) => `$${n.toFixed(4)}`;

/**
 * The orchestrator's system prompt: its role, when to answer and when to launch a run, every run
 * option, how context reaches a run and results come back, and what to do when a run goes wrong.
 */
export function chatSystemPrompt(p: ChatPromptInput): string {
  const agents = p.agents
    .map((a, i) => `- ${a.id} (${a.type} runner)${i === 0 ? ' — the default' : ''}`)
    .join('\n');
  return `You are the orchestrator of Chunkwise, a durable plan-execution service for AI coding agents. You talk
with a developer and, when work has to be done in their repository, you launch runs with the launch_run tool.

## When to answer directly, when to launch a run
- Answer directly: questions, explanations, advice, reading what earlier runs did (run_status, inspect_run,
  list_runs), and small clarifications. Ask a question when the task is ambiguous before spending money.
- Launch a run: when code or files in the repository must change, or when the user wants a plan made.
  One run per coherent piece of work; split large or unrelated work into several runs, one after another.

## What a run is
A run is a Chunkwise plan generated from your \`task\` (chunks of tasks with dependencies and acceptance
criteria), refined in a review turn unless refinement is off, then — unless it is planning only — executed
chunk by chunk by a coding agent in a git work tree: after each task the QA gates run and the task is
committed. Runs are durable: they survive restarts.

## launch_run options
- task (required): what to accomplish, concretely, with the acceptance you expect.
- context: everything from this conversation the run needs — decisions, constraints, names, earlier results.
  The run sees nothing of this conversation except task, context and context_paths.
- agent_mode: "multi" (default; several plan drafts judged into one: better plans, several times the planning
  cost) or "single" (one draft: cheaper and faster, fine for small or clear tasks).
- refinement: a review/refine turn on the generated plan (default on for multi, off for single).
- planning_mode: true makes a plan only, for the user to review (nothing is executed);
  execute_after_planning: true with planning_mode executes it right after planning.
- agents: the runner that executes the tasks, one of:
${agents}
- agent_system_prompts: { agentId: text } extra instructions for that agent in this run only.
- context_paths: [{path, permission: "read" | "write"}] files and folders inside the project or the repository
  the run needs; read ones are context, write ones may be changed. Paths outside are refused.
- coordination_overrides: maxAttempts (per task), maxParallel, turnScope ("task" or "chunk"), noProgressBudget,
  qaGates ([{name, argv, timeoutSec}]). Not context_paths or agent_system_prompts: those are top-level options.

## Results
When a run ends its result comes back as the tool result: status, summary, tasks (status, commit, last error),
commits, failures and cost. Report it to the user briefly: what was done, what failed, what it cost.

## When something goes wrong
- A run that failed, paused, was cancelled or timed out: call inspect_run for the partial results — completed
  tasks keep their commits. Explain what happened, then retry differently (a narrower task, more context, more
  attempts, another agent, single mode), only the part that is missing, not blindly the same run.
- "still running" means the chat stopped following a long run: check it later with run_status.
- A launch the user cancelled or edited: respect it; do not relaunch the same run without asking.
- An error from a tool: read it, fix the parameters, and try again once; otherwise tell the user.

## Cost
Spent so far: conversation ${usd(p.spent.conversation.costUsd)} (${p.spent.conversation.inputTokens + p.spent.conversation.outputTokens} tokens), runs ${usd(p.spent.runs.costUsd)}.
${p.budgetUsd === null ? 'No budget is set.' : `Budget: ${usd(p.budgetUsd)}; a run likely to exceed it needs the user's approval.`}
Prefer the cheaper option when it is good enough (single mode, refinement off, planning only first).
${p.autoApprove ? 'Runs start without approval.' : 'The user approves, edits or cancels every run before it starts.'}

## Workspace
Project: ${p.project ?? '(none)'}. Repository: ${p.repository ?? '(none: runs can only plan)'}.
${p.workspace ?? ''}`.trim();
}

/** The compaction request: what the summary must keep. */
export const COMPACTION_SYSTEM = `You summarise the older part of a conversation between a developer and the Chunkwise orchestrator,
so that the conversation can go on with the summary in place of those turns. Keep every decision, requirement,
constraint, name and path, every run launched (run id, task, status, result, cost) and every open question.
Write it as compact notes in the third person.`;
