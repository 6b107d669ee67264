import type Anthropic from '@anthropic-ai/sdk';

/**
 * Follows the raw stream events alongside the SDK's own accumulation. It is only read when the
 * SDK gives up on a message (tool input that is not valid JSON makes `finalMessage()` reject), so
 * the repair turn can still quote what the model sent and the call's usage is not lost.
 */
export class StreamObserver {
  model: string | null = null;
  usage: Anthropic.MessageDeltaUsage | Anthropic.Usage | null = null;
  readonly blocks: ObservedBlock[] = [];

  add(event: Anthropic.MessageStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.model = event.message.model;
        this.usage = { ...event.message.usage };
        break;
      case 'message_delta':
        this.usage = { ...this.usage, ...withoutNulls(event.usage) } as Anthropic.MessageDeltaUsage;
        break;
      case 'content_block_start': {
        const b = event.content_block;
        if (b.type === 'text') this.blocks[event.index] = { type: 'text', text: b.text };
        else if (b.type === 'tool_use')
          this.blocks[event.index] = { type: 'tool_use', id: b.id, name: b.name, json: '' };
        else if (b.type === 'thinking')
          this.blocks[event.index] = { type: 'thinking', thinking: b.thinking, signature: b.signature };
        else if (b.type === 'redacted_thinking')
          this.blocks[event.index] = { type: 'redacted_thinking', data: b.data };
        break;
      }
      case 'content_block_delta': {
        const block = this.blocks[event.index];
        const d = event.delta;
        if (block?.type === 'text' && d.type === 'text_delta') block.text += d.text;
        else if (block?.type === 'tool_use' && d.type === 'input_json_delta') block.json += d.partial_json;
        else if (block?.type === 'thinking' && d.type === 'thinking_delta') block.thinking += d.thinking;
        else if (block?.type === 'thinking' && d.type === 'signature_delta') block.signature = d.signature;
        break;
      }
      default:
        break;
    }
  }
}

export type ObservedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; json: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

function withoutNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
