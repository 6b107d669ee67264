import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks the Anthropic Messages API (POST /v1/messages, JSON or SSE),
 * so the real SDK can be pointed at it with `baseURL`. Tests script its answers; the SDK itself
 * is never stubbed.
 */

export interface FakeReply {
  /** Default 200; 4xx/5xx produce an Anthropic error body {type:'error', error:{type, message}}. */
  status?: number;
  /** e.g. {'retry-after': '0'} */
  headers?: Record<string, string>;
  content?: Array<
    | { type: 'text'; text: string }
    | {
        type: 'tool_use';
        id?: string;
        name: string;
        input: unknown;
        /** Streaming only: sent as the input's partial_json instead of JSON.stringify(input), e.g. broken JSON. */
        rawJson?: string;
      }
  >;
  /** Default: 'tool_use' when the content has a tool_use block, else 'end_turn'. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  usage?: Partial<{
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  }>;
  /** Default: the model named in the request. */
  model?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** For error statuses: override the error type / message of the body. */
  error?: { type?: string; message?: string };
  /** Streaming only: after the content blocks, send an `error` event (e.g. overloaded_error) and end. */
  streamError?: { type: string; message?: string };
}

export interface FakeRequest {
  body: any;
  headers: Record<string, string | string[] | undefined>;
  streamed: boolean;
}

