/**
 * The claude-code runner against the real Claude Code CLI (the pinned devDependency), headless in a
 * real git work tree, talking SSE to a local Messages API stand-in (FakeAnthropic) scripted per
 * test: it asks for the tool calls (Write, Edit, Bash), the CLI runs them. First the runner alone,
 * then plan sessions on Temporal whose agent is claude-code.
 */
import 'reflect-metadata';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ClaudeCodeRunner, turnSucceeded, type TurnRequest } from '@chunkwise/agents';
import { worktreePathFor } from '@chunkwise/contracts';
import { DEMO_TASKS } from '../apps/cli/src/demo-plan';
import { withClaudeCli } from './support/claude-cli';
import { cleanEnv, cli, ensureBuilt } from './support/cli-process';
import { FakeAnthropic, type FakeReply, type FakeRequest } from './support/fake-anthropic';
import { git, makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(180_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const KEY = 'sk-ant-claude-cli-test-0123456789-do-not-leak';
const MODEL = 'claude-sonnet-4-5';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workTree(): { repo: string; outside: string; state: string } {
  const base = mkdtempSync(join(tmpdir(), 'cw-claude-cli-'));
  temps.push(base);
  const outside = join(base, 'outside');
  mkdirSync(outside);
  return { repo: makeRepo(base), outside, state: join(base, 'state') };
}

function turnIn(cwd: string, stateDir: string, overrides: Partial<TurnRequest> = {}): TurnRequest {
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
    timeoutSec: 90,
    stateDir,
    ...overrides,
  };
}

const toolUse = (name: string, input: unknown) => ({ type: 'tool_use' as const, name, input });
const text = (t: string) => ({ type: 'text' as const, text: t });

/** The tool results the CLI sent back in a request (its last user message). */
function toolResults(req: FakeRequest): Array<{ content: unknown; is_error?: boolean }> {
  const last = req.body.messages.at(-1);
  return (Array.isArray(last?.content) ? last.content : []).filter((b: any) => b.type === 'tool_result');
}
const resultText = (r: { content: unknown }) =>
  typeof r.content === 'string' ? r.content : JSON.stringify(r.content);
const answered = (req: FakeRequest) => toolResults(req).length > 0;

/** Processes whose environment names this plan file: the agent and anything it started. */
function agentProcesses(planFile: string): number[] {
  const marker = `CHUNKWISE_PLAN_FILE=${planFile}`;
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Every file under dir whose content holds s (the event store, turn logs, the agent's state). */
function filesHolding(dir: string, s: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 200 * 1024 * 1024 && readFileSync(p).includes(s)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

withClaudeCli('test/claude-code-cli.e2e.ts', (bin) => {
  describe('the claude-code runner running the real claude CLI against a local Messages API', () => {
    let fake: FakeAnthropic;
    beforeEach(async () => {
      fake = await FakeAnthropic.start();
    });
    afterEach(() => fake.close());

    const runner = (extra: Record<string, unknown> = {}) =>
      new ClaudeCodeRunner(
        { command: bin, model: MODEL, timeoutSec: 90, extraArgs: [], envAllowlist: [], ...extra },
        { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url },
      );

    test('a Write then an Edit by the CLI land in the work tree; the model, usage and session id are the ones of the turn; the key only in its header', async () => {
      const { repo, state } = workTree();
      fake.enqueue(
        {
          content: [
            text('Writing the greeter.'),
            toolUse('Write', { file_path: 'src/greet.js', content: 'hello\n' }),
          ],
        },
        {
          content: [
            toolUse('Edit', { file_path: 'src/greet.js', old_string: 'hello', new_string: 'hello, world' }),
          ],
        },
        {
          content: [text('Done: src/greet.js greets the world.')],
          usage: { input_tokens: 100, output_tokens: 20 },
        },
      );
      const lines: string[] = [];
      const r = await runner().run(turnIn(repo, state), { onOutput: (l) => lines.push(l) });

      expect(r.agentError).toBeNull();
      expect(turnSucceeded(r)).toBe(true);
      expect(readFileSync(join(repo, 'src/greet.js'), 'utf8')).toBe('hello, world\n');
      const messages = fake.requests.filter((q) => q.body.tools?.length);
      expect(messages).toHaveLength(3);
      for (const q of messages) {
        expect(q.body.model).toBe(MODEL);
        expect(q.streamed).toBe(true);
        expect(q.headers['x-api-key']).toBe(KEY);
      }
      // The tool results went back to the API, and the prompt came in on stdin.
      expect(JSON.stringify(messages[0].body.messages[0])).toContain('Your task: T1');
      expect(toolResults(messages[1]).map((t) => t.is_error ?? false)).toEqual([false]);
      expect(toolResults(messages[2]).map(resultText).join('')).toContain('updated');
      expect(r.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
      expect(r.usage!.outputTokens).toBeGreaterThan(0);
      expect(r.usage!.costUsd).toEqual(expect.any(Number));
      const out = lines.join('');
      expect(out).toContain('[tool] Write src/greet.js');
      expect(out).toContain('[result] success');
      expect(out).not.toContain(KEY);
      // Only the Messages API was called (no other endpoint probed), and nothing of the key stayed behind.
      expect(fake.seen.every((s) => s.path.startsWith('/v1/messages'))).toBe(true);
      expect(filesHolding(state, KEY)).toEqual([]);
      expect(existsSync(join(state, 'claude-config'))).toBe(true);
    });

    test('Bash runs the commands the plan allows (the project tests) and nothing else; writes outside the work tree, into .git or .claude are refused', async () => {
      const { repo, outside, state } = workTree();
      writeFileSync(join(repo, 'test.js'), "console.log('tests: 3 passed');\n");
      fake.enqueue(
        { content: [toolUse('Bash', { command: 'node test.js', description: 'run the tests' })] },
        {
          content: [
            toolUse('Bash', { command: `node -e "require('fs').writeFileSync('x','y')"`, description: 'x' }),
          ],
        },
        { content: [toolUse('Write', { file_path: join(outside, 'escape.txt'), content: 'out' })] },
        { content: [toolUse('Write', { file_path: '../escape2.txt', content: 'out' })] },
        { content: [toolUse('Write', { file_path: '.git/hooks/pre-commit', content: '#!/bin/sh\n' })] },
        { content: [toolUse('Write', { file_path: '.claude/settings.json', content: '{}' })] },
        { content: [text('done')] },
      );
      const lines: string[] = [];
      const r = await runner({ allowedTools: ['Bash(node test.js)'] }).run(turnIn(repo, state), {
        onOutput: (l) => lines.push(l),
      });
      expect(turnSucceeded(r)).toBe(true);
      const results = fake.requests.slice(1).map((q) => toolResults(q)[0]);
      expect(results[0]).toMatchObject({ is_error: false });
      expect(resultText(results[0])).toContain('tests: 3 passed');
      for (const refused of results.slice(1)) expect(refused.is_error).toBe(true);
      expect(existsSync(join(repo, 'x'))).toBe(false);
      expect(existsSync(join(outside, 'escape.txt'))).toBe(false);
      expect(existsSync(join(dirname(repo), 'escape2.txt'))).toBe(false);
      expect(existsSync(join(repo, '.git/hooks/pre-commit'))).toBe(false);
      expect(existsSync(join(repo, '.claude'))).toBe(false);
      expect(lines.join('')).toContain('[denied] Write: Path is outside allowed working directories');
    });

    test('a 429 and an overloaded 529 are retried by the CLI and the turn succeeds', async () => {
      const { repo, state } = workTree();
      fake.enqueue(
        { status: 429, error: { message: 'rate limited' } },
        { status: 529, error: { message: 'overloaded' } },
        { content: [text('fine now')] },
      );
      const lines: string[] = [];
      const r = await runner().run(turnIn(repo, state), { onOutput: (l) => lines.push(l) });
      expect(turnSucceeded(r)).toBe(true);
      expect(fake.requests).toHaveLength(3);
      expect(lines.join('')).toContain('[api] 429');
    });

    test('an API error that outlasts the retries, and a CLI that exits without a result, fail the turn saying why', async () => {
      const { repo, state } = workTree();
      fake.respondWith(() => ({ status: 529, error: { message: 'Overloaded' } }));
      const noRetries = new ClaudeCodeRunner(
        {
          command: bin,
          model: MODEL,
          timeoutSec: 90,
          extraArgs: [],
          envAllowlist: ['CLAUDE_CODE_MAX_RETRIES'],
        },
        {
          ...process.env,
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_BASE_URL: fake.url,
          CLAUDE_CODE_MAX_RETRIES: '0',
        },
      );
      const overloaded = await noRetries.run(turnIn(repo, state));
      expect(turnSucceeded(overloaded)).toBe(false);
      expect(overloaded.agentError).toMatch(
        /^claude reported an error: Anthropic API error 529: .*Overloaded/,
      );

      // The CLI refuses to start (this setting needs bubblewrap; where it is installed, there is nothing to show).
      const bwrap = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'bwrap')));
      if (bwrap) return;
      const requests = fake.requests.length;
      const cannotStart = await new ClaudeCodeRunner(
        { command: bin, timeoutSec: 90, extraArgs: [], envAllowlist: ['CLAUDE_CODE_SUBPROCESS_ENV_SCRUB'] },
        {
          ...process.env,
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_BASE_URL: fake.url,
          CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: '1',
        },
      ).run(turnIn(repo, state));
      expect(cannotStart.agentError).toMatch(/^claude exited \(\d+\) without a result$/);
      expect(cannotStart.output).toMatch(/\[stderr\] .*bubblewrap/);
      expect(fake.requests.length).toBe(requests);
    });

    test('a 401 ends the turn at once with the API error, the CLI is not left retrying', async () => {
      const { repo, state } = workTree();
      const planFile = join(repo, '.chunkwise', 'plan.json');
      fake.respondWith(() => ({ status: 401, error: { message: 'invalid x-api-key' } }));
      const started = Date.now();
      const r = await runner().run(turnIn(repo, state));
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(turnSucceeded(r)).toBe(false);
      expect(r.agentError).toContain('Anthropic API error 401 (authentication_failed)');
      expect(agentProcesses(planFile)).toEqual([]);
    });

    test('a turn hanging on the API is cancelled and a timed-out one stopped: no process is left', async () => {
      const { repo, state } = workTree();
      const planFile = join(repo, '.chunkwise', 'plan.json');
      fake.respondWith(() => ({ delayMs: 600_000, content: [text('never')] }));

      const abort = new AbortController();
      const running = runner().run(turnIn(repo, state), { signal: abort.signal });
      const deadline = Date.now() + 30_000;
      while (fake.requests.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(agentProcesses(planFile).length).toBeGreaterThan(0);
      abort.abort();
      const cancelled = await running;
      expect(turnSucceeded(cancelled)).toBe(false);
      expect(agentProcesses(planFile)).toEqual([]);

      const timedOut = await runner({ timeoutSec: 3 }).run(turnIn(repo, state));
      expect(timedOut.timedOut).toBe(true);
      expect(agentProcesses(planFile)).toEqual([]);
    });
  });

  withTemporalCli('test/claude-code-cli.e2e.ts', ({ path: binary }) => {
    describe('plan sessions whose agent is claude-code, on Temporal', () => {
      const h = new SessionHarness({ prefix: 'cw-claude-session-' });
      let fake: FakeAnthropic;
      const saved = {
        key: process.env.ANTHROPIC_API_KEY,
        url: process.env.ANTHROPIC_BASE_URL,
        path: process.env.PATH,
      };

      beforeAll(async () => {
        fake = await FakeAnthropic.start();
        // The in-process workers create the runner with this environment: the worker's.
        process.env.ANTHROPIC_API_KEY = KEY;
        process.env.ANTHROPIC_BASE_URL = fake.url;
        process.env.PATH = `${dirname(bin)}:${process.env.PATH}`;
        await h.start(binary);
      });
      afterAll(async () => {
        await h.stop();
        await fake.close();
        for (const [name, value] of [
          ['ANTHROPIC_API_KEY', saved.key],
          ['ANTHROPIC_BASE_URL', saved.url],
          ['PATH', saved.path],
        ] as const) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      });

      const agent = { type: 'claude-code', model: MODEL, timeoutSec: 90 };

      test('two tasks: files written by the CLI, QA passes, one commit per task, usage and session id on TurnCompleted, the key nowhere', async () => {
        fake.respondWith((req): FakeReply => {
          const task = /Your task: (\w+)/.exec(JSON.stringify(req.body.messages[0]))?.[1] ?? 'unknown';
          return answered(req)
            ? { content: [text(`${task} finished.`)] }
            : { content: [toolUse('Write', { file_path: `src/${task}.txt`, content: `${task} done\n` })] };
        });
        const repo = makeRepo(join(h.root, 'two'));
        const planId = await h.finalizedPlan({
          title: 'Claude Code agent',
          repository: repo,
          execution: { agent, qaGates: h.qaGates(), maxAttempts: 1 },
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
        expect(git(repo, 'show', `${branch}:src/T1.txt`)).toBe('T1 done');
        expect(git(repo, 'show', `${branch}:src/T2.txt`)).toBe('T2 done');
        expect(git(repo, 'show', '--name-only', '--format=', `${branch}~1`)).toBe('src/T1.txt');
        expect(fake.requests.every((q) => q.body.model === MODEL && q.headers['x-api-key'] === KEY)).toBe(
          true,
        );

        const events = await h.events(planId);
        const turns = events.filter((e) => e.type === 'TurnCompleted').map((e) => e.data as any);
        expect(turns).toHaveLength(2);
        for (const t of turns) {
          expect(t.succeeded).toBe(true);
          expect(t.usage.outputTokens).toBeGreaterThan(0);
          expect(t.usage.costUsd).toEqual(expect.any(Number));
          expect(t.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
        }
        expect(new Set(turns.map((t) => t.agentSessionId)).size).toBe(2);
        expect(events.filter((e) => e.type === 'QaGateResult').every((e) => (e.data as any).passed)).toBe(
          true,
        );
        // The event store, the turn logs, the agent's state and the work trees: no trace of the key.
        expect(JSON.stringify(events)).not.toContain(KEY);
        expect(filesHolding(h.root, KEY)).toEqual([]);
      });

      test('a 401 fails the task with the API error', async () => {
        fake.respondWith(() => ({ status: 401, error: { message: 'invalid x-api-key' } }));
        const repo = makeRepo(join(h.root, 'denied'));
        const planId = await h.finalizedPlan({
          title: 'Refused key',
          repository: repo,
          execution: { agent, maxAttempts: 1 },
          tasks: [{ id: 'T1', chunk: 'C01_a', title: 'first', description: 'write src/T1.txt' }],
        });
        await h.sessions.execute(planId, { from: 'beginning' });
        const p = await h.waitFor(planId, (x) => x.tasks[0].status === 'failed', 90_000);
        expect(p.tasks[0].lastError).toContain('Anthropic API error 401 (authentication_failed)');
        await h.sessions.signal(planId, 'cancel');
        await h.sessions.result(planId);
      });

      test('cancelling a session whose turn hangs on the API leaves no claude process', async () => {
        fake.respondWith(() => ({ delayMs: 600_000, content: [text('never')] }));
        const repo = makeRepo(join(h.root, 'hang'));
        const planId = await h.finalizedPlan({
          title: 'Hanging',
          repository: repo,
          execution: { agent, maxAttempts: 1 },
          tasks: [{ id: 'T1', chunk: 'C01_a', title: 'first', description: 'wait' }],
        });
        const before = fake.requests.length;
        await h.sessions.execute(planId, { from: 'beginning' });
        const running = await h.waitFor(planId, (x) => x.tasks[0].status === 'running');
        const deadline = Date.now() + 30_000;
        while (fake.requests.length === before && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        const planFile = join(
          worktreePathFor(join(h.root, 'data'), running.branch!),
          '.chunkwise',
          'plan.json',
        );
        expect(agentProcesses(planFile).length).toBeGreaterThan(0);
        await h.sessions.signal(planId, 'cancel');
        expect((await h.sessions.result(planId)).status).toBe('cancelled');
        const gone = Date.now() + 15_000;
        while (agentProcesses(planFile).length && Date.now() < gone)
          await new Promise((r) => setTimeout(r, 200));
        expect(agentProcesses(planFile)).toEqual([]);
      });
    });

    describe('chunkwise demo --agent claude-code against the stand-in', () => {
      let fake: FakeAnthropic;
      let work: string;
      beforeAll(async () => {
        ensureBuilt();
        work = mkdtempSync(join(tmpdir(), 'cw-claude-demo-'));
        fake = await FakeAnthropic.start();
      });
      afterAll(async () => {
        await fake.close();
        rmSync(work, { recursive: true, force: true });
      });

      test('the whole demo runs with the real claude: every task written by its tools, 7 commits, the key in no log or event', async () => {
        // The stand-in does what each task's directives say, with Write calls (the prose is what the CLI sends).
        fake.respondWith((req): FakeReply => {
          const id = /Your task: (\w+)/.exec(JSON.stringify(req.body.messages[0]))?.[1];
          const task = DEMO_TASKS.find((t) => t.id === id);
          if (!task || answered(req)) return { content: [text(`${id ?? 'the task'} is done.`)] };
          const writes = task.directives.flatMap((d) => {
            const m = /^write (\S+) (.*)$/s.exec(d);
            return m
              ? [toolUse('Write', { file_path: m[1], content: `${m[2].replace(/\\n/g, '\n')}\n` })]
              : [];
          });
          return { content: [text(`Working on ${id}.`), ...writes] };
        });
        const dataDir = join(work, 'data');
        // The demo finds the pinned claude itself; this PATH entry only matters when the npm bin link is a placeholder.
        const env = cleanEnv({
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_BASE_URL: fake.url,
          PATH: `${dirname(bin)}:${process.env.PATH}`,
        });
        const r = await cli(['demo', '--data-dir', dataDir, '--agent', 'claude-code'], env, 240_000);
        if (r.code !== 0) throw new Error(`demo exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        expect(r.stdout).toContain(`executed by Claude Code (the API at ${fake.url})`);
        expect(r.stdout).toContain('result       session completed: 7/7 tasks completed');
        const commits = /^ {2}commits +(\d+) commits on (chunkwise\/\S+)/m.exec(r.stdout);
        expect(Number(commits![1])).toBe(7);
        const repo = /^ {2}repository +(\S+)$/m.exec(r.stdout)![1];
        expect(git(repo, 'show', `${commits![2]}:src/shout.js`)).toContain('toUpperCase');
        expect(fake.requests.every((q) => q.headers['x-api-key'] === KEY)).toBe(true);
        // The event store, the worker's and the API's logs, the turn logs, the agent's state: no key.
        expect(r.stdout + r.stderr).not.toContain(KEY);
        for (const log of ['worker.log', 'api.log']) expect(existsSync(join(dataDir, log))).toBe(true);
        expect(filesHolding(dataDir, KEY)).toEqual([]);
      });
    });
  });
});
