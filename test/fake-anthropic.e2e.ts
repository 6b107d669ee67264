import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropic } from './support/fake-anthropic';

// Drives the fake with the real SDK, so other suites can trust it speaks the Messages API.
describe('FakeAnthropic (with the real @anthropic-ai/sdk)', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;

  beforeEach(async () => {
    fake = await FakeAnthropic.start();
    client = new Anthropic({ apiKey: 'test-key', baseURL: fake.url, maxRetries: 2 });
  });
  afterEach(() => fake.close());

  const base = {
    model: 'claude-sonnet-5-5',
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'hi' }],
  };

  it('answers a non-streaming request with a JSON Message and records the request', async () => {
    fake.enqueue({
      content: [{ type: 'text', text: 'hello there' }],
      usage: { input_tokens: 12, output_tokens: 3 },
    });
    const message = await client.messages.create(base);
    expect(message.content).toEqual([{ type: 'text', text: 'hello there' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-sonnet-5-5');
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].streamed).toBe(false);
    expect(fake.requests[0].body.messages).toEqual(base.messages);
    // SDK 1.x sends the key as a bearer token (older versions used x-api-key).
    const { authorization, 'x-api-key': apiKey } = fake.requests[0].headers;
    expect(apiKey === 'test-key' || authorization === 'Bearer test-key').toBe(true);
  });

  it('streams text as SSE that the SDK accumulates into the final message', async () => {
    fake.enqueue({
      content: [{ type: 'text', text: 'a longer streamed answer' }],
      usage: {
        input_tokens: 40,
        output_tokens: 9,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 5,
      },
    });
    const stream = client.messages.stream(base);
    const events: string[] = [];
    const texts: string[] = [];
    stream.on('streamEvent', (e) => events.push(e.type));
    stream.on('text', (t) => texts.push(t));
    const message = await stream.finalMessage();

    expect(fake.requests[0].streamed).toBe(true);
    expect(message.content).toEqual([
      { type: 'text', text: 'a longer streamed answer', citations: undefined },
    ]);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe('a longer streamed answer');
    expect(events[0]).toBe('message_start');
    expect(events).toEqual(
      expect.arrayContaining([
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
      ]),
    );
    expect(events.at(-1)).toBe('message_stop');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: 40,
      output_tokens: 9,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 5,
    });
  });

  it('streams a tool_use block whose input JSON arrives in several partial_json pieces', async () => {
    const input = {
      title: 'Plan',
      tasks: [
        { id: 'T1', dependsOn: [] },
        { id: 'T2', dependsOn: ['T1'] },
      ],
    };
    fake.enqueue({
      content: [
        { type: 'text', text: 'Calling the tool.' },
        { type: 'tool_use', id: 'toolu_1', name: 'submit_plan', input },
      ],
    });
    const stream = client.messages.stream({
      ...base,
      tools: [{ name: 'submit_plan', description: 'd', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'submit_plan' },
    });
    const partials: string[] = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta')
        partials.push(e.delta.partial_json);
    });
    const message = await stream.finalMessage();

    expect(partials.filter((p) => p !== '').length).toBeGreaterThan(2);
    expect(partials.join('')).toBe(JSON.stringify(input));
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[1]).toEqual({ type: 'tool_use', id: 'toolu_1', name: 'submit_plan', input });
    expect(fake.requests[0].body.tool_choice).toEqual({ type: 'tool', name: 'submit_plan' });
  });

  it('answers a non-streaming tool_use with a generated id', async () => {
    fake.enqueue({ content: [{ type: 'tool_use', name: 'submit', input: { ok: true } }] });
    const message = await client.messages.create(base);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'submit', input: { ok: true } });
    expect((message.content[0] as { id: string }).id).toMatch(/^toolu_/);
  });

  it('serves a 429 with retry-after that the SDK retries, then the success', async () => {
    fake.enqueue(
      { status: 429, headers: { 'retry-after': '0' } },
      { content: [{ type: 'text', text: 'after the retry' }] },
    );
    const message = await client.messages.stream(base).finalMessage();
    expect(message.content[0]).toMatchObject({ text: 'after the retry' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].headers['x-stainless-retry-count']).toBe('1');
  });

  it('produces Anthropic error bodies the SDK maps to its error classes', async () => {
    fake.enqueue({ status: 400, error: { message: 'tool_choice is not supported' } });
    const err = await client.messages.create(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'tool_choice is not supported' },
      request_id: null,
    });

    fake.enqueue({ status: 529 }, { status: 529 }, { status: 529 });
    const overloaded = await client.messages.create(base).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(String(overloaded)).toContain('overloaded_error');
  });

  it('uses the handler when the queue is empty, and fails clearly when the script runs out', async () => {
    fake.respondWith((req) => ({
      content: [{ type: 'text', text: `echo ${req.body.messages[0].content}` }],
    }));
    const echoed = await client.messages.create(base);
    expect(echoed.content[0]).toMatchObject({ text: 'echo hi' });

    const bare = await FakeAnthropic.start();
    try {
      const c = new Anthropic({ apiKey: 'k', baseURL: bare.url, maxRetries: 3 });
      const err = await c.messages.create(base).catch((e: unknown) => e);
      expect(String(err)).toContain('script ran out');
      expect(bare.requests).toHaveLength(1); // not retried
    } finally {
      await bare.close();
    }
  });

  it('waits delayMs before answering, and the SDK timeout applies', async () => {
    fake.enqueue({ delayMs: 300, content: [{ type: 'text', text: 'late' }] });
    const c = new Anthropic({ apiKey: 'k', baseURL: fake.url, maxRetries: 0, timeout: 100 });
    await expect(c.messages.create(base)).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });
});
