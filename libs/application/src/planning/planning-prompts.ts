import {
  planContentToDocument,
  type PlanContent,
  type ReviewScope,
  type ReviewType,
} from '@chunkwise/domain';

/**
 * The prompts of each planning turn. Stable material (repository context, the current plan) goes in
 * the cached context; the turn's own instruction goes in the prompt, so parallel drafts share a cache.
 */

export const PLANNER_SYSTEM = `You are Chunkwise's planner. You turn feature requests into execution plans for AI coding agents.
A plan is an ordered list of chunks; each chunk holds tasks. Chunks run in order; a task may depend only on
tasks in the same or an earlier chunk, and dependencies must not form cycles. Every task is one focused
agent turn: it names the files or modules to touch, says what to build, and lists checkable acceptance
criteria. Chunk keys are C01_<slug>, C02_<slug>, ... in order. Mark tasks that can run alongside their
chunk siblings with canRunInParallel, and give such a chunk executionMode "parallel".
Always answer by calling the tool you are given.`;

export type Depth = 'brief' | 'standard' | 'detailed';

const DEPTH_GUIDE: Record<Depth, string> = {
  brief: 'Keep it short: few, coarse tasks (about 3-8 in all).',
  standard: 'Aim for tasks of about an hour of focused work each.',
  detailed:
    'Go fine-grained: small tasks, thorough acceptance criteria, tests as their own tasks where useful.',
};

export function generatePrompt(input: {
  title: string;
  description: string;
  targetChunks?: number;
  depth: Depth;
}): string {
  return [
    `Write a plan titled "${input.title}" for this request:`,
    '',
    input.description,
    '',
    input.targetChunks ? `Use about ${input.targetChunks} chunks.` : 'Choose the number of chunks.',
    DEPTH_GUIDE[input.depth],
  ].join('\n');
}

export function planContext(content: PlanContent, repositoryContext: string | null): string {
  const doc = planContentToDocument(content);
  const plan = JSON.stringify({ ...doc, execution: undefined }, null, 1);
  return [repositoryContext ?? '', `<current_plan>\n${plan}\n</current_plan>`].filter(Boolean).join('\n\n');
}

const REVIEW_GUIDE: Record<ReviewType, string> = {
  refine_descriptions:
    'Make task descriptions and acceptance criteria precise enough for a coding agent: name files, inputs, outputs and edge cases. Use modify_task.',
  add_missing:
    'Find what the plan misses (tests, migrations, error handling, docs, wiring) and propose it with add_task or add_chunk.',
  optimize_order:
    'Improve the order: unblock parallel work, move risky or foundational tasks earlier, fix dependencies. Use reorder and modify_task (dependsOn).',
  break_down:
    'Split tasks too large for one agent turn into 2-5 smaller ones with break_down_task; the parts keep the chunk.',
};

export function reviewPrompt(type: ReviewType, scope: ReviewScope, targetId: string | null): string {
  const where =
    scope === 'all'
      ? 'the whole plan'
      : scope === 'chunk'
        ? `chunk ${targetId} only`
        : `task ${targetId} only`;
  return [
    `Review ${where} in <current_plan>. ${REVIEW_GUIDE[type]}`,
    'Each suggestion has a short id, its kind, your reasoning, and before/after: "before" quotes the current',
    'values of the fields you change (for reorder: the current order), "after" gives the new ones.',
    'Suggest only changes that clearly improve the plan; an empty list is a fine answer.',
  ].join('\n');
}

export function refinePrompt(feedback: string, angle?: string): string {
  return [
    'Revise <current_plan> according to this feedback from the user:',
    '',
    feedback,
    '',
    // Earlier feedback is already reflected in the current plan; repeating it would make the model redo it.
    'Earlier feedback is already reflected in the current plan. Keep the ids of tasks you keep, change only',
    'what the feedback calls for, and return the whole revised plan with a short summary of the changes.',
    angle ? `\nApproach for this draft: ${angle}` : '',
  ].join('\n');
}

/** Different angles make parallel drafts differ in more than sampling noise. */
export const DRAFT_ANGLES = [
  'the most direct change that satisfies the feedback.',
  'favour small, independently verifiable tasks and more parallel work.',
  'favour risk-first ordering: foundations and uncertain parts early, with tests alongside.',
  'favour fewer, larger chunks with minimal disruption to the existing structure.',
  'favour thorough acceptance criteria and explicit verification tasks.',
];

export function judgePrompt(feedback: string, drafts: Array<{ summary: string; plan: unknown }>): string {
  return [
    'The user asked for this change to <current_plan>:',
    '',
    feedback,
    '',
    `${drafts.length} drafts were written. Pick the one that best serves the feedback and keeps the plan`,
    'executable, or merge the best parts into a new plan. Explain your choice in the rationale.',
    '',
    ...drafts.map(
      (d, i) =>
        `<draft number="${i + 1}">\n<summary>${d.summary}</summary>\n${JSON.stringify(d.plan)}\n</draft>`,
    ),
  ].join('\n');
}
