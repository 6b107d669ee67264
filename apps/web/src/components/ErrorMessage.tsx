import { ApiError, messageOf } from '../api/errors';

/** An error the API (or the network) returned, with its message and, for 400s, every validation issue. */
export function ErrorMessage({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  if (!error) return null;
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div className="error" role="alert">
      <p>
        {title ? <strong>{title}: </strong> : null}
        {messageOf(error)}
        {error instanceof ApiError && error.status > 0 ? (
          <span className="muted"> (HTTP {error.status})</span>
        ) : null}
      </p>
      {issues.length > 0 ? (
        <ul>
          {issues.map((i, n) => (
            <li key={n}>
              {i.path ? <code>{i.path}</code> : null} {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
