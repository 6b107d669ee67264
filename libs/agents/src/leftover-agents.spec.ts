import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { killLeftoverAgents } from './leftover-agents';

// Leftover agents are found through /proc, which only Linux has: elsewhere the suite says why it skips.
const onLinux: (name: string, fn: () => void) => void =
  process.platform === 'linux'
    ? describe
    : (name, fn) => {
        console.warn(`SKIPPING ${name}: /proc exists only on Linux (platform ${process.platform})`);
        describe.skip(`${name} — skipped: /proc exists only on Linux`, fn);
      };

/** A real process, detached like an agent, that would run for a minute; resolves once it runs. */
async function agentProcess(planFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 60000)'], {
    env: { PATH: process.env.PATH ?? '', CHUNKWISE_PLAN_FILE: planFile },
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}
const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode ?? child.exitCode);
    else child.once('exit', (code, signal) => resolve(signal ?? code));
  });
const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const children: ChildProcess[] = [];

onLinux('leftover agent processes (/proc)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-leftover-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.pid && isRunning(c.pid)) process.kill(c.pid, 'SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("kills the processes of this work tree's turn and leaves other turns' processes alone", async () => {
    const mine = path.join(dir, 'wt-a', '.chunkwise', 'plan.json');
    const other = path.join(dir, 'wt-b', '.chunkwise', 'plan.json');
    const a1 = await agentProcess(mine);
    const a2 = await agentProcess(mine);
    const b = await agentProcess(other);

    expect(await killLeftoverAgents(mine)).toBe(2);
    expect(await exited(a1)).toBe('SIGKILL');
    expect(await exited(a2)).toBe('SIGKILL');
    expect(isRunning(b.pid!)).toBe(true);
    expect(await killLeftoverAgents(mine)).toBe(0);
  });

  it('kills nothing when no process carries the plan file', async () => {
    expect(await killLeftoverAgents(path.join(dir, 'nobody', 'plan.json'))).toBe(0);
  });
});
