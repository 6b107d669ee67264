import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** The full output of one agent turn, streamed to a file as it comes (the API serves it live). */
export interface TurnLog {
  write(chunk: string): void;
  /** Bytes received so far (reported in heartbeats). */
  readonly bytes: number;
  close(): Promise<void>;
}

/** Opens (truncating) the turn's log file, creating its directory. */
export async function openTurnLog(file: string): Promise<TurnLog> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'w');
  let bytes = 0;
  let pending: Promise<unknown> = Promise.resolve();
  return {
    write(chunk: string) {
      bytes += chunk.length;
      // Writes are chained so the file keeps the output's order.
      pending = pending.then(() => handle.write(chunk)).catch(() => undefined);
    },
    get bytes() {
      return bytes;
    },
    async close() {
      await pending;
      await handle.close();
    },
  };
}
