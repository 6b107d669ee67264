import * as fs from 'node:fs/promises';

/**
 * Kills every process started for a turn whose plan file is `planFile` (recognised by
 * `CHUNKWISE_PLAN_FILE` in its environment). An agent runs in its own process group, so it
 * outlives a worker killed with SIGKILL and could go on writing into the work tree while the
 * retried turn runs. Linux only (/proc); elsewhere a no-op. Returns how many it killed.
 */
export async function killLeftoverAgents(planFile: string, procDir = '/proc'): Promise<number> {
  const marker = `CHUNKWISE_PLAN_FILE=${planFile}`;
  const entries = await fs.readdir(procDir).catch(() => [] as string[]);
  let killed = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    // Unreadable (another user's process, or gone): not ours.
    const environ = await fs.readFile(`${procDir}/${entry}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(marker)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
