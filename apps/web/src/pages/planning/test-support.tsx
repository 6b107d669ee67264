/**
 * Test support for the planning components: a fetch stub the typed API client calls, and a render
 * with a fresh QueryClient (the client looks fetch up per call; src/test/setup.ts makes its
 * same-origin Request work under jsdom).
 */
import type { ReactElement } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';

/** Answers every API request; set an implementation per test (mockResolvedValueOnce…). */
export const fetchMock = vi.fn<(request: Request) => Promise<Response>>();

globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
  fetchMock(input instanceof Request ? input : new Request(input, init))) as typeof fetch;

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** An API error answer as the server writes it. */
export const apiError = (status: number, message: string, extra: Record<string, unknown> = {}) =>
  json(status, { statusCode: status, error: 'Error', message, ...extra });

/**
 * Answers by "METHOD /path" (query ignored); anything else is a 404. A function answers from the
 * request; a Response is cloned so it can be served more than once.
 */
export function routeApi(answers: Record<string, Response | ((req: Request) => Response)>) {
  fetchMock.mockImplementation((req) => {
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const a = answers[key];
    if (!a) return Promise.resolve(apiError(404, `no route ${key}`));
    return Promise.resolve(typeof a === 'function' ? a(req) : a.clone());
  });
}

/** The requests the client made so far: method, path (with query), If-Match and JSON body. */
export async function sentRequests() {
  return Promise.all(
    fetchMock.mock.calls.map(async ([req]) => {
      const url = new URL(req.url);
      const text = await req.clone().text();
      return {
        method: req.method,
        path: url.pathname + url.search,
        ifMatch: req.headers.get('If-Match'),
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
    }),
  );
}

/** A promise the test resolves when it wants: to see what the page shows while the API works. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function renderWithClient(ui: ReactElement, { route = '/plans/p1/planning' } = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return {
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </QueryClientProvider>,
    ),
  };
}
