/**
 * Temporal activities: thin and idempotent; real work lives in libs. The worker registers
 * `createActivities(deps)`: the connectivity `ping` plus the plan session activities.
 */
import { hostname } from 'node:os';
import { log } from '@temporalio/activity';
import type { PingResult } from '../workflows/messages';
import { createSessionActivities, type SessionActivityDeps } from './session-activities';

export * from './session-activities';

/** Answers a ping: proves that an activity worker is polling the task queue. */
export async function ping(name: string): Promise<PingResult> {
  log.debug('ping', { name });
  return { message: `pong: ${name}`, answeredBy: `${hostname()}:${process.pid}` };
}

export function createActivities(deps: SessionActivityDeps) {
  return { ping, ...createSessionActivities(deps) };
}
