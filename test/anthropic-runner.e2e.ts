/**
 * The anthropic agent runner end to end: the real SDK talking SSE to a local Messages API server
 * (FakeAnthropic) that scripts the model's tool calls, real tools acting on a real git work tree,
 * real child processes for run_command. Then the same runner inside a real plan session on
 * Temporal, the worker finding the fake server through ANTHROPIC_BASE_URL.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createAgentRunner, turnSucceeded, type TurnRequest, type TurnResult } from '@chunkwise/agents';
import { estimateCostUsd } from '@chunkwise/llm';
import { FakeAnthropic, type FakeReply } from './support/fake-anthropic';
import { git, makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(120_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const KEY = 'sk-ant-test-0123456789-do-not-leak';
const MODEL = 'claude-sonnet-5-5';
const NODE_DIR = dirname(process.execPath);

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A git repository with one commit, inside a temp dir that also holds an "outside" directory. */
function workTree(): { repo: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'cw-anthropic-'));
  temps.push(base);
  const outside = join(base, 'outside');
  mkdirSync(outside);
  return { repo: makeRepo(base), outside };
}

function turnIn(cwd: string, overrides: Partial<TurnRequest> = {}): TurnRequest {
  const dir = join(cwd, '.chunkwise');
  return {
    cwd,
    prompt: '# Greeter\n\n## Your task: T1 — add a greeter\n',
    taskId: 'T1',
    chunk: 'C01',
    attempt: 1,
    planFile: join(dir, 'plan.json'),
    fullPlanFile: join(dir, 'full_plan.json'),
    promptFile: join(dir, 'prompt.md'),
    timeoutSec: 60,
    ...overrides,
  };
}

const toolUse = (name: string, input: unknown, id?: string) => ({
  type: 'tool_use' as const,
  name,
  input,
  id,
});
const text = (t: string) => ({ type: 'text' as const, text: t });

/** The tool_result blocks of the last message of a request. */
function toolResults(
  fake: FakeAnthropic,
  request: number,
): Array<{ tool_use_id: string; content: string; is_error?: boolean }> {
  const messages = fake.requests[request].body.messages;
  const last = messages[messages.length - 1];
  expect(last.role).toBe('user');
  return last.content.map((b: any) => {
    expect(b.type).toBe('tool_result');
    return b;
  });
}

