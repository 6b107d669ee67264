import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runQaGate } from './qa-gates';

const node = (name: string, script: string, timeoutSec = 30) => ({
  name,
  argv: [process.execPath, '-e', script],
  timeoutSec,
});

describe('QA gates (real processes)', () => {
  let wt: string;
  beforeEach(async () => {
    wt = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-qa-'));
  });
  afterEach(() => fs.rm(wt, { recursive: true, force: true }));

  it('passes on exit 0, in the work tree, with CI=true and without the worker environment', async () => {
    const r = await runQaGate(
      node('env', 'console.log(process.cwd(), process.env.CI, process.env.SECRET ?? "none")'),
      wt,
      { env: { ...process.env, SECRET: 'hunter2' } },
    );
    expect(r).toMatchObject({ gate: 'env', passed: true, exitCode: 0, timedOut: false });
    expect(r.outputTail.trim()).toBe(`${await fs.realpath(wt)} true none`);
  });

  it('fails on a non-zero exit and keeps the output', async () => {
    const r = await runQaGate(node('lint', 'console.error("2 problems"); process.exit(3)'), wt);
    expect(r).toMatchObject({ gate: 'lint', passed: false, exitCode: 3, timedOut: false });
    expect(r.outputTail).toContain('2 problems');
  });

  it('fails a gate that times out', async () => {
    const r = await runQaGate(node('slow', 'setTimeout(() => {}, 60000)', 0.3), wt);
    expect(r.passed).toBe(false);
    expect(r.timedOut).toBe(true);
  });

  it('fails a gate that cannot start, saying so', async () => {
    const r = await runQaGate({ name: 'missing', argv: [path.join(wt, 'no-such-tool')], timeoutSec: 5 }, wt);
    expect(r.passed).toBe(false);
    expect(r.outputTail).toMatch(/^could not start: .*ENOENT/);
  });
});
