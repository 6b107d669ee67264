import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FakeAnthropic } from '../../../test/support/fake-anthropic';
import { AnthropicLlm } from './anthropic-llm';
import { LlmOutputError, LlmUnavailableError, type LlmConfig, type StructuredRequest } from './port';
import { estimateCostUsd } from './pricing';

// The real SDK against a local server that speaks the Messages API; nothing is stubbed.

const planSchema = z.object({
  title: z.string(),
  tasks: z.array(z.object({ id: z.string(), dependsOn: z.array(z.string()) })).min(1),
});
type Plan = z.infer<typeof planSchema>;
const validPlan: Plan = { title: 'Todo CLI', tasks: [{ id: 'T1', dependsOn: [] }] };

const SECRET = 'sk-ant-test-secret-0123456789';

describe('AnthropicLlm', () => {
  let fake: FakeAnthropic;
  let warnings: string[];

  beforeEach(async () => {
    fake = await FakeAnthropic.start();
    warnings = [];
  });
  afterEach(() => fake.close());

  const config = (over: Partial<LlmConfig> = {}): LlmConfig => ({
    apiKey: SECRET,
    baseURL: fake.url,
    model: 'claude-sonnet-4-6',
    maxTokens: 2000,
    maxRetries: 2,
    timeoutMs: 10_000,
    ...over,
  });
  const llm = (over: Partial<LlmConfig> = {}) =>
    new AnthropicLlm(config(over), {
      logger: { warn: (m) => warnings.push(m) },
      streamRetryDelayMs: () => 0,
    });
  const request = (over: Partial<StructuredRequest<Plan>> = {}): StructuredRequest<Plan> => ({
    purpose: 'generate',
    system: 'You write plans.',
    context: 'REPOSITORY TREE\nsrc/index.ts',
    prompt: 'Plan a todo CLI.',
    schema: planSchema,
    toolName: 'submit_plan',
    toolDescription: 'Submit the plan.',
    ...over,
  });
  const toolUse = (input: unknown, id = 'toolu_A') => ({
    type: 'tool_use' as const,
    id,
    name: 'submit_plan',
    input,
  });

  it('returns the validated tool input, asking for it with a forced, streamed tool call', async () => {
    fake.enqueue({
      content: [{ type: 'text', text: 'Here is the plan.' }, toolUse(validPlan)],
      usage: { input_tokens: 120, output_tokens: 80 },
    });
    const result = await llm().structured(request());

    expect(result.value).toEqual(validPlan);
    expect(fake.requests).toHaveLength(1);
    const { body, streamed } = fake.requests[0];
    expect(streamed).toBe(true);
    expect(body.model).toBe('claude-sonnet-4-6');
    expect(body.max_tokens).toBe(2000);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'submit_plan' });
    expect(body.thinking).toEqual({ type: 'disabled' });
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0]).toMatchObject({ name: 'submit_plan', description: 'Submit the plan.' });
    expect(body.tools[0].input_schema).toMatchObject({ type: 'object', required: ['title', 'tasks'] });
    expect(body.tools[0].input_schema).not.toHaveProperty('$schema');
    expect(body.messages).toEqual([{ role: 'user', content: 'Plan a todo CLI.' }]);
    expect(body.system[0].text).toContain('You write plans.');

    expect(result.calls).toHaveLength(1);
    const [call] = result.calls;
    expect(call).toMatchObject({
      purpose: 'generate',
      model: 'claude-sonnet-4-6',
      repaired: false,
      usage: { inputTokens: 120, outputTokens: 80, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    });
    expect(call.callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.durationMs).toBeGreaterThanOrEqual(0);
    expect(call.costUsd).toBeCloseTo((120 * 3 + 80 * 15) / 1e6, 12);
  });

  it('marks the context block for prompt caching, and cache usage flows into the record and the cost', async () => {
    const usage = {
      input_tokens: 50,
      output_tokens: 400,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 9000,
    };
    fake.enqueue({ content: [toolUse(validPlan)], usage });
    const { calls } = await llm().structured(request({ maxTokens: 500 }));

    const { system, max_tokens } = fake.requests[0].body;
    expect(max_tokens).toBe(500);
    expect(system).toHaveLength(2);
    expect(system[0]).not.toHaveProperty('cache_control');
    expect(system[1]).toEqual({
      type: 'text',
      text: 'REPOSITORY TREE\nsrc/index.ts',
      cache_control: { type: 'ephemeral' },
    });
    expect(calls[0].usage).toEqual({
      inputTokens: 50,
      outputTokens: 400,
      cacheCreationInputTokens: 3000,
      cacheReadInputTokens: 9000,
    });
    // $3 in, $15 out, writes 1.25x, reads 0.1x
    const expected = (50 * 3 + 400 * 15 + 3000 * 3.75 + 9000 * 0.3) / 1e6;
    expect(calls[0].costUsd).toBeCloseTo(expected, 12);
    expect(calls[0].costUsd).toBeCloseTo(estimateCostUsd('claude-sonnet-4-6', calls[0].usage), 12);
  });

  it('sends no cache breakpoint when there is no context', async () => {
    fake.enqueue({ content: [toolUse(validPlan)] });
    await llm().structured(request({ context: undefined }));
    expect(fake.requests[0].body.system).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0].body)).not.toContain('cache_control');
  });

  it('repairs an answer of the wrong shape with one turn that quotes the validation errors', async () => {
    const wrong = {
      title: 'Todo CLI',
      tasks: [
        { id: 'T1', dependsOn: [] },
        { id: 2, dependsOn: 'T1' },
      ],
    };
    fake.enqueue(
      {
        content: [{ type: 'text', text: 'Plan:' }, toolUse(wrong, 'toolu_bad')],
        usage: { output_tokens: 30 },
      },
      {
        content: [toolUse(validPlan, 'toolu_good')],
        usage: { output_tokens: 20, cache_read_input_tokens: 500 },
      },
    );
    const result = await llm().structured(request());

    expect(result.value).toEqual(validPlan);
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests.map((r) => r.body);
    // Same cached prefix; the conversation grows by the bad answer and the tool_result quoting the errors.
    expect(second.system).toEqual(first.system);
    expect(second.tools).toEqual(first.tools);
    expect(second.messages).toHaveLength(3);
    expect(second.messages[0]).toEqual(first.messages[0]);
    expect(second.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Plan:' },
        { type: 'tool_use', id: 'toolu_bad', name: 'submit_plan', input: wrong },
      ],
    });
    const repair = second.messages[2];
    expect(repair.role).toBe('user');
    expect(repair.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_bad',
      is_error: true,
    });
    expect(repair.content[0].content).toContain(
      'tasks[1].id: Invalid input: expected string, received number',
    );
    expect(repair.content[0].content).toContain(
      'tasks[1].dependsOn: Invalid input: expected array, received string',
    );
    expect(repair.content[1]).toMatchObject({ type: 'text' });

    expect(result.calls.map((c) => c.repaired)).toEqual([false, true]);
    expect(result.calls[1].usage.cacheReadInputTokens).toBe(500);
    expect(warnings.join('\n')).toContain('asking once more');
  });

  it('repairs tool input that is not valid JSON', async () => {
    fake.enqueue(
      {
        content: [
          { type: 'tool_use', id: 'toolu_json', name: 'submit_plan', input: {}, rawJson: '{"title": "x", }' },
        ],
      },
      { content: [toolUse(validPlan)] },
    );
    const result = await llm().structured(request());

    expect(result.value).toEqual(validPlan);
    expect(result.calls).toHaveLength(2);
    const repair = fake.requests[1].body.messages;
    expect(repair[1].content).toEqual([
      { type: 'tool_use', id: 'toolu_json', name: 'submit_plan', input: {} },
    ]);
    expect(repair[2].content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_json',
      is_error: true,
    });
    expect(repair[2].content[0].content).toContain('not valid JSON');
  });

  it('repairs an answer without the tool call', async () => {
    fake.enqueue(
      { content: [{ type: 'text', text: 'I think the plan is…' }] },
      { content: [toolUse(validPlan)] },
    );
    const result = await llm().structured(request());

    expect(result.value).toEqual(validPlan);
    const [, assistant, repair] = fake.requests[1].body.messages;
    expect(assistant).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'I think the plan is…' }],
    });
    expect(repair.content).toHaveLength(1);
    expect(repair.content[0].text).toContain('You did not call the submit_plan tool');
  });

  it('never accepts an answer cut off at max_tokens, even when what arrived happens to parse', async () => {
    fake.enqueue(
      { content: [toolUse(validPlan)], stopReason: 'max_tokens' },
      { content: [toolUse(validPlan)] },
    );
    const result = await llm().structured(request());
    expect(result.calls).toHaveLength(2);
    expect(fake.requests[1].body.messages[2].content[0].content).toContain('cut off at max_tokens (2000)');
  });

  it('throws LlmOutputError with the issues when the repaired answer is still invalid', async () => {
    fake.enqueue(
      { content: [toolUse({ title: 'x', tasks: [] })] },
      { content: [toolUse({ title: 7, tasks: [{ id: 'T1' }] })] },
    );
    const error = await llm()
      .structured(request())
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmOutputError);
    const { issues, calls, message } = error as LlmOutputError;
    expect(issues).toEqual([
      'title: Invalid input: expected string, received number',
      'tasks[0].dependsOn: Invalid input: expected array, received undefined',
    ]);
    expect(calls.map((c) => c.repaired)).toEqual([false, true]);
    expect(message).toContain('generate');
    expect(message).toContain('tasks[0].dependsOn');
    expect(fake.requests).toHaveLength(2); // exactly one repair turn
  });

  it('retries a 429 (retry-after 0) and then succeeds', async () => {
    fake.enqueue(
      { status: 429, headers: { 'retry-after': '0' } },
      { content: [toolUse(validPlan)], usage: { input_tokens: 10, output_tokens: 10 } },
    );
    const result = await llm().structured(request());
    expect(result.value).toEqual(validPlan);
    expect(fake.requests).toHaveLength(2);
    expect(result.calls).toHaveLength(1);
  });

  it('retries a 529 overloaded_error and then succeeds', async () => {
    fake.enqueue({ status: 529 }, { content: [toolUse(validPlan)] });
    const result = await llm().structured(request());
    expect(result.value).toEqual(validPlan);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].headers['x-stainless-retry-count']).toBe('1');
  });

  it('retries an overloaded_error that arrives inside a started stream', async () => {
    fake.enqueue(
      { content: [toolUse(validPlan)], streamError: { type: 'overloaded_error', message: 'Overloaded' } },
      { content: [toolUse(validPlan)] },
    );
    const result = await llm().structured(request());
    expect(result.value).toEqual(validPlan);
    expect(fake.requests).toHaveLength(2);
    expect(result.calls).toHaveLength(1);
  });

  it('gives LlmUnavailableError with the status once the retries are spent', async () => {
    fake.enqueue({ status: 529 }, { status: 529 });
    const error = await llm({ maxRetries: 1 })
      .structured(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).status).toBe(529);
    expect((error as Error).message).toContain('overloaded_error');
    expect((error as Error).message).toContain('after 1 retries');
    expect(fake.requests).toHaveLength(2);
  });

  it('reports an authentication failure without the key', async () => {
    fake.enqueue({ status: 401, error: { message: `invalid x-api-key ${SECRET}` } });
    const error = (await llm()
      .structured(request())
      .catch((e: unknown) => e)) as LlmUnavailableError;
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error.status).toBe(401);
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(error.message).not.toContain(SECRET);
    expect(fake.requests).toHaveLength(1); // 401 is not retried
  });

  it('falls back to tool_choice auto, for good, when the model refuses forced tool use', async () => {
    fake.enqueue(
      {
        status: 400,
        error: { message: 'Forced tool use is not supported with this model; use tool_choice auto' },
      },
      { content: [toolUse(validPlan)] },
      { content: [toolUse(validPlan)] },
    );
    const instance = llm();
    const first = await instance.structured(request());
    expect(first.value).toEqual(validPlan);
    expect(first.calls).toHaveLength(1);
    await instance.structured(request());

    const [refused, retried, later] = fake.requests.map((r) => r.body);
    expect(refused.tool_choice).toEqual({ type: 'tool', name: 'submit_plan' });
    for (const body of [retried, later]) {
      expect(body.tool_choice).toEqual({ type: 'auto' });
      expect(body).not.toHaveProperty('thinking');
      expect(body.system[0].text).toContain('Answer only by calling the submit_plan tool');
    }
    expect(warnings.join('\n')).toContain('refuses forced tool use');
  });

  it('without an API key (and no base URL) fails with a message saying to set ANTHROPIC_API_KEY', async () => {
    const error = await llm({ apiKey: null, baseURL: null })
      .structured(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toMatch(/ANTHROPIC_API_KEY is not set/);
    expect((error as LlmUnavailableError).status).toBeNull();
    expect(fake.requests).toHaveLength(0);
  });

  it('needs no key for a custom base URL (a placeholder is sent)', async () => {
    fake.enqueue({ content: [toolUse(validPlan)] });
    const result = await llm({ apiKey: null }).structured(request());
    expect(result.value).toEqual(validPlan);
    expect(JSON.stringify(fake.requests[0].headers)).not.toContain(SECRET);
  });

  it('reports an unreachable API as LlmUnavailableError with no status', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const error = await llm({ baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 })
      .structured(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).status).toBeNull();
    expect((error as Error).message).toContain(`cannot reach the Anthropic API at http://127.0.0.1:${port}`);
  });

  it('stops when the caller aborts', async () => {
    fake.enqueue({ delayMs: 2000, content: [toolUse(validPlan)] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await llm()
      .structured(request({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/Abort/);
    expect(error).not.toBeInstanceOf(LlmUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