describe('anthropic agent runner against a local Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await FakeAnthropic.start();
  });
  afterEach(() => fake.close());

  async function run(
    repo: string,
    agent: Record<string, unknown> = {},
    overrides: Partial<TurnRequest> = {},
    signal?: AbortSignal,
  ): Promise<{ r: TurnResult; heartbeats: string[] }> {
    const runner = createAgentRunner({ type: 'anthropic', model: MODEL, ...agent } as any, {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      PATH: NODE_DIR,
    });
    const heartbeats: string[] = [];
    const r = await runner.run(turnIn(repo, overrides), { onOutput: (c) => heartbeats.push(c), signal });
    return { r, heartbeats };
  }

  test('edits the work tree through write_file, edit_file and an allowed run_command; usage and cost summed; tool calls in the heartbeats', async () => {
    const { repo } = workTree();
    const usage = {
      input_tokens: 100,
      output_tokens: 20,
      cache_read_input_tokens: 50,
      cache_creation_input_tokens: 10,
    };
    const greet = "exports.greet = (name) => 'Hello, ' + name;\n";
    const replies: FakeReply[] = [
      { content: [text("I'll look around first."), toolUse('list_dir', {}, 'toolu_list')], usage },
      {
        content: [
          toolUse('write_file', { path: 'src/greet.js', content: greet }, 'toolu_write'),
          toolUse('read_file', { path: 'README.md' }, 'toolu_read'),
        ],
        usage,
      },
      {
        content: [
          toolUse('edit_file', { path: 'src/greet.js', old_string: "'Hello, '", new_string: "'Hi, '" }),
        ],
        usage,
      },
      {
        content: [
          toolUse('run_command', {
            command: 'node',
            args: [
              '-e',
              "console.log(require('./src/greet.js').greet('Ada'), process.env.ANTHROPIC_API_KEY ?? 'no key')",
            ],
          }),
        ],
        usage,
      },
      { content: [text('Done: added src/greet.js.')], usage },
    ];
    fake.enqueue(...replies);

    const { r, heartbeats } = await run(repo, { allowCommands: ['node'], maxTokens: 4096 });

    expect(r.agentError).toBeNull();
    expect(turnSucceeded(r)).toBe(true);
    expect(readFileSync(join(repo, 'src/greet.js'), 'utf8')).toBe(
      "exports.greet = (name) => 'Hi, ' + name;\n",
    );
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toContain('?? src/greet.js');
    expect(readFileSync(join(repo, '.chunkwise/prompt.md'), 'utf8')).toBe(turnIn(repo).prompt);

    // Five streamed requests carrying the key, the tools and the growing conversation.
    expect(fake.requests).toHaveLength(5);
    for (const req of fake.requests) {
      expect(req.streamed).toBe(true);
      expect(req.headers.authorization).toBe(`Bearer ${KEY}`); // this SDK sends the key as a bearer token
      expect(req.body.model).toBe(MODEL);
      expect(req.body.max_tokens).toBe(4096);
      expect(req.body.tools.map((t: any) => t.name)).toEqual([
        'read_file',
        'write_file',
        'edit_file',
        'list_dir',
        'search',
        'run_command',
      ]);
    }
    const first = fake.requests[0].body;
    expect(first.messages).toHaveLength(1);
    expect(first.messages[0].content[0]).toMatchObject({
      type: 'text',
      text: turnIn(repo).prompt,
      cache_control: { type: 'ephemeral' },
    });
    expect(first.system[0].text).toContain(repo);

    const [listed] = toolResults(fake, 1);
    expect(listed).toMatchObject({ tool_use_id: 'toolu_list', content: '.chunkwise/\nREADME.md' });
    expect(listed.is_error).toBeUndefined();
    expect(fake.requests[1].body.messages[1]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'text' }, { type: 'tool_use', id: 'toolu_list' }],
    });
    expect(toolResults(fake, 2)).toEqual([
      expect.objectContaining({
        tool_use_id: 'toolu_write',
        content: `created src/greet.js (${greet.length} bytes)`,
      }),
      expect.objectContaining({ tool_use_id: 'toolu_read', content: '# target\n' }),
    ]);
    expect(toolResults(fake, 3)[0].content).toBe('edited src/greet.js at line 1');
    const ran = toolResults(fake, 4)[0];
    expect(ran.is_error).toBeUndefined();
    expect(ran.content).toContain('exit code 0');
    expect(ran.content).toContain('Hi, Ada no key'); // the child got no API key

    // Usage summed over the five calls; cost from the price table.
    const total = {
      inputTokens: 500,
      outputTokens: 100,
      cacheReadInputTokens: 250,
      cacheCreationInputTokens: 50,
    };
    expect(r.usage).toEqual({
      inputTokens: 500,
      outputTokens: 100,
      cacheReadTokens: 250,
      cacheCreationTokens: 50,
      costUsd: expect.any(Number),
      // The ledger prices each turn by its model (docs/cost.md).
      model: MODEL,
    });
    expect(r.usage!.costUsd).toBeCloseTo(estimateCostUsd(MODEL, total), 10);
    expect(r.usage!.costUsd).toBeGreaterThan(0);

    // The live output: streamed text and one line per tool call, never file contents or the key.
    const out = heartbeats.join('');
    expect(out).toBe(r.output);
    expect(out).toContain("I'll look around first.");
    expect(out).toContain('[tool] list_dir . → 2 entries');
    expect(out).toContain(`[tool] write_file src/greet.js (${greet.length} bytes) → created`);
    expect(out).toContain('[tool] edit_file src/greet.js → edited at line 1');
    expect(out).toMatch(/\[tool\] run_command node -e console\.log\(.*→ exit code 0/);
    expect(out).toContain('Done: added src/greet.js.');
    expect(out).not.toContain('exports.greet');
    expect(out).not.toContain(KEY);
  });

  test('a path outside the tree is refused: the tool_result is an error saying why, and nothing is written outside', async () => {
    const { repo, outside } = workTree();
    symlinkSync(outside, join(repo, 'out-link'));
    fake.enqueue(
      {
        content: [
          toolUse('write_file', { path: '../outside/escape.txt', content: 'x' }, 'a'),
          toolUse('write_file', { path: join(outside, 'abs.txt'), content: 'x' }, 'b'),
          toolUse('write_file', { path: 'out-link/via-link.txt', content: 'x' }, 'c'),
          toolUse('write_file', { path: '.git/hooks/post-checkout', content: '#!/bin/sh\n' }, 'd'),
        ],
      },
      { content: [text('I cannot write there.')] },
    );
    const { r } = await run(repo);
    expect(turnSucceeded(r)).toBe(true); // refusals go back to the model; they do not end the turn
    const results = toolResults(fake, 1);
    expect(results.map((x) => [x.tool_use_id, x.is_error])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['d', true],
    ]);
    expect(results[0].content).toMatch(/outside the work tree/);
    expect(results[1].content).toMatch(/outside the work tree/);
    expect(results[2].content).toMatch(/symlink on this path leads outside the work tree/);
    expect(results[3].content).toMatch(/writing into \.git is not allowed/);
    expect(existsSync(join(outside, 'escape.txt'))).toBe(false);
    expect(existsSync(join(outside, 'abs.txt'))).toBe(false);
    expect(existsSync(join(outside, 'via-link.txt'))).toBe(false);
    expect(existsSync(join(repo, '.git/hooks/post-checkout'))).toBe(false);
    expect(r.output).toContain(
      '[tool] write_file ../outside/escape.txt (1 bytes) → error: ../outside/escape.txt: outside',
    );
  });

  test('a command off the allowlist is refused and not run', async () => {
    const { repo } = workTree();
    fake.enqueue(
      { content: [toolUse('run_command', { command: 'rm', args: ['-rf', '.'] }, 'rm')] },
      { content: [text('ok')] },
    );
    const { r } = await run(repo, { allowCommands: ['node'] });
    expect(turnSucceeded(r)).toBe(true);
    expect(toolResults(fake, 1)).toEqual([
      expect.objectContaining({
        type: 'tool_result',
        tool_use_id: 'rm',
        is_error: true,
        content: 'command "rm" is not allowed; allowed commands: node',
      }),
    ]);
    expect(existsSync(join(repo, 'README.md'))).toBe(true);
  });

  test('exhausting the tool-round budget fails the turn with a clear error; usage still counted', async () => {
    const { repo } = workTree();
    fake.respondWith(() => ({
      content: [toolUse('list_dir', {})],
      usage: { input_tokens: 7, output_tokens: 3 },
    }));
    const { r } = await run(repo, { maxToolRounds: 2 });
    expect(turnSucceeded(r)).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.agentError).toBe(
      'the tool-round budget of 2 was exhausted before the model finished (maxToolRounds)',
    );
    expect(fake.requests).toHaveLength(3); // two rounds answered, the third request's tool calls not run
    expect(r.usage).toMatchObject({ inputTokens: 21, outputTokens: 9 });
    expect(r.output).toContain('[anthropic] the tool-round budget of 2 was exhausted');
  });

  test("a hard ceiling on the turn's cost stops a runaway turn and says so; its usage is kept", async () => {
    const { repo } = workTree();
    fake.respondWith(() => ({
      content: [toolUse('list_dir', {})],
      usage: { input_tokens: 100_000, output_tokens: 1000 },
    }));
    // claude-sonnet-5-5: $2 / $10 per million → $0.21 a response; the ceiling is passed by the third.
    const { r } = await run(repo, { maxTurnCostUsd: 0.5 });
    expect(turnSucceeded(r)).toBe(false);
    expect(r.agentError).toBe(
      'the turn was stopped: its cost ~$0.6300 passed the hard ceiling of $0.5 (maxTurnCostUsd)',
    );
    expect(fake.requests).toHaveLength(3);
    expect(r.usage).toMatchObject({
      inputTokens: 300_000,
      outputTokens: 3000,
      costUsd: expect.closeTo(0.63, 6),
    });
  });

  test('the turn timeout aborts a slow request and fails the turn as timed out', async () => {
    const { repo } = workTree();
    fake.enqueue({ content: [text('too late')], delayMs: 5000 });
    const t0 = Date.now();
    const { r } = await run(repo, {}, { timeoutSec: 1 });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.timedOut).toBe(true);
    expect(turnSucceeded(r)).toBe(false);
    expect(r.agentError).toBe('the turn timed out after 1 s (0 tool rounds)');
  });

  test('cancellation aborts the turn and kills a running command', async () => {
    const { repo } = workTree();
    const marker = join(repo, 'still-running');
    fake.enqueue({
      content: [
        toolUse('run_command', {
          command: 'node',
          args: ['-e', `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'), 2500)`],
        }),
      ],
    });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 700);
    const t0 = Date.now();
    const { r } = await run(repo, { allowCommands: ['node'] }, {}, abort.signal);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(r.agentError).toBe('the turn was cancelled');
    expect(turnSucceeded(r)).toBe(false);
    expect(fake.requests).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 2500));
    expect(existsSync(marker)).toBe(false);
  });

  test('API errors fail the turn without leaking the key; a missing key is a start error', async () => {
    const { repo } = workTree();
    fake.enqueue({ status: 401, error: { message: `invalid x-api-key ${KEY}` } });
    const { r } = await run(repo);
    expect(turnSucceeded(r)).toBe(false);
    expect(r.agentError).toMatch(/^Anthropic API error 401: invalid x-api-key \[redacted\]/);
    expect(r.output).not.toContain(KEY);
    expect(JSON.stringify(r)).not.toContain(KEY);

    const noKey = createAgentRunner({ type: 'anthropic' } as any, { ANTHROPIC_BASE_URL: fake.url });
    const r2 = await noKey.run(turnIn(repo));
    expect(r2.startError).toBe("ANTHROPIC_API_KEY is not set in the worker's environment");
    expect(fake.requests).toHaveLength(1);
  });

  test('a response cut off at maxTokens fails the turn and says which setting to raise', async () => {
    const { repo } = workTree();
    fake.enqueue({ content: [text('partial')], stopReason: 'max_tokens' });
    const { r } = await run(repo, { maxTokens: 512 });
    expect(r.agentError).toBe(
      "the model's response was cut off at maxTokens (512); raise execution.agent.maxTokens",
    );
  });
});

