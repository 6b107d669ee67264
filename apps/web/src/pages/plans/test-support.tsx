/**
 * Test support for the page tests: a fetch stub answering API routes, and a render with a fresh
 * QueryClient and a memory router. (Imported by tests only.)
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | null;
  body: string;
}
type Answer = unknown;
type Handler = (call: Call) => Answer | Promise<Answer>;

/**
 * Stubs fetch: `routes` maps "METHOD /path" to an answer (a Response, or a body answered 200) or a
 * function of the call. Unknown routes answer 404. Returns the calls made, in order.
 */
export function stubApi(routes: Record<string, Answer | Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url, 'http://localhost');
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      contentType: request.headers.get('Content-Type'),
      body: request.method === 'GET' ? '' : await request.text(),
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (route === undefined)
      return json(404, {
        statusCode: 404,
        error: 'Not Found',
        message: `no stub for ${call.method} ${call.path}`,
      });
    const answer = typeof route === 'function' ? await (route as Handler)(call) : route;
    return answer instanceof Response ? answer : json(200, answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

function Where() {
  const location = useLocation();
  return <p data-testid="location">{location.pathname + location.search}</p>;
}

/** Renders `ui` at `url` (matched by `path`), with a fresh QueryClient; other paths show "Page <path>". */
export function renderPage(
  ui: ReactElement,
  { url = '/', path = '/' }: { url?: string; path?: string } = {},
) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return {
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path={path} element={ui} />
            <Route path="*" element={<p>Other page</p>} />
          </Routes>
          <Where />
        </MemoryRouter>
      </QueryClientProvider>,
    ),
  };
}

/** A plan summary with defaults. */
export function summary(over: Record<string, unknown> & { id: string; title: string }) {
  return {
    description: '',
    status: 'draft',
    archived: false,
    revision: 1,
    finalizedRevision: null,
    repository: null,
    chunkCount: 2,
    taskCount: 5,
    completedCount: 0,
    failedCount: 0,
    progress: 0,
    createdAt: new Date(Date.now() - 3600_000).toISOString(),
    updatedAt: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  };
}
