/**
 * Test support for the page tests: a fetch stub answering API routes, and a render with a fresh
 * QueryClient and a memory router. (Imported by tests only.)
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';

export { json, stubApi, type Call } from '../../test/api-stub';

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