withTemporalCli('test/anthropic-runner.e2e.ts', ({ path: binary }) => {
  describe('a plan session whose agent is anthropic, on Temporal', () => {
    const h = new SessionHarness({ prefix: 'cw-anthropic-session-' });
    let fake: FakeAnthropic;
    const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };

    beforeAll(async () => {
      fake = await FakeAnthropic.start();
      // The in-process workers read these where they create the runner: this is the worker's environment.
      process.env.ANTHROPIC_API_KEY = KEY;
      process.env.ANTHROPIC_BASE_URL = fake.url;
      await h.start(binary);
    });
    afterAll(async () => {
      await h.stop();
      await fake.close();
      for (const [name, value] of [
        ['ANTHROPIC_API_KEY', saved.key],
        ['ANTHROPIC_BASE_URL', saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    test('the task is done by the tool loop, QA passes and the change is committed; the key appears in no event', async () => {
      fake.respondWith((req) => {
        const task = /Your task: (\w+)/.exec(JSON.stringify(req.body.messages[0]))?.[1] ?? 'unknown';
        return req.body.messages.length === 1
          ? {
              content: [
                text(`Working on ${task}.`),
                toolUse('write_file', { path: `src/${task}.txt`, content: `${task} done\n` }),
              ],
            }
          : { content: [text(`${task} finished.`)] };
      });
      const repo = makeRepo(h.root);

      const planId = await h.finalizedPlan({
        title: 'Anthropic agent',
        repository: repo,
        execution: {
          agent: { type: 'anthropic', model: MODEL, maxToolRounds: 5, timeoutSec: 60 },
          qaGates: h.qaGates(),
          maxAttempts: 1,
        },
        tasks: [
          { id: 'T1', chunk: 'C01_a', title: 'first', description: 'write src/T1.txt' },
          { id: 'T2', chunk: 'C01_a', title: 'second', description: 'write src/T2.txt', dependsOn: ['T1'] },
        ],
      });
      await h.sessions.execute(planId, { from: 'beginning' });
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');

      const branch = outcome.state.branch;
      expect(git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n')).toEqual([
        'T1: first',
        'T2: second',
      ]);
      expect(git(repo, 'show', `${branch}:src/T2.txt`)).toBe('T2 done');
      expect(fake.requests).toHaveLength(4);
      expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${KEY}` && r.streamed)).toBe(
        true,
      );

      const events = await h.events(planId);
      expect(JSON.stringify(events)).not.toContain(KEY);
      // Each turn's tokens and cost are recorded on its TurnCompleted event.
      const turns = events.filter((e) => e.type === 'TurnCompleted');
      expect(turns).toHaveLength(2);
      for (const t of turns) {
        expect((t.data as { usage: { outputTokens: number; costUsd: number } }).usage).toMatchObject({
          outputTokens: expect.any(Number),
          costUsd: expect.any(Number),
        });
        expect((t.data as { usage: { outputTokens: number } }).usage.outputTokens).toBeGreaterThan(0);
      }
    });
  });
});
