import { hostname } from 'node:os';
import { log } from '@temporalio/activity';
import type { PingResult } from '@chunkwise/contracts';

/** Answers a ping: proves that an activity worker is polling the task queue. */
export async function ping(name: string): Promise<PingResult> {
  log.debug('ping', { name });
  return { message: `pong: ${name}`, answeredBy: `${hostname()}:${process.pid}` };
}
