/** The text an agent turn is given. Pure: the same inputs give the same prompt. */
export interface PromptInput {
  planTitle: string;
  chunk: { key: string; title: string; description?: string };
  /** null for a turn over the whole chunk. */
  task: { id: string; title: string; description: string; acceptance: string[]; dependsOn: string[] } | null;
  chunkTaskIds: string[];
  planFile: string;
  fullPlanFile: string;
  attempt: number;
  previousError: string | null;
}

const MAX_ERROR = 8000;

export function buildPrompt(p: PromptInput): string {
  const lines: string[] = [];
  lines.push(`# ${p.planTitle}`, '');
  lines.push(`You are working in a git work tree. Chunk ${p.chunk.key}: ${p.chunk.title}.`);
  if (p.chunk.description) lines.push('', p.chunk.description);
  if (p.task) {
    lines.push(
      '',
      `## Your task: ${p.task.id} — ${p.task.title}`,
      '',
      p.task.description || '(no description)',
    );
    if (p.task.acceptance.length)
      lines.push('', '### Acceptance criteria', ...p.task.acceptance.map((a) => `- ${a}`));
    if (p.task.dependsOn.length) lines.push('', `Depends on (already done): ${p.task.dependsOn.join(', ')}`);
    lines.push(
      '',
      'Do only this task. Do not commit: Chunkwise runs the QA gates and commits when they pass.',
    );
  } else {
    lines.push('', `## Your job: the tasks of this chunk (${p.chunkTaskIds.join(', ')})`);
    lines.push(
      `Work through them in order. After finishing a task, set its "status" to "completed" in ${p.planFile}.`,
    );
    lines.push('Do not commit: Chunkwise runs the QA gates and commits when they pass.');
  }
  lines.push('', `The chunk-only plan (tasks of this chunk with their statuses): ${p.planFile}`);
  lines.push(`The full plan, read-only reference: ${p.fullPlanFile}`);
  if (p.previousError) {
    const err =
      p.previousError.length > MAX_ERROR ? `…${p.previousError.slice(-MAX_ERROR)}` : p.previousError;
    lines.push(
      '',
      `## Attempt ${p.attempt}: the previous attempt failed`,
      '',
      'Fix the cause of this failure:',
      '',
      '```',
      err,
      '```',
    );
  }
  return `${lines.join('\n')}\n`;
}
