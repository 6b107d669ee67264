import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClaudeCodeRunner } from './claude-code-runner';
import { turnSucceeded } from './port';

/**
 * The `claude` CLI cannot reach its API here, so these tests run the real runner against a small
 * executable that speaks the CLI's stream-json protocol on stdout (a stand-in at the network
 * boundary, not a stub of our code): it proves argv, stdin, parsing and the success rule.
 */
async function fakeClaude(dir: string, result: object, exitCode = 0): Promise<string> {
  const file = path.join(dir, 'claude');
  const lines = [
    { type: 'system', subtype: 'init', session_id: 's-9', model: 'm' },
    {
      type: 'assistant',
      message: { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'out.txt' } }] },
    },
    {
      type: 'result',
      session_id: 's-9',
      num_turns: 2,
      total_cost_usd: 0.5,
      usage: { input_tokens: 10, output_tokens: 5 },
      ...result,
    },
  ];
  await fs.writeFile(
    file,
    `#!${process.execPath}\nlet s='';process.stdin.on('data',d=>s+=d).on('end',()=>{require('fs').writeFileSync('seen.json',JSON.stringify({argv:process.argv.slice(2),stdin:s}));` +
      `for (const l of ${JSON.stringify(lines)}) console.log(JSON.stringify(l));process.exit(${exitCode});});\n`,
  );
  await fs.chmod(file, 0o755);
  return file;
}

async function turnIn(dir: string) {
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
  };
}

describe('claude-code runner (real child process speaking stream-json)', () => {
  it('runs headless with the prompt on stdin and reports a successful result with usage', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-claude-'));
    const command = await fakeClaude(dir, { subtype: 'success', is_error: false, result: 'done' });
    const lines: string[] = [];
    const r = await new ClaudeCodeRunner({
      command,
      model: 'claude-x',
      timeoutSec: 30,
      extraArgs: [],
      envAllowlist: [],
    }).run(await turnIn(dir), { onOutput: (l) => lines.push(l) });
    expect(turnSucceeded(r)).toBe(true);
    const seen = JSON.parse(await fs.readFile(path.join(dir, 'seen.json'), 'utf8'));
    expect(seen.argv).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--model',
      'claude-x',
    ]);
    expect(seen.stdin).toBe('do T1');
    expect(lines.join('')).toContain('[tool] Write out.txt');
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

  it('fails the turn on an error result even when the CLI exits 0', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-claude-'));
    const command = await fakeClaude(dir, {
      subtype: 'error_max_turns',
      is_error: true,
      result: 'ran out of turns',
    });
    const r = await new ClaudeCodeRunner({ command, timeoutSec: 30, extraArgs: [], envAllowlist: [] }).run(
      await turnIn(dir),
    );
    expect(r.exitCode).toBe(0);
    expect(turnSucceeded(r)).toBe(false);
    expect(r.agentError).toContain('ran out of turns');
  });
});
