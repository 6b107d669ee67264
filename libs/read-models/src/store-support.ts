/** Small pieces shared by the read-model stores. */
import { planStatusSchema } from '@chunkwise/domain';
import type { PlanListFilter } from './types';

/**
 * Version of the projection's output. A store that finds read models built by another version drops them
 * (and its checkpoint), so the projector rebuilds them from zero. Bump it whenever the projection changes
 * what it stores.
 */
export const PROJECTION_VERSION = 3;

/** Any call on a closed read-model store. */
export class ReadModelStoreClosedError extends Error {
  constructor(message = 'read-model store is closed') {
    super(message);
    this.name = 'ReadModelStoreClosedError';
  }
}

/** Checks a list filter; limit and offset must be non-negative integers (no limit when omitted). */
export function validateListFilter(filter: PlanListFilter): PlanListFilter {
  const { status, repository, limit, offset } = filter;
  if (status !== undefined && !planStatusSchema.safeParse(status).success) {
    throw new TypeError(`listPlans: unknown status ${JSON.stringify(status)}`);
  }
  if (repository !== undefined && typeof repository !== 'string')
    throw new TypeError('listPlans: repository must be a string');
  for (const [name, value] of [
    ['limit', limit],
    ['offset', offset],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new TypeError(`listPlans: ${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  return { ...filter, includeArchived: filter.includeArchived === true };
}
