import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import type { StreamEvent } from '../../live/plan-stream';

export type TaskEdit = Schemas['EditSessionTask'];
export type ChunkDiff = Awaited<ReturnType<typeof fetchChunkDiff>>;

/**
 * The plan's recorded events, read once when the view opens (the live stream brings the rest): the
 * turns, QA results and failures of a session that started before the page was opened. Deliberately
 * NOT under planKeys.plan(id): refetching every event on every stream event would grow with the plan.
 */
export const executionLogQuery = (id: string, sessionId: string | null) =>
  queryOptions({
    // Read again when a new session starts (the live list keeps only the latest events).
    queryKey: ['plan-log', id, sessionId] as const,
    queryFn: async ({ signal }): Promise<StreamEvent[]> => {
      const history = unwrap(await api.GET('/api/plans/{id}/history', { params: { path: { id } }, signal }));
      return history.entries.map((e) => ({
        type: e.type,
        position: e.position,
        streamRevision: e.streamRevision,
        recordedAt: e.recordedAt,
        data: (e.data ?? {}) as Record<string, unknown>,
      }));
    },
  });

async function fetchChunkDiff(id: string, key: string, signal?: AbortSignal) {
  return unwrap(
    await api.GET('/api/plans/{id}/chunks/{key}/diff', { params: { path: { id, key } }, signal }),
  );
}

/** A chunk's commits, files and diff (under the plan's keys: a new commit refreshes it). */
export const chunkDiffQuery = (id: string, key: string) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'chunk-diff', key] as const,
    queryFn: ({ signal }) => fetchChunkDiff(id, key, signal),
  });

const path = (id: string) => ({ params: { path: { id } } });
const taskPath = (id: string, taskId: string) => ({ params: { path: { id, taskId } } });

export type ExecuteBody = Schemas['ExecutePlan'];

/** The session requests of the execution view and the controls; each returns the API's answer or throws ApiError. */
export type RollbackResult = Schemas['RollbackResult'];

export const sessionApi = {
  rollback: async (id: string): Promise<RollbackResult> =>
    unwrap(await api.POST('/api/plans/{id}/rollback', { ...path(id), body: {} })),
  execute: async (id: string, body: ExecuteBody) =>
    unwrap(await api.POST('/api/plans/{id}/execute', { ...path(id), body })),
  resume: async (id: string) => unwrap(await api.POST('/api/plans/{id}/resume', path(id))),
  pause: async (id: string) => unwrap(await api.POST('/api/plans/{id}/pause', { ...path(id), body: {} })),
  stop: async (id: string) => unwrap(await api.POST('/api/plans/{id}/stop', { ...path(id), body: {} })),
  cancel: async (id: string) => unwrap(await api.POST('/api/plans/{id}/cancel', { ...path(id), body: {} })),
  retry: async (id: string, taskId: string, edit?: TaskEdit) =>
    unwrap(
      await api.POST('/api/plans/{id}/tasks/{taskId}/retry', {
        ...taskPath(id, taskId),
        body: edit ? { edit } : {},
      }),
    ),
  skip: async (id: string, taskId: string) =>
    unwrap(await api.POST('/api/plans/{id}/tasks/{taskId}/skip', { ...taskPath(id, taskId), body: {} })),
  complete: async (id: string, taskId: string) =>
    unwrap(await api.POST('/api/plans/{id}/tasks/{taskId}/complete', taskPath(id, taskId))),
  approve: async (id: string, taskId: string, action: 'execute' | 'skip', edit?: TaskEdit) =>
    unwrap(
      await api.POST('/api/plans/{id}/tasks/{taskId}/approve', {
        ...taskPath(id, taskId),
        body: edit ? { action, edit } : { action },
      }),
    ),
};

/** The Temporal workflow of a session (libs/contracts sessionWorkflowId: chunkwise-<plan>-<session>). */
export const sessionWorkflowId = (planId: string, sessionId: string) => `chunkwise-${planId}-${sessionId}`;

export function temporalUiLink(
  settings: { temporalUiUrl: string | null; temporalNamespace: string } | undefined,
  planId: string,
  sessionId: string | null | undefined,
): string | null {
  if (!settings?.temporalUiUrl || !sessionId) return null;
  const base = settings.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(settings.temporalNamespace)}/workflows/${encodeURIComponent(
    sessionWorkflowId(planId, sessionId),
  )}`;
}
