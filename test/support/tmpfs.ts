import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCi } from './ci';

export interface Tmpfs {
  path: string;
  /** Writes `<path>/filler` until the file system answers ENOSPC; returns the filler's path. */
  fill(): string;
  /** Deletes the filler (space is back at once). */
  free(): void;
  /** Unmounts and removes the mount point. */
  remove(): void;
}

/**
 * Mounts a small tmpfs (root only: `mount -t tmpfs -o size=<size> tmpfs <dir>`). Returns the mount,
 * or the reason it cannot be mounted.
 */
export function mountTmpfs(size: string, prefix = 'cw-tmpfs-'): Tmpfs | string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (e) {
    rmSync(path, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a tmpfs (needs root): ${stderr || (e instanceof Error ? e.message : String(e))}`;
  }
  const filler = join(path, 'filler');
  return {
    path,
    fill() {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      } finally {
        closeSync(fd);
      }
      // The last partial chunks: fill every remaining block.
      const fd2 = openSync(filler, 'a');
      const small = Buffer.alloc(512, 1);
      try {
        for (;;) writeSync(fd2, small);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      } finally {
        closeSync(fd2);
      }
      return filler;
    },
    free() {
      unlinkSync(filler);
    },
    remove() {
      try {
        execFileSync('umount', [path], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      }
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `define` with a mounted tmpfs of `size`; when none can be mounted the suite fails under CI=true
 * and otherwise registers one skipped test saying why.
 */
export function withTmpfs(suite: string, size: string, define: (mount: () => Tmpfs) => void): void {
  const probe = mountTmpfs('64k', 'cw-tmpfs-probe-');
  if (typeof probe !== 'string') {
    probe.remove();
    define(() => {
      const mounted = mountTmpfs(size);
      if (typeof mounted === 'string') throw new Error(mounted);
      return mounted;
    });
    return;
  }
  if (inCi) {
    test('a tmpfs can be mounted (the full-disk tests need root)', () => {
      throw new Error(`CI=true and ${probe}`);
    });
  } else {
    console.warn(`SKIPPING ${suite}: ${probe}`);
    test.skip(`${suite} (${probe})`, () => undefined);
  }
}
