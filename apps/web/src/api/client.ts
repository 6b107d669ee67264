import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/schema';
import { ApiError } from './errors';
import { currentToken } from './token';

export type Schemas = components['schemas'];
export type PlanSummary = Schemas['PlanSummary'];
export type PlanDetail = Schemas['PlanDetail'];
export type Chunk = PlanDetail['chunks'][number];
export type Task = Chunk['tasks'][number];
export type Progress = Schemas['Progress'];
export type PlanStatus = PlanSummary['status'];

type UnauthorizedListener = (message: string) => void;
const unauthorized = new Set<UnauthorizedListener>();
/** Called when the API answers 401: the token prompt listens. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      const message = 'The API needs a token';
      for (const l of unauthorized) l(message);
    }
    return response;
  },
  onError({ error }) {
    // fetch rejected: the server is unreachable (stopped, restarting, network gone).
    return new ApiError(0, error instanceof Error ? error.message : String(error));
  },
};

/** The typed API client: paths and bodies come from the OpenAPI document of the build. */
// fetch is looked up per call (not captured at start), so a polyfill or a test's stub applies.
export const api = createClient<paths>({ baseUrl: '', fetch: (request) => globalThis.fetch(request) });
api.use(auth);

/** The If-Match header of a write based on `revision` (a stale one is answered 409). */
export const withRevision = (revision: number) => ({ 'If-Match': `"${revision}"` });
