import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './errors';

/** Query keys: everything about one plan lives under ['plan', id], so one invalidation refreshes it all. */
export const planKeys = {
  lists: () => ['plans'] as const,
  list: (filter: Record<string, string | undefined>) => ['plans', filter] as const,
  plan: (id: string) => ['plan', id] as const,
  detail: (id: string) => ['plan', id, 'detail'] as const,
  progress: (id: string) => ['plan', id, 'progress'] as const,
  history: (id: string) => ['plan', id, 'history'] as const,
  usage: (id: string) => ['plan', id, 'usage'] as const,
};

export const planQuery = (id: string) =>
  queryOptions({
    queryKey: planKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}', { params: { path: { id } }, signal })),
  });

export const progressQuery = (id: string) =>
  queryOptions({
    queryKey: planKeys.progress(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/progress', { params: { path: { id } }, signal })),
  });

export const repositoriesQuery = () =>
  queryOptions({
    queryKey: ['repositories'] as const,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/repositories', { signal })),
  });

export const dashboardSettingsQuery = () =>
  queryOptions({
    queryKey: ['dashboard-settings'] as const,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/dashboard/settings', { signal })),
    staleTime: Infinity,
  });
