import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { claudeCodeArgv, shellWord } from './claude-code-args';
import { ClaudeCodeRunner } from './claude-code-runner';
import { turnSucceeded } from './port';

/**
 * The runner against a small executable speaking the CLI's stream-json protocol (argv, stdin,
 * environment, parsing, the success rule, stopping). The real `claude` against a local Messages
 * API is in test/claude-code-cli.e2e.ts.
 */
async function fakeClaude(
  dir: string,
  lines: object[],
  opts: { exitCode?: number; stderr?: string; hang?: boolean } = {},
) {
  const file = path.join(dir, 'claude');
  await fs.writeFile(
    file,
    `#!${process.execPath}\nlet s='';process.stdin.on('data',d=>s+=d).on('end',()=>{` +
      `const a=process.argv.slice(2);const i=a.indexOf('--settings');` +
      `require('fs').writeFileSync('seen.json',JSON.stringify({argv:a,stdin:s,env:process.env,` +
      `helper:i<0?null:require('child_process').execSync(JSON.parse(a[i+1]).apiKeyHelper,{encoding:'utf8'})}));` +
      `for (const l of ${JSON.stringify(lines)}) console.log(JSON.stringify(l));` +
      (opts.stderr ? `process.stderr.write(${JSON.stringify(opts.stderr)});` : '') +
      (opts.hang ? `setInterval(()=>{},1000);` : `process.exitCode=${opts.exitCode ?? 0};`) +
      `});\n`,
  );
  await fs.chmod(file, 0o755);
  return file;
}

const init = { type: 'system', subtype: 'init', session_id: 's-9', model: 'm' };
const result = (extra: object) => ({
  type: 'result',
  session_id: 's-9',
  num_turns: 2,
  total_cost_usd: 0.5,
  usage: { input_tokens: 10, output_tokens: 5 },
  ...extra,
});

function turnIn(dir: string) {
  return {
    cwd: dir,
    prompt: 'do T1',
    taskId: 'T1',
    chunk: 'C1',
    attempt: 1,
    planFile: path.join(dir, 'p.json'),
    fullPlanFile: path.join(dir, 'f.json'),
    promptFile: path.join(dir, '.chunkwise/prompt.md'),
    timeoutSec: 30,
    stateDir: path.join(dir, 'state'),
  };
}

const KEY = 'sk-ant-unit-key';
const runner = (command: string, extra: object = {}) =>
  new ClaudeCodeRunner(
    { command, timeoutSec: 30, extraArgs: [], envAllowlist: [], ...extra },
    { PATH: process.env.PATH, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
  );

describe('claudeCodeArgv', () => {
  it('runs headless, edits only, no settings from the work tree, the rules and the model from the plan', () => {
    expect(
      claudeCodeArgv(
        { model: 'claude-x', allowedTools: ['Bash(npm test)', 'Read'], extraArgs: ['--max-turns', '9'] },
        { sessionId: 'u-1', apiKeyFile: "/d/it's/key" },
      ),
    ).toEqual([
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--setting-sources',
      'user',
      '--settings',
      JSON.stringify({ apiKeyHelper: `cat '/d/it'\\''s/key'` }),
      '--allowedTools',
      'Bash(npm test)',
      'Read',
      '--session-id',
      'u-1',
      '--model',
      'claude-x',
      '--max-turns',
      '9',
    ]);
  });

  it('leaves out what is not configured', () => {
    expect(claudeCodeArgv({ extraArgs: [] }, { sessionId: 'u', apiKeyFile: null })).toEqual([
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--setting-sources',
      'user',
      '--session-id',
      'u',
    ]);
    expect(shellWord('a b')).toBe(`'a b'`);
  });
});

describe('claude-code runner (real child process speaking stream-json)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-claude-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('reports a successful result with usage and session id; the key reaches the CLI only through its helper', async () => {
    const command = await fakeClaude(dir, [
      init,
      {
        type: 'assistant',
        message: { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'out.txt' } }] },
      },
      result({ subtype: 'success', is_error: false, result: 'done' }),
    ]);
    const lines: string[] = [];
    const r = await runner(command, { model: 'claude-x' }).run(turnIn(dir), {
      onOutput: (l) => lines.push(l),
    });
    expect(turnSucceeded(r)).toBe(true);
    const seen = JSON.parse(await fs.readFile(path.join(dir, 'seen.json'), 'utf8'));
    expect(seen.argv).toContain('claude-x');
    expect(seen.stdin).toBe('do T1');
    expect(seen.helper).toBe(KEY);
    expect(seen.env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(seen.env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9');
    expect(seen.env.CLAUDE_CONFIG_DIR).toBe(path.join(dir, 'state', 'claude-config'));
    expect(seen.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('1');
    // The key file lives only while the turn runs.
    await expect(fs.stat(path.join(dir, 'state', 'api-key'))).rejects.toThrow();
    expect(lines.join('')).toContain('[tool] Write out.txt');
    expect(r.agentSessionId).toBe('s-9');
    expect(r.usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
      costUsd: 0.5,
      // from the stream's init line
      model: 'm',
    });
  });

  it('fails the turn on an error result, naming the API status, whatever the exit code', async () => {
    for (const exitCode of [0, 1]) {
      const command = await fakeClaude(
        dir,
        [
          init,
          result({
            subtype: 'success',
            is_error: true,
            api_error_status: 429,
            result: 'API Error: Request rejected (429)',
          }),
        ],
        { exitCode },
      );
      const r = await runner(command).run(turnIn(dir));
      expect(turnSucceeded(r)).toBe(false);
      expect(r.agentError).toBe(
        'claude reported an error: Anthropic API error 429: API Error: Request rejected (429)',
      );
    }
  });

  it('fails a turn that ends without a result, keeping stderr in the output', async () => {
    const command = await fakeClaude(dir, [init], {
      stderr: 'Claude Code could not start: no bubblewrap\n',
      exitCode: 1,
    });
    const r = await runner(command).run(turnIn(dir));
    expect(r.agentError).toBe('claude exited (1) without a result');
    expect(r.output).toContain('[stderr] Claude Code could not start: no bubblewrap');
  });

  it('stops the CLI at once when the API refuses the key, instead of letting it retry', async () => {
    const command = await fakeClaude(
      dir,
      [
        init,
        {
          type: 'system',
          subtype: 'api_retry',
          attempt: 1,
          max_retries: 10,
          retry_delay_ms: 500,
          error_status: 401,
          error: 'authentication_failed',
        },
      ],
      { hang: true },
    );
    const started = Date.now();
    const r = await runner(command).run(turnIn(dir));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.agentError).toBe(
      'Anthropic API error 401 (authentication_failed): the API refused the credentials; the turn was stopped instead of retrying',
    );
    expect(r.output).toContain('[api] 401 authentication_failed: retry 1 of 10 in 500 ms');
  });
});