type Handler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** Error types the API uses for each status. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_USAGE = {
  input_tokens: 10,
  output_tokens: 5,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

export class FakeAnthropic {
  readonly requests: FakeRequest[] = [];
  /** Every HTTP request, whatever its route (a client probing other endpoints shows up here). */
  readonly seen: Array<{ method: string; path: string }> = [];
  private readonly queue: FakeReply[] = [];
  private handler: Handler | null = null;
  private sequence = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static start(): Promise<FakeAnthropic> {
    return new Promise((resolve, reject) => {
      let fake: FakeAnthropic | null = null;
      const server = http.createServer((req, res) => {
        if (fake) fake.handle(req, res).catch((err) => fake?.fail(res, 500, String(err)));
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        fake = new FakeAnthropic(server, `http://127.0.0.1:${port}`);
        resolve(fake);
      });
    });
  }

  /** Replies served in order, one per request (retries included). */
  enqueue(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Answers requests when the queue is empty. */
  respondWith(handler: Handler): this {
    this.handler = handler;
    return this;
  }

  /**
   * Scripts replies per purpose: a request is routed by the tool it forces (`submit_plan`,
   * `submit_revision`, `submit_summary`, …) or, for a conversation that offers tools without
   * forcing one (the chat), by `chat`. Each purpose has its own queue, served in order; a reply
   * may be a function of the request. A purpose with nothing left answers a non-retryable 500
   * naming it. Replaces the handler (the shared queue of `enqueue` still goes first).
   */
  scriptByPurpose(script: Record<string, Array<FakeReply | Handler>>): this {
    const queues = new Map(Object.entries(script).map(([k, v]) => [k, [...v]]));
    return this.respondWith((req) => {
      const purpose = purposeOf(req);
      const next = queues.get(purpose)?.shift();
      if (!next)
        return {
          status: 500,
          headers: { 'x-should-retry': 'false' },
          error: { message: `fake-anthropic: no scripted reply left for ${purpose}` },
        };
      return typeof next === 'function' ? next(req) : next;
    });
  }

  /** Replies not yet served. */
  get pending(): number {
    return this.queue.length;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0];
    this.seen.push({ method: req.method ?? '', path });
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ input_tokens: Math.ceil(raw.length / 4) }));
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return this.fail(res, 404, `fake-anthropic: no route for ${req.method} ${path}`);
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.fail(res, 400, 'fake-anthropic: request body is not JSON');
    }
    const request: FakeRequest = { body, headers: { ...req.headers }, streamed: body?.stream === true };
    this.requests.push(request);

    const queued = this.queue.shift();
    const reply = queued ?? (this.handler ? await this.handler(request) : null);
    if (!reply) {
      // Not retryable, so the SDK surfaces it at once and the test fails with this message.
      return this.fail(
        res,
        500,
        `fake-anthropic: the script ran out — request #${this.requests.length} has no queued reply and no handler`,
        { 'x-should-retry': 'false' },
      );
    }
    if (reply.delayMs) await delay(reply.delayMs, res);
    if (res.destroyed || res.writableEnded) return;

    const status = reply.status ?? 200;
    if (status >= 400) {
      return this.fail(
        res,
        status,
        reply.error?.message ?? `fake-anthropic: scripted ${status}`,
        reply.headers,
        {
          type: reply.error?.type,
        },
      );
    }
    const message = this.message(reply, body);
    if (request.streamed) this.stream(res, message, reply.headers, reply.streamError);
    else {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': this.nextId('req'),
        ...reply.headers,
      });
      res.end(
        JSON.stringify({ ...message, content: message.content.map(({ rawJson: _raw, ...block }) => block) }),
      );
    }
  }

  private message(reply: FakeReply, body: any): Message {
    const content = (reply.content ?? [{ type: 'text' as const, text: '' }]).map((block) =>
      block.type === 'tool_use'
        ? {
            type: 'tool_use' as const,
            id: block.id ?? this.nextId('toolu'),
            name: block.name,
            input: block.input,
            rawJson: block.rawJson,
          }
        : { type: 'text' as const, text: block.text },
    );
    const hasToolUse = content.some((b) => b.type === 'tool_use');
    return {
      id: this.nextId('msg'),
      type: 'message',
      role: 'assistant',
      model: reply.model ?? (typeof body?.model === 'string' ? body.model : 'claude-fake'),
      content,
      stop_reason: reply.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: { ...DEFAULT_USAGE, ...reply.usage },
    };
  }

  /** Writes the message as the API's SSE event sequence. */
  private stream(
    res: http.ServerResponse,
    message: Message,
    headers: Record<string, string> | undefined,
    streamError: FakeReply['streamError'],
  ): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': this.nextId('req'),
      ...headers,
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const { usage } = message;
    send('message_start', {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    message.content.forEach((block, index) => {
      if (block.type === 'text') {
        send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'text', text: '' },
        });
        if (index === 0) send('ping', { type: 'ping' });
        for (const text of pieces(block.text, 3)) {
          send('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text },
          });
        }
      } else {
        send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        if (index === 0) send('ping', { type: 'ping' });
        // Like the API: an empty first piece, then the JSON split at arbitrary points.
        for (const partial_json of ['', ...pieces(block.rawJson ?? JSON.stringify(block.input ?? {}), 4)]) {
          send('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json },
          });
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    });
    if (streamError) {
      send('error', {
        type: 'error',
        error: {
          type: streamError.type,
          message: streamError.message ?? `fake-anthropic: scripted ${streamError.type}`,
        },
      });
      res.end();
      return;
    }
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage,
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  private fail(
    res: http.ServerResponse,
    status: number,
    message: string,
    headers?: Record<string, string>,
    opts: { type?: string } = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const type = opts.type ?? ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': this.nextId('req'),
      ...headers,
    });
    res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: null }));
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}_fake${String(this.sequence).padStart(6, '0')}`;
  }
}

/** What a request is for: the tool it forces, or `chat` for a conversation with tools to choose from. */
export function purposeOf(req: FakeRequest): string {
  const forced = req.body?.tool_choice?.type === 'tool' ? req.body.tool_choice.name : null;
  if (forced) return forced;
  const tools: Array<{ name: string }> = req.body?.tools ?? [];
  if (tools.some((t) => t.name === 'launch_run')) return 'chat';
  return tools[0]?.name ?? 'text';
}

interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<
    | { type: 'text'; text: string; rawJson?: undefined }
    | { type: 'tool_use'; id: string; name: string; input: unknown; rawJson?: string }
  >;
  stop_reason: string;
  stop_sequence: null;
  usage: typeof DEFAULT_USAGE;
}

/** Splits s into about n non-empty pieces (one empty piece for an empty string). */
function pieces(s: string, n: number): string[] {
  if (s.length === 0) return [''];
  const size = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Waits, but no longer than the client stays connected (so close() and aborts leave no timer behind). */
function delay(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}
