import type Anthropic from '@anthropic-ai/sdk';
import type { z } from 'zod';
import type { StreamObserver } from './stream-observer';
import { checkInput, type Checked } from './validation';

/** What one answer amounts to, whether the SDK parsed it or it had to be rebuilt from the events. */
export interface Outcome {
  /** The assistant turn as it must be sent back in a repair turn. */
  content: Anthropic.ContentBlockParam[];
  stopReason: string | null;
  toolUses: Array<{ id: string; name: string; input: unknown; jsonError: string | null }>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function outcomeFromMessage(message: Anthropic.Message): Outcome {
  const content: Anthropic.ContentBlockParam[] = [];
  const toolUses: Outcome['toolUses'] = [];
  for (const block of message.content) {
    if (block.type === 'text') {
      if (block.text) content.push({ type: 'text', text: block.text });
    } else if (block.type === 'tool_use') {
      content.push({
        type: 'tool_use',
        id: block.id,
        name: block.name,
        input: isObject(block.input) ? block.input : {},
      });
      toolUses.push({ id: block.id, name: block.name, input: block.input, jsonError: null });
    } else if (block.type === 'thinking') {
      // Thinking blocks go back unchanged: the API checks their signatures.
      content.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking') {
      content.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  return { content: nonEmpty(content), stopReason: message.stop_reason, toolUses };
}

/** Rebuilds the answer from raw events when its tool input was not valid JSON. */
export function outcomeFromObserved(observer: StreamObserver): Outcome {
  const content: Anthropic.ContentBlockParam[] = [];
  const toolUses: Outcome['toolUses'] = [];
  for (const block of observer.blocks) {
    if (!block) continue;
    if (block.type === 'text') {
      if (block.text) content.push({ type: 'text', text: block.text });
    } else if (block.type === 'tool_use') {
      const { value, error } = parseJson(block.json);
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: isObject(value) ? value : {} });
      toolUses.push({ id: block.id, name: block.name, input: value, jsonError: error });
    } else {
      content.push(block);
    }
  }
  return { content: nonEmpty(content), stopReason: null, toolUses };
}

/** Checks the answer: exactly the named tool, complete, and valid for the schema. */
export function checkOutcome<T>(
  outcome: Outcome,
  toolName: string,
  schema: z.ZodType<T>,
  maxTokens: number,
): Checked<T> {
  // A cut-off answer may still parse (the partial JSON is closed early), so it never counts as valid.
  const cutOff =
    outcome.stopReason === 'max_tokens'
      ? [
          `(root): the answer was cut off at max_tokens (${maxTokens}); give a complete but more concise answer`,
        ]
      : [];
  const use = outcome.toolUses.find((u) => u.name === toolName);
  if (!use) {
    return {
      ok: false,
      issues: [
        `(root): no call to the ${toolName} tool (stop_reason: ${outcome.stopReason ?? 'none'})`,
        ...cutOff,
      ],
    };
  }
  if (use.jsonError !== null) {
    return { ok: false, issues: [`(root): the tool input is not valid JSON: ${use.jsonError}`, ...cutOff] };
  }
  const checked = checkInput(schema, use.input);
  if (!checked.ok) return { ok: false, issues: [...checked.issues, ...cutOff] };
  return cutOff.length ? { ok: false, issues: cutOff } : checked;
}

/** The user turn that answers every tool call with the problems found, and asks again. */
export function repairTurn(toolName: string, outcome: Outcome, issues: string[]): Anthropic.MessageParam {
  const list = issues.map((i) => `- ${i}`).join('\n');
  const content: Array<Anthropic.ToolResultBlockParam | Anthropic.TextBlockParam> = outcome.toolUses.map(
    (u) => ({
      type: 'tool_result',
      tool_use_id: u.id,
      is_error: true,
      content:
        u.name === toolName
          ? `The input was rejected. Validation errors (path: message):\n${list}`
          : `There is no tool named ${u.name}; call ${toolName}.`,
    }),
  );
  const called = outcome.toolUses.some((u) => u.name === toolName);
  content.push({
    type: 'text',
    text: called
      ? `Call the ${toolName} tool again with the complete, corrected input. Fix every error listed above and keep everything else.`
      : `You did not call the ${toolName} tool:\n${list}\nAnswer only by calling ${toolName} with the complete input.`,
  });
  return { role: 'user', content };
}

function nonEmpty(content: Anthropic.ContentBlockParam[]): Anthropic.ContentBlockParam[] {
  // The API rejects an empty assistant turn and empty text blocks.
  return content.length ? content : [{ type: 'text', text: '(no answer)' }];
}

function parseJson(json: string): { value: unknown; error: string | null } {
  try {
    return { value: json.trim() === '' ? {} : JSON.parse(json), error: null };
  } catch (err) {
    return { value: undefined, error: (err as Error).message };
  }
}
