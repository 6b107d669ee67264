import { useEffect, useState } from 'react';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';

/**
 * Shows when the browser is offline, and recovers when it comes back: every query is refetched.
 * (A lost event stream is shown by the page that follows it; EventSource reconnects by itself.)
 */
export function ConnectionBanner() {
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  const queryClient = useQueryClient();
  const fetching = useIsFetching();
  useEffect(() => {
    const up = () => {
      setOnline(true);
      void queryClient.invalidateQueries();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [queryClient]);
  return (
    <>
      {online ? null : (
        <div className="banner banner-warn" role="status">
          You are offline. Changes cannot be saved; the page will refresh when the connection is back.
        </div>
      )}
      <span className="sr-only" aria-live="polite">
        {fetching > 0 ? 'Loading' : ''}
      </span>
    </>
  );
}
