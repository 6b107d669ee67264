import { api, withRevision, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';

/** The revision a write produced (or ApiError). */
const revisionOf = (result: { data?: { revision: number }; error?: unknown; response: Response }) =>
  unwrap(result).revision;

/** The editor's writes; each is based on `revision` (If-Match) and resolves to the revision after it. */
export const planWrites = {
  updatePlan: (id: string, body: Schemas['UpdatePlan'], revision: number) =>
    api
      .PATCH('/api/plans/{id}', { params: { path: { id } }, body, headers: withRevision(revision) })
      .then(revisionOf),
  addChunk: (id: string, body: Schemas['AddChunk'], revision: number) =>
    api
      .POST('/api/plans/{id}/chunks', { params: { path: { id } }, body, headers: withRevision(revision) })
      .then(revisionOf),
  updateChunk: (id: string, key: string, body: Schemas['UpdateChunk'], revision: number) =>
    api
      .PATCH('/api/plans/{id}/chunks/{key}', {
        params: { path: { id, key } },
        body,
        headers: withRevision(revision),
      })
      .then(revisionOf),
  removeChunk: (id: string, key: string, revision: number) =>
    api
      .DELETE('/api/plans/{id}/chunks/{key}', {
        params: { path: { id, key } },
        headers: withRevision(revision),
      })
      .then(revisionOf),
  reorderChunks: (id: string, order: string[], revision: number) =>
    api
      .PUT('/api/plans/{id}/chunks/order', {
        params: { path: { id } },
        body: { order },
        headers: withRevision(revision),
      })
      .then(revisionOf),
  addTask: (id: string, body: Schemas['AddTask'], revision: number) =>
    api
      .POST('/api/plans/{id}/tasks', { params: { path: { id } }, body, headers: withRevision(revision) })
      .then(revisionOf),
  updateTask: (id: string, taskId: string, body: Schemas['UpdateTask'], revision: number) =>
    api
      .PATCH('/api/plans/{id}/tasks/{taskId}', {
        params: { path: { id, taskId } },
        body,
        headers: withRevision(revision),
      })
      .then(revisionOf),
  removeTask: (id: string, taskId: string, revision: number) =>
    api
      .DELETE('/api/plans/{id}/tasks/{taskId}', {
        params: { path: { id, taskId } },
        headers: withRevision(revision),
      })
      .then(revisionOf),
  setDependencies: (id: string, taskId: string, dependsOn: string[], revision: number) =>
    api
      .PUT('/api/plans/{id}/tasks/{taskId}/dependencies', {
        params: { path: { id, taskId } },
        body: { dependsOn },
        headers: withRevision(revision),
      })
      .then(revisionOf),
  moveTask: (
    id: string,
    taskId: string,
    toChunk: string,
    beforeTaskId: string | undefined,
    revision: number,
  ) =>
    api
      .POST('/api/plans/{id}/tasks/{taskId}/move', {
        params: { path: { id, taskId } },
        body: beforeTaskId ? { toChunk, beforeTaskId } : { toChunk },
        headers: withRevision(revision),
      })
      .then(revisionOf),
};

export const validatePlan = async (id: string, signal?: AbortSignal) =>
  unwrap(await api.POST('/api/plans/{id}/validate', { params: { path: { id } }, signal }));
