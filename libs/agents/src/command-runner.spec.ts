import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandAgentRunner, commandAgentSchema } from './command-runner';
import { turnSucceeded, type TurnRequest } from './port';

const node = process.execPath;

async function turn(overrides: Partial<TurnRequest> = {}): Promise<TurnRequest> {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-agent-'));
  return {
    cwd,
    prompt: 'Do T1; $(touch pwned) `touch pwned2`',
    taskId: 'T1',
    chunk: 'C01',
    attempt: 2,
    planFile: path.join(cwd, '.chunkwise/plan.json'),
    fullPlanFile: path.join(cwd, '.chunkwise/full_plan.json'),
    promptFile: path.join(cwd, '.chunkwise/prompt.md'),
    timeoutSec: 30,
    ...overrides,
  };
}

describe('command agent runner (real child processes)', () => {
  it('passes the prompt on stdin, sets the CHUNKWISE_* variables, runs in the work tree and withholds secrets', async () => {
    process.env.SECRET_TOKEN_FOR_TEST = 'hunter2';
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log(JSON.stringify({s,cwd:process.cwd(),env:process.env}))})`;
    const t = await turn();
    const runner = new CommandAgentRunner(
      commandAgentSchema.parse({ type: 'command', argv: [node, '-e', script] }),
    );
    const chunks: string[] = [];
    const r = await runner.run(t, { onOutput: (c) => chunks.push(c) });
    expect(turnSucceeded(r)).toBe(true);
    const seen = JSON.parse(r.output);
    expect(seen.s).toBe(t.prompt);
    expect(await fs.realpath(seen.cwd)).toBe(await fs.realpath(t.cwd));
    expect(seen.env).toMatchObject({
      CHUNKWISE_TASK_ID: 'T1',
      CHUNKWISE_CHUNK: 'C01',
      CHUNKWISE_ATTEMPT: '2',
      CHUNKWISE_PLAN_FILE: t.planFile,
      CHUNKWISE_PROMPT_FILE: t.promptFile,
    });
    expect(seen.env.SECRET_TOKEN_FOR_TEST).toBeUndefined();
    expect(chunks.join('')).toBe(r.output);
    // The prompt was never interpreted by a shell.
    await expect(fs.access(path.join(t.cwd, 'pwned'))).rejects.toThrow();
    expect(await fs.readFile(t.promptFile, 'utf8')).toBe(t.prompt);
  });

  it('passes the prompt in a file when promptVia is file', async () => {
    const t = await turn();
    const runner = new CommandAgentRunner(
      commandAgentSchema.parse({
        type: 'command',
        argv: [
          node,
          '-e',
          'process.stdout.write(require("fs").readFileSync(process.env.CHUNKWISE_PROMPT_FILE,"utf8"))',
        ],
        promptVia: 'file',
      }),
    );
    const r = await runner.run(t);
    expect(r.output).toBe(t.prompt);
  });

  it('reports a non-zero exit, a missing program, and kills a hung agent at the timeout', async () => {
    const t = await turn({ timeoutSec: 1 });
    const fail = await new CommandAgentRunner(
      commandAgentSchema.parse({
        type: 'command',
        argv: [node, '-e', 'console.error("boom");process.exit(3)'],
      }),
    ).run(t);
    expect(fail).toMatchObject({ exitCode: 3, timedOut: false });
    expect(fail.output).toContain('boom');
    expect(turnSucceeded(fail)).toBe(false);

    const missing = await new CommandAgentRunner(
      commandAgentSchema.parse({ type: 'command', argv: ['/nonexistent/agent'] }),
    ).run(t);
    expect(missing.startError).toMatch(/ENOENT/);
    expect(turnSucceeded(missing)).toBe(false);

    // The agent starts a grandchild that would outlive it; the whole process group is killed.
    const hang = `require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'inherit'});setInterval(()=>{},1000)`;
    const hung = await new CommandAgentRunner(
      commandAgentSchema.parse({ type: 'command', argv: [node, '-e', hang] }),
    ).run(t);
    expect(hung.timedOut).toBe(true);
    expect(turnSucceeded(hung)).toBe(false);
  });

  it('cancels a running turn when aborted', async () => {
    const t = await turn();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await new CommandAgentRunner(
      commandAgentSchema.parse({ type: 'command', argv: [node, '-e', 'setInterval(()=>{},1000)'] }),
    ).run(t, { signal: ac.signal });
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGTERM');
  });
});
