import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, type PlanStatus } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';

export const PLAN_STATUSES: readonly PlanStatus[] = [
  'draft',
  'ready',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
];

export const isPlanStatus = (s: string): s is PlanStatus => (PLAN_STATUSES as readonly string[]).includes(s);

export interface PlanListFilter {
  status?: PlanStatus;
  repository?: string;
}

/** GET /api/plans with the status and repository filters of the API (most recently updated first). */
export const plansQuery = (filter: PlanListFilter) =>
  queryOptions({
    queryKey: planKeys.list({ status: filter.status, repository: filter.repository }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/plans', {
          params: { query: { status: filter.status, repository: filter.repository } },
          signal,
        }),
      ).plans,
    // A changed filter keeps the previous cards on screen until the new list arrives.
    placeholderData: keepPreviousData,
  });
