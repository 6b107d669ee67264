/**
 * Running turns of this host, one small file each under `<data dir>/running-turns/`: the worker
 * process that runs the turn (pid) and the activity's task token. A worker killed with SIGKILL
 * leaves its files behind; a worker started later on the same host finds the ones whose process is
 * gone (its orphaned turns) and fails them at once, so the turn is retried without waiting for the
 * heartbeat timeout.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface RunningTurn {
  /** The worker process that runs the turn. */
  pid: number;
  /** The activity's task token, base64. */
  taskToken: string;
  turnId: string;
  attempt: number;
  startedAt: number;
}

export const runningTurnsDir = (dataDir: string) => path.join(dataDir, 'running-turns');

const fileOf = (dataDir: string, turnId: string, attempt: number) =>
  path.join(runningTurnsDir(dataDir), `${turnId.replace(/[^A-Za-z0-9._-]/g, '_')}.${attempt}.json`);

/** Notes a turn as running in this process; the returned function removes the note. */
export async function noteRunningTurn(
  dataDir: string,
  turn: Omit<RunningTurn, 'pid' | 'startedAt'>,
): Promise<() => Promise<void>> {
  const file = fileOf(dataDir, turn.turnId, turn.attempt);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const note: RunningTurn = { ...turn, pid: process.pid, startedAt: Date.now() };
  await fs.writeFile(`${file}.tmp`, JSON.stringify(note));
  await fs.rename(`${file}.tmp`, file);
  return () => fs.rm(file, { force: true });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user has that pid now; not ours, but not provably gone either.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the notes of turns whose worker process is gone (each note is removed as it is taken).
 * A pid reused by a live process keeps its note: that turn then waits for the heartbeat timeout.
 */
export async function takeOrphanedTurns(dataDir: string, isAlive = alive): Promise<RunningTurn[]> {
  const dir = runningTurnsDir(dataDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: RunningTurn[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    let note: RunningTurn;
    try {
      note = JSON.parse(await fs.readFile(file, 'utf8')) as RunningTurn;
    } catch {
      continue; // gone meanwhile (the turn ended)
    }
    if (typeof note.pid !== 'number' || note.pid === process.pid || isAlive(note.pid)) continue;
    await fs.rm(file, { force: true });
    out.push(note);
  }
  return out;
}
