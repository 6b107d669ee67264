import type { LlmCallRecord } from './port';
import type { JsonSchemaObject } from './tool-schema';

/** A content block of a conversation turn, in the Messages API's shape. */
export type ConversationBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: ConversationBlock[];
}

export interface ConversationTool {
  name: string;
  description: string;
  input_schema: JsonSchemaObject;
}

export interface ConversationRequest {
  purpose: string;
  system: string;
  messages: ConversationMessage[];
  tools: ConversationTool[];
  maxTokens?: number;
  /** Each piece of the answer's text as it streams in. */
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

export interface ConversationTurn {
  /** The assistant's answer: text and tool calls (thinking blocks are not kept). */
  content: ConversationBlock[];
  stopReason: string | null;
  call: LlmCallRecord;
}

/** One streamed turn of a free conversation with tools the model may call (the chat). */
export interface ConversationLlm {
  readonly model: string;
  converse(request: ConversationRequest): Promise<ConversationTurn>;
}
