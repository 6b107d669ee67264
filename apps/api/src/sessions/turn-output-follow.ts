import { watch, type FSWatcher } from 'node:fs';
import * as fs from 'node:fs/promises';

/** Bytes read from the file per step (the answer streams them as they come). */
const READ_CHUNK = 64 * 1024;
/**
 * A safety net under the file watcher: inotify may miss writes on some file systems (network
 * mounts, overlay), and it cannot watch a file that does not exist yet. One stat per interval.
 */
export const FOLLOW_CHECK_MS = 1000;

export interface FollowOptions {
  /** Resolves when the turn has ended: the file is read to its end once more, then the follow ends. */
  ended: Promise<unknown>;
  /** Aborts the follow (the client went away, the server shuts down). */
  signal: AbortSignal;
  /** Receives each new piece of the file, in order; awaited (back-pressure). */
  write: (chunk: Buffer) => Promise<void> | void;
  checkMs?: number;
}

/**
 * Follows a file that another process appends to (an agent turn's output, see libs/agents
 * turn-log.ts): sends what is there, then each new piece as it is written — woken by the file
 * watcher — until `ended` resolves (then the rest is sent) or `signal` aborts. A file that does not
 * exist yet is waited for. Returns the number of bytes sent.
 */
export async function followFile(file: string, options: FollowOptions): Promise<number> {
  const { signal, write } = options;
  const checkMs = options.checkMs ?? FOLLOW_CHECK_MS;
  let offset = 0;
  let finished = false;
  let wake: (() => void) | null = null;
  /** Something happened while no one waited (a write during a drain): do not sleep on it. */
  let dirty: boolean;
  const poke = () => {
    const w = wake;
    wake = null;
    if (w) w();
    else dirty = true;
  };
  void options.ended.then(
    () => {
      finished = true;
      poke();
    },
    () => {
      finished = true;
      poke();
    },
  );
  const onAbort = () => poke();
  signal.addEventListener('abort', onAbort);
  let watcher: FSWatcher | null = null;
  const startWatching = () => {
    if (watcher) return;
    try {
      watcher = watch(file, { persistent: false }, () => poke());
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // not there yet: the interval check covers it
    }
  };

  /** Sends everything from `offset` to the current end of the file. */
  const drain = async () => {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      startWatching();
      const buffer = Buffer.alloc(READ_CHUNK);
      for (;;) {
        if (signal.aborted) return;
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        await write(Buffer.from(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  };

  try {
    for (;;) {
      if (signal.aborted) break;
      // Read `finished` before draining: a turn that ended during the drain gets one more.
      const last = finished;
      dirty = false;
      await drain();
      if (last || signal.aborted) break;
      if (dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => poke(), checkMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (finished || signal.aborted) poke();
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    (watcher as FSWatcher | null)?.close();
  }
  return offset;
}
