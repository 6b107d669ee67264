import type { Response } from 'express';
import type { WriteOutcome } from './write-plan.command';

/** Sets the headers of a write response: the new revision as ETag, and a hint when read models lag. */
export function writeHeaders(res: Response, outcome: WriteOutcome): { id: string; revision: number } {
  res.setHeader('ETag', `"${outcome.revision}"`);
  if (!outcome.projected) res.setHeader('X-Chunkwise-Projection', 'lagging');
  return { id: outcome.id, revision: outcome.revision };
}
