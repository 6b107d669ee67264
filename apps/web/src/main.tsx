import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app/App';
import { ApiError } from './api/errors';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live pages refresh from the event stream; no interval polling anywhere.
      staleTime: 5_000,
      refetchOnWindowFocus: true,
      // A user's mistake (4xx) is not retried; a network failure or 5xx is, a few times.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 3,
    },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
