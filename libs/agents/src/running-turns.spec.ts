import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noteRunningTurn, runningTurnsDir, takeOrphanedTurns } from './running-turns';

describe('running turns of this host', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'cw-running-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('notes a running turn and removes the note when it ends', async () => {
    const unnote = await noteRunningTurn(dataDir, { turnId: 's1-1', attempt: 1, taskToken: 'dG9r' });
    expect(readdirSync(runningTurnsDir(dataDir))).toEqual(['s1-1.1.json']);
    // This process is alive: not an orphan.
    expect(await takeOrphanedTurns(dataDir)).toEqual([]);
    await unnote();
    expect(readdirSync(runningTurnsDir(dataDir))).toEqual([]);
  });

  it('takes (once) the turns whose worker process is gone; a live pid keeps its note', async () => {
    const dir = runningTurnsDir(dataDir);
    await noteRunningTurn(dataDir, { turnId: 'x', attempt: 1, taskToken: 'a' });
    const note = (pid: number, turnId: string) =>
      writeFileSync(
        join(dir, `${turnId}.1.json`),
        JSON.stringify({ pid, taskToken: 'dG9r', turnId, attempt: 1, startedAt: 0 }),
      );
    note(999_999_001, 'dead');
    note(999_999_002, 'alive');
    writeFileSync(join(dir, 'broken.1.json'), '{');
    const taken = await takeOrphanedTurns(dataDir, (pid) => pid === 999_999_002);
    expect(taken.map((t) => t.turnId)).toEqual(['dead']);
    expect(existsSync(join(dir, 'dead.1.json'))).toBe(false);
    expect(existsSync(join(dir, 'alive.1.json'))).toBe(true);
    expect(await takeOrphanedTurns(dataDir, (pid) => pid === 999_999_002)).toEqual([]);
  });

  it('finds nothing when no turn ever ran', async () => {
    expect(await takeOrphanedTurns(dataDir)).toEqual([]);
  });
});
