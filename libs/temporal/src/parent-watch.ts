/**
 * Children of `chunkwise up` must not outlive it, even when it is killed with SIGKILL and has no
 * chance to stop them.
 *
 * - A Node child started with an IPC channel (`stdio: [..., 'ipc']`) calls `exitWithParent()`: the
 *   channel closes when the parent dies, and (as a fallback) its parent pid changes.
 * - A binary that cannot watch its parent (the Temporal dev server, a Go program) runs under a tiny
 *   Node guardian (GUARDIAN_SOURCE, run with `node -e`) that owns it, forwards stop signals to it and
 *   stops it when the parent disappears.
 */

/** How often a child checks that its parent is still its parent (the IPC channel is the main signal). */
const PARENT_POLL_MS = 1_000;

/**
 * When this process was started with an IPC channel, or with CHUNKWISE_PARENT_PID set: calls
 * `onGone` once the parent process is gone, then exits after `graceMs` whatever `onGone` does.
 * Returns false (and does nothing) when there is no parent to watch (run by hand, in a container).
 */
export function exitWithParent(
  onGone: (why: string) => Promise<unknown> | void,
  graceMs = 5_000,
  exit: (code: number) => void = (code) => process.exit(code),
): boolean {
  const expected = Number(process.env.CHUNKWISE_PARENT_PID) || undefined;
  const hasChannel = typeof process.send === 'function';
  if (!hasChannel && expected === undefined) return false;
  let gone = false;
  const leave = (why: string) => {
    if (gone) return;
    gone = true;
    clearInterval(timer);
    setTimeout(() => exit(1), graceMs).unref();
    void Promise.resolve()
      .then(() => onGone(why))
      .catch(() => undefined)
      .finally(() => exit(1));
  };
  const parent = expected ?? process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) leave(`parent process ${parent} is gone`);
  }, PARENT_POLL_MS);
  timer.unref();
  if (hasChannel) {
    process.once('disconnect', () => leave(`parent process ${parent} is gone (IPC channel closed)`));
    // The channel must not keep this process alive once its own work is done.
    process.channel?.unref();
  }
  return true;
}

/**
 * The guardian, run as `node -e GUARDIAN_SOURCE -- <binary> <args…>` with stdio
 * `['ignore', out, err, 'ipc']`. It starts the binary with the same output, sends `{ pid }` once it
 * runs and `{ exit: { code, signal } }` when it ends (then exits with it), forwards SIGTERM/SIGINT/
 * SIGHUP to it, and when the IPC channel closes (the parent died) stops it: SIGTERM, then SIGKILL
 * after 10 s. Plain JavaScript so that it runs from the sources as well as from the build.
 */
export const GUARDIAN_SOURCE = `
'use strict';
const { spawn } = require('node:child_process');
const [bin, ...args] = process.argv.slice(1);
const child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const send = (m) => { try { if (process.connected) process.send(m); } catch {} };
const kill = (sig) => { try { child.kill(sig); } catch {} };
let done = false;
child.once('spawn', () => send({ pid: child.pid }));
child.once('error', (e) => { done = true; send({ error: e.message }); setTimeout(() => process.exit(127), 100); });
child.once('exit', (code, signal) => {
  done = true;
  send({ exit: { code, signal } });
  setTimeout(() => process.exit(code === null ? 1 : code), 100);
});
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => kill('SIGTERM'));
const parent = process.ppid;
const orphaned = () => {
  if (done) return;
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), 10000).unref();
};
process.on('disconnect', orphaned);
setInterval(() => { if (process.ppid !== parent) orphaned(); }, 1000).unref();
`;
