/**
 * `chunkwise chat` driven end to end in a real terminal (tmux, its own server socket): the built
 * CLI talks to the real API (on the chat test stack) over SSE; one message makes the model launch
 * a run, the user approves it at the terminal prompt, the run is planned and executed by the test
 * agent on Temporal, and its result comes back to the model, whose answer is printed.
 */
import 'reflect-metadata';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { call, ChatStack, planReply, say } from './support/chat-stack';
import { ensureBuilt, MAIN } from './support/cli-process';
import { git } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(300_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

withTemporalCli('test/cli-chat.e2e.ts', ({ path: binary }) => {
  describe('chunkwise chat in a terminal', () => {
    const stack = new ChatStack();
    const socket = `cw-chat-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'chat');
    const waitFor = async (text: string | RegExp, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const shown = screen();
        if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
        if (Date.now() > deadline)
          throw new Error(`terminal: timed out waiting for ${text}; screen:\n${shown}`);
        await sleep(200);
      }
    };
    const type = (line: string) => {
      tmux('send-keys', '-t', 'chat', '-l', line);
      tmux('send-keys', '-t', 'chat', 'Enter');
    };

    beforeAll(async () => {
      ensureBuilt();
      await stack.start(binary);
    });
    afterAll(async () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      await stack.stop();
    });

    test('one launch-and-result round: ask, approve at the prompt, see progress, the result and the answer', async () => {
      stack.fake.scriptByPurpose({
        chat: [
          call(
            'launch_run',
            { task: 'Write the greeting', agent_mode: 'single', agents: ['test'] },
            'toolu_term',
          ),
          say('All done: hello.txt is committed.'),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'write hello.txt hello from the terminal' }])],
      });
      tmux(
        'new-session',
        '-d',
        '-s',
        'chat',
        '-x',
        '160',
        '-y',
        '50',
        process.execPath,
        MAIN,
        'chat',
        '--api',
        stack.baseUrl,
        '--project',
        stack.project,
        '--repo',
        stack.repo,
      );
      // The screen stays after an early exit, so a failure shows what the chat printed.
      tmux('set-option', '-t', 'chat', 'remain-on-exit', 'on');
      await waitFor('you> ');
      type('Please write the greeting');
      await waitFor('approve, edit or cancel? [a/e/c]');
      expect(screen()).toContain('"task": "Write the greeting"');
      type('a');
      const shown = await waitFor('claude> All done: hello.txt is committed.');
      expect(shown).toMatch(/▶ run run_\w+ launched \(plan p_\w+\)/);
      expect(shown).toMatch(/■ run run_\w+ completed: .*1 completed/);
      expect(shown).toMatch(/\[cost: conversation \$\d+\.\d{4}, runs \$\d+\.\d{4}\]/);

      // The result reached the model as the tool result of its call.
      const followUp = stack.fake.requests.filter((r) =>
        r.body.tools?.some((t: { name: string }) => t.name === 'launch_run'),
      )[1];
      const result = followUp.body.messages.at(-1).content[0];
      expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_term' });
      expect(JSON.parse(result.content)).toMatchObject({ status: 'completed' });
      const commit = JSON.parse(result.content).commits[0];
      expect(git(stack.repo, 'show', `${commit}:hello.txt`)).toBe('hello from the terminal');

      type('/runs');
      await waitFor(/run_\w+ {2}completed {2}plan p_\w+/);
      type('/quit');
      const end = await waitFor('saved; resume it with: chunkwise chat --session c_');
      const id = /chunkwise chat --session (c_[a-z0-9]{12})/.exec(end)![1];
      const runs = fs.readdirSync(join(stack.project, 'runs'));
      expect(runs).toHaveLength(1);
      // Asynchronously: the API answers from this process.
      const { stdout: listed } = await promisify(execFile)(
        process.execPath,
        [MAIN, 'chat', '--list', '--api', stack.baseUrl],
        { encoding: 'utf8' },
      );
      expect(listed).toContain(id);
      expect(listed).toContain('All done: hello.txt is committed.');
    });
  });
});
