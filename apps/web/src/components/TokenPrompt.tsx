import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { onUnauthorized } from '../api/client';
import { currentToken, setToken } from '../api/token';

/**
 * Asks for the API token when the server answers 401, stores it in this browser and retries.
 * A modal <dialog>: focus moves into it and Escape closes it.
 */
export function TokenPrompt() {
  const [reason, setReason] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onUnauthorized(() =>
        setReason(currentToken() ? 'The stored token was refused.' : 'This server needs an API token.'),
      ),
    [],
  );
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (reason && !d.open) d.showModal?.();
    if (!reason && d.open) d.close?.();
  }, [reason]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setToken(value.trim());
    setReason(null);
    setValue('');
    void queryClient.invalidateQueries();
  };
  return (
    <dialog ref={dialog} aria-labelledby="token-title" onClose={() => setReason(null)}>
      <form onSubmit={submit}>
        <h2 id="token-title">API token</h2>
        <p>{reason}</p>
        <label>
          Token (CHUNKWISE_API_TOKEN of the server)
          <input
            type="password"
            autoComplete="current-password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoFocus
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Use this token
          </button>
        </div>
        <p className="muted">It is kept in this browser (local storage) and sent only to this server.</p>
      </form>
    </dialog>
  );
}
